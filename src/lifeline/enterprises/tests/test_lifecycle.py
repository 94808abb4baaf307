"""The whitelist's life of an enterprise: suspended by the district, reopened after a
positive is cleared (its revoked passes stay revoked), closed and taken off the list."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.core import clock
from lifeline.core.errors import Conflict, ServiceError
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.enterprises import services
from lifeline.enterprises.models import Bubble, Enterprise, LoopStatus, Vehicle, Whitelist
from lifeline.enterprises.tests.helpers import CONTACT_PHONE, Crew, at, make_crew
from lifeline.passes.models import MovementPass, PassStatus
from lifeline.passes.services import pass_application_approve
from lifeline.screening.models import Outcome, PersonResult
from lifeline.testing.factories import SmallCity, make_user


@pytest.fixture
def crew(city: SmallCity) -> Crew:
    with clock.frozen_at(at(10, 9)):
        return make_crew(city)


def _truck_pass(crew: Crew) -> MovementPass:
    with clock.frozen_at(at(10, 10)):
        application = services.vehicle_pass_apply(
            actor=crew.liaison,
            vehicle=Vehicle.objects.get(pk=crew.truck.pk),
            route="项目部—工地",
            valid_from=at(10, 10),
            valid_until=at(12, 20),
            purpose="运送钢材",
        )
        return pass_application_approve(actor=crew.approver, application_id=application.pk)


def _change(crew: Crew, action: str, reason: str = "区指挥部通知", hour: int = 16) -> Enterprise:
    with clock.frozen_at(at(10, hour)):
        return services.enterprise_status_change(
            actor=crew.liaison, enterprise=crew.enterprise, action=action, reason=reason
        )


def test_suspending_stops_work_and_passes_with_the_reason_audited(crew: Crew) -> None:
    # given: the truck holds a pass
    issued = _truck_pass(crew)

    # when: the liaison suspends the enterprise with a reason
    done = _change(crew, "suspend", reason="整改消防隐患")

    # then: the enterprise and its loop are suspended, the reason kept and audited
    assert (done.status, done.status_reason) == (LoopStatus.SUSPENDED, "整改消防隐患")
    assert Bubble.objects.get(pk=crew.bubble.pk).status == LoopStatus.SUSPENDED
    record = AuditRecord.objects.filter(action="enterprises.suspend").get()
    assert record.purpose == "整改消防隐患"
    # and the truck's pass is revoked by the rule; the contact is told
    assert MovementPass.objects.get(pk=issued.pk).status == PassStatus.REVOKED
    assert OutboxMessage.objects.filter(recipient=CONTACT_PHONE, body__contains="整改").exists()


def test_reopening_after_a_positive_does_not_give_back_the_revoked_pass(crew: Crew) -> None:
    # given: a positive suspended the loop and revoked the truck's pass
    issued = _truck_pass(crew)
    with clock.frozen_at(at(10, 16)):
        services.positive_report(actor=crew.liaison, bubble=crew.bubble)

    # when: the district reopens it the next day, the positive cleared
    with clock.frozen_at(at(11, 9)):
        services.enterprise_status_change(
            actor=crew.liaison, enterprise=crew.enterprise, action="reopen", reason="复核阴性"
        )

    # then: work resumes, but the pass stays revoked and the vehicle stays stopped
    assert Enterprise.objects.get(pk=crew.enterprise.pk).status == LoopStatus.ACTIVE
    bubble = Bubble.objects.get(pk=crew.bubble.pk)
    assert (bubble.status, bubble.reopened_at) == (LoopStatus.ACTIVE, at(11, 9))
    assert MovementPass.objects.get(pk=issued.pk).status == PassStatus.REVOKED
    assert Vehicle.objects.get(pk=crew.truck.pk).stopped_at == at(10, 16)
    # and a new application may be made for it
    with clock.frozen_at(at(11, 10)):
        again = services.vehicle_pass_apply(
            actor=crew.liaison,
            vehicle=Vehicle.objects.get(pk=crew.truck.pk),
            route="项目部—工地",
            valid_from=at(11, 11),
            valid_until=at(12, 11),
            purpose="运送钢材",
        )
    assert again.pk != issued.application_id


def test_a_cleared_positive_does_not_suspend_the_reopened_loop_again(crew: Crew) -> None:
    # given: the lab's positive suspended the loop on the sweep, and the loop was reopened
    PersonResult.objects.create(
        sample_id=990003,
        person=crew.people[2],
        grid_id=crew.people[2].grid_id,
        area_path=crew.people[2].area_path,
        outcome=Outcome.POSITIVE,
        sampled_on=dt.date(2026, 12, 10),
    )
    with clock.frozen_at(at(10, 18)):
        assert services.bubble_positives_sweep() == 1
    _change(crew, "reopen", reason="复核阴性", hour=20)

    # when: the sweep runs again the next day
    with clock.frozen_at(at(11, 8)):
        again = services.bubble_positives_sweep()

    # then: the loop stays open
    assert again == 0
    assert Bubble.objects.get(pk=crew.bubble.pk).status == LoopStatus.ACTIVE


def test_closing_takes_the_enterprise_off_the_whitelist_for_good(crew: Crew) -> None:
    done = _change(crew, "close", reason="工程完工")
    assert (done.status, done.whitelist) == (LoopStatus.CLOSED, Whitelist.REMOVED)
    assert Bubble.objects.get(pk=crew.bubble.pk).status == LoopStatus.CLOSED
    with pytest.raises(Conflict) as refused:
        _change(crew, "reopen", reason="复工")
    assert refused.value.code == "status"


def test_reopening_an_active_enterprise_is_refused_and_writes_nothing(crew: Crew) -> None:
    records, texts = AuditRecord.objects.count(), OutboxMessage.objects.count()
    with pytest.raises(Conflict):
        _change(crew, "reopen")
    assert (AuditRecord.objects.count(), OutboxMessage.objects.count()) == (records, texts)


@pytest.mark.parametrize("action,reason", [("suspend", " "), ("suspend", "长" * 201), ("x", "r")])
def test_a_missing_reason_or_an_unknown_action_is_refused(
    crew: Crew, action: str, reason: str
) -> None:
    with pytest.raises(ServiceError):
        _change(crew, action, reason=reason)
    assert Enterprise.objects.get(pk=crew.enterprise.pk).status == LoopStatus.ACTIVE


def test_a_grid_worker_may_not_change_the_status(crew: Crew) -> None:
    worker = make_user("gw_life", area=crew.city.grid_a)
    with pytest.raises(ServiceError):
        services.enterprise_status_change(
            actor=worker, enterprise=crew.enterprise, action="close", reason="无"
        )
    assert Enterprise.objects.get(pk=crew.enterprise.pk).status == LoopStatus.ACTIVE
