"""Bad input gets a clear, translated error and writes nothing: a negative figure, a value
that is not a number, another unit's figure, an unknown unit; and scope: a duty desk
reports only for its own unit and sees only it, the command centre sees the city's."""

from __future__ import annotations

import pytest
from django.utils import translation

from lifeline.accounts.models import Role
from lifeline.continuity import selectors
from lifeline.continuity.models import FigureReport, Problem, StaffReport
from lifeline.continuity.services import figure_report, problem_open, staff_report
from lifeline.continuity.tests.helpers import Plants, make_plants
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def plants(city: SmallCity) -> Plants:
    return make_plants(city)


def _nothing_written(before: int) -> None:
    assert not FigureReport.objects.exists()
    assert not StaffReport.objects.exists()
    assert not Problem.objects.exists()
    assert AuditRecord.objects.count() == before


@pytest.mark.parametrize(
    ("value", "english"),
    [(-5, "A figure cannot be negative."), ("lots", "Enter a number."), ("nan", "Enter a number.")],
)
def test_a_bad_figure_is_refused_in_the_users_language(
    plants: Plants, value: object, english: str
) -> None:
    before = AuditRecord.objects.count()
    with translation.override("en"), pytest.raises(ServiceError) as refused:
        figure_report(
            actor=plants.power_desk,
            lifeline_unit=plants.power,
            figure_id=plants.coal.pk,
            value=value,
        )
    assert refused.value.fields == {"value": [english]}
    with translation.override("zh-hans"), pytest.raises(ServiceError):
        figure_report(
            actor=plants.power_desk, lifeline_unit=plants.power, figure_id=plants.coal.pk, value=-1
        )
    _nothing_written(before)


def test_another_units_figure_is_refused(plants: Plants) -> None:
    # given the water desk, naming the power plant's figure against its own unit
    before = AuditRecord.objects.count()
    water_desk_power = make_user("water_too", role=Role.UTILITY_STAFF, unit=plants.water.unit)
    with translation.override("en"), pytest.raises(ServiceError) as refused:
        figure_report(
            actor=water_desk_power,
            lifeline_unit=plants.water,
            figure_id=plants.coal.pk,
            value=100,
        )
    assert refused.value.fields == {"figure": ["Choose a figure of this unit."]}
    _nothing_written(before)


def test_a_duty_desk_may_not_report_for_another_unit(plants: Plants) -> None:
    before = AuditRecord.objects.count()
    with pytest.raises((NotFound, PermissionDenied)):
        figure_report(
            actor=plants.water_desk, lifeline_unit=plants.power, figure_id=plants.coal.pk, value=1
        )
    with pytest.raises((NotFound, PermissionDenied)):
        staff_report(
            actor=plants.power_desk,
            lifeline_unit=plants.water,
            role_id=plants.operators.pk,
            on_site=1,
        )
    _nothing_written(before)


def test_a_negative_head_count_is_refused(plants: Plants) -> None:
    before = AuditRecord.objects.count()
    with translation.override("en"), pytest.raises(ServiceError) as refused:
        staff_report(
            actor=plants.water_desk,
            lifeline_unit=plants.water,
            role_id=plants.operators.pk,
            on_site=-3,
        )
    assert "on_site" in refused.value.fields
    _nothing_written(before)


def test_an_unknown_unit_is_not_found(plants: Plants) -> None:
    with pytest.raises(NotFound):
        selectors.lifeline_unit_get(actor=plants.command, unit_id=999999)
    with pytest.raises(NotFound):
        selectors.lifeline_unit_get(actor=plants.command, unit_id="x")


def test_duty_desks_see_their_own_unit_and_the_command_centre_sees_all(
    plants: Plants, grid_worker_a: object, outsider: object
) -> None:
    assert list(selectors.lifeline_unit_list(actor=plants.power_desk)) == [plants.power]
    assert list(selectors.lifeline_unit_list(actor=plants.water_desk)) == [plants.water]
    assert set(selectors.lifeline_unit_list(actor=plants.command)) == {plants.power, plants.water}
    assert not selectors.lifeline_unit_list(actor=grid_worker_a).exists()
    assert not selectors.lifeline_unit_list(actor=outsider).exists()
    with pytest.raises(NotFound):
        selectors.lifeline_unit_get(actor=plants.water_desk, unit_id=plants.power.pk)


def test_only_the_command_centre_opens_a_problem_by_hand(plants: Plants) -> None:
    with pytest.raises((NotFound, PermissionDenied)):
        problem_open(actor=plants.power_desk, lifeline_unit=plants.power, title="缺煤")
    problem = problem_open(
        actor=plants.command,
        lifeline_unit=plants.power,
        title="电煤运输受阻",
        guidance="协调交通部门开通绿色通道",
        owner="市发改委",
    )
    assert problem.work_order.created_by == plants.command
    assert list(selectors.problem_list(actor=plants.power_desk)) == [problem]
    assert not selectors.problem_list(actor=plants.water_desk).exists()
