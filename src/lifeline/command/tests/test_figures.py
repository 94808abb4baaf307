"""The figures of every app on the small city, rolled up the area tree by the refresh,
which writes only what changed and runs at most every few minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from lifeline.command.catalogue import Figure, figures
from lifeline.command.models import AreaFigure
from lifeline.command.services import figures_refresh, run_periodic
from lifeline.command.services.refresh import rolled_up
from lifeline.command.tests.helpers import make_desk, order
from lifeline.core import clock
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db


def _value(path: str, key: str, day: dt.date | None = None) -> int | None:
    row = AreaFigure.objects.filter(area_path=path, key=key, day=day or clock.today()).first()
    return row.value if row else None


def test_every_app_declares_its_figures():
    keys = {f.key for f in figures()}
    for app in (
        "registry",
        "workorders",
        "screening",
        "health",
        "passes",
        "teams",
        "supplies",
        "volunteers",
        "continuity",
        "keyusers",
        "enterprises",
    ):
        assert any(k.startswith(f"{app}.") for k in keys), app


def test_small_city_figures_roll_up_from_grids_to_the_city(city: SmallCity):
    # given three orders (two in grid A, one for its vulnerable resident) and the registry
    make_desk(city)
    # when the figures are refreshed
    figures_refresh(day=clock.today())
    # then each grid holds its own and every area above holds the sum
    assert _value(city.grid_a.path, "registry.people") == 3
    assert _value(city.community.path, "registry.people") == 6
    assert _value(city.city.path, "registry.households") == 6
    assert _value(city.grid_b.path, "registry.vulnerable") == 1
    assert _value(city.grid_a.path, "workorders.opened") == 2
    assert _value(city.grid_b.path, "workorders.open") == 1
    assert _value(city.district.path, "workorders.open") == 3
    assert _value(city.city.path, "workorders.vulnerable_waiting") == 1
    assert _value(city.grid_b.path, "workorders.vulnerable_waiting") is None  # zero: no row


def test_a_ratio_is_computed_from_the_summed_parts_never_averaged(city: SmallCity):
    parts = {city.grid_a.path: (1, 1), city.grid_b.path: (1, 3)}
    catalogue = [
        Figure("t.num", "n", compute=lambda day: {p: v[0] for p, v in parts.items()}),
        Figure("t.den", "d", compute=lambda day: {p: v[1] for p, v in parts.items()}),
        Figure("t.ratio", "r", unit="percent", numerator="t.num", denominator="t.den"),
    ]
    levels = {a.path: a.level for a in (city.city, city.community, city.grid_a, city.grid_b)}
    values, failed = rolled_up(catalogue, clock.today(), levels)
    assert not failed
    assert values[(city.grid_a.path, "t.ratio")] == 10000
    assert values[(city.grid_b.path, "t.ratio")] == 3333
    assert values[(city.community.path, "t.ratio")] == 5000  # 2 of 4, not (100 + 33) / 2


def test_a_broken_figure_is_left_out_and_the_others_still_count(city: SmallCity):
    def broken(day: dt.date) -> dict[str, int]:
        raise RuntimeError("boom")

    catalogue = [
        Figure("t.broken", "b", compute=broken),
        Figure("t.ok", "o", compute=lambda day: {city.grid_a.path: 2}),
    ]
    values, failed = rolled_up(catalogue, clock.today(), {city.grid_a.path: "grid"})
    assert set(failed) == {"t.broken"}
    assert values == {(city.grid_a.path, "t.ok"): 2}


@override_settings(
    LIFELINE_DASHBOARD_FIGURES=[
        "lifeline.nowhere.dashboard_figures",
        "lifeline.registry.figures.dashboard_figures",
    ]
)
def test_a_provider_that_cannot_load_does_not_hide_the_others():
    assert [f.key for f in figures()] == [
        "registry.people",
        "registry.households",
        "registry.vulnerable",
    ]


def test_the_refresh_writes_only_the_rows_whose_value_changed(city: SmallCity):
    desk = make_desk(city)
    day = clock.today()
    first = figures_refresh(day=day)
    assert first["written"] > 0 and first["failed"] == 0
    # nothing changed: nothing written
    again = figures_refresh(day=day)
    assert again["written"] == 0 and again["deleted"] == 0
    assert again["unchanged"] == first["written"]
    stamps = dict(AreaFigure.objects.values_list("pk", "updated_at"))
    # one more order in grid B: opened and open change in grid B and the four areas above
    order(desk.command, city.grid_b, "第二网格又来电")
    third = figures_refresh(day=day)
    assert third["written"] == 2 * 5
    unchanged = AreaFigure.objects.exclude(key__in=["workorders.opened", "workorders.open"])
    assert all(stamps[pk] == at for pk, at in unchanged.values_list("pk", "updated_at"))


def test_a_count_back_to_zero_loses_its_row(city: SmallCity):
    desk = make_desk(city)
    figures_refresh(day=clock.today())
    assert _value(city.grid_b.path, "workorders.open") == 1
    from lifeline.workorders.models import Status, WorkOrder

    WorkOrder.objects.filter(pk=desk.orders[2].pk).update(status=Status.CLOSED)
    result = figures_refresh(day=clock.today())
    assert result["deleted"] >= 1
    assert _value(city.grid_b.path, "workorders.open") is None


def test_the_sweep_refreshes_at_most_every_five_minutes_and_freezes_yesterday(city: SmallCity):
    moment = timezone.make_aware(dt.datetime(2026, 3, 10, 1, 30))
    with clock.frozen_at(moment):
        first = run_periodic(now=moment)
        # before 02:00 yesterday is refreshed too
        assert set(first) == {"2026-03-10", "2026-03-09", "alerts"}
        assert run_periodic(now=moment + dt.timedelta(minutes=1)) == {}
    later = moment + dt.timedelta(hours=1)
    with clock.frozen_at(later):
        # after 02:00 only today; yesterday stays as it was
        assert set(run_periodic(now=later)) == {"2026-03-10", "alerts"}
    assert AreaFigure.objects.filter(day=dt.date(2026, 3, 9)).exists()
