"""Supply packages, the pages: staff publish and read live counts, a resident with a
proven phone orders and is told "sold out" or "already ordered", a building head marks
the building's orders; refusals are messages with their status, GETs write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.supplies.models import PackageDay, PackageOrder, PickList, SupplyPackage
from lifeline.supplies.tests.scope_cases_packages import at, make_package, order_for
from lifeline.testing.factories import SmallCity, make_household, make_user
from lifeline.workorders.pages.resident import SESSION_PHONE, SESSION_UNTIL

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(city: SmallCity) -> User:
    return make_user("pk_staff", role=Role.COMMUNITY_STAFF, area=city.community)


def _resident(phone: str) -> Client:
    client = Client()
    session = client.session
    session[SESSION_PHONE] = phone
    session[SESSION_UNTIL] = (clock.now() + dt.timedelta(days=2)).isoformat()
    session.save()
    return client


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_publish_a_package_and_see_the_live_count(city: SmallCity, staff: User) -> None:
    client = _signed_in(staff)
    bad = client.post(
        "/supplies/packages/",
        {
            "area": city.community.pk,
            "unit": city.units["committee"].pk,
            "name": "蔬菜包",
            "contents": "青菜",
            "price": "39.9",
            "daily_cap": "0",
            "per_household": "1",
            "opens_at": "07:00",
            "closes_at": "14:00",
            "deliver_from": "18:00",
        },
    )
    assert bad.status_code == 400 and SupplyPackage.objects.count() == 0
    good = client.post(
        "/supplies/packages/",
        {
            "area": city.community.pk,
            "unit": city.units["committee"].pk,
            "name": "蔬菜包",
            "contents": "青菜",
            "price": "39.9",
            "daily_cap": "200",
            "per_household": "1",
            "opens_at": "07:00",
            "closes_at": "14:00",
            "deliver_from": "18:00",
        },
    )
    assert good.status_code == 302
    package = SupplyPackage.objects.get()
    order_for(city.people_a[0].household, package, when=at(9))
    page = client.get("/supplies/packages/")
    assert "1 / 200" in page.content.decode()
    detail = client.get(f"/supplies/packages/{package.pk}/").content.decode()
    assert "1 / 200" in detail and city.people_a[0].household.building.name in detail


def test_a_resident_orders_sees_sold_out_and_already_ordered(city: SmallCity, staff: User) -> None:
    package = make_package(city, staff, city.community, cap=1)
    mine, other = city.people_a[0].household, city.people_a[1].household
    with clock.frozen_at(at(10)):
        assert Client().get("/supplies/r/").status_code == 302
        client = _resident(mine.phone)
        page = client.get("/supplies/r/")
        assert page.status_code == 200 and "1" in page.content.decode()
        assert PackageDay.objects.count() == 0  # a GET writes nothing
        placed = client.post("/supplies/r/order/", {"household": mine.pk, "package": package.pk})
        assert placed.status_code == 302 and PackageOrder.objects.count() == 1
        again = client.post("/supplies/r/order/", {"household": mine.pk, "package": package.pk})
        assert again.status_code == 409
        late = _resident(other.phone).post(
            "/supplies/r/order/", {"household": other.pk, "package": package.pk}
        )
        assert late.status_code == 409 and 'data-testid="error"' in late.content.decode()
        stranger = client.post("/supplies/r/order/", {"household": other.pk, "package": "x"})
        assert stranger.status_code == 404
    assert PackageOrder.objects.count() == 1


def test_a_building_head_marks_orders_and_the_list_closes(city: SmallCity, staff: User) -> None:
    package = make_package(city, staff, city.community)
    building = city.people_a[0].household.building
    households = [
        make_household(grid=city.grid_a, unit_no=f"90{i}", building=building) for i in range(2)
    ]
    first, second = (order_for(h, package, when=at(9)) for h in households)
    head = make_user("pk_head", role=Role.BUILDING_HEAD, area=city.grid_a)
    client = _signed_in(head)
    lists = client.get("/supplies/picklists/")
    assert lists.status_code == 200 and building.name in lists.content.decode()
    pick_list = PickList.objects.get(building=building)
    page = client.get(f"/supplies/picklists/{pick_list.pk}/").content.decode()
    assert households[0].phone not in page and "****" in page
    ok = client.post(f"/supplies/package-orders/{first.pk}/deliver/", {"delivered": "1"})
    assert ok.status_code == 302
    no_reason = client.post(f"/supplies/package-orders/{second.pk}/deliver/", {"delivered": "0"})
    assert no_reason.status_code == 400
    assert PackageOrder.objects.get(pk=second.pk).status == "ordered"
    client.post(
        f"/supplies/package-orders/{second.pk}/deliver/", {"delivered": "0", "reason": "无人"}
    )
    assert PickList.objects.get(pk=pick_list.pk).closed_at is not None
    paid = client.post(f"/supplies/package-orders/{first.pk}/payment/", {"payment": "paid"})
    assert paid.status_code == 302 and PackageOrder.objects.get(pk=first.pk).payment == "paid"
    # a head of grid B does not reach grid A's list
    other = _signed_in(make_user("pk_head_b", role=Role.BUILDING_HEAD, area=city.grid_b))
    assert other.get(f"/supplies/picklists/{pick_list.pk}/").status_code == 404
