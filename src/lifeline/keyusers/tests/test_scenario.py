"""Seed scenario (1): 73 key users with plans; a planned interruption on a feeder serving
3 of them and 40 supply-dependent households lists exactly those, is refused with 2
business days' notice and published with 5, and texts each of them once."""

from __future__ import annotations

import pytest

from lifeline.core.clock import frozen_at
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.keyusers import selectors
from lifeline.keyusers.models import InterruptionStatus, KeyUser, KeyUserKind
from lifeline.keyusers.services import interruption_plan, interruption_publish
from lifeline.keyusers.tests.helpers import (
    Grid,
    days_later,
    key_user,
    make_power_grid,
    monday,
    vulnerable_households,
)
from lifeline.testing.factories import SmallCity, make_household, make_person

pytestmark = pytest.mark.django_db


def _seventy_three(grid: Grid) -> list[KeyUser]:
    on_a = [
        key_user(grid, 1, grid.feeder_a),
        key_user(
            grid,
            2,
            grid.feeder_a,
            kind=KeyUserKind.QUARANTINE_SITE,
            name="市中心医院（集中隔离救治医院）",
            special_plan="双电源，专人值守，转供方案见附件",
        ),
        key_user(grid, 3, grid.feeder_a, kind=KeyUserKind.EPIDEMIC_CONTROL, name="区疾控中心"),
    ]
    others = [key_user(grid, n, grid.feeder_b) for n in range(4, 74)]
    return on_a + others


def _world(city: SmallCity) -> tuple[Grid, list[KeyUser], list[int]]:
    grid = make_power_grid(city)
    users = _seventy_three(grid)
    households = vulnerable_households(grid.buildings_a, 40, serial=1)
    vulnerable_households(grid.buildings_b, 12, serial=2)  # on the other feeder
    # In grid A's buildings but with no need that depends on supply: not listed.
    quiet = make_household(grid=city.grid_a, building=grid.buildings_a[0])
    make_person(household=quiet, name="孕妇", vulnerabilities=("pregnant",))
    return grid, users, households


def test_planned_interruption_lists_exactly_the_three_key_users_and_forty_households(
    city: SmallCity,
) -> None:
    # Given 73 key users with plans, 3 of them and 40 households on feeder A
    grid, users, households = _world(city)
    assert KeyUser.objects.count() == 73
    assert all(u.backup_source and u.contact_phone for u in users)
    with frozen_at(monday()):
        # When the duty desk plans an interruption of feeder A
        planned = interruption_plan(
            actor=grid.duty,
            supply_points=[grid.feeder_a],
            starts_at=days_later(7),
            ends_at=days_later(7, hour=15),
            reason="线路检修",
        )
        impact = selectors.interruption_impact(actor=grid.duty, interruption=planned)
    # Then exactly those are listed
    assert {u.pk for u in impact.key_users} == {u.pk for u in users[:3]}
    assert sorted(row["household_id"] for row in impact.households) == sorted(households)
    assert all("*" in row["phone_masked"] for row in impact.households)


def test_two_business_days_notice_is_refused_and_five_is_published_with_one_text_each(
    city: SmallCity,
) -> None:
    grid, users, _households = _world(city)
    with frozen_at(monday()):
        # Given a draft starting Wednesday (2 business days away)
        short = interruption_plan(
            actor=grid.duty,
            supply_points=[grid.feeder_a.pk],
            starts_at=days_later(2),
            ends_at=days_later(2, hour=17),
            reason="线路检修",
        )
        # When the duty desk publishes it, then it is refused and nothing is sent
        with pytest.raises(ServiceError) as refused:
            interruption_publish(actor=grid.duty, interruption=short)
        assert refused.value.code == "short_notice"
        assert "2" in str(refused.value.message) and "4" in str(refused.value.message)
        assert OutboxMessage.objects.count() == 0
        short.refresh_from_db()
        assert short.status == InterruptionStatus.DRAFT
        # Given one starting next Monday (5 business days away), when published
        ok = interruption_plan(
            actor=grid.duty,
            supply_points=[grid.feeder_a.pk],
            starts_at=days_later(7),
            ends_at=days_later(7, hour=17),
            reason="线路检修",
        )
        published = interruption_publish(actor=grid.duty, interruption=ok)
    # Then 3 key users' contacts and 40 households are texted, once each
    assert published.status == InterruptionStatus.PUBLISHED
    assert (published.key_users_affected, published.households_affected) == (3, 40)
    recipients = list(OutboxMessage.objects.values_list("recipient", flat=True))
    assert len(recipients) == 43 == len(set(recipients)) == published.notices_sent
    assert {u.contact_phone for u in users[:3]} <= set(recipients)


def test_short_notice_is_published_by_the_command_centre_with_a_reason_audited(
    city: SmallCity,
) -> None:
    grid, _users, _households = _world(city)
    with frozen_at(monday()):
        draft = interruption_plan(
            actor=grid.duty,
            supply_points=[grid.feeder_a],
            starts_at=days_later(1),
            ends_at=days_later(1, hour=12),
            reason="抢修变压器",
        )
        # The duty desk may not override the notice period
        with pytest.raises(PermissionDenied):
            interruption_publish(actor=grid.duty, interruption=draft, override_reason="设备隐患")
        # The command centre may, with a reason
        done = interruption_publish(
            actor=grid.command, interruption=draft, override_reason="变压器过热，不修将停全网"
        )
    assert done.override_by == grid.command and done.override_reason.startswith("变压器")
    record = AuditRecord.objects.filter(action="keyusers.interruption_publish").get()
    assert "short notice" in record.purpose


def test_a_phone_shared_by_a_key_user_and_a_household_is_texted_once(
    city: SmallCity,
) -> None:
    grid = make_power_grid(city)
    # Given households 13800030000 and 13800030001, and two key users whose contact
    # shares the first household's phone
    vulnerable_households(grid.buildings_a, 2, serial=3)
    key_user(grid, 1, grid.feeder_a, contact_phone="13800030000")
    key_user(grid, 2, grid.feeder_a, contact_phone="13800030000")
    with frozen_at(monday()):
        draft = interruption_plan(
            actor=grid.duty,
            supply_points=[grid.feeder_a],
            starts_at=days_later(7),
            ends_at=days_later(7, hour=12),
            reason="检修",
        )
        done = interruption_publish(actor=grid.duty, interruption=draft)
    # Then that phone gets one text
    assert done.notices_sent == OutboxMessage.objects.count() == 2
