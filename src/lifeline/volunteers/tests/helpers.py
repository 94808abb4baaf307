"""A community's coordinator, volunteers and posts for the volunteers tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.registry.models import Area
from lifeline.testing.factories import SmallCity, make_user
from lifeline.volunteers.models import Post, PostKind, Shift, Volunteer
from lifeline.volunteers.services import post_create, shift_create, volunteer_create

HOUR = dt.timedelta(hours=1)


@dataclass
class Duty:
    city: SmallCity
    coordinator: User
    post: Post
    tomorrow: dt.datetime  # 07:30 tomorrow, local time


def make_duty(city: SmallCity) -> Duty:
    coordinator = make_user("vol_coord", role=Role.VOLUNTEER_COORDINATOR, area=city.community)
    post = post_create(
        actor=coordinator, area=city.community, name="核酸采样点", kind=PostKind.SAMPLING
    )
    base = timezone.localtime(clock.now()).replace(hour=7, minute=30, second=0, microsecond=0)
    return Duty(city, coordinator, post, base + dt.timedelta(days=1))


def volunteer(duty: Duty, n: int, *, area: Area | None = None, **more: object) -> Volunteer:
    return volunteer_create(
        actor=duty.coordinator,
        area=area or duty.city.community,
        name=f"志愿者{n}",
        phone=f"1390000{n:04d}",
        **more,  # type: ignore[arg-type]
    )


def shift(duty: Duty, start: float, hours: float, capacity: int = 10, **more: object) -> Shift:
    """A shift ``start`` hours after 07:30 tomorrow, ``hours`` long."""
    begins = duty.tomorrow + start * HOUR
    return shift_create(
        actor=duty.coordinator,
        post=duty.post,
        starts_at=begins,
        ends_at=begins + hours * HOUR,
        capacity=capacity,
        **{"open_call": True, **more},  # type: ignore[arg-type]
    )
