"""The three rates (response, on-time resolution, satisfaction) per unit, area and day, the
counts by category and channel, and the metrics page that shows them."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.api.tests.helpers import client_for
from lifeline.core.clock import frozen_at
from lifeline.workorders.models import Channel
from lifeline.workorders.selectors import workorder_counts, workorder_metrics
from lifeline.workorders.services import (
    workorder_accept,
    workorder_cancel,
    workorder_close,
    workorder_create,
    workorder_resolve,
)

DAY1 = dt.datetime(2022, 11, 5, 2, 0, tzinfo=dt.UTC)  # 10:00 in Zhuzhou
DAY2 = DAY1 + dt.timedelta(days=1)


@pytest.fixture
def history(city, ladder, categories, grid_worker_a, grid_worker_b, committee_staff):
    """Four 'other' orders and one cancelled one, with known outcomes. 'Other' is low
    priority: the normal policy gives it 16 hours to respond and 6 days to resolve."""

    def create(actor, area, channel=Channel.STAFF):
        return workorder_create(
            actor=actor, category_code="other", area=area, description="事", channel=channel
        ).order

    with frozen_at(DAY1):
        on_time = create(grid_worker_a, city.grid_a)
        late = create(grid_worker_a, city.grid_a, Channel.HOTLINE)
        never = create(grid_worker_b, city.grid_b)
        dropped = create(grid_worker_b, city.grid_b)
    with frozen_at(DAY2):
        fresh = create(grid_worker_a, city.grid_a, Channel.HOTLINE)
    with frozen_at(DAY1 + dt.timedelta(hours=1)):
        workorder_accept(actor=committee_staff, order=on_time)
        workorder_cancel(actor=committee_staff, order=dropped, reason="重复")
    with frozen_at(DAY1 + dt.timedelta(hours=2)):
        workorder_resolve(actor=committee_staff, order=on_time, note="完成")
        workorder_close(actor=committee_staff, order=on_time, satisfaction=5)
    assert on_time.due_response_at == DAY1 + dt.timedelta(hours=16)
    assert on_time.due_resolution_at == DAY1 + dt.timedelta(days=6)
    with frozen_at(DAY1 + dt.timedelta(hours=20)):  # response due after 16 h: late
        workorder_accept(actor=committee_staff, order=late)
    with frozen_at(DAY1 + dt.timedelta(days=7)):  # resolution due after 6 days: late
        workorder_resolve(actor=committee_staff, order=late, note="晚了")
        workorder_close(actor=committee_staff, order=late, satisfaction=2)
    return {"on_time": on_time, "late": late, "never": never, "fresh": fresh}


def test_rates_per_unit_count_on_time_steps_out_of_steps_due(history, command_staff, ladder):
    # when the command centre reads the rates 26 hours after day 1's orders
    with frozen_at(DAY2 + dt.timedelta(hours=2)):
        [row] = workorder_metrics(actor=command_staff, by="unit")
    # then: 4 orders (the cancelled one left out); responses due: on_time, late (responded)
    # and never (past 16 h), fresh's not yet -> 1 of 3 on time
    assert row["key"] == ladder["committee"].pk and row["total"] == 4
    assert row["response_rate"] == round(1 / 3, 4)
    # resolutions due: on_time and late (resolved); never's 6 days not yet up -> 1 of 2
    assert row["on_time_resolution_rate"] == 0.5
    assert row["satisfaction"] == 3.5


def test_rates_per_day_use_the_city_day_and_per_area_the_place(history, command_staff, city):
    with frozen_at(DAY2 + dt.timedelta(hours=2)):
        days = {str(r["key"]): r for r in workorder_metrics(actor=command_staff, by="day")}
        areas = {r["key"]: r for r in workorder_metrics(actor=command_staff, by="area")}
    assert {k: r["total"] for k, r in days.items()} == {"2022-11-05": 3, "2022-11-06": 1}
    assert days["2022-11-06"]["response_rate"] is None  # nothing due yet
    assert {k: r["total"] for k, r in areas.items()} == {city.grid_a.path: 3, city.grid_b.path: 1}
    assert areas[city.grid_b.path]["response_rate"] == 0.0


def test_metrics_are_scoped(history, grid_worker_b, city):
    with frozen_at(DAY2):
        rows = workorder_metrics(actor=grid_worker_b, by="area")
    assert [r["key"] for r in rows] == [city.grid_b.path]


def test_counts_by_category_and_channel(history, command_staff):
    with frozen_at(DAY2 + dt.timedelta(hours=2)):
        by_channel = {r["key"]: r for r in workorder_counts(actor=command_staff, by="channel")}
        [other] = workorder_counts(actor=command_staff, by="category")
    assert {k: r["total"] for k, r in by_channel.items()} == {"staff": 3, "hotline": 2}
    assert other["key"] == "other" and other["total"] == 5 and other["open"] == 2
    assert other["overdue"] == 1  # "never": its response is past due


def test_the_metrics_page_shows_rates_and_counts(history, command_staff, ladder):
    with frozen_at(DAY2 + dt.timedelta(hours=2)):
        page = client_for(command_staff).get(
            "/workorders/metrics/", {"by": "unit", "days": "7"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    html = page.content.decode()
    assert page.status_code == 200
    assert ladder["committee"].name in html and "33%" in html and "50%" in html
    assert 'data-testid="by-channel"' in html and "Hotline" in html
