"""Staff pages: the queue with its overdue view, the order page's buttons, photos checked
by their bytes, and a team member's phone queue (claim, complete with photo, hand over)."""

from __future__ import annotations

import datetime as dt

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import client_for
from lifeline.core.clock import frozen_at
from lifeline.testing.factories import make_user
from lifeline.workorders.models import EventKind, Photo, Status
from lifeline.workorders.services import workorder_create

T0 = dt.datetime(2022, 11, 5, 9, 0, tzinfo=dt.UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _order(actor, area, text="事项", category="other", **more):
    return workorder_create(
        actor=actor, category_code=category, area=area, description=text, address="1栋", **more
    ).order


def test_queue_shows_scoped_open_orders_and_the_overdue_view(
    city, ladder, categories, grid_worker_a, grid_worker_b
):
    with frozen_at(T0):
        old = _order(grid_worker_a, city.grid_a, "旧事")
    with frozen_at(T0 + dt.timedelta(days=5)):
        new = _order(grid_worker_a, city.grid_a, "新事")
        theirs = _order(grid_worker_b, city.grid_b, "B的事")
        client = client_for(grid_worker_a)
        page = client.get("/workorders/").content.decode()
        overdue = client.get("/workorders/", {"overdue": "1"}).content.decode()
    assert old.number in page and new.number in page and theirs.number not in page
    assert old.number in overdue and new.number not in overdue


def test_order_page_buttons_call_the_services_and_refusals_come_back_as_messages(
    city, ladder, categories, grid_worker_a, committee_staff
):
    order = _order(grid_worker_a, city.grid_a)
    client = client_for(committee_staff)
    assert client.get(f"/workorders/{order.pk}/").status_code == 200
    # a refused step (resolve before accepting) is a message, not an error page
    response = client.post(f"/workorders/{order.pk}/act/resolve/", {"note": "做完了"}, follow=True)
    assert response.status_code == 200 and b'class="message error"' in response.content
    client.post(f"/workorders/{order.pk}/act/claim/")
    client.post(f"/workorders/{order.pk}/act/resolve/", {"note": "做完了"})
    order.refresh_from_db()
    assert order.status == Status.RESOLVED and order.claimed_by == committee_staff
    assert client.post(f"/workorders/{order.pk}/act/nonsense/").status_code == 404


def test_other_grids_orders_are_not_found(city, ladder, categories, grid_worker_a, grid_worker_b):
    order = _order(grid_worker_b, city.grid_b)
    client = client_for(grid_worker_a)
    assert client.get(f"/workorders/{order.pk}/").status_code == 404
    assert client.post(f"/workorders/{order.pk}/act/comment/", {"note": "看看"}).status_code == 404
    assert not order.events.filter(kind=EventKind.COMMENTED).exists()


def test_photos_are_checked_by_their_bytes_and_size_and_served_in_scope(
    city, ladder, categories, grid_worker_a, grid_worker_b
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = _order(grid_worker_a, city.grid_a)
    client = client_for(grid_worker_a)
    url = f"/workorders/{order.pk}/act/photo/"
    client.post(url, {"photo": SimpleUploadedFile("a.png", PNG, "image/png")})
    client.post(url, {"photo": SimpleUploadedFile("fake.png", b"<svg>", "image/png")})
    big = JPEG + b"\x00" * (5 * 1024 * 1024)
    client.post(url, {"photo": SimpleUploadedFile("big.jpg", big, "image/jpeg")})
    [photo] = Photo.objects.all()
    assert photo.content_type == "image/png" and photo.size == len(PNG)
    served = client.get(f"/workorders/photos/{photo.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert client_for(grid_worker_b).get(f"/workorders/photos/{photo.pk}/").status_code == 404


def test_team_member_claims_completes_with_photo_and_hands_over_from_the_phone_queue(
    city, ladder, categories, gas_team, gas_worker, grid_worker_a
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    colleague = make_user("gas_colleague", role=Role.FIELD_TEAM, unit=gas_team)
    first = _order(grid_worker_a, city.grid_a, "气不够", "gas", extra={"account": "G1"})
    second = _order(grid_worker_a, city.grid_a, "也没气", "gas", extra={"account": "G2"})
    client = client_for(gas_worker)
    mine = client.get("/workorders/mine/").content.decode()
    assert first.number in mine and second.number in mine
    # claim and complete the first with a note and a photo
    client.post(f"/workorders/{first.pk}/act/claim/", {"next": "/workorders/mine/"})
    client.post(
        f"/workorders/{first.pk}/act/complete/",
        {"note": "已充气", "photo": SimpleUploadedFile("p.jpg", JPEG, "image/jpeg")},
    )
    first.refresh_from_db()
    assert first.status == Status.RESOLVED and first.photos.count() == 1
    # claim the second and hand it to a colleague
    client.post(f"/workorders/{second.pk}/act/claim/")
    client.post(f"/workorders/{second.pk}/act/handover/", {"to_user": colleague.pk, "note": "换班"})
    second.refresh_from_db()
    assert second.claimed_by == colleague
    assert second.number in client_for(colleague).get("/workorders/mine/").content.decode()


def test_completing_with_a_bad_photo_changes_nothing(
    city, ladder, categories, gas_worker, grid_worker_a
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = _order(grid_worker_a, city.grid_a, "气不够", "gas", extra={"account": "G1"})
    client = client_for(gas_worker)
    client.post(f"/workorders/{order.pk}/act/claim/")
    client.post(
        f"/workorders/{order.pk}/act/complete/",
        {"note": "已充气", "photo": SimpleUploadedFile("p.gif", b"GIF89a....", "image/gif")},
    )
    order.refresh_from_db()
    assert order.status == Status.ACCEPTED and order.photos.count() == 0


def test_a_food_order_offers_a_supply_need_to_those_who_may_raise_one(
    city, ladder, categories, grid_worker_a
):
    """The page shows what apps above register for it (supplies: raise a need for it)."""
    food = _order(grid_worker_a, city.grid_a, "缺米", "food_supplies", extra={"items": "大米"})
    other = _order(grid_worker_a, city.grid_a)
    hotline = make_user("hotline_links", role=Role.HOTLINE_OPERATOR, area=city.city)
    link = f"/supplies/needs/?work_order={food.number}#raise"
    page = client_for(grid_worker_a).get(f"/workorders/{food.pk}/").content.decode()
    assert link in page and "提出物资需求" in page
    assert (
        "/supplies/needs/"
        not in client_for(grid_worker_a).get(f"/workorders/{other.pk}/").content.decode()
    )
    seen = client_for(hotline).get(f"/workorders/{food.pk}/")
    assert seen.status_code == 200 and "/supplies/needs/" not in seen.content.decode()
    # The link opens the need form with the order's number filled in.
    form = client_for(grid_worker_a).get(link.split("#")[0]).content.decode()
    assert f'value="{food.number}"' in form
