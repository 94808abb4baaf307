"""Counselling writes. Other apps import from here: ``from lifeline.counselling.services
import contact_log``; inside counselling, import the part's module."""

from lifeline.counselling.services.callbacks import (
    callback_complete,
    callback_request,
    callback_reveal,
    callback_take,
)
from lifeline.counselling.services.contacts import (
    contact_flag_high_risk,
    contact_handle,
    contact_log,
)
from lifeline.counselling.services.referrals import referral_make
from lifeline.counselling.services.roster import (
    counsellor_create,
    counsellor_off_duty,
    counsellor_on_duty,
    duty_window_create,
)

__all__ = [
    "callback_complete",
    "callback_request",
    "callback_reveal",
    "callback_take",
    "contact_flag_high_risk",
    "contact_handle",
    "contact_log",
    "counsellor_create",
    "counsellor_off_duty",
    "counsellor_on_duty",
    "duty_window_create",
    "referral_make",
]
