"""The secret behind a volunteer's calendar feed (``/volunteers/feed/<token>.ics``).

The token is the only key to the feed: whoever holds the address sees the volunteer's
confirmed shifts (posts and times, nothing else). The volunteer makes it from their phone
page, may replace it (the old address stops working at once) or stop the feed. Each change
holds the volunteer's row lock, so two taps make one token, and is audited without the
token itself.
"""

from __future__ import annotations

import re
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict
from lifeline.volunteers.models import Volunteer, VolunteerStatus

TOKEN_BYTES = 32
# What secrets.token_urlsafe(TOKEN_BYTES) gives: 43 characters of the URL-safe alphabet.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
PURPOSE = "volunteer's own phone"


def volunteer_feed_token_make(*, volunteer: Volunteer, renew: bool = False) -> str:
    """The volunteer's feed token: made when there is none; with ``renew``, a new one
    replaces it (the old address stops working). Refused for a volunteer not active.
    Audited (``volunteers.feed_token``) when it changes."""
    with transaction.atomic():
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if locked.status != VolunteerStatus.ACTIVE:
            raise Conflict(
                _("Only an approved volunteer can have a calendar link."), code="not_active"
            )
        if locked.feed_token and not renew:
            return locked.feed_token
        locked.feed_token = secrets.token_urlsafe(TOKEN_BYTES)
        locked.save(update_fields=["feed_token"])
        audit_log(
            actor=None,
            action="volunteers.feed_token",
            obj=locked,
            area_path=locked.area_path,
            purpose=PURPOSE,
            fields=["feed_token"],
        )
    volunteer.feed_token = locked.feed_token
    return locked.feed_token


def volunteer_feed_token_revoke(*, volunteer: Volunteer) -> bool:
    """Stop the feed: the address stops working. False when there was none (nothing is
    written then)."""
    with transaction.atomic():
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if not locked.feed_token:
            return False
        locked.feed_token = ""
        locked.save(update_fields=["feed_token"])
        audit_log(
            actor=None,
            action="volunteers.feed_token_revoked",
            obj=locked,
            area_path=locked.area_path,
            purpose=PURPOSE,
            fields=["feed_token"],
        )
    volunteer.feed_token = ""
    return True


def volunteer_by_feed_token(*, token: str) -> Volunteer | None:
    """The active volunteer whose feed ``token`` names, or None: a blank or malformed
    token never matches, so a volunteer without a feed cannot be read. (A read, kept
    beside the writes of the token.)"""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    return Volunteer.objects.filter(feed_token=token, status=VolunteerStatus.ACTIVE).first()
