"""Small builders for hand-checkable planner problems (plain coordinates, 1 unit = 1 s)."""

from __future__ import annotations

from lifeline.teams.planner.distances import EuclideanDistance
from lifeline.teams.planner.model import Point, Vehicle, Visit

PLANE = EuclideanDistance(scale=1)
HOME = Point(0, 0)


def van(
    vid: str = "v1",
    *,
    capacity: int = 10,
    skills: tuple[str, ...] = (),
    areas: tuple[str, ...] = (),
    start: int = 0,
    end: int = 1000,
    depot: Point = HOME,
) -> Vehicle:
    return Vehicle(
        id=vid,
        depot=depot,
        capacity=capacity,
        shift_start=start,
        shift_end=end,
        skills=frozenset(skills),
        areas=frozenset(areas),
    )


def door(
    vid: str,
    x: float,
    y: float = 0,
    *,
    service: int = 0,
    window: tuple[int, int] = (0, 1000),
    size: int = 1,
    skill: str | None = None,
    area: str | None = None,
    priority: int = 0,
) -> Visit:
    return Visit(
        id=vid,
        location=Point(x, y),
        service=service,
        earliest=window[0],
        latest=window[1],
        size=size,
        skill=skill,
        area=area,
        priority=priority,
    )
