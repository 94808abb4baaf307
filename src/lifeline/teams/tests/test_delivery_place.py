"""A shipment of supplies to a place that is not a household (a community store, a
canteen) becomes a delivery visit on the unit's route queue, at the place's position."""

from __future__ import annotations

import pytest

from lifeline.accounts.models import Role
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError
from lifeline.teams.models import Delivery, VisitKind
from lifeline.teams.services import delivery_cancel, delivery_create_at_place
from lifeline.teams.tests.helpers import DAY
from lifeline.teams.visits import visits_for_day
from lifeline.testing.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_sender_of_supplies_asks_for_a_delivery_to_a_place(city, fleet):
    officer = make_user("place_officer", role=Role.WAREHOUSE_OFFICER, area=city.grid_a)
    unit = fleet.units["A"]
    delivery = delivery_create_at_place(
        actor=officer,
        unit_id=unit.pk,
        area=city.grid_a,
        day=DAY,
        what="防护服 300 件",
        address="第一社区物资点",
        lat=27.83,
        lng=113.15,
        size=3,
    )
    assert delivery.household_id is None and delivery.area_path == city.grid_a.path
    # The unit's dispatcher finds it in the day's queue at the place's position.
    visits = visits_for_day(
        actor=fleet.dispatchers["A"], day=DAY, unit_ids=[unit.pk], area_paths=None
    )
    found = [v for v in visits if v.kind == VisitKind.DELIVERY and v.ref_id == delivery.pk]
    assert len(found) == 1
    assert (found[0].lat, found[0].lng, found[0].address) == (27.83, 113.15, "第一社区物资点")


def test_only_those_sending_supplies_there_may_ask(city, fleet):
    worker = make_user("place_worker", role=Role.GRID_WORKER, area=city.grid_a)
    officer_b = make_user("place_officer_b", role=Role.WAREHOUSE_OFFICER, area=city.grid_b)
    for actor in (worker, officer_b):
        with pytest.raises((PermissionDenied, NotFound)):
            delivery_create_at_place(
                actor=actor,
                unit_id=fleet.units["A"].pk,
                area=city.grid_a,
                day=DAY,
                what="口罩",
                address="物资点",
                lat=27.8,
                lng=113.1,
            )
    assert not Delivery.objects.exists()


def test_bad_input_is_refused_and_nothing_written(city, fleet):
    officer = make_user("place_officer_c", role=Role.WAREHOUSE_OFFICER, area=city.grid_a)
    with pytest.raises(ServiceError) as error:
        delivery_create_at_place(
            actor=officer,
            unit_id=999_999,
            area=city.grid_a,
            day=DAY,
            what="",
            address="物资点",
            lat=95.0,
            lng=113.1,
            size=0,
        )
    assert set(error.value.fields) >= {"unit_id", "what", "lat", "size"}
    assert not Delivery.objects.exists()


def test_a_delivery_still_to_make_is_cancelled_by_its_sender_only(city, fleet):
    officer = make_user("place_officer_d", role=Role.WAREHOUSE_OFFICER, area=city.grid_a)
    officer_b = make_user("place_officer_e", role=Role.WAREHOUSE_OFFICER, area=city.grid_b)
    delivery = delivery_create_at_place(
        actor=officer,
        unit_id=fleet.units["A"].pk,
        area=city.grid_a,
        day=DAY,
        what="大米 10 袋",
        address="第一社区物资点",
        lat=27.83,
        lng=113.15,
    )
    with pytest.raises((PermissionDenied, NotFound)):
        delivery_cancel(actor=officer_b, delivery_id=delivery.pk)
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.OPEN
    assert delivery_cancel(actor=officer, delivery_id=delivery.pk, reason="改期") is True
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.CANCELLED
    assert delivery_cancel(actor=officer, delivery_id=delivery.pk) is False
    visits = visits_for_day(
        actor=fleet.dispatchers["A"], day=DAY, unit_ids=[fleet.units["A"].pk], area_paths=None
    )
    assert all(v.ref_id != delivery.pk for v in visits if v.kind == VisitKind.DELIVERY)
