"""Metrics by area: a row per child area with its path, a total per level, drill-down by
area, from one aggregate query bounded by the area."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifeline.api.tests.helpers import client_for
from lifeline.workorders.rollup import workorder_area_rollup
from lifeline.workorders.services import workorder_create


def _file(actor, area, text):
    return workorder_create(
        actor=actor, category_code="other", area=area, description=text, address=text
    ).order


def test_counts_roll_up_from_grids_to_the_community_street_and_district(
    city, ladder, categories, grid_worker_a, grid_worker_b, command_staff
):
    # given two orders in grid A and one in grid B
    _file(grid_worker_a, city.grid_a, "甲一")
    _file(grid_worker_a, city.grid_a, "甲二")
    _file(grid_worker_b, city.grid_b, "乙一")
    # when the command centre looks at the city, then at the community
    top = workorder_area_rollup(actor=command_staff, parent=city.city)
    community = workorder_area_rollup(actor=command_staff, parent=city.community)
    # then the district row holds all three; the community has one row per grid
    assert [(r.area.pk, r.total) for r in top.rows] == [(city.district.pk, 3)]
    assert top.total.total == 3
    assert {r.area.pk: r.total for r in community.rows} == {city.grid_a.pk: 2, city.grid_b.pk: 1}
    assert community.total.total == 3 and community.total.open == 3
    assert [a.pk for a in community.trail][-1] == city.community.pk


def test_a_grid_worker_sees_only_the_counts_of_their_grid(
    city, ladder, categories, grid_worker_a, grid_worker_b
):
    _file(grid_worker_a, city.grid_a, "甲一")
    _file(grid_worker_b, city.grid_b, "乙一")
    rollup = workorder_area_rollup(actor=grid_worker_a, parent=city.community)
    assert rollup.total.total == 1


def test_the_page_drills_down_with_the_path_and_a_bounded_number_of_queries(
    city, ladder, categories, grid_worker_a, command_staff
):
    _file(grid_worker_a, city.grid_a, "甲一")
    client = client_for(command_staff)
    page = client.get("/workorders/metrics/", {"by": "area"}).content.decode()
    assert f"area={city.district.pk}" in page and 'data-testid="area-total"' in page
    with CaptureQueriesContext(connection) as queries:
        page = client.get(
            "/workorders/metrics/", {"by": "area", "area": city.community.pk}
        ).content.decode()
    # the trail names the district, street and community; the rows are the grids
    for area in (city.district, city.street, city.community, city.grid_a):
        assert area.name in page
    assert len(queries) < 25
