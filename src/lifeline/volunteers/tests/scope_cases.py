"""Volunteers rows of the scope matrix (run by ``tests/test_scope_matrix.py``), and the
world the volunteers' API tests and idempotent-create examples share.

A volunteer coordinator for each grid, with grid B's volunteers, task group, post, shifts
and bookings. Grid B's objects are refused to grid A's coordinator, to grid workers (who
hold no volunteers permission) and to a user with no membership; grid B's coordinator
reaches them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.core.models import AuditRecord
from lifeline.registry.models import Area
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import DENIED, Case, World, base_personas, call
from lifeline.volunteers.models import (
    Booking,
    GroupKind,
    Post,
    PostKind,
    Shift,
    TaskGroup,
    Volunteer,
)
from lifeline.volunteers.services import (
    booking_check_in,
    booking_signup,
    group_create,
    post_create,
    shift_create,
    volunteer_create,
)

API = "/api/v1/volunteers"
HOUR = dt.timedelta(hours=1)


@dataclass
class VolunteersWorld(World):
    coordinator_a: User
    coordinator_b: User
    volunteer_a: Volunteer
    volunteers_b: list[Volunteer]  # 0: booked tomorrow, 1: booked soon, 2: on duty, 3: free
    group_b: TaskGroup
    post_b: Post
    shift_b: Shift  # tomorrow
    shift_soon_b: Shift  # starts in half an hour: check-in is open
    booking_b: Booking  # volunteers_b[0] on shift_b
    booking_soon_b: Booking  # volunteers_b[1] on shift_soon_b, not checked in
    booking_on_duty_b: Booking  # volunteers_b[2] on shift_soon_b, checked in

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "worker_b", "outsider", "coordinator_a")
    controls: ClassVar[tuple[str, ...]] = ("coordinator_b",)
    viewers: ClassVar[tuple[str, ...]] = ("coordinator_a",)

    def snapshot(self) -> Any:
        bookings = Booking.objects.order_by("pk").values_list(
            "pk", "status", "checked_in_at", "checked_out_at", "minutes_credited"
        )
        shifts = Shift.objects.order_by("pk").values_list("pk", "capacity", "confirmed", "waiting")
        people = Volunteer.objects.order_by("pk").values_list("pk", "status", "approved_at")
        return list(bookings), list(shifts), list(people), AuditRecord.objects.count()


def _duty(coordinator: User, area: Area, tag: str) -> tuple[TaskGroup, Post]:
    group = group_create(actor=coordinator, area=area, name=f"{tag}巡逻组", kind=GroupKind.PATROL)
    post = post_create(
        actor=coordinator, area=area, name=f"{tag}东门卡口", kind=PostKind.CHECKPOINT, group=group
    )
    return group, post


def _shift(coordinator: User, post: Post, start: dt.datetime, hours: int = 2) -> Shift:
    return shift_create(
        actor=coordinator,
        post=post,
        starts_at=start,
        ends_at=start + hours * HOUR,
        capacity=5,
        open_call=True,
    )


def _volunteer(coordinator: User, area: Area, n: int) -> Volunteer:
    return volunteer_create(
        actor=coordinator, area=area, name=f"志愿者{n}", phone=f"1390001{n:04d}"
    )


def make_volunteers_world(city: SmallCity) -> VolunteersWorld:
    coordinator_a = make_user("vol_coord_a", role=Role.VOLUNTEER_COORDINATOR, area=city.grid_a)
    coordinator_b = make_user("vol_coord_b", role=Role.VOLUNTEER_COORDINATOR, area=city.grid_b)
    now = clock.now()
    tomorrow = now.replace(microsecond=0, second=0) + dt.timedelta(days=1)
    volunteer_a = _volunteer(coordinator_a, city.grid_a, 5)
    _group_a, post_a = _duty(coordinator_a, city.grid_a, "一网格")
    shift_a = _shift(coordinator_a, post_a, tomorrow)
    booking_signup(actor=coordinator_a, volunteer=volunteer_a, shift=shift_a)
    people_b = [_volunteer(coordinator_b, city.grid_b, n) for n in range(11, 15)]
    group_b, post_b = _duty(coordinator_b, city.grid_b, "二网格")
    shift_b = _shift(coordinator_b, post_b, tomorrow)
    shift_soon_b = _shift(coordinator_b, post_b, now + HOUR / 2)
    booking_b = booking_signup(actor=coordinator_b, volunteer=people_b[0], shift=shift_b)
    soon = booking_signup(actor=coordinator_b, volunteer=people_b[1], shift=shift_soon_b)
    on_duty = booking_signup(actor=coordinator_b, volunteer=people_b[2], shift=shift_soon_b)
    on_duty = booking_check_in(booking=on_duty, post_id=post_b.pk)
    return VolunteersWorld(
        **base_personas(city),
        coordinator_a=coordinator_a,
        coordinator_b=coordinator_b,
        volunteer_a=volunteer_a,
        volunteers_b=people_b,
        group_b=group_b,
        post_b=post_b,
        shift_b=shift_b,
        shift_soon_b=shift_soon_b,
        booking_b=booking_b,
        booking_soon_b=soon,
        booking_on_duty_b=on_duty,
    )


def walk_params(city: SmallCity) -> dict[str, Any]:
    """A shift with a booking in grid A, for walks of every GET endpoint: ``shift_id``."""
    coordinator = make_user("walk_vol_coord", role=Role.VOLUNTEER_COORDINATOR, area=city.grid_a)
    group, post = _duty(coordinator, city.grid_a, "巡查")
    start = clock.now().replace(microsecond=0) + dt.timedelta(days=1)
    shift = _shift(coordinator, post, start)
    person = _volunteer(coordinator, city.grid_a, 99)
    booking_signup(actor=coordinator, volunteer=person, shift=shift)
    return {"shift_id": shift.pk, "volunteer_id": person.pk, "group_id": group.pk}


def _shift_b(w: VolunteersWorld) -> dict[str, Any]:
    return {"shift_id": w.shift_b.pk}


def _check_hours_export(w: VolunteersWorld) -> None:
    """Each coordinator's file holds the volunteers of their grid and nobody else's; the
    personas without volunteers' rights get no file and leave no audit record."""
    case = HOURS_EXPORT
    before = AuditRecord.objects.count()
    for name in ("worker_a", "worker_b", "outsider"):
        response = call(w.persona(name), case, w)
        assert response.status_code in DENIED, (name, response.content[:200])
        assert set(response.json()) == {"error"}
    assert AuditRecord.objects.count() == before, "a refused export was recorded"
    mine = call(w.coordinator_a, case, w)
    assert mine.status_code == 200, mine.content[:300]
    text = mine.content.decode("utf-8-sig")
    assert w.volunteer_a.name in text
    assert not [v.name for v in w.volunteers_b if v.name in text], text
    theirs = call(w.coordinator_b, case, w).content.decode("utf-8-sig")
    assert all(v.name in theirs for v in w.volunteers_b) and w.volunteer_a.name not in theirs
    assert AuditRecord.objects.count() == before + 2


HOURS_EXPORT = Case(
    "post",
    f"{API}/exports/hours",
    "custom",
    body=lambda w: {"format": "csv"},
    check=lambda w: _check_hours_export(w),
)

VOLUNTEERS_CASES = [
    Case("get", f"{API}/people", "list"),
    Case(
        "post",
        f"{API}/people",
        "create",
        label="grid B",
        created=Volunteer,
        body=lambda w: {"area_id": w.grid_b.pk, "name": "新志愿者", "phone": "13900019999"},
    ),
    Case(
        "post",
        f"{API}/people/{{volunteer_id}}/approve",
        "object",
        lambda w: {"volunteer_id": w.volunteers_b[3].pk},
        body=lambda w: {"approve": False},
    ),
    Case("get", f"{API}/groups", "list"),
    Case(
        "post",
        f"{API}/groups",
        "create",
        label="grid B",
        created=TaskGroup,
        body=lambda w: {"area_id": w.grid_b.pk, "name": "物资组", "kind": "supplies"},
    ),
    Case(
        "get",
        f"{API}/posts",
        "list",
        foreign=(lambda w: {"group_id": w.group_b.pk},),
    ),
    Case(
        "post",
        f"{API}/posts",
        "create",
        label="grid B",
        created=Post,
        body=lambda w: {"area_id": w.grid_b.pk, "name": "采样点", "kind": "sampling"},
    ),
    Case(
        "get",
        f"{API}/shifts",
        "list",
        foreign=(lambda w: {"post_id": w.post_b.pk},),
    ),
    Case(
        "post",
        f"{API}/shifts",
        "create",
        label="grid B's post",
        created=Shift,
        body=lambda w: {
            "post_id": w.post_b.pk,
            "starts_at": (w.shift_b.starts_at + 2 * 24 * HOUR).isoformat(),
            "ends_at": (w.shift_b.starts_at + 2 * 24 * HOUR + 4 * HOUR).isoformat(),
            "capacity": 3,
        },
    ),
    Case(
        "post",
        f"{API}/shifts/{{shift_id}}/capacity",
        "object",
        _shift_b,
        body=lambda w: {"capacity": 8},
    ),
    Case("get", f"{API}/shifts/{{shift_id}}/roll", "object", _shift_b),
    Case(
        "post",
        f"{API}/shifts/{{shift_id}}/bookings",
        "create",
        _shift_b,
        label="grid B's shift",
        created=Booking,
        body=lambda w: {"volunteer_id": w.volunteers_b[3].pk},
    ),
    Case(
        "post",
        f"{API}/bookings/{{booking_id}}/cancel",
        "object",
        lambda w: {"booking_id": w.booking_b.pk},
        body=lambda w: {"reason": "临时有事"},
    ),
    Case(
        "post",
        f"{API}/bookings/{{booking_id}}/check-in",
        "object",
        lambda w: {"booking_id": w.booking_soon_b.pk},
        body=lambda w: {"post_id": w.post_b.pk},
    ),
    Case(
        "post",
        f"{API}/bookings/{{booking_id}}/check-out",
        "object",
        lambda w: {"booking_id": w.booking_on_duty_b.pk},
    ),
    HOURS_EXPORT,
    Case(
        "post",
        f"{API}/shifts/{{shift_id}}/roll/export",
        "object",
        _shift_b,
        body=lambda w: {"format": "xlsx"},
    ),
]
