"""A permission holds only inside the membership that grants it. Two people each hold two
memberships of different roles and places:

- ``mixed_dispatcher``: community staff of grid A (sees, files, dispatches there) and a
  sampler city-wide (takes samples; grants nothing over work orders);
- ``gas_and_grid_b``: staff of the gas team (works the team's orders, wherever they are)
  and grid worker of grid B (sees, files and comments there; works no orders).

Each may do each role's things only in that membership's place: nothing is read or written
elsewhere, through the services, the API and the pages.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lifeline.accounts.models import Membership, Role
from lifeline.accounts.services import token_create
from lifeline.api.tests.helpers import API, assert_error, client_for, post_json
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError
from lifeline.testing.factories import make_user
from lifeline.workorders.models import EventKind, Photo, SlaPolicyVersion, Status, WorkOrder
from lifeline.workorders.selectors import workorder_list, workorder_metrics, workorder_queue
from lifeline.workorders.services import (
    photo_add,
    sla_policy_activate,
    workorder_accept,
    workorder_claim,
    workorder_comment,
    workorder_create,
    workorder_dispatch,
    workorder_handover,
    workorder_list_import,
    workorder_merge,
    workorder_reopen,
    workorder_transfer,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _second(user, role, *, area=None, unit=None):
    Membership.objects.create(user=user, role=role, area=area, unit=unit)
    return user


@pytest.fixture
def mixed_dispatcher(city):
    user = make_user("mixed_dispatcher", role=Role.COMMUNITY_STAFF, area=city.grid_a)
    return _second(user, Role.SAMPLER, area=city.city)


@pytest.fixture
def gas_and_grid_b(city, gas_team):
    user = make_user("gas_and_grid_b", role=Role.UNIT_STAFF, unit=gas_team)
    return _second(user, Role.GRID_WORKER, area=city.grid_b)


def _order(actor, area, text, category="other", **more):
    return workorder_create(
        actor=actor, category_code=category, area=area, description=text, **more
    ).order


@pytest.fixture
def orders(city, ladder, categories, gas_team, grid_worker_a, grid_worker_b):
    """Orders of the committee in each grid, and a gas order of grid A (the gas team's)."""
    return {
        "a": _order(grid_worker_a, city.grid_a, "第一网格的事"),
        "b": _order(grid_worker_b, city.grid_b, "第二网格的事"),
        "gas_a": _order(
            grid_worker_a, city.grid_a, "燃气不足", "gas", extra={"account": "G1"}, address="1栋"
        ),
    }


# Reads ------------------------------------------------------------------------------------


def test_each_sees_only_the_orders_of_the_membership_that_lets_them_see(
    orders, mixed_dispatcher, gas_and_grid_b
):
    # the sampler's city-wide membership shows no work order; grid A's staff see grid A's
    assert set(workorder_list(actor=mixed_dispatcher)) == {orders["a"], orders["gas_a"]}
    # the gas team's staff see its order in grid A; the grid worker grid B's orders
    assert set(workorder_list(actor=gas_and_grid_b)) == {orders["b"], orders["gas_a"]}
    keys = {row["key"] for row in workorder_metrics(actor=mixed_dispatcher, by="area")}
    assert keys == {orders["a"].area_path}


def test_the_queue_holds_only_the_work_of_units_where_one_works(orders, gas_and_grid_b):
    # grid B's open order is visible to the grid worker, but not work of theirs
    assert list(workorder_queue(actor=gas_and_grid_b)) == [orders["gas_a"]]


def test_api_reads_stop_at_the_membership(orders, mixed_dispatcher):
    client = client_for(mixed_dispatcher)
    listed = client.get(f"{API}/workorders").json()["items"]
    assert {o["id"] for o in listed} == {orders["a"].pk, orders["gas_a"].pk}
    assert_error(client.get(f"{API}/workorders/{orders['b'].pk}"), 404)
    assert_error(client.get(f"{API}/workorders/{orders['b'].pk}/events"), 404)


# Writes -----------------------------------------------------------------------------------


def test_dispatching_holds_only_where_the_dispatching_membership_does(
    city, orders, ladder, mixed_dispatcher, gas_and_grid_b
):
    # grid A's staff dispatch, transfer and merge in grid A
    moved = workorder_transfer(
        actor=mixed_dispatcher, order=orders["a"], unit=ladder["street"], reason="需要街道协调"
    )
    assert moved.responsible_unit == ladder["street"]
    # but grid B's order does not exist for them (the sampler's membership covers grid B)
    for step in (
        lambda: workorder_accept(actor=mixed_dispatcher, order=orders["b"]),
        lambda: workorder_comment(actor=mixed_dispatcher, order=orders["b"], note="看看"),
        lambda: workorder_merge(actor=mixed_dispatcher, duplicate=orders["b"], into=orders["a"]),
    ):
        with pytest.raises(NotFound):
            step()
    # and grid B's worker who is also the gas team's staff may not dispatch there
    received = _order(gas_and_grid_b, city.grid_b, "又一件事")
    WorkOrder.objects.filter(pk=received.pk).update(status=Status.RECEIVED)
    received.refresh_from_db()
    with pytest.raises(PermissionDenied):
        workorder_dispatch(actor=gas_and_grid_b, order=received)
    assert not orders["b"].events.filter(kind=EventKind.COMMENTED).exists()


def test_working_holds_only_for_the_units_orders(orders, gas_and_grid_b):
    # the gas team's staff claim the gas order, in grid A where they have no area
    assert workorder_claim(actor=gas_and_grid_b, order=orders["gas_a"]).claimed_by_id
    # grid B's order: seen and commented on as its grid worker, not worked
    workorder_comment(actor=gas_and_grid_b, order=orders["b"], note="居民说还没人来")
    photo_add(actor=gas_and_grid_b, order=orders["b"], data=PNG)
    for step in (workorder_claim, workorder_accept):
        with pytest.raises(PermissionDenied):
            step(actor=gas_and_grid_b, order=orders["b"])
    with pytest.raises(PermissionDenied):
        workorder_reopen(actor=gas_and_grid_b, order=orders["b"], reason="再看看")
    # grid A's committee order: neither membership covers it
    with pytest.raises(NotFound):
        workorder_comment(actor=gas_and_grid_b, order=orders["a"], note="看看")
    with pytest.raises(NotFound):
        photo_add(actor=gas_and_grid_b, order=orders["a"], data=PNG)
    order_b = WorkOrder.objects.get(pk=orders["b"].pk)
    assert order_b.status == Status.DISPATCHED and order_b.claimed_by_id is None
    assert Photo.objects.filter(order=orders["a"]).count() == 0


def test_handover_only_to_someone_who_works_the_order_there(
    city, orders, gas_team, gas_worker, gas_and_grid_b
):
    workorder_claim(actor=gas_worker, order=orders["gas_a"])
    # a grid worker of grid A who also works for another team cannot take grid A's gas order
    other_team = make_user("other_team", role=Role.UNIT_STAFF, unit=city.units["committee"])
    _second(other_team, Role.GRID_WORKER, area=city.grid_a)
    with pytest.raises(ServiceError):
        workorder_handover(actor=gas_worker, order=orders["gas_a"], to_user=other_team)
    moved = workorder_handover(actor=gas_worker, order=orders["gas_a"], to_user=gas_and_grid_b)
    assert moved.claimed_by == gas_and_grid_b


def test_filing_holds_only_where_the_filing_membership_does(
    city, ladder, categories, gas_team, mixed_dispatcher, gas_and_grid_b
):
    # grid A's staff file in grid A, for grid A's households too
    _order(mixed_dispatcher, city.grid_a, "A的事")
    workorder_create(
        actor=mixed_dispatcher,
        category_code="other",
        household=city.people_a[0].household,
        description="楼道灯坏了",
    )
    # grid B is covered (by the sampler's membership) but not for filing: refused
    with pytest.raises(PermissionDenied):
        _order(mixed_dispatcher, city.grid_b, "B的事")
    # the gas team's staff file only where they are grid worker, and name households there
    _order(gas_and_grid_b, city.grid_b, "B的事")
    with pytest.raises(NotFound):
        _order(gas_and_grid_b, city.grid_a, "A的事")
    with pytest.raises(NotFound):
        workorder_create(
            actor=gas_and_grid_b,
            category_code="other",
            household=city.people_a[0].household,
            description="楼道灯坏了",
        )
    assert WorkOrder.objects.filter(area=city.grid_a).count() == 2
    assert WorkOrder.objects.filter(area=city.grid_b).count() == 1


def test_list_rows_name_only_households_where_one_files(city, ladder, gas_and_grid_b):
    def upload(household):
        content = f"household_id,description\n{household.pk},送菜\n".encode()
        return workorder_list_import(
            actor=gas_and_grid_b, category_code="other", file_name="l.csv", content=content
        )

    with pytest.raises(ServiceError) as refused:
        upload(city.people_a[0].household)
    assert "row 2" in refused.value.fields
    [order] = upload(city.people_b[0].household)
    assert order.area_path == city.grid_b.path
    assert WorkOrder.objects.count() == 1


def test_the_city_policy_needs_supervision_of_the_whole_city(city, ladder, categories):
    district_command = make_user("district_command", role=Role.COMMAND_STAFF, area=city.district)
    _second(district_command, Role.GRID_WORKER, area=city.city)
    with pytest.raises(PermissionDenied):
        sla_policy_activate(actor=district_command, code="lockdown_surge")
    assert not SlaPolicyVersion.objects.filter(code="lockdown_surge", active=True).exists()
    city_command = make_user("city_command", role=Role.COMMAND_STAFF, area=city.city)
    sla_policy_activate(actor=city_command, code="lockdown_surge")
    assert SlaPolicyVersion.objects.get(active=True).code == "lockdown_surge"


def test_api_writes_stop_at_the_membership(orders, mixed_dispatcher, gas_and_grid_b, city):
    sampler = client_for(mixed_dispatcher)
    url = f"{API}/workorders/{orders['b'].pk}"
    assert_error(post_json(sampler, f"{url}/comment", {"note": "看看"}), 404)
    refused = post_json(
        sampler,
        f"{API}/workorders",
        {"description": "要买菜", "category": "other", "area": city.grid_b.pk},
    )
    assert_error(refused, 403)
    worker = client_for(gas_and_grid_b)
    assert_error(post_json(worker, f"{url}/accept", {}), 403)
    assert post_json(worker, f"{url}/comment", {"note": "居民来电"}).status_code == 201
    assert WorkOrder.objects.get(pk=orders["b"].pk).status == Status.DISPATCHED
    assert WorkOrder.objects.filter(area=city.grid_b).count() == 1


# Pages ------------------------------------------------------------------------------------


def test_order_page_buttons_follow_the_permissions_at_the_order(orders, gas_and_grid_b):
    client = client_for(gas_and_grid_b)
    seen = client.get(f"/workorders/{orders['b'].pk}/").content.decode()
    assert "act/claim/" not in seen and "act/photo/" in seen
    worked = client.get(f"/workorders/{orders['gas_a'].pk}/").content.decode()
    assert "act/claim/" in worked and "act/dispatch/" not in worked
    assert client.get(f"/workorders/{orders['a'].pk}/").status_code == 404
    refused = client.post(f"/workorders/{orders['b'].pk}/act/accept/", follow=True)
    assert b'class="message error"' in refused.content
    assert WorkOrder.objects.get(pk=orders["b"].pk).status == Status.DISPATCHED


def test_pages_open_only_to_those_holding_their_permission(orders, mixed_dispatcher, city):
    sampler_only = make_user("sampler_only", role=Role.SAMPLER, area=city.city)
    for url in ("/workorders/", "/workorders/hotline/", "/workorders/metrics/"):
        assert client_for(sampler_only).get(url).status_code == 403, url
        assert client_for(mixed_dispatcher).get(url).status_code == 200, url
    # "my work" is for those who work orders: grid A's staff dispatch but work none
    assert client_for(mixed_dispatcher).get("/workorders/mine/").status_code == 403
    page = client_for(mixed_dispatcher).get("/workorders/").content.decode()
    assert orders["a"].number in page and orders["b"].number not in page


def test_hotline_console_files_only_where_the_actor_may_file(city, ladder, gas_and_grid_b):
    client = client_for(gas_and_grid_b)
    refused = client.post(
        "/workorders/hotline/new/",
        {"description": "要买菜", "category": "other", "area": city.grid_a.pk},
    )
    # the console shows the refusal in its form, and files nothing
    assert refused.status_code in (400, 403, 404)
    assert not WorkOrder.objects.exists()
    client.post(
        "/workorders/hotline/new/",
        {"description": "要买菜", "category": "other", "area": city.grid_b.pk},
    )
    [order] = WorkOrder.objects.all()
    assert order.area_id == city.grid_b.pk and order.channel == "staff"


def test_open311_key_files_only_where_its_user_may_file(client, city, ladder, categories):
    user = make_user("partner_grid_a", role=Role.GRID_WORKER, area=city.grid_a)
    _second(user, Role.SAMPLER, area=city.city)
    key = token_create(actor=None, user=user, name="partner")[1]
    data = {
        "api_key": key,
        "service_code": "other",
        "description": "路灯坏了",
        "phone": "13912345678",
    }
    elsewhere = client.post(
        "/open311/v2/requests.json", {**data, "jurisdiction_id": city.grid_b.code}
    )
    assert elsewhere.status_code == 403
    assert client.post("/open311/v2/requests.json", data).status_code == 201
    assert list(WorkOrder.objects.values_list("area_id", flat=True)) == [city.grid_a.pk]


def test_photo_upload_page_refuses_outside_the_membership(orders, mixed_dispatcher):
    client = client_for(mixed_dispatcher)
    upload = SimpleUploadedFile("a.png", PNG, "image/png")
    response = client.post(f"/workorders/{orders['b'].pk}/act/photo/", {"photo": upload})
    assert response.status_code == 404
    assert not Photo.objects.exists()
