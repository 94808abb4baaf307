import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from lifeline.core.clock import frozen_at
from lifeline.workorders.models import WorkOrder
from lifeline.workorders.services import workorder_create

T0 = dt.datetime(2022, 11, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # The worker recycles connections between beats; inside a test transaction that would
    # close the test's connection on PostgreSQL.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    monkeypatch.setattr(
        "lifeline.core.management.commands.worker.close_old_connections", lambda: None
    )


def test_worker_escalates_an_overdue_order_without_anyone_pressing_a_button(
    city, ladder, categories, grid_worker_a
):
    # given an order nobody responded to
    with frozen_at(T0):
        order = workorder_create(
            actor=grid_worker_a, area=city.grid_a, category_code="other", description="无人处理"
        ).order
    assert order.responsible_unit_id == ladder["committee"].pk
    # when the worker runs once after the response target has passed
    with frozen_at(order.due_response_at + dt.timedelta(minutes=1)):
        call_command("worker", "--once", stdout=StringIO())
    # then the order has moved up to the street office
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.escalation_level == 1
    assert order.responsible_unit_id == ladder["street"].pk
