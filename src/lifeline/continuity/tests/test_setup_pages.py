"""The command centre sets a lifeline unit up from the pages: the unit (among the registry
units of its area not yet set up), a figure, a threshold with guidance and owner, a
critical role; opens, edits and resolves a problem. Bad input shows on the form in the
user's language and writes nothing; a duty desk is refused the set-up pages."""

from __future__ import annotations

import pytest
from django.test import Client

from lifeline.accounts.models import User
from lifeline.continuity.models import (
    CriticalRole,
    Figure,
    FigureKind,
    LifelineUnit,
    Problem,
    Threshold,
)
from lifeline.continuity.tests.helpers import Plants, make_plants
from lifeline.core.models import AuditRecord
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db


@pytest.fixture
def plants(city: SmallCity) -> Plants:
    return make_plants(city)


def _client(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_the_command_centre_makes_a_registry_unit_a_lifeline_unit(
    plants: Plants, city: SmallCity
) -> None:
    # given a gas company of the city that is not a lifeline unit yet
    gas = Unit.objects.create(code="GAS", name="株洲燃气公司", kind=Unit.Kind.UTILITY)
    gas.areas.set([city.city])
    client = _client(plants.command)
    form = client.get("/continuity/units/new/").content.decode()
    # then only units not yet set up are offered
    assert "株洲燃气公司" in form and "株洲电厂" not in form
    # when it is chosen
    answer = client.post(
        "/continuity/units/new/",
        {"unit": gas.pk, "area": city.city.pk, "sector": "gas", "note": "管道燃气"},
    )
    made = LifelineUnit.objects.get(unit=gas)
    assert answer.status_code == 302 and answer["Location"] == f"/continuity/units/{made.pk}/"
    assert "株洲燃气公司" in client.get("/continuity/").content.decode()


def test_figure_threshold_and_role_are_set_up_and_shown(plants: Plants) -> None:
    client = _client(plants.command)
    base = f"/continuity/units/{plants.water.pk}"
    answer = client.post(
        f"{base}/figures/new/",
        {"name": "药剂库存", "unit_label": "t", "kind": "stock", "every_hours": "12"},
    )
    assert answer.status_code == 302, answer.content.decode()[:500]
    stock = Figure.objects.get(name="药剂库存")
    assert stock.every_hours == 12 and stock.kind == FigureKind.STOCK
    answer = client.post(
        f"{base}/thresholds/new/",
        {
            "figure": stock.pk,
            "measure": "value",
            "below": "20",
            "title": "药剂库存低于20吨",
            "guidance": "联系供应商紧急调运",
            "owner": "市水务局",
        },
    )
    assert answer.status_code == 302
    assert Threshold.objects.get(title="药剂库存低于20吨").owner == "市水务局"
    answer = client.post(
        f"{base}/roles/new/", {"name": "化验员", "minimum": "4", "guidance": "从二水厂借调"}
    )
    assert answer.status_code == 302
    page = client.get(f"{base}/").content.decode()
    for shown in ("药剂库存", "药剂库存低于20吨", "联系供应商紧急调运", "市水务局", "化验员"):
        assert shown in page


def test_a_tripped_threshold_gives_its_owner_to_the_problem(plants: Plants) -> None:
    from lifeline.continuity.services import figure_report, threshold_create

    threshold_create(
        actor=plants.command,
        figure=plants.output,
        measure="value",
        below=1000,
        title="发电量过低",
        owner="市发改委",
    )
    figure_report(
        actor=plants.power_desk, lifeline_unit=plants.power, figure_id=plants.output.pk, value=10
    )
    assert Problem.objects.get().owner == "市发改委"


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Enter a whole number."), ("zh-hans", "请输入整数")],
)
def test_a_bad_minimum_shows_on_the_form_and_writes_nothing(
    plants: Plants, language: str, message: str
) -> None:
    before = (CriticalRole.objects.count(), AuditRecord.objects.count())
    answer = _client(plants.command, language).post(
        f"/continuity/units/{plants.water.pk}/roles/new/", {"name": "化验员", "minimum": "many"}
    )
    assert answer.status_code == 400
    if language == "en":
        assert message in answer.content.decode()
    assert (CriticalRole.objects.count(), AuditRecord.objects.count()) == before


@pytest.mark.parametrize(
    "post",
    [
        {"figure": "", "measure": "value", "below": "1", "title": "x"},
        {"figure": "999999", "measure": "value", "below": "1", "title": "x"},
        {"figure": "{coal}", "measure": "bogus", "below": "1", "title": "x"},
        {"figure": "{coal}", "measure": "value", "below": "-1", "title": "x"},
        {"figure": "{coal}", "measure": "value", "below": "1e999", "title": "x"},
        {"figure": "{coal}", "measure": "value", "below": "1", "title": ""},
        {"figure": "{burn}", "measure": "days_of_cover", "below": "1", "title": "x"},
    ],
)
def test_bad_thresholds_are_refused_on_the_form(plants: Plants, post: dict[str, str]) -> None:
    ids = {"{coal}": str(plants.coal.pk), "{burn}": str(plants.burn.pk)}
    data = {k: ids.get(v, v) for k, v in post.items()}
    before = (Threshold.objects.count(), AuditRecord.objects.count())
    answer = _client(plants.command).post(
        f"/continuity/units/{plants.power.pk}/thresholds/new/", data
    )
    assert answer.status_code == 400
    assert 'class="errorlist' in answer.content.decode()
    assert (Threshold.objects.count(), AuditRecord.objects.count()) == before


def test_a_figure_of_another_unit_is_not_offered_as_daily_use(plants: Plants) -> None:
    answer = _client(plants.command).post(
        f"/continuity/units/{plants.water.pk}/figures/new/",
        {"name": "存药", "kind": "stock", "use": plants.burn.pk, "every_hours": "24"},
    )
    assert answer.status_code == 400
    assert not Figure.objects.filter(name="存药").exists()


def test_the_command_centre_opens_edits_and_resolves_a_problem(plants: Plants) -> None:
    client = _client(plants.command)
    answer = client.post(
        f"/continuity/units/{plants.power.pk}/problems/new/",
        {"title": "电煤运输受阻", "guidance": "协调开通绿色通道", "owner": "市交通局"},
    )
    assert answer.status_code == 302
    problem = Problem.objects.get()
    edit = f"/continuity/problems/{problem.pk}/edit/"
    assert "协调开通绿色通道" in client.get(edit).content.decode()
    assert client.post(edit, {"owner": "市发改委", "guidance": "启用储备煤"}).status_code == 302
    problem.refresh_from_db()
    assert (problem.owner, problem.guidance) == ("市发改委", "启用储备煤")
    resolve = f"/continuity/problems/{problem.pk}/resolve/"
    assert client.post(resolve, {"note": ""}).status_code == 400
    assert client.post(resolve, {"note": "专列已到厂"}).status_code == 302
    problem.refresh_from_db()
    assert not problem.is_open
    assert client.get(resolve).status_code == 409


def test_a_duty_desk_may_not_set_up_and_a_grid_worker_sees_nothing(
    plants: Plants, grid_worker_a: User
) -> None:
    desk = _client(plants.power_desk)
    base = f"/continuity/units/{plants.power.pk}"
    for url in (f"{base}/figures/new/", f"{base}/thresholds/new/", f"{base}/roles/new/"):
        assert desk.get(url).status_code == 403
    assert desk.post(f"{base}/roles/new/", {"name": "x", "minimum": "1"}).status_code == 403
    assert desk.get("/continuity/units/new/").status_code == 404
    assert _client(plants.water_desk).get(f"{base}/figures/new/").status_code == 404
    assert _client(grid_worker_a).get(f"{base}/roles/new/").status_code == 404
    assert not CriticalRole.objects.filter(name="x").exists()
    assert "figure-new" not in desk.get(f"{base}/").content.decode()
