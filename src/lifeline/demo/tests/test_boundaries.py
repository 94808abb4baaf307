"""The demo city's areas are drawn: each boundary holds its centre, nests in its parent's,
and no two siblings overlap, so a point maps back to one grid."""

from __future__ import annotations

import random

from shapely.geometry import Point, shape

from lifeline.demo.generator.places import plan_city


class _Ids:
    def reserve_ids(self, model, count):
        return 1


def test_every_area_is_drawn_inside_its_parent_around_its_centre():
    plan = plan_city(random.Random(7), 120_000, _Ids())
    for area in plan.all:
        drawn = shape(area.boundary)
        assert drawn.area > 0
        assert drawn.contains(Point(area.lng, area.lat)), area.name
        if area.parent is not None:
            assert shape(area.parent.boundary).buffer(1e-5).contains(drawn)
        siblings = [shape(c.boundary) for c in area.children]
        for i, one in enumerate(siblings):
            for other in siblings[i + 1 :]:
                assert one.intersection(other).area < 1e-9
    # and grids are of comparable size (no slivers): the smallest is a tenth of the median
    grids = sorted(shape(a.boundary).area for a in plan.of_level("grid"))
    assert grids[0] > grids[len(grids) // 2] / 10
