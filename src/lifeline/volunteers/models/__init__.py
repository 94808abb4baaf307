"""Volunteers models: the people (``people``) and their duty (``duty``)."""

from lifeline.volunteers.models.duty import (
    LIVE,
    Booking,
    BookingSource,
    BookingStatus,
    GroupKind,
    Post,
    PostKind,
    Shift,
    TaskGroup,
)
from lifeline.volunteers.models.people import OrgKind, Skill, Volunteer, VolunteerStatus

__all__ = [
    "LIVE",
    "Booking",
    "BookingSource",
    "BookingStatus",
    "GroupKind",
    "OrgKind",
    "Post",
    "PostKind",
    "Shift",
    "Skill",
    "TaskGroup",
    "Volunteer",
    "VolunteerStatus",
]
