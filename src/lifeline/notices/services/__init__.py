"""Writes of the notices app."""

from lifeline.notices.services.drafting import (
    notice_approve,
    notice_draft,
    notice_follow_up,
    notice_submit,
)
from lifeline.notices.services.fanout import notice_fanout, notices_fanout_pending
from lifeline.notices.services.receipts import (
    household_mark_reached,
    notice_acknowledge,
    receipt_for_token,
)
from lifeline.notices.texts import template_for

__all__ = [
    "household_mark_reached",
    "notice_acknowledge",
    "notice_approve",
    "notice_draft",
    "notice_fanout",
    "notice_follow_up",
    "notice_submit",
    "notices_fanout_pending",
    "receipt_for_token",
    "template_for",
]
