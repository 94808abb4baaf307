"""Many at once in one closed loop (PostgreSQL, threads, one connection each): positives
reported by the liaison and the command centre, the worker's positives sweeps, and
logistics pass applications. The loop is suspended once, its passes are stopped once,
the contact and the district are told once, and no application outlives the suspension."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from lifeline.core import clock
from lifeline.core.errors import Conflict
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.enterprises import services
from lifeline.enterprises.models import Bubble, Enterprise, LoopStatus, Vehicle
from lifeline.enterprises.tests.helpers import (
    CONTACT_PHONE,
    DISTRICT_PHONE,
    Crew,
    at,
    make_crew,
)
from lifeline.passes.models import ApplicationStatus, MovementPass, PassApplication, PassStatus
from lifeline.passes.services import pass_application_approve
from lifeline.screening.models import Outcome, PersonResult
from lifeline.testing.factories import SmallCity

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16


def _race(jobs: list[Callable[[], str]]) -> list[str]:
    """Run every job at once, each on its own connection; what each answered."""
    gate = threading.Barrier(len(jobs))

    def one(job: Callable[[], str]) -> str:
        gate.wait()
        try:
            with clock.frozen_at(at(10, 16)):
                return job()
        except Conflict as refused:
            return refused.code
        except Exception as error:  # any error is an outcome the test reports
            return f"error: {error!r}"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(one, jobs))


def _positive_result(crew: Crew) -> None:
    person = crew.people[2]
    PersonResult.objects.create(
        sample_id=990002,
        person=person,
        grid_id=person.grid_id,
        area_path=person.area_path,
        outcome=Outcome.POSITIVE,
        sampled_on=dt.date(2026, 12, 10),
    )


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


def test_racing_positives_and_sweeps_suspend_the_loop_and_tell_once(city: SmallCity) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("races are tested on PostgreSQL")
    # given: the crew's truck holds a logistics pass, and the lab's positive for a member
    with clock.frozen_at(at(10, 9)):
        crew = make_crew(city)
    with clock.frozen_at(at(10, 10)):
        issued = _truck_pass(crew)
    _positive_result(crew)
    texts = OutboxMessage.objects.count()

    def report(n: int) -> Callable[[], str]:
        actor = crew.liaison if n % 2 else crew.command_staff

        def job() -> str:
            bubble = Bubble.objects.get(pk=crew.bubble.pk)
            services.positive_report(actor=actor, bubble=bubble, note="单采阳性")
            return "ok"

        return job

    def sweep() -> str:
        return "ok" if services.bubble_positives_sweep() == 1 else "none"

    # when: eight reports and eight sweeps run at once
    jobs = [report(n) if n % 2 else sweep for n in range(THREADS)]
    outcomes = _race(jobs)

    # then: one of them suspended the loop; every other report was refused as suspended,
    # every other sweep found nothing to do, and nothing failed
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes[1::2]) <= {"ok", "suspended"}, outcomes  # the reports
    assert set(outcomes[0::2]) <= {"ok", "none"}, outcomes  # the sweeps
    assert Bubble.objects.get(pk=crew.bubble.pk).status == LoopStatus.SUSPENDED
    assert Enterprise.objects.get(pk=crew.enterprise.pk).status == LoopStatus.SUSPENDED
    assert AuditRecord.objects.filter(action="enterprises.positive").count() == 1
    # and the truck's pass is revoked once
    assert MovementPass.objects.get(pk=issued.pk).status == PassStatus.REVOKED
    assert AuditRecord.objects.filter(action="passes.revoke").count() == 1
    # and the contact and the district are each texted once
    sent = list(OutboxMessage.objects.order_by("pk")[texts:].values_list("recipient", flat=True))
    assert sorted(sent) == sorted([CONTACT_PHONE, DISTRICT_PHONE])


def test_racing_pass_applications_and_a_positive_leave_no_live_application(
    city: SmallCity,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("races are tested on PostgreSQL")
    # given: the crew with fifteen more vehicles, none with a pass yet
    with clock.frozen_at(at(10, 9)):
        crew = make_crew(city)
        vehicles = [crew.truck] + [
            services.vehicle_add(actor=crew.liaison, bubble=crew.bubble, plate=f"湘B2{n:04d}")
            for n in range(THREADS - 2)
        ]

    def apply(vehicle: Vehicle) -> Callable[[], str]:
        def job() -> str:
            services.vehicle_pass_apply(
                actor=crew.liaison,
                vehicle=Vehicle.objects.select_related("bubble__enterprise").get(pk=vehicle.pk),
                route="项目部—工地",
                valid_from=at(10, 17),
                valid_until=at(11, 17),
                purpose="运送钢材",
            )
            return "applied"

        return job

    def report() -> str:
        bubble = Bubble.objects.get(pk=crew.bubble.pk)
        services.positive_report(actor=crew.command_staff, bubble=bubble)
        return "ok"

    # when: the applications and a positive arrive at once
    outcomes = _race([report, *[apply(v) for v in vehicles]])

    # then: nothing failed, and every application that got in before the positive was
    # refused by it: no pending or approved application is left for a suspended loop
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    assert outcomes[0] == "ok"
    assert set(outcomes[1:]) <= {"applied", "suspended"}
    ids = Vehicle.objects.filter(bubble=crew.bubble).values_list("pass_application_id", flat=True)
    live = PassApplication.objects.filter(
        pk__in=[i for i in ids if i],
        status__in=[ApplicationStatus.PENDING, ApplicationStatus.APPROVED],
    )
    assert not live.exists()
    assert (
        outcomes.count("applied")
        == PassApplication.objects.filter(status=ApplicationStatus.REFUSED).count()
    )
