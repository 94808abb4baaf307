"""What happens after a notice is out: a household acknowledges it from the link in its
text (no login: the signed link is the proof), and a grid worker records a household that
did not acknowledge as reached in person. Both are audited and move the notice's counters
with the write; a second acknowledgement or visit changes nothing."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import get_for
from lifeline.core import clock
from lifeline.core.actors import Actor, system, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound
from lifeline.notices.models import Notice, NoticeHousehold, NoticeStatus
from lifeline.notices.services.common import invalid, text
from lifeline.notices.tokens import ack_recipient_id


def receipt_for_token(token: str) -> NoticeHousehold:
    """The household row a link names (404 for a forged, unknown or withdrawn one)."""
    pk = ack_recipient_id(token)
    row = (
        NoticeHousehold.objects.select_related("notice").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if row is None or row.notice.status != NoticeStatus.PUBLISHED:
        raise NotFound(_("This link is not valid."))
    return row


def notice_acknowledge(*, token: str) -> NoticeHousehold:
    """Record that the household of the link read the notice (idempotent). The first
    acknowledgement is audited (``notice.acknowledge``) as the system acting for the
    resident: the household's row and its area, nothing of the person."""
    row = receipt_for_token(token)
    with transaction.atomic():
        changed = NoticeHousehold.objects.filter(pk=row.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=clock.now()
        )
        if changed:
            Notice.objects.filter(pk=row.notice_id).update(
                acknowledged_count=F("acknowledged_count") + 1
            )
            audit_log(
                actor=system("resident's acknowledgement"),
                action="notice.acknowledge",
                obj=row,
                area_path=row.area_path,
                fields=["acknowledged_at"],
            )
    row.refresh_from_db()
    return row


def household_mark_reached(*, actor: Actor, pk: int, note: str = "") -> NoticeHousehold:
    """A worker reached a household that had not acknowledged (``NOTICES_REACH`` where
    the household is). Refused: a household that already acknowledged or was reached."""
    fields: dict[str, list[str]] = {}
    clean = text(note, 200, "note", fields, required=False)
    if fields:
        raise invalid(fields)
    row = get_for(NoticeHousehold.objects.all(), actor, Perm.NOTICES_REACH, pk=pk)
    with transaction.atomic():
        changed = NoticeHousehold.objects.filter(
            pk=row.pk, acknowledged_at__isnull=True, reached_at__isnull=True
        ).update(reached_at=clock.now(), reached_by=user_of(actor), reach_note=clean)
        if not changed:
            raise Conflict(
                _("This household already acknowledged or was reached."), code="already_reached"
            )
        Notice.objects.filter(pk=row.notice_id).update(reached_count=F("reached_count") + 1)
        audit_log(
            actor=actor,
            action="notice.reached",
            obj=row,
            area_path=row.area_path,
            fields=["reached_at", "reach_note"],
        )
    row.refresh_from_db()
    return row
