"""Plans are solved by the worker: the form queues a job, the job page shows a progress
bar that polls, and the plan page follows when the worker is done."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from lifeline.core import clock
from lifeline.teams.models import Plan, PlanJob
from lifeline.teams.services import plan_job_create, plan_job_run
from lifeline.teams.tests.helpers import DAY, make_orders
from lifeline.teams.tests.test_pages import english


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # The worker recycles connections between jobs; inside a test's transaction that would
    # close the connection (PostgreSQL), so it is a no-op here.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    monkeypatch.setattr(
        "lifeline.core.management.commands.worker.close_old_connections", lambda: None
    )


def test_plan_form_queues_a_job_the_worker_solves(
    city, fleet, django_capture_on_commit_callbacks
) -> None:
    # Given a dispatcher with orders in their grid
    make_orders(fleet, city, per_grid=4)
    client = english(fleet.dispatchers["A"])
    # When they ask for a plan
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(
            reverse("teams:create"),
            {"target": f"team:{fleet.teams['A'].pk}", "day": DAY.isoformat(), "time_limit": "1"},
        )
    job = PlanJob.objects.get()
    # Then the request returns at once, to a page with a progress bar that polls
    assert made.status_code == 302 and made["Location"] == reverse("teams:job", args=[job.pk])
    assert Plan.objects.count() == 0 and job.status == PlanJob.Status.QUEUED
    assert DBTaskResult.objects.filter(task_path="lifeline.teams.tasks.solve_plan_job").exists()
    page = client.get(made["Location"]).content.decode()
    assert "<progress" in page and 'hx-trigger="every 1s"' in page
    assert "Waiting for the planner" in page
    # When the worker runs, the plan is made and the page leads to it
    call_command("worker", "--once", stdout=StringIO())
    job.refresh_from_db()
    assert job.status == PlanJob.Status.DONE and job.plan is not None
    assert job.plan.stops.count() == 4
    fragment = client.get(reverse("teams:job_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert fragment["HX-Redirect"] == reverse("teams:plan", args=[job.plan_id])
    done = client.get(reverse("teams:job", args=[job.pk])).content.decode()
    assert reverse("teams:plan", args=[job.plan_id]) in done and "hx-trigger" not in done


def test_a_running_job_shows_how_far_it_is(city, fleet) -> None:
    job = plan_job_create(
        actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, day=DAY, time_limit=10
    )
    PlanJob.objects.filter(pk=job.pk).update(status="running", started_at=clock.now())
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=6.5)):
        job.refresh_from_db()
        assert job.progress_percent == 50
        html = english(fleet.dispatchers["A"]).get(reverse("teams:job", args=[job.pk]))
    assert 'value="50"' in html.content.decode()


def test_job_is_refused_at_once_outside_the_unit_and_failures_are_told(city, fleet) -> None:
    client = english(fleet.dispatchers["B"])
    page = client.post(
        reverse("teams:create"),
        {"target": f"team:{fleet.teams['A'].pk}", "day": DAY.isoformat()},
        follow=True,
    )
    assert page.status_code == 200 and PlanJob.objects.count() == 0
    job = plan_job_create(
        actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, day=DAY, language="en"
    )
    assert client.get(reverse("teams:job", args=[job.pk])).status_code == 404
    # the worker gets to it only after the day has passed
    with clock.frozen_at(clock.now() + dt.timedelta(days=2)):
        plan_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == PlanJob.Status.FAILED and "The day has passed." in job.error
    # a second run changes nothing
    assert plan_job_run(job_id=job.pk).status == PlanJob.Status.FAILED
