"""The answers the volunteers API shares between its parts: a volunteer (phone masked),
a shift with its live counts, a booking on a shift's roll; and the request times read in
the city's time zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema

from lifeline.core.errors import ServiceError
from lifeline.core.personal import mask_phone
from lifeline.volunteers.models import Booking, Shift, Volunteer


class VolunteerOut(Schema):
    id: int
    area_id: int
    area_path: str
    name: str
    phone: str  # masked: 138****5678
    org_kind: str
    org_name: str
    skills: list[str]
    status: str
    status_label: str
    max_day_hours: int
    max_week_hours: int
    minutes_credited: int
    sms_ok: bool
    created_at: dt.datetime
    approved_at: dt.datetime | None


class DutyShiftOut(Schema):
    id: int
    post_id: int
    post_name: str
    area_path: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    minutes: int
    capacity: int
    confirmed: int
    waiting: int
    free: int
    skills: list[str]
    open_call: bool
    note: str
    cancelled: bool


class DutyBookingOut(Schema):
    id: int
    shift_id: int
    volunteer_id: int
    volunteer_name: str
    phone: str  # masked
    area_path: str
    status: str
    status_label: str
    source: str
    position: int
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    minutes_credited: int
    no_show: bool


def volunteer_out(volunteer: Volunteer) -> dict[str, Any]:
    return {
        "id": volunteer.pk,
        "area_id": volunteer.area_id,
        "area_path": volunteer.area_path,
        "name": volunteer.name,
        "phone": mask_phone(volunteer.phone),
        "org_kind": volunteer.org_kind,
        "org_name": volunteer.org_name,
        "skills": list(volunteer.skills or []),
        "status": volunteer.status,
        "status_label": str(volunteer.get_status_display()),
        "max_day_hours": volunteer.max_day_minutes // 60,
        "max_week_hours": volunteer.max_week_minutes // 60,
        "minutes_credited": volunteer.minutes_credited,
        "sms_ok": volunteer.sms_ok,
        "created_at": volunteer.created_at,
        "approved_at": volunteer.approved_at,
    }


def shift_out(shift: Shift) -> dict[str, Any]:
    return {
        "id": shift.pk,
        "post_id": shift.post_id,
        "post_name": shift.post.name,
        "area_path": shift.area_path,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "minutes": shift.minutes,
        "capacity": shift.capacity,
        "confirmed": shift.confirmed,
        "waiting": shift.waiting,
        "free": max(0, shift.capacity - shift.confirmed),
        "skills": list(shift.skills or []),
        "open_call": shift.open_call,
        "note": shift.note,
        "cancelled": shift.cancelled_at is not None,
    }


def booking_out(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.pk,
        "shift_id": booking.shift_id,
        "volunteer_id": booking.volunteer_id,
        "volunteer_name": booking.volunteer.name,
        "phone": mask_phone(booking.volunteer.phone),
        "area_path": booking.area_path,
        "status": booking.status,
        "status_label": str(booking.get_status_display()),
        "source": booking.source,
        "position": booking.position,
        "checked_in_at": booking.checked_in_at,
        "checked_out_at": booking.checked_out_at,
        "minutes_credited": booking.minutes_credited,
        "no_show": booking.no_show,
    }


def aware(moment: dt.datetime, field: str) -> dt.datetime:
    """A time sent without an offset is read in the city's time zone; every time goes on
    in UTC (PostgreSQL refuses offsets beyond its range, such as -16:17)."""
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        message = _("This time is out of range.")
        raise ServiceError(message, fields={field: [message]}) from None
