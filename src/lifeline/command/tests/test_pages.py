"""The dashboard's pages: the actor's top area first, every figure against yesterday, the
children named with their parents, drill-down, exports with HXL tags; scoped to the
memberships that grant COMMAND_VIEW, and never a count over the domain tables."""

from __future__ import annotations

import csv
import io
import re

import hxl
import hxl.input
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from lifeline.api.tests.helpers import client_for
from lifeline.command.services import figures_refresh
from lifeline.command.tests.helpers import make_desk
from lifeline.core import clock
from lifeline.core.models import AuditRecord
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db

DOMAIN_TABLES = re.compile(
    r'"(workorders|screening|health|passes|teams|supplies|volunteers|continuity|keyusers|'
    r"enterprises|counselling)_\w+\"|\"registry_(person|household|vulnerability|building)\""
)


def _area_url(area: object) -> str:
    return reverse("command:area", args=[area.pk])  # type: ignore[attr-defined]


def test_command_staff_land_on_the_city_and_drill_down_to_a_grid(city: SmallCity):
    desk = make_desk(city)
    figures_refresh(day=clock.today())
    client = client_for(desk.command)
    response = client.get(reverse("command:index"))
    assert response.status_code == 302 and response.url == _area_url(city.city)
    page = client.get(_area_url(city.city)).content.decode()
    assert "株洲市" in page and 'data-testid="tile"' in page
    assert _area_url(city.district) in page  # each child is a link
    grid = client.get(_area_url(city.grid_a) + "?figure=workorders.opened").content.decode()
    assert "泰山路社区 · 第一网格" in grid  # never a bare grid name
    assert 'id="map-data"' in grid and 'id="chart-data"' in grid
    assert "天元区" in grid  # the breadcrumbs climb to the city
    crumbs = grid.split('data-testid="breadcrumbs"', 1)[1].split("</ol>", 1)[0]
    assert crumbs.count("嵩山路街道") == 1 and crumbs.count("泰山路社区") == 1  # each once


def test_the_dashboard_reads_counters_never_the_domain_tables(
    city: SmallCity, django_assert_max_num_queries: object
):
    desk = make_desk(city)
    figures_refresh(day=clock.today())
    client = client_for(desk.command)
    client.get(_area_url(city.city))  # warm the per-process caches
    for area in (city.city, city.community, city.grid_a):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_area_url(area)).status_code == 200
        touched = [q["sql"] for q in ctx.captured_queries if DOMAIN_TABLES.search(q["sql"])]
        assert not touched, touched
        assert len(ctx.captured_queries) <= 15, [q["sql"] for q in ctx.captured_queries]


def test_a_grid_worker_sees_only_their_grid(city: SmallCity):
    desk = make_desk(city)
    figures_refresh(day=clock.today())
    client = client_for(desk.worker_a)
    response = client.get(reverse("command:index"))
    assert response.url == _area_url(city.grid_a)
    assert client.get(_area_url(city.grid_a)).status_code == 200
    assert client.get(_area_url(city.grid_b)).status_code == 404
    assert client.get(_area_url(city.city)).status_code == 404
    assert client.get(reverse("command:rules", args=[city.grid_a.pk])).status_code == 403


def test_someone_with_no_membership_sees_no_dashboard(city: SmallCity):
    client = client_for(make_user("cmd_nobody"))
    assert client.get(reverse("command:index")).status_code == 404
    assert client.get(_area_url(city.city)).status_code == 404


def test_a_bad_day_or_figure_falls_back_to_today_and_the_default(city: SmallCity):
    desk = make_desk(city)
    client = client_for(desk.command)
    response = client.get(_area_url(city.city) + "?day=2026-99-99&figure=<script>")
    assert response.status_code == 200


def test_the_children_export_carries_hxl_tags_and_is_audited(city: SmallCity):
    desk = make_desk(city)
    figures_refresh(day=clock.today())
    client = client_for(desk.command)
    before = AuditRecord.objects.count()
    url = reverse("command:export", args=[city.community.pk, "csv"])
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:3] == ["#loc+grid+code", "#loc+grid+name", "#date"]
    assert [r[1] for r in rows[2:]] == ["泰山路社区 · 第一网格", "泰山路社区 · 第二网格"]
    data = hxl.data(hxl.input.make_input(io.BytesIO(response.content)))
    opened = [row.get("#indicator+num+workorders_opened") for row in data]
    assert opened == ["2", "1"]
    assert AuditRecord.objects.count() == before + 1
    xlsx = client.get(reverse("command:export", args=[city.community.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=3).value == "#date"
    bad = client.get(reverse("command:export", args=[city.community.pk, "pdf"]))
    assert bad.status_code == 400
