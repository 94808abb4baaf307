"""What other apps ask of work orders through the package root of ``services``: a raised
priority (health), a note on the timeline (health), the resolution by a crew's route stop
(teams), and the announcement of a settled order (teams)."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.core.actors import system
from lifeline.core.clock import frozen_at
from lifeline.core.errors import Conflict, NotFound, PermissionDenied
from lifeline.core.models import OutboxMessage
from lifeline.workorders.models import EventKind, Priority, Status, WorkOrder
from lifeline.workorders.services import (
    workorder_accept,
    workorder_annotate,
    workorder_cancel,
    workorder_create,
    workorder_merge,
    workorder_raise_priority,
    workorder_resolve,
    workorder_resolve_from_route,
    workorder_settled,
)
from lifeline.workorders.services.routing import clock_target

T0 = dt.datetime(2022, 11, 7, 9, 0, tzinfo=dt.UTC)


def _order(city, actor, text="煤气快用完了", **more):
    more.setdefault("category_code", "other")
    return workorder_create(actor=actor, area=city.grid_a, description=text, **more).order


def test_raising_the_priority_takes_the_new_clocks_from_filing(
    city, ladder, categories, grid_worker_a, grid_worker_b
):
    with frozen_at(T0):
        order = _order(city, grid_worker_a)
    assert order.priority == Priority.LOW
    with pytest.raises(NotFound):
        workorder_raise_priority(
            actor=grid_worker_b, order=order, priority=Priority.HIGH, reason="不是我的"
        )
    raised = workorder_raise_priority(
        actor=grid_worker_a, order=order, priority=Priority.CRITICAL, reason="独居老人"
    )
    critical = clock_target(category=order.category, priority=Priority.CRITICAL)
    stored = WorkOrder.objects.get(pk=order.pk)
    assert stored.priority == raised.priority == Priority.CRITICAL
    assert (stored.due_response_at, stored.due_resolution_at, stored.warn_at) == critical.due(
        order.created_at
    )
    step = stored.events.get(kind=EventKind.COMMENTED)
    assert step.note == "独居老人" and step.data == {"priority": Priority.CRITICAL}
    # lowering is not raising: the order is left as it is
    workorder_raise_priority(actor=grid_worker_a, order=order, priority=Priority.LOW, reason="再看")
    assert WorkOrder.objects.get(pk=order.pk).priority == Priority.CRITICAL


def test_a_note_from_another_app_needs_the_right_to_add_to_the_order(
    city, ladder, categories, grid_worker_a, grid_worker_b
):
    order = _order(city, grid_worker_a)
    at = T0 - dt.timedelta(hours=1)
    event = workorder_annotate(
        actor=grid_worker_a, order=order, note="120 已接警", data={"step": "call"}, at=at
    )
    assert (event.kind, event.at, event.data) == (EventKind.COMMENTED, at, {"step": "call"})
    with pytest.raises(NotFound):
        workorder_annotate(actor=grid_worker_b, order=order, note="看看")
    by_system = workorder_annotate(actor=system("standing need trips"), order=order, note="自动")
    assert by_system.actor_label == "system"
    assert by_system.data["system_reason"] == "standing need trips"


def test_a_crews_route_stop_resolves_a_dispatched_order_once(
    city, ladder, categories, grid_worker_a, committee_staff, gas_worker
):
    order = _order(city, grid_worker_a, contact_phone="13912345678")
    assert order.status == Status.DISPATCHED
    OutboxMessage.objects.all().delete()
    # only those who may work the order
    with pytest.raises(PermissionDenied):
        workorder_resolve_from_route(actor=grid_worker_a, order_id=order.pk, note="到了")
    resolved = workorder_resolve_from_route(actor=committee_staff, order_id=order.pk)
    assert resolved is not None and resolved.status == Status.RESOLVED
    assert resolved.responded_at == resolved.resolved_at
    event = resolved.events.get(kind=EventKind.RESOLVED)
    assert event.from_status == Status.DISPATCHED and event.note
    [text] = OutboxMessage.objects.filter(recipient="13912345678").values_list("body", flat=True)
    assert resolved.number in text
    # a second visit finds it settled and changes nothing
    assert workorder_resolve_from_route(actor=committee_staff, order_id=order.pk) is None
    assert OutboxMessage.objects.filter(recipient="13912345678").count() == 1


def test_an_order_with_its_own_stops_pending_is_not_resolved_by_a_route(
    city, gas_team, gas_worker, community_staff
):
    order = _order(
        city,
        community_staff,
        category_code="gas",
        extra={"account": "ENT-001"},
        stops=[{"label": "取卡"}, {"label": "充值"}],
    )
    with pytest.raises(Conflict):
        workorder_resolve_from_route(actor=gas_worker, order_id=order.pk, note="到了")
    assert WorkOrder.objects.get(pk=order.pk).status == Status.DISPATCHED


def test_settled_orders_are_announced(
    city, ladder, categories, grid_worker_a, committee_staff, community_staff
):
    heard: list[tuple[int, str]] = []

    def listen(sender, order, **kwargs):
        heard.append((order.pk, order.status))

    workorder_settled.connect(listen, dispatch_uid="test.settled")
    try:
        one, two, three = (_order(city, grid_worker_a, f"事项{n}") for n in range(3))
        workorder_accept(actor=committee_staff, order=one)
        assert heard == []
        workorder_resolve(actor=committee_staff, order=one, note="已处理")
        workorder_cancel(actor=committee_staff, order=two, reason="重复")
        workorder_merge(actor=community_staff, duplicate=three, into=one)
    finally:
        workorder_settled.disconnect(dispatch_uid="test.settled")
    assert heard == [
        (one.pk, Status.RESOLVED),
        (two.pk, Status.CANCELLED),
        (three.pk, Status.CANCELLED),
    ]
