"""Volunteers' creates for ``tests/test_api_idempotent_creates.py``."""

from __future__ import annotations

import datetime as dt

from lifeline.testing.idempotent import Body, Example, text
from lifeline.volunteers.models import Booking, Post, Shift, TaskGroup, Volunteer
from lifeline.volunteers.tests.scope_cases import VolunteersWorld, make_volunteers_world

API = "/api/v1/volunteers"


def _shift_body(w: VolunteersWorld) -> Body:
    start = w.shift_b.starts_at + dt.timedelta(days=2)
    return {
        "post_id": w.post_b.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=4)).isoformat(),
        "capacity": 3,
        "note": "带好袖标",
    }


def _other_volunteer(body: Body) -> Body:
    return {**body, "volunteer_id": body["volunteer_id"] + 1}


EXAMPLES: dict[str, Example] = {
    f"POST {API}/people": Example(
        make_volunteers_world,
        "coordinator_b",
        Volunteer,
        lambda w: {"area_id": w.grid_b.pk, "name": "新志愿者", "phone": "13900019999"},
        vary=text("name"),
    ),
    f"POST {API}/groups": Example(
        make_volunteers_world,
        "coordinator_b",
        TaskGroup,
        lambda w: {"area_id": w.grid_b.pk, "name": "物资组", "kind": "supplies"},
        vary=text("name"),
    ),
    f"POST {API}/posts": Example(
        make_volunteers_world,
        "coordinator_b",
        Post,
        lambda w: {"area_id": w.grid_b.pk, "name": "采样点", "kind": "sampling"},
        vary=text("name"),
    ),
    f"POST {API}/shifts": Example(
        make_volunteers_world, "coordinator_b", Shift, _shift_body, vary=text("note")
    ),
    f"POST {API}/shifts/{{shift_id}}/bookings": Example(
        make_volunteers_world,
        "coordinator_b",
        Booking,
        lambda w: {"volunteer_id": w.volunteers_b[3].pk},
        vary=_other_volunteer,
        path_params=lambda w: {"shift_id": w.shift_b.pk},
    ),
}
