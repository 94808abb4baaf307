"""The sign-up burst of ``lifeline bench volunteers``: ``people`` volunteers sign up at
once, from ``threads`` threads, for one shift of ``places``, through ``booking_signup``
(the service the volunteer's phone page calls); repeated ``repeats`` times on new shifts.
Run inside the bench's own database (``bench volunteers`` makes and drops it)."""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from lifeline.accounts.models import Membership, Role, User
from lifeline.bench._threads import close_thread_connections, run_parts
from lifeline.core import clock
from lifeline.core.errors import Conflict
from lifeline.registry.models import Area, AreaLevel
from lifeline.volunteers.models import (
    Booking,
    BookingStatus,
    PostKind,
    Shift,
    Volunteer,
    VolunteerStatus,
)
from lifeline.volunteers.services import booking_signup, post_create, shift_create


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _setup(people: int) -> tuple[User, Any, list[Volunteer]]:
    tag = uuid.uuid4().hex[:8]
    area = Area.objects.create(
        level=AreaLevel.COMMUNITY, code=f"V{tag}", name=f"压测社区{tag}", path=f"/V{tag}/", depth=0
    )
    user = User.objects.create_user(username=f"bench_{tag}", password=uuid.uuid4().hex)
    Membership.objects.create(user=user, role=Role.VOLUNTEER_COORDINATOR, area=area)
    post = post_create(actor=user, area=area, name="核酸采样点", kind=PostKind.SAMPLING)
    now = clock.now()
    volunteers = Volunteer.objects.bulk_create(
        Volunteer(
            area=area,
            area_path=area.path,
            name=f"志愿者{n}",
            phone=f"139{n:08d}",
            status=VolunteerStatus.ACTIVE,
            created_at=now,
        )
        for n in range(people)
    )
    return user, post, volunteers


def run_signup(
    *,
    people: int = 500,
    places: int = 10,
    threads: int = 32,
    repeats: int = 20,
    write: Callable[[str], Any] = print,
) -> dict[str, Any]:
    """Sign-ups per second, p50/p99 (ms), and what must be zero: overbooked shifts (more
    confirmed than places, or a counter that disagrees with the bookings) and errors."""
    user, post, volunteers = _setup(people)
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    overbooked = 0
    wall = 0.0
    lock = threading.Lock()
    for repeat in range(repeats):
        # Each repeat on a shift of its own, a day apart, so nobody's limits interfere.
        begins = clock.now() + dt.timedelta(days=repeat + 1)
        shift = shift_create(
            actor=user,
            post=post,
            starts_at=begins,
            ends_at=begins + dt.timedelta(hours=4),
            capacity=places,
            open_call=True,
        )
        gate = threading.Barrier(threads)

        def worker(part: list[Volunteer], shift: Shift = shift, gate: Any = gate) -> None:
            gate.wait()
            mine: list[float] = []
            seen: Counter[str] = Counter()
            try:
                for person in part:
                    start = time.perf_counter()
                    try:
                        booking_signup(volunteer=person, shift=shift)
                        seen["ok"] += 1
                    except Conflict as refused:
                        seen[refused.code] += 1
                    except Exception:  # counted: must be zero
                        seen["error"] += 1
                    mine.append(time.perf_counter() - start)
            finally:
                close_thread_connections()
            with lock:
                latencies.extend(mine)
                outcomes.update(seen)

        parts = [volunteers[i::threads] for i in range(threads)]
        started = time.perf_counter()
        run_parts(worker, parts, threads)
        wall += time.perf_counter() - started
        shift.refresh_from_db()
        confirmed = Booking.objects.filter(shift=shift, status=BookingStatus.CONFIRMED).count()
        if confirmed > places or confirmed != shift.confirmed or shift.confirmed > places:
            overbooked += 1
        write(f"repeat {repeat + 1}/{repeats}: {confirmed} confirmed, {shift.waiting} waiting")
    ms = [x * 1000 for x in latencies]
    return {
        "people": people,
        "places": places,
        "threads": threads,
        "repeats": repeats,
        "signups": len(ms),
        "signups_per_second": round(len(ms) / wall, 1) if wall else 0.0,
        "p50_ms": round(statistics.median(ms), 2) if ms else 0.0,
        "p99_ms": round(_percentile(ms, 0.99), 2),
        "overbooked_shifts": overbooked,
        "errors": outcomes.get("error", 0),
        "outcomes": dict(outcomes),
    }
