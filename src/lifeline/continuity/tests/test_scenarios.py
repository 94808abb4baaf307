"""The seed scenarios: (2) the power plant's coal — reserves ÷ daily burn below the
threshold opens one problem for the command centre, with its guidance, escalated on the
work-order clock when overdue; (3) the water plant's 208 staff sealed on site — a critical
role below its minimum raises a problem."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lifeline.continuity import selectors
from lifeline.continuity.models import Problem
from lifeline.continuity.services import figure_report, problem_resolve, run_periodic, staff_report
from lifeline.continuity.tests.helpers import COAL_GUIDANCE, Plants, make_plants
from lifeline.core import clock
from lifeline.testing.factories import SmallCity
from lifeline.workorders.models import EventKind, Status, WorkOrderEvent
from lifeline.workorders.tasks import run_periodic as workorder_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def plants(city: SmallCity) -> Plants:
    return make_plants(city)


def _report(plants: Plants, figure_name: str, value: object) -> None:
    figure = {"coal": plants.coal, "burn": plants.burn, "output": plants.output}[figure_name]
    figure_report(
        actor=plants.power_desk, lifeline_unit=plants.power, figure_id=figure.pk, value=value
    )


def test_coal_below_five_days_of_cover_opens_one_problem_for_the_command_centre(
    plants: Plants,
) -> None:
    # given the plant burns 12,000 t a day and has 72,000 t: six days of cover
    _report(plants, "burn", 12000)
    _report(plants, "coal", 72000)
    assert not Problem.objects.exists()
    # when the reserve falls to 48,000 t (four days)
    _report(plants, "coal", "48000")
    # then one problem, routed to the command centre, with the threshold's guidance
    problem = Problem.objects.get()
    assert problem.threshold == plants.cover
    assert problem.guidance == COAL_GUIDANCE
    order = problem.work_order
    assert order.category.code == "lifeline_problem"
    assert order.responsible_unit == plants.command_centre
    assert order.due_resolution_at is not None
    assert COAL_GUIDANCE in order.description
    # and the board shows four days of cover
    line = selectors.unit_status(units=[plants.power])[0]
    assert line.least_cover == Decimal("4.0")
    assert line.open_problems == 1
    # when the reserve falls further, and the sweep runs: still one problem while open
    _report(plants, "coal", 30000)
    run_periodic()
    assert Problem.objects.count() == 1


def test_a_new_breach_after_the_problem_is_resolved_opens_a_new_problem(plants: Plants) -> None:
    _report(plants, "burn", 12000)
    _report(plants, "coal", 40000)
    first = Problem.objects.get()
    problem_resolve(actor=plants.command, problem=first, note="专列已到，存煤回升")
    _report(plants, "coal", 30000)
    assert Problem.objects.count() == 2


def test_an_overdue_coal_problem_is_escalated_by_the_work_order_sweep(plants: Plants) -> None:
    # given an open coal problem
    _report(plants, "burn", 12000)
    _report(plants, "coal", 40000)
    problem = Problem.objects.select_related("work_order").get()
    due = problem.work_order.due_resolution_at
    # when the clock passes its due time and the work-order sweep runs
    with clock.frozen_at(due + dt.timedelta(minutes=1)):
        workorder_sweep()
    # then the miss is recorded on the order (the command centre is the top of the ladder)
    problem.work_order.refresh_from_db()
    assert problem.work_order.escalated_at is not None
    assert WorkOrderEvent.objects.filter(
        order=problem.work_order, kind=EventKind.ESCALATED
    ).exists()
    seen = selectors.problem_list(actor=plants.command).get()
    assert seen.work_order.escalated_at is not None


def test_the_sweep_opens_the_problem_a_report_could_not(plants: Plants) -> None:
    # given the reserve reported before the daily burn was known
    _report(plants, "coal", 20000)
    assert not Problem.objects.exists()
    # and the burn reported later by another means (the sweep checks every threshold)
    from lifeline.continuity.models import FigureReport

    FigureReport.objects.create(figure=plants.burn, value=10000, reported_at=clock.now())
    # when the sweep runs, twice
    assert run_periodic() == {"continuity_problems_opened": 1}
    assert run_periodic() == {"continuity_problems_opened": 0}
    assert Problem.objects.get().work_order.status == Status.DISPATCHED


def test_water_plant_short_of_operators_raises_a_problem_once(plants: Plants) -> None:
    # given 208 staff sealed on site, 64 of them operators (minimum 60): no problem
    staff_report(
        actor=plants.water_desk, lifeline_unit=plants.water, role_id=plants.operators.pk, on_site=64
    )
    assert not Problem.objects.exists()
    # when only 52 operators are left on site
    staff_report(
        actor=plants.water_desk, lifeline_unit=plants.water, role_id=plants.operators.pk, on_site=52
    )
    # then the command centre has a problem naming the role, with its guidance
    problem = Problem.objects.get()
    assert problem.role == plants.operators
    assert "制水运行工" in problem.title and "60" in problem.title
    assert problem.guidance == "从备用班组调人，闭环入厂"
    assert problem.work_order.responsible_unit == plants.command_centre
    line = selectors.unit_status(units=[plants.water])[0]
    assert line.short_roles == 1 and line.roles[0].on_site == 52
    # and one more short report opens nothing new while it is open
    staff_report(
        actor=plants.water_desk, lifeline_unit=plants.water, role_id=plants.operators.pk, on_site=50
    )
    assert Problem.objects.count() == 1


def test_a_report_later_than_its_period_is_flagged_late(plants: Plants) -> None:
    _report(plants, "output", 4285)
    with clock.frozen_at(clock.now() + dt.timedelta(hours=30)):
        _report(plants, "output", 4300)
    late = list(plants.output.reports.order_by("reported_at").values_list("late", flat=True))
    assert late == [False, True]
