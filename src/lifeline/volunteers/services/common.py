"""Pieces the volunteers services share: input checks and texts to volunteers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from lifeline.core.errors import ServiceError
from lifeline.core.outbox import enqueue_sms
from lifeline.volunteers.models import Shift, Volunteer


def invalid(fields: dict[str, list[str]]) -> ServiceError:
    first = next(iter(fields.values()))[0]
    return ServiceError(first, fields=fields)


def shift_label(shift: Shift) -> str:
    start = timezone.localtime(shift.starts_at)
    end = timezone.localtime(shift.ends_at)
    return f"{shift.post.name} {start:%m-%d %H:%M}-{end:%H:%M}"


def text_volunteer(volunteer: Volunteer, message: Any, **values: Any) -> None:
    """Queue a text to the volunteer, in the city's language, when they allow texts."""
    if not volunteer.sms_ok or not volunteer.phone:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = str(message) % values if values else str(message)
    enqueue_sms(
        recipient=volunteer.phone,
        body=body,
        object_type="volunteers.volunteer",
        object_id=str(volunteer.pk),
    )
