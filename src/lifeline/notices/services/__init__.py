"""Writes of the notices app."""

from lifeline.notices.services.drafting import (
    notice_approve,
    notice_draft,
    notice_follow_up,
    notice_submit,
)
from lifeline.notices.services.editing import may_withdraw, notice_edit, notice_withdraw
from lifeline.notices.services.fanout import notice_fanout, notices_fanout_pending
from lifeline.notices.services.receipts import (
    household_mark_reached,
    notice_acknowledge,
    receipt_for_token,
)
from lifeline.notices.services.visits import VisitsRequested, notice_visits_request
from lifeline.notices.texts import template_for

__all__ = [
    "VisitsRequested",
    "household_mark_reached",
    "may_withdraw",
    "notice_acknowledge",
    "notice_approve",
    "notice_draft",
    "notice_edit",
    "notice_fanout",
    "notice_follow_up",
    "notice_submit",
    "notice_visits_request",
    "notice_withdraw",
    "notices_fanout_pending",
    "receipt_for_token",
    "template_for",
]
