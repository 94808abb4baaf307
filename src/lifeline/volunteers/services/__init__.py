"""Volunteers writes. Other apps import from here: ``from lifeline.volunteers.services import
booking_signup``; inside volunteers, import the part's module."""

from lifeline.volunteers.services.attendance import booking_check_in, booking_check_out
from lifeline.volunteers.services.availability import (
    away_during,
    unavailability_add,
    unavailability_remove,
)
from lifeline.volunteers.services.bookings import (
    booking_cancel,
    booking_signup,
    shift_capacity_set,
)
from lifeline.volunteers.services.heads import volunteer_building_set
from lifeline.volunteers.services.registration import volunteer_register
from lifeline.volunteers.services.setup import (
    group_create,
    post_create,
    shift_create,
    volunteer_approve,
    volunteer_create,
)

__all__ = [
    "away_during",
    "booking_cancel",
    "booking_check_in",
    "booking_check_out",
    "booking_signup",
    "group_create",
    "post_create",
    "shift_capacity_set",
    "shift_create",
    "unavailability_add",
    "unavailability_remove",
    "volunteer_approve",
    "volunteer_building_set",
    "volunteer_create",
    "volunteer_register",
]
