"""Medical transfers: a top-priority order with the decision attached, and the closed loop's
times (call, dispatch, arrival, hand-over) on the order's timeline, in order, once each."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.accounts.models import Role
from lifeline.core.clock import frozen_at
from lifeline.core.errors import Conflict, NotFound, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.health.models import MedicalTransfer
from lifeline.health.services import (
    health_status_set,
    medical_transfer_record,
    medical_transfer_request,
)
from lifeline.testing.factories import make_person, make_user
from lifeline.workorders.models import Priority, SlaPolicyVersion, Status, WorkOrderEvent

# The seed's aneurysm case, local time: 120 called 20:06, the ambulance there 4 minutes
# later, the emergency room 20:20.
CST = dt.timezone(dt.timedelta(hours=8))
FILED = dt.datetime(2022, 11, 20, 20, 8, tzinfo=CST)
CALL, DISPATCH, ARRIVAL, HANDOVER = (
    dt.datetime(2022, 11, 20, 20, m, tzinfo=CST) for m in (6, 7, 10, 20)
)


@pytest.fixture
def crew(city):
    """Staff of the community committee: the unit every medical order of the city goes to."""
    return make_user("committee_crew", role=Role.UNIT_STAFF, unit=city.units["committee"])


def _transfer_steps(order) -> list[tuple[str, dt.datetime]]:
    events = WorkOrderEvent.objects.filter(order=order)  # the timeline's own order: at, id
    return [(e.data["transfer_step"], e.at) for e in events if "transfer_step" in e.data]


def _red_transfer(city, command_staff, hotline_operator):
    person = city.people_a[1]
    with frozen_at(FILED - dt.timedelta(hours=1)):
        health_status_set(actor=command_staff, person=person, colour="red", reason="阳性")
    with frozen_at(FILED):
        return medical_transfer_request(
            actor=hotline_operator, person=person, urgency="necessary", channel="hotline"
        )


def test_red_code_residents_transfer_is_a_top_priority_order_with_the_decision(
    city, hospitals, command_staff, hotline_operator, crew
):
    # given a red-code resident; when the hotline files a medical transfer for them
    transfer = _red_transfer(city, command_staff, hotline_operator)
    order = transfer.order
    # then one top-priority "medical care or transfer" order is routed with the decision
    assert order.category.code == "medical_care" and order.priority == Priority.CRITICAL
    assert order.status == Status.DISPATCHED and order.responsible_unit == city.units["committee"]
    assert order.channel == "hotline" and order.extra["need"] == "transfer"
    decision = transfer.decision
    assert decision.person == transfer.person and decision.rule.name == "red_any_need"
    assert decision.rule_version == 1 and decision.how == "transfer_120"
    assert transfer.hospital == hospitals.designated == decision.hospital
    attached = [e for e in order.events.all() if e.data.get("decision") == decision.pk]
    assert len(attached) == 1 and attached[0].data["rule_version"] == 1
    assert "table version 1" in attached[0].note
    assert "天元区定点医院" in order.description
    assert AuditRecord.objects.filter(action="health.transfer_request").count() == 1

    # when the crew records the four times, as they happened
    with frozen_at(HANDOVER + dt.timedelta(minutes=30)):
        for step, at in (
            ("call", CALL),
            ("dispatch", DISPATCH),
            ("arrival", ARRIVAL),
            ("handover", HANDOVER),
        ):
            medical_transfer_record(actor=crew, transfer=transfer, step=step, at=at)
    # then they are on the order's timeline in order, at the times given
    assert _transfer_steps(order) == [
        ("call", CALL),
        ("dispatch", DISPATCH),
        ("arrival", ARRIVAL),
        ("handover", HANDOVER),
    ]
    transfer.refresh_from_db()
    assert (transfer.call_at, transfer.handed_over_at) == (CALL, HANDOVER)


def test_out_of_order_and_repeated_times_are_refused_and_write_nothing(
    city, hospitals, command_staff, hotline_operator, crew
):
    transfer = _red_transfer(city, command_staff, hotline_operator)
    before = WorkOrderEvent.objects.count()
    with frozen_at(HANDOVER + dt.timedelta(minutes=30)):
        # arrival before any dispatch
        with pytest.raises(ServiceError) as skipped:
            medical_transfer_record(actor=crew, transfer=transfer, step="arrival", at=ARRIVAL)
        assert skipped.value.code == "out_of_order"
        assert "first" in str(skipped.value.message)
        medical_transfer_record(actor=crew, transfer=transfer, step="call", at=CALL)
        # a dispatch earlier than the call
        with pytest.raises(ServiceError) as earlier:
            medical_transfer_record(
                actor=crew, transfer=transfer, step="dispatch", at=CALL - dt.timedelta(minutes=1)
            )
        assert earlier.value.code == "out_of_order" and "earlier" in str(earlier.value.message)
        # the call again
        with pytest.raises(Conflict) as again:
            medical_transfer_record(actor=crew, transfer=transfer, step="call", at=DISPATCH)
        assert again.value.code == "already_recorded"
        assert "already recorded" in str(again.value.message)
        # a time in the future, and a step that does not exist
        with pytest.raises(ServiceError):
            medical_transfer_record(
                actor=crew, transfer=transfer, step="dispatch", at=HANDOVER + dt.timedelta(hours=2)
            )
        with pytest.raises(ServiceError):
            medical_transfer_record(actor=crew, transfer=transfer, step="teleport")
    # then only the one accepted time was written
    transfer.refresh_from_db()
    assert transfer.call_at == CALL and transfer.dispatched_at is None
    assert WorkOrderEvent.objects.count() == before + 1


def test_a_second_open_transfer_for_the_same_person_is_refused(
    city, hospitals, command_staff, hotline_operator
):
    first = _red_transfer(city, command_staff, hotline_operator)
    with frozen_at(FILED + dt.timedelta(minutes=5)), pytest.raises(Conflict) as refused:
        medical_transfer_request(actor=hotline_operator, person=first.person)
    assert refused.value.code == "transfer_open"
    assert first.order.number in str(refused.value.message)
    assert MedicalTransfer.objects.count() == 1


def test_two_patients_of_one_household_get_two_orders(city, hospitals, hotline_operator):
    # given two members of one household (intake would fold the second into the first)
    person = city.people_a[2]
    partner = make_person(household=person.household, name="同户家属", sex="F")
    # when a transfer is requested for each
    one = medical_transfer_request(actor=hotline_operator, person=person)
    two = medical_transfer_request(actor=hotline_operator, person=partner)
    # then each has an open order of its own
    assert one.order_id != two.order_id
    assert {one.order.status, two.order.status} == {Status.DISPATCHED}


def test_a_transfer_is_critical_even_when_the_policy_does_not_raise_medical_orders(
    city, hospitals, hotline_operator
):
    policy = SlaPolicyVersion.objects.get(active=True)
    policy.medical_steps = 0
    policy.save()
    transfer = medical_transfer_request(actor=hotline_operator, person=city.people_a[0])
    order = transfer.order
    assert order.priority == Priority.CRITICAL
    # the critical clock of the category (a quarter of its 15 minutes, at least 5)
    assert order.due_response_at - order.created_at == dt.timedelta(minutes=5)


def test_people_outside_the_actors_area_get_no_transfer(city, hospitals, grid_worker_b, outsider):
    for actor in (grid_worker_b, outsider):
        with pytest.raises(NotFound):
            medical_transfer_request(actor=actor, person=city.people_a[0])
    assert MedicalTransfer.objects.count() == 0


def test_only_staff_handling_the_order_record_times(
    city, hospitals, hotline_operator, grid_worker_b
):
    transfer = medical_transfer_request(actor=hotline_operator, person=city.people_a[0])
    with pytest.raises(NotFound):
        medical_transfer_record(actor=grid_worker_b, transfer=transfer, step="call")
    transfer.refresh_from_db()
    assert transfer.call_at is None
