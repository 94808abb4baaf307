"""Seed scenario (4) of issue 17: the bridge project's sealed crew under 5 in 7."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.core import clock
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.enterprises import selectors, services
from lifeline.enterprises.models import Bubble, Enterprise, LoopStatus, SealedStaff, Vehicle
from lifeline.enterprises.tests.helpers import (
    CONTACT_PHONE,
    DISTRICT_PHONE,
    Crew,
    at,
    give_tests,
    make_crew,
)
from lifeline.passes.models import MovementPass, PassStatus
from lifeline.passes.services import pass_application_approve
from lifeline.screening.models import Outcome, PersonResult
from lifeline.testing.factories import SmallCity

DAY = dt.timedelta(days=1)


@pytest.fixture
def crew(city: SmallCity) -> Crew:
    with clock.frozen_at(at(10, 9)):
        return make_crew(city)


def _days(today: dt.date, ago: list[int]) -> list[dt.date]:
    return [today - n * DAY for n in ago]


def _truck_pass(crew: Crew) -> MovementPass:
    application = services.vehicle_pass_apply(
        actor=crew.liaison,
        vehicle=crew.truck,
        route="项目部—湘江大桥北岸工地",
        valid_from=at(10, 10),
        valid_until=at(12, 20),
        purpose="运送钢材",
    )
    return pass_application_approve(actor=crew.approver, application_id=application.pk)


def test_members_under_five_in_seven_are_listed_to_be_tested_by_twenty(crew: Crew) -> None:
    # given: on the 10th, the first two residents tested 5 times in 7 days, the third 3
    # times; the fourth worker comes from elsewhere (no tests known here)
    today = dt.date(2026, 12, 10)
    give_tests(crew.people[0], _days(today, [0, 1, 2, 3, 4]))
    give_tests(crew.people[1], _days(today, [1, 2, 4, 5, 6]))
    give_tests(crew.people[2], _days(today, [0, 3, 9]))

    # when: the liaison reads the crew's compliance at 15:00
    with clock.frozen_at(at(10, 15)):
        figures = selectors.compliance(actor=crew.liaison, enterprise=crew.enterprise)

    # then: the two behind are listed, masked, to be tested by 20:00 today
    assert (figures.required, figures.days) == (5, 7)
    behind = {m.staff_id: m.tests for m in figures.behind}
    assert behind == {crew.staff[2].pk: 2, crew.staff[3].pk: 0}
    assert figures.due_by == at(10, 20)
    assert figures.percent == 50
    names = [m.name for m in figures.members]
    assert "施工员0" not in names and any(n.startswith("施") and "*" in n for n in names)


def test_a_test_falling_out_of_the_window_puts_a_member_behind_the_next_day(crew: Crew) -> None:
    # given: the second resident's oldest test was six days ago
    today = dt.date(2026, 12, 10)
    give_tests(crew.people[1], _days(today, [1, 2, 4, 5, 6]))

    # when: the next day's list is read
    with clock.frozen_at(at(11, 8)):
        figures = selectors.compliance(actor=crew.liaison, enterprise=crew.enterprise)

    # then: four tests in the window: behind
    assert crew.staff[1].pk in {m.staff_id for m in figures.behind}


def test_positive_reported_by_the_command_suspends_the_loop_revokes_its_passes_and_tells(
    crew: Crew,
) -> None:
    # given: the truck holds a logistics pass issued by the district bureau
    with clock.frozen_at(at(10, 10)):
        issued = _truck_pass(crew)
    before = OutboxMessage.objects.count()

    # when: the command centre enters a positive of the tower-crane driver
    with clock.frozen_at(at(10, 16)):
        services.positive_report(
            actor=crew.command_staff, bubble=crew.bubble, staff=crew.staff[0], note="单采阳性"
        )

    # then: the loop and the enterprise are suspended, the member marked positive
    assert Bubble.objects.get(pk=crew.bubble.pk).status == LoopStatus.SUSPENDED
    enterprise = Enterprise.objects.get(pk=crew.enterprise.pk)
    assert enterprise.status == LoopStatus.SUSPENDED
    assert SealedStaff.objects.get(pk=crew.staff[0].pk).positive_at == at(10, 16)
    # and the truck's pass is revoked (it joins the revocation list)
    assert MovementPass.objects.get(pk=issued.pk).status == PassStatus.REVOKED
    assert Vehicle.objects.get(pk=crew.truck.pk).stopped_at == at(10, 16)
    # and the contact and the district are texted
    sent = OutboxMessage.objects.order_by("pk")[before:]
    assert {m.recipient for m in sent} >= {CONTACT_PHONE, DISTRICT_PHONE}


def test_positive_reported_by_the_liaison_stops_the_pass_by_the_rule(
    crew: Crew,
) -> None:
    # given: the truck's pass, and a liaison who may not revoke passes themselves
    with clock.frozen_at(at(10, 10)):
        issued = _truck_pass(crew)

    # when: the liaison reports a positive in the loop
    with clock.frozen_at(at(10, 16)):
        services.positive_report(actor=crew.liaison, bubble=crew.bubble)

    # then: the loop is suspended, the vehicle stopped, and its pass revoked by the rule
    # (the system, audited with the reason), and the district is told
    assert Bubble.objects.get(pk=crew.bubble.pk).status == LoopStatus.SUSPENDED
    assert Vehicle.objects.get(pk=crew.truck.pk).stopped_at is not None
    assert MovementPass.objects.get(pk=issued.pk).status == PassStatus.REVOKED
    revoked = AuditRecord.objects.filter(action="passes.revoke").get()
    assert revoked.actor_id is None
    district = OutboxMessage.objects.filter(recipient=DISTRICT_PHONE).last()
    assert district is not None and "已停用通行证1张" in district.body


def test_a_suspended_loop_gets_no_new_pass(crew: Crew) -> None:
    # given: a suspended loop
    with clock.frozen_at(at(10, 16)):
        services.positive_report(actor=crew.liaison, bubble=crew.bubble)

    # when / then: a pass for its truck is refused
    with clock.frozen_at(at(10, 17)), pytest.raises(Exception) as refused:
        services.vehicle_pass_apply(
            actor=crew.liaison,
            vehicle=Vehicle.objects.get(pk=crew.truck.pk),
            route="项目部—工地",
            valid_from=at(10, 18),
            valid_until=at(11, 18),
            purpose="运送钢材",
        )
    assert getattr(refused.value, "code", "") == "suspended"


def test_a_second_report_on_a_suspended_loop_is_refused_and_writes_nothing(crew: Crew) -> None:
    with clock.frozen_at(at(10, 16)):
        services.positive_report(actor=crew.liaison, bubble=crew.bubble)
    records, texts = AuditRecord.objects.count(), OutboxMessage.objects.count()
    with pytest.raises(Exception) as refused:
        services.positive_report(actor=crew.liaison, bubble=crew.bubble)
    assert getattr(refused.value, "status", 0) == 409
    assert (AuditRecord.objects.count(), OutboxMessage.objects.count()) == (records, texts)


def test_a_positive_result_from_screening_suspends_the_loop_on_the_sweep(crew: Crew) -> None:
    # given: the lab's positive for the third resident, sampled today (the row the results
    # import writes; the sample's key is not constrained)
    PersonResult.objects.create(
        sample_id=990001,
        person=crew.people[2],
        grid_id=crew.people[2].grid_id,
        area_path=crew.people[2].area_path,
        outcome=Outcome.POSITIVE,
        sampled_on=dt.date(2026, 12, 10),
    )

    # when: the worker's sweep runs
    with clock.frozen_at(at(10, 18)):
        suspended = services.bubble_positives_sweep()
        again = services.bubble_positives_sweep()

    # then: the loop is suspended once, the member marked positive, the contact told
    assert (suspended, again) == (1, 0)
    assert Bubble.objects.get(pk=crew.bubble.pk).status == LoopStatus.SUSPENDED
    assert SealedStaff.objects.get(pk=crew.staff[2].pk).positive_at == at(10, 18)
    assert OutboxMessage.objects.filter(recipient=CONTACT_PHONE).exists()
