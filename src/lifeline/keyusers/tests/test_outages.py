"""Unplanned outages open critical work orders for the key users they cut off; bad input
gets a clear, translated error and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from lifeline.core.clock import frozen_at
from lifeline.core.errors import Conflict, ServiceError
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.keyusers.models import Interruption, InterruptionKind, KeyUser
from lifeline.keyusers.services import (
    interruption_plan,
    interruption_publish,
    keyuser_register,
    outage_record,
)
from lifeline.keyusers.tests.helpers import (
    days_later,
    key_user,
    make_power_grid,
    monday,
    vulnerable_households,
)
from lifeline.testing.factories import SmallCity
from lifeline.workorders.models import Priority, WorkOrder

pytestmark = pytest.mark.django_db


def test_unplanned_outage_opens_a_critical_order_per_affected_key_user(city: SmallCity) -> None:
    # Given 2 key users on feeder A, 1 on feeder B, and 5 households on feeder A
    grid = make_power_grid(city)
    first = key_user(grid, 1, grid.feeder_a)
    second = key_user(grid, 2, grid.feeder_a)
    key_user(grid, 3, grid.feeder_b)
    vulnerable_households(grid.buildings_a, 5, serial=4)
    with frozen_at(monday()):
        # When the duty desk records an outage of feeder A
        outage = outage_record(actor=grid.duty, supply_points=[grid.feeder_a], reason="电缆故障")
    # Then it is published at once, those affected are texted
    assert outage.kind == InterruptionKind.UNPLANNED and outage.published_at is not None
    notices = OutboxMessage.objects.filter(object_type="keyusers.keyuser")
    assert sorted(notices.values_list("recipient", flat=True)) == ["13700000001", "13700000002"]
    assert outage.notices_sent == 7
    # and one critical order per affected key user waits for the command centre
    orders = WorkOrder.objects.filter(category__code="key_user_outage")
    assert orders.count() == 2
    assert {o.priority for o in orders} == {Priority.CRITICAL}
    assert {o.contact_phone for o in orders} == {first.contact_phone, second.contact_phone}


def _counts() -> tuple[int, int, int, int]:
    return (
        Interruption.objects.count(),
        KeyUser.objects.count(),
        OutboxMessage.objects.count(),
        AuditRecord.objects.count(),
    )


def test_an_end_before_the_start_is_refused_in_the_users_language(city: SmallCity) -> None:
    grid = make_power_grid(city)
    before = _counts()
    with (
        frozen_at(monday()),
        translation.override("en"),
        pytest.raises(ServiceError) as refused,
    ):
        interruption_plan(
            actor=grid.duty,
            supply_points=[grid.feeder_a],
            starts_at=days_later(7, hour=12),
            ends_at=days_later(7, hour=8),
            reason="检修",
        )
    assert refused.value.fields["ends_at"] == ["The end must come after the start."]
    assert _counts() == before


def test_an_unknown_supply_point_is_refused_and_nothing_written(city: SmallCity) -> None:
    grid = make_power_grid(city)
    before = _counts()
    with frozen_at(monday()), translation.override("en"):
        for points in ([999999], ["abc"], []):
            with pytest.raises(ServiceError) as refused:
                interruption_plan(
                    actor=grid.duty,
                    supply_points=points,
                    starts_at=days_later(7),
                    ends_at=days_later(7, hour=12),
                    reason="检修",
                )
            assert refused.value.code == "not_found" or "supply_points" in refused.value.fields
            assert "supply point" in str(refused.value.message)
        with pytest.raises(ServiceError):
            keyuser_register(
                actor=grid.duty,
                area=city.grid_a,
                supply_points=[999999],
                name="某医院",
                kind="hospital",
                contact_name="李",
                contact_phone="13700001111",
            )
        with pytest.raises(ServiceError):
            outage_record(actor=grid.duty, supply_points=[999999], reason="故障")
    assert _counts() == before


def test_publishing_twice_is_refused_and_texts_once(city: SmallCity) -> None:
    grid = make_power_grid(city)
    key_user(grid, 1, grid.feeder_a)
    with frozen_at(monday()):
        draft = interruption_plan(
            actor=grid.duty,
            supply_points=[grid.feeder_a],
            starts_at=days_later(7),
            ends_at=days_later(7, hour=12),
            reason="检修",
        )
        interruption_publish(actor=grid.duty, interruption=draft)
        before = _counts()
        with translation.override("en"), pytest.raises(Conflict) as refused:
            stale = Interruption.objects.get(pk=draft.pk)
            stale.status = "draft"  # a page opened before the first publish
            interruption_publish(actor=grid.duty, interruption=stale)
    assert refused.value.code == "not_draft"
    assert str(refused.value.message) == "This interruption is already published or cancelled."
    assert _counts() == before


def test_bad_plan_values_name_each_field(city: SmallCity) -> None:
    grid = make_power_grid(city)
    with translation.override("en"), pytest.raises(ServiceError) as refused:
        keyuser_register(
            actor=grid.duty,
            area=city.grid_a,
            supply_points=[grid.feeder_a],
            name="",
            kind="spaceship",
            contact_name="李",
            contact_phone="12",
            response_minutes="soon",
        )
    assert set(refused.value.fields) == {"name", "kind", "contact_phone", "response_minutes"}
    assert KeyUser.objects.count() == 0


def test_someone_without_the_outage_permission_cannot_plan(city: SmallCity, grid_worker_a) -> None:  # type: ignore[no-untyped-def]
    grid = make_power_grid(city)
    with pytest.raises(ServiceError):
        interruption_plan(
            actor=grid_worker_a,
            supply_points=[grid.feeder_a],
            starts_at=days_later(7) + dt.timedelta(days=1),
            ends_at=days_later(9),
            reason="检修",
        )
    assert Interruption.objects.count() == 0
