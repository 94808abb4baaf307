"""Volunteers models: the people (``people``), their duty (``duty``) and rosters (``rosters``)."""

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
from lifeline.volunteers.models.rosters import Roster, RosterStatus, Unavailability

__all__ = [
    "LIVE",
    "Booking",
    "BookingSource",
    "BookingStatus",
    "GroupKind",
    "OrgKind",
    "Post",
    "PostKind",
    "Roster",
    "RosterStatus",
    "Shift",
    "Skill",
    "TaskGroup",
    "Unavailability",
    "Volunteer",
    "VolunteerStatus",
]
