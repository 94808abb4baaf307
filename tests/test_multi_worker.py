"""Several ``lifeline worker --once`` at once (PostgreSQL, one thread and one connection
each) on a city with due work for several sweeps: work orders past their response
target, queued texts, a notice being fanned out, standing needs whose trips are due and
queued tasks. Each order is warned and escalated once, each text reaches the provider
once, each session gets one trip and one order, each task runs once."""

from __future__ import annotations

import ast
import datetime as dt
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from lifeline.accounts.models import User
from lifeline.core.clock import frozen_at
from lifeline.core.models import OutboxMessage, OutboxStatus
from lifeline.health.models import MedicalTransfer
from lifeline.health.services import standing_need_create
from lifeline.notices.models import FanoutStatus, Notice
from lifeline.notices.services import fanout, notice_approve, notice_submit
from lifeline.notices.tests.helpers import make_notices_city, sampling_notice
from lifeline.registry.models import Household, Unit
from lifeline.testing.factories import SmallCity
from lifeline.workorders.models import EventKind, WorkOrder
from lifeline.workorders.services import workorder_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 6
ROUNDS = 2
ORDERS = 6
TEXTS = 150  # more than one outbox batch (OUTBOX_BATCH)
TASKS = 8
CST = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.date(2022, 11, 21)
# Tuesday 09:00: Wednesday's 08:00 dialysis sessions are within their 24 hours' lead.
RUN_AT = dt.datetime(2022, 11, 22, 9, 0, tzinfo=CST)
SEEDED_AT = RUN_AT - dt.timedelta(hours=1)
WORKORDERS = "lifeline.workorders.tasks.run_periodic"
HEALTH = "lifeline.health.tasks.run_periodic"


class CountingBackend:
    """An SMS provider that keeps every text it is handed, from any worker thread. Each
    send takes a moment, as a provider's does, so that a batch being sent leaves the
    other workers time to claim the rest."""

    sent: list[tuple[str, str, str]] = []  # (worker thread, recipient, body)
    lock = threading.Lock()

    def __init__(self, *, write: Any = print) -> None:
        pass

    def send(self, recipient: str, body: str, *, key: str = "") -> str:
        time.sleep(0.002)
        with self.lock:
            self.sent.append((threading.current_thread().name, recipient, body))
            return f"counted-{len(self.sent)}"


RUNS: list[int] = []
RUNS_LOCK = threading.Lock()


@task()
def count_run(number: int) -> int:
    with RUNS_LOCK:
        RUNS.append(number)
    return number


@dataclass
class DueWork:
    orders: dict[int, int]  # order id: warnings due (0 or 1)
    street: Unit
    needs: list[int]
    notice: Notice
    phones: set[str]


def _overdue_orders(city: SmallCity, actor: User) -> tuple[dict[int, int], Unit]:
    """Orders past their response target, half of them long enough for the warning too."""
    street = Unit.objects.create(
        code="U-STREET", name="嵩山路街道办", kind=Unit.Kind.STREET_OFFICE, phone="13900000003"
    )
    street.areas.set([city.street])
    ids = []
    for n in range(ORDERS):
        with frozen_at(RUN_AT - dt.timedelta(days=3 if n % 2 else 30)):
            intake = workorder_create(
                actor=actor, area=city.grid_a, category_code="other", description=f"楼道灯坏了{n}"
            )
        ids.append(intake.order.pk)
    due = WorkOrder.objects.filter(pk__in=ids).values_list(
        "pk", "due_response_at", "warn_at", "escalation_level"
    )
    assert all(response and response < RUN_AT and not level for _pk, response, _w, level in due)
    warnings = {pk: int(warn is not None and warn <= RUN_AT) for pk, _r, warn, _l in due}
    assert sorted(warnings.values()) == [0] * (ORDERS // 2) + [1] * (ORDERS // 2)
    return warnings, street


def _standing_needs(city: SmallCity, actor: User) -> list[int]:
    with frozen_at(dt.datetime.combine(MONDAY, dt.time(6), CST)):
        return [
            standing_need_create(
                actor=actor,
                person=person,
                kind="dialysis",
                weekdays=[1, 3, 5],
                time=dt.time(8, 0),
                active_from=MONDAY,
                lead_hours=24,
            ).pk
            for person in (*city.people_a, *city.people_b)
        ]


def _published_notice(city: SmallCity, monkeypatch: pytest.MonkeyPatch) -> Notice:
    """Published with its fan-out tasks queued; small ranges so that workers share them."""
    monkeypatch.setattr(fanout, "PART_IDS", 4)
    monkeypatch.setattr(fanout, "batch_size", lambda: 3)
    w = make_notices_city(city, per_grid=8)
    with frozen_at(SEEDED_AT):
        notice = sampling_notice(w)
        notice_submit(actor=w.drafter, notice=notice)
        return notice_approve(actor=w.approver, notice=notice)


def _due_work(
    city: SmallCity, grid_worker: User, arranger: User, monkeypatch: pytest.MonkeyPatch
) -> DueWork:
    orders, street = _overdue_orders(city, grid_worker)
    needs = _standing_needs(city, arranger)
    notice = _published_notice(city, monkeypatch)
    with frozen_at(SEEDED_AT):
        OutboxMessage.objects.bulk_create(
            OutboxMessage(recipient=f"177{n:08d}", body=f"第{n}条提醒") for n in range(TEXTS)
        )
    for number in range(TASKS):
        count_run.enqueue(number)
    phones = set(
        Household.objects.filter(area_path__startswith=city.street.path).values_list(
            "phone", flat=True
        )
    )
    return DueWork(orders, street, needs, notice, phones)


def _run_workers() -> tuple[list[str], list[BaseException]]:
    """ROUNDS rounds of WORKERS threads, each round started together behind a barrier."""
    outputs: list[str] = []
    errors: list[BaseException] = []
    for round_no in range(ROUNDS):
        gate = threading.Barrier(WORKERS)

        def work(gate: threading.Barrier = gate) -> None:
            out = StringIO()
            try:
                gate.wait()
                call_command("worker", "--once", stdout=out)
            except BaseException as exc:  # surfaced by the test
                errors.append(exc)
            finally:
                outputs.append(out.getvalue())
                connections.close_all()

        threads = [
            threading.Thread(target=work, name=f"worker-{round_no}-{n}") for n in range(WORKERS)
        ]
        with frozen_at(RUN_AT):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return outputs, errors


def _sweep_figures(outputs: list[str]) -> Counter[str]:
    """The figures the sweeps reported (``path: {...}`` lines), added over all workers and
    keyed ``path:figure``."""
    total: Counter[str] = Counter()
    for line in "\n".join(outputs).splitlines():
        path, brace, figures = line.partition(": {")
        if path.startswith("lifeline.") and brace:
            for key, value in ast.literal_eval("{" + figures).items():
                total[f"{path}:{key}"] += value if isinstance(value, int) else 1
    return total


def test_workers_at_once_do_every_due_thing_once(
    city: SmallCity,
    grid_worker_a: User,
    community_staff: User,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("races between workers are tested on PostgreSQL")
    # Given overdue orders, standing needs due, a published notice, texts and tasks queued
    settings.SMS_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.sent.clear()
    RUNS.clear()
    work = _due_work(city, grid_worker_a, community_staff, monkeypatch)
    caplog.set_level(logging.WARNING)
    # When six workers run the worker loop at once, twice
    outputs, errors = _run_workers()
    # Then no worker raised and no sweep failed
    assert errors == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    figures = _sweep_figures(outputs)
    assert not [k for k, n in figures.items() if n and k.endswith((":error", "_failed"))], figures
    _assert_escalated_once(work, figures)
    _assert_trips_filed_once(work, figures)
    _assert_tasks_run_once(work)
    _assert_texts_sent_once(work)


def _assert_escalated_once(work: DueWork, figures: Counter[str]) -> None:
    orders = WorkOrder.objects.filter(pk__in=work.orders)
    assert {(o.escalation_level, o.responsible_unit_id) for o in orders} == {(1, work.street.pk)}
    escalated = Counter(
        orders.filter(events__kind=EventKind.ESCALATED).values_list("pk", flat=True)
    )
    warned = Counter(orders.filter(events__kind=EventKind.WARNED).values_list("pk", flat=True))
    assert escalated == Counter(dict.fromkeys(work.orders, 1))
    assert {pk: warned[pk] for pk in work.orders} == work.orders
    assert figures[f"{WORKORDERS}:workorders_escalated"] == ORDERS
    assert figures[f"{WORKORDERS}:workorders_warned"] == sum(work.orders.values())
    unit_texts = OutboxMessage.objects.filter(
        object_type="workorders.workorder", object_id__in=[str(pk) for pk in work.orders]
    )
    assert unit_texts.filter(recipient=work.street.phone).count() == ORDERS


def _assert_trips_filed_once(work: DueWork, figures: Counter[str]) -> None:
    trips = MedicalTransfer.objects.filter(standing_need__in=work.needs)
    assert sorted(trips.values_list("standing_need_id", flat=True)) == sorted(work.needs)
    assert set(trips.values_list("appointment_at", flat=True)) == {
        dt.datetime(2022, 11, 23, 8, 0, tzinfo=CST)
    }
    # one order per trip: a worker that lost the race left no order behind
    assert WorkOrder.objects.filter(extra__need="dialysis").count() == len(work.needs)
    assert figures[f"{HEALTH}:standing_trips_created"] == len(work.needs)


def _assert_tasks_run_once(work: DueWork) -> None:
    assert sorted(RUNS) == list(range(TASKS))
    results = DBTaskResult.objects.all()
    assert results.count() == TASKS + fanout.fanout_tasks()
    assert set(results.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    notice = Notice.objects.get(pk=work.notice.pk)
    texts = OutboxMessage.objects.filter(object_type=fanout.OBJECT_TYPE, object_id=str(notice.pk))
    assert notice.fanout_status == FanoutStatus.DONE
    assert texts.count() == len(work.phones) == notice.texts_count
    assert set(texts.values_list("recipient", flat=True)) == work.phones


def _assert_texts_sent_once(work: DueWork) -> None:
    messages = OutboxMessage.objects.all()
    assert set(messages.values_list("status", flat=True)) == {OutboxStatus.SENT}
    sent = CountingBackend.sent
    assert len(sent) == messages.count() >= TEXTS + ORDERS + len(work.phones)
    assert Counter(recipient for _w, recipient, _b in sent) == Counter(
        messages.values_list("recipient", flat=True)
    )
    assert len(set(messages.values_list("provider_message_id", flat=True))) == len(sent)
    # and the texts were shared out between workers
    assert len({worker for worker, _r, _b in sent}) > 1
