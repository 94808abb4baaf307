"""One definition of "overdue" (``clocks``): the lists, the sweep's query and the sweep's
test of one locked order agree, and the sweep's steps are the system's, shown as such."""

from __future__ import annotations

import datetime as dt

from lifeline.api.tests.helpers import client_for
from lifeline.core.clock import frozen_at
from lifeline.workorders.clocks import escalation_due_q, missed_target, overdue_q
from lifeline.workorders.models import EventKind, Status, WorkOrder
from lifeline.workorders.selectors import workorder_list
from lifeline.workorders.services import workorder_accept, workorder_create
from lifeline.workorders.tasks import escalate_overdue, run_periodic

T0 = dt.datetime(2022, 11, 7, 9, 0, tzinfo=dt.UTC)


def _order(city, actor, text):
    return workorder_create(
        actor=actor, category_code="other", area=city.grid_a, description=text
    ).order


def test_the_lists_the_sweep_and_the_locked_row_agree_on_overdue(
    city, ladder, categories, grid_worker_a, committee_staff
):
    with frozen_at(T0):
        waiting = _order(city, grid_worker_a, "无人响应")
        taken = workorder_accept(actor=committee_staff, order=_order(city, grid_worker_a, "已接"))
        received = _order(city, grid_worker_a, "待派")
    WorkOrder.objects.filter(pk=received.pk).update(status=Status.RECEIVED)
    past_response = waiting.due_response_at + dt.timedelta(minutes=1)
    past_resolution = waiting.due_resolution_at + dt.timedelta(minutes=1)
    for now in (T0, past_response, past_resolution):
        overdue = set(WorkOrder.objects.filter(overdue_q(now)).values_list("pk", flat=True))
        due = set(WorkOrder.objects.filter(escalation_due_q(now)).values_list("pk", flat=True))
        missed = {o.pk for o in WorkOrder.objects.all() if missed_target(o, now) is not None}
        listed = set(
            workorder_list(actor=committee_staff, overdue=True, now=now).values_list(
                "pk", flat=True
            )
        )
        assert due == missed, now
        assert due <= overdue and listed == overdue
    # the response clock stops once the unit has taken the order up; a received order is
    # overdue in the lists but waits for a dispatcher, not the sweep
    assert missed_target(waiting, past_response) == "response"
    assert missed_target(WorkOrder.objects.get(pk=taken.pk), past_response) is None
    assert missed_target(WorkOrder.objects.get(pk=taken.pk), past_resolution) == "resolution"
    received = WorkOrder.objects.get(pk=received.pk)
    assert WorkOrder.objects.filter(overdue_q(past_response), pk=received.pk).exists()
    assert missed_target(received, past_response) is None
    # once escalated for a due time, that miss is not picked up again
    assert escalate_overdue(past_response) == 1
    assert not WorkOrder.objects.filter(escalation_due_q(past_response), pk=waiting.pk).exists()


def test_sweep_steps_are_the_systems_with_the_reason_on_the_timeline(
    city, ladder, categories, grid_worker_a, street_staff
):
    with frozen_at(T0):
        order = _order(city, grid_worker_a, "无人响应")
    run_periodic(order.warn_at)
    escalate_overdue(order.due_response_at + dt.timedelta(minutes=1))
    warned = order.events.get(kind=EventKind.WARNED)
    escalated = order.events.get(kind=EventKind.ESCALATED)
    assert (warned.actor, warned.actor_label) == (None, "system")
    assert warned.data["system_reason"] == "clock warning sweep"
    assert escalated.data["system_reason"] == "escalation sweep"
    assert escalated.data["missed"] == "response"
    client = client_for(street_staff)
    page = client.get(f"/workorders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "System (escalation sweep)" in page and "System (clock warning sweep)" in page
    assert "</strong> system" not in page
