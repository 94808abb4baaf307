import datetime as dt

from django.core.management import call_command

from lifeline.core.clock import frozen_at
from lifeline.core.models import OutboxMessage
from lifeline.workorders.models import EventKind, Status, WorkOrder
from lifeline.workorders.services import workorder_accept, workorder_create, workorder_resolve
from lifeline.workorders.tasks import escalate_overdue, run_periodic

T0 = dt.datetime(2022, 11, 7, 9, 0, tzinfo=dt.UTC)


def _order(city, actor, **kw):
    kw.setdefault("category_code", "other")
    return workorder_create(actor=actor, area=city.grid_a, description="小事", **kw).order


def test_order_within_its_targets_is_left_alone(city, ladder, categories, grid_worker_a):
    with frozen_at(T0):
        order = _order(city, grid_worker_a)
    assert escalate_overdue(order.due_response_at - dt.timedelta(seconds=1)) == 0
    assert WorkOrder.objects.get(pk=order.pk).escalation_level == 0


def test_warning_fires_once_at_the_threshold(city, ladder, categories, grid_worker_a):
    with frozen_at(T0):
        order = _order(city, grid_worker_a)
    committee_phone = ladder["committee"].phone
    OutboxMessage.objects.all().delete()
    assert run_periodic(order.warn_at)["workorders_warned"] == 1
    assert run_periodic(order.warn_at)["workorders_warned"] == 0
    assert OutboxMessage.objects.filter(recipient=committee_phone).count() == 1


def test_resolved_order_waiting_for_the_resident_is_paused(
    city, ladder, categories, grid_worker_a, committee_staff
):
    with frozen_at(T0):
        order = _order(city, grid_worker_a)
        order = workorder_accept(actor=committee_staff, order=order)
        order = workorder_resolve(actor=committee_staff, order=order, note="done")
    assert escalate_overdue(T0 + dt.timedelta(days=30)) == 0


def test_top_of_the_ladder_records_each_missed_target_once(city, ladder, categories, grid_worker_a):
    with frozen_at(T0):
        order = _order(city, grid_worker_a)
    later = T0
    for _ in range(6):
        later += dt.timedelta(days=5)
        escalate_overdue(later)
    order.refresh_from_db()
    assert order.responsible_unit == ladder["command"]
    assert order.escalation_level == 3
    top = order.events.filter(kind=EventKind.ESCALATED, data__top=True)
    assert sorted(e.data["missed"] for e in top) == ["resolution", "response"]
    assert escalate_overdue(later + dt.timedelta(days=30)) == 0
    assert order.events.filter(kind=EventKind.ESCALATED, data__top=True).count() == 2


def test_sweep_command_runs_the_clocks_once(city, ladder, categories, grid_worker_a, capsys):
    with frozen_at(T0):
        order = _order(city, grid_worker_a)
    with frozen_at(order.due_response_at + dt.timedelta(minutes=1)):
        call_command("sweep")
    assert '"workorders_escalated": 1' in capsys.readouterr().out
    assert WorkOrder.objects.get(pk=order.pk).status == Status.DISPATCHED
