"""A crew's route and the work orders on it tell one story: completing a work order's route
stop resolves the order (the resident gets the code to confirm, as when staff resolve it),
and an order settled elsewhere leaves the crew's list of stops still to do."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection

from lifeline.api.tests.helpers import client_for
from lifeline.core.errors import Conflict
from lifeline.core.models import OutboxMessage
from lifeline.teams.models import PlanStop, VisitKind
from lifeline.teams.selectors import route_for_member
from lifeline.teams.services import plan_create, plan_publish, stop_complete
from lifeline.teams.tests.helpers import CENTRES, DAY, make_order, make_orders
from lifeline.workorders.models import EventKind, Status, WorkOrder
from lifeline.workorders.services import (
    workorder_accept,
    workorder_cancel,
    workorder_confirm,
    workorder_resolve,
)

PHONE = "13912345678"
FAST = 0.3


def _route_with(city, fleet):
    """A published plan of team A's day holding a gas order whose resident has a phone."""
    make_orders(fleet, city, per_grid=2)
    order = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    WorkOrder.objects.filter(pk=order.pk).update(contact_phone=PHONE)
    dispatcher = fleet.dispatchers["A"]
    plan = plan_create(actor=dispatcher, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)
    plan = plan_publish(actor=dispatcher, plan=plan, expected_version=1)
    stop = PlanStop.objects.get(plan=plan, kind=VisitKind.WORK_ORDER, ref_id=order.pk)
    return order, stop


def _still_to_do(crew):
    return [s.pk for s in route_for_member(actor=crew, day=DAY).stops if s.completed_at is None]


@pytest.mark.django_db
def test_completing_a_gas_orders_route_stop_resolves_it_and_texts_the_code(city, fleet):
    # given a published route with a dispatched gas order on it
    order, stop = _route_with(city, fleet)
    crew = fleet.members["A"]
    assert order.status == Status.DISPATCHED
    # when the crew completes that stop with a note
    stop_complete(actor=crew, stop=stop, outcome="done", note="已上门充值，表具正常")
    # then the order is resolved by the crew, with the crew's note
    order.refresh_from_db()
    assert order.status == Status.RESOLVED
    assert order.resolved_at is not None and order.responded_at is not None
    resolved = order.events.get(kind=EventKind.RESOLVED)
    assert resolved.actor == crew and resolved.note == "已上门充值，表具正常"
    assert resolved.data["route"]["stop"] == stop.pk
    # and the resident got the confirmation code, as when staff resolve an order
    texts = list(OutboxMessage.objects.filter(recipient=PHONE).values_list("body", flat=True))
    assert len(texts) == 1 and order.number in texts[0] and "已上门充值" in texts[0]
    code = re.findall(r"\b\d{6}\b", texts[0])[-1]
    closed = workorder_confirm(number=order.number, code=code, satisfaction=5)
    assert closed.status == Status.CLOSED
    # and the stop is done on the crew's route
    stop.refresh_from_db()
    assert stop.outcome == PlanStop.Outcome.DONE and stop.pk not in _still_to_do(crew)


@pytest.mark.django_db
def test_a_visit_without_the_work_done_leaves_the_order_open(city, fleet):
    order, stop = _route_with(city, fleet)
    stop_complete(actor=fleet.members["A"], stop=stop, outcome="nobody_home")
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED
    assert not OutboxMessage.objects.filter(recipient=PHONE).exists()


@pytest.mark.django_db(transaction=True)
def test_an_order_resolved_by_staff_leaves_the_crews_route(city, fleet):
    # given a published route with the order on the crew's list of stops to do
    order, stop = _route_with(city, fleet)
    crew, staff = fleet.members["A"], fleet.dispatchers["A"]
    assert stop.pk in _still_to_do(crew)
    # when the unit's staff resolve the order from the office (the resident phoned)
    order = workorder_accept(actor=staff, order=order)
    workorder_resolve(actor=staff, order=order, note="居民已自行购气")
    # then the stop leaves the crew's list of stops to do, with a note saying why
    stop.refresh_from_db()
    assert stop.pk not in _still_to_do(crew)
    assert stop.completed_at is not None and stop.outcome == PlanStop.Outcome.OTHER
    assert order.number in stop.note and stop.recorded_by is None
    phone = client_for(crew).get("/teams/my/", {"day": DAY.isoformat()}).content.decode()
    assert stop.note in phone
    # and nothing the crew does with it resolves the order a second time
    with pytest.raises(Conflict):
        stop_complete(actor=crew, stop=stop, outcome="done", note="到了")
    assert WorkOrder.objects.get(pk=order.pk).events.filter(kind=EventKind.RESOLVED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_order_leaves_the_route_and_other_stops_stay(city, fleet):
    order, stop = _route_with(city, fleet)
    crew = fleet.members["A"]
    others = [pk for pk in _still_to_do(crew) if pk != stop.pk]
    workorder_cancel(actor=fleet.dispatchers["A"], order=order, reason="居民已搬离")
    assert _still_to_do(crew) == others
    stop.refresh_from_db()
    assert order.number in stop.note


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_crew_and_staff_resolving_at_once_resolve_once_without_deadlock(city, fleet):
    if connection.vendor == "sqlite":
        pytest.skip("row-level races need PostgreSQL")
    order, stop = _route_with(city, fleet)
    crew, staff = fleet.members["A"], fleet.dispatchers["A"]
    order = workorder_accept(actor=staff, order=order)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(action):
        try:
            start.wait()
            action()
        except Conflict:
            pass  # the staff's resolve after the crew's: the order is resolved already
        except BaseException as exc:  # surfaced below: a thread must not fail silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=run, args=(lambda: stop_complete(actor=crew, stop=stop, note="已充值"),)
        ),
        threading.Thread(
            target=run,
            args=(lambda: workorder_resolve(actor=staff, order=order, note="电话确认"),),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = WorkOrder.objects.get(pk=order.pk)
    assert stored.status == Status.RESOLVED
    assert stored.events.filter(kind=EventKind.RESOLVED).count() == 1
    stop.refresh_from_db()
    assert stop.completed_at is not None and stop.pk not in _still_to_do(crew)
