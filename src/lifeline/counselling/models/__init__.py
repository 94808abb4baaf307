"""Counselling models: the counsellors and their duty (``people``), the contacts, callbacks
and referrals (``contacts``)."""

from lifeline.counselling.models.contacts import (
    Callback,
    CallbackStatus,
    Contact,
    Outcome,
    Referral,
    ReferralBasis,
    ReferralStatus,
    ReferralTo,
    Risk,
    Topic,
)
from lifeline.counselling.models.people import Counsellor, DutyWindow, Language

__all__ = [
    "Callback",
    "CallbackStatus",
    "Contact",
    "Counsellor",
    "DutyWindow",
    "Language",
    "Outcome",
    "Referral",
    "ReferralBasis",
    "ReferralStatus",
    "ReferralTo",
    "Risk",
    "Topic",
]
