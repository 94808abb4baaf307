"""Dispatchers racing on one plan, with real threads on PostgreSQL (SQLite serialises
writers, so the race cannot happen there; the sequential case is in test_edits)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from lifeline.accounts.models import Role
from lifeline.core.errors import Conflict
from lifeline.teams.models import Plan, PlanStop, Vehicle
from lifeline.teams.services import plan_create, plan_move_stop, plan_publish, stop_arrive
from lifeline.teams.tests.helpers import CENTRES, DAY, make_orders
from lifeline.testing.factories import make_user

THREADS = 8


def _race(actions: list[Callable[[], Any]]) -> tuple[int, int, list[BaseException]]:
    """Run the actions at once; count wins and conflicts, keep anything else."""
    start = threading.Barrier(len(actions))
    lock = threading.Lock()
    wins, conflicts, errors = [0], [0], []

    def run(action: Callable[[], Any]) -> None:
        try:
            start.wait()
            try:
                action()
            except Conflict:
                with lock:
                    conflicts[0] += 1
                return
            with lock:
                wins[0] += 1
        except BaseException as exc:  # surfaced below: a thread must not fail silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return wins[0], conflicts[0], errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_dispatchers_moving_stops_of_one_version_one_wins(city, fleet):
    if connection.vendor == "sqlite":
        pytest.skip("row-level races need PostgreSQL")
    # given a plan of two vehicles and eight dispatchers of the unit who all loaded version 1
    second = Vehicle.objects.create(
        team=fleet.teams["A"],
        name="A-2",
        depot_lat=CENTRES["A"][0],
        depot_lng=CENTRES["A"][1],
        capacity=40,
        skills=["gas_topup"],
    )
    make_orders(fleet, city, per_grid=10)
    plan = plan_create(
        actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, day=DAY, time_limit=0.3
    )
    dispatchers = [
        make_user(f"race{i}", role=Role.UNIT_STAFF, unit=fleet.units["A"]) for i in range(THREADS)
    ]
    stops = list(plan.stops.order_by("route_id", "seq"))
    targets = [fleet.vehicles["A"].pk, second.pk]

    def move(i: int) -> Callable[[], Any]:
        stop = stops[i % len(stops)]
        return lambda: plan_move_stop(
            actor=dispatchers[i],
            plan=plan,
            stop_id=stop.pk,
            vehicle_id=targets[i % 2],
            position=1,
            expected_version=1,
        )

    # when each moves a stop at the same moment
    wins, conflicts, errors = _race([move(i) for i in range(THREADS)])
    # then exactly one change went through; the others were told the plan moved on
    assert errors == []
    assert (wins, conflicts) == (1, THREADS - 1)
    plan.refresh_from_db()
    assert plan.version == 2
    assert PlanStop.objects.filter(plan=plan).count() == len(stops)
    for route in plan.routes.all():
        seqs = list(route.stops.order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_publishing_twice_at_once_publishes_once(city, fleet):
    if connection.vendor == "sqlite":
        pytest.skip("row-level races need PostgreSQL")
    make_orders(fleet, city, per_grid=3)
    plan = plan_create(
        actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, day=DAY, time_limit=0.3
    )
    dispatchers = [
        make_user(f"pub{i}", role=Role.UNIT_STAFF, unit=fleet.units["A"]) for i in range(THREADS)
    ]
    wins, conflicts, errors = _race(
        [lambda d=d: plan_publish(actor=d, plan=plan, expected_version=1) for d in dispatchers]
    )
    assert errors == [] and (wins, conflicts) == (1, THREADS - 1)
    plan.refresh_from_db()
    assert (plan.status, plan.version) == (Plan.Status.PUBLISHED, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_crew_and_dispatcher_recording_one_arrival_record_it_once(city, fleet):
    if connection.vendor == "sqlite":
        pytest.skip("row-level races need PostgreSQL")
    make_orders(fleet, city, per_grid=2)
    dispatcher = fleet.dispatchers["A"]
    plan = plan_create(actor=dispatcher, team_id=fleet.teams["A"].pk, day=DAY, time_limit=0.3)
    plan_publish(actor=dispatcher, plan=plan, expected_version=1)
    stop = plan.stops.order_by("seq").first()
    assert stop is not None
    people = [fleet.members["A"], dispatcher] * (THREADS // 2)
    wins, conflicts, errors = _race(
        [lambda p=p: stop_arrive(actor=p, stop=stop, km=1.0) for p in people]
    )
    assert errors == [] and (wins, conflicts) == (1, THREADS - 1)
