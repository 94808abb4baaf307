"""Drafting, submitting and approving notices (the two-person rule).

- ``notice_draft`` writes a draft over target areas where the actor may draft
  (``NOTICES_DRAFT`` at every target); ``notice_follow_up`` a draft Update or Cancel of a
  published notice, over the same targets.
- ``notice_submit`` hands a draft to approval.
- ``notice_approve`` publishes a submitted notice: never by its drafter, only by someone
  holding ``NOTICES_APPROVE`` over every target. The notice row is locked, so two approvers
  at once publish it once (the second gets a conflict). The CAP document is checked against
  the OASIS schema first. Publishing an Update or Cancel takes the original out of the
  active feed. The texts are sent by the worker (``notices.services.fanout``).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, PermissionDenied
from lifeline.notices.models import (
    DEFAULT_REACH_HOURS,
    CapStatus,
    Certainty,
    FanoutStatus,
    MsgType,
    Notice,
    NoticeCategory,
    NoticeGroup,
    NoticeStatus,
    Severity,
    Urgency,
)
from lifeline.notices.services.common import (
    areas_of,
    choice,
    common_prefix,
    expiry,
    invalid,
    minimal_paths,
    text,
)

FIELDS = (
    "category",
    "title_zh",
    "title_en",
    "body_zh",
    "body_en",
    "groups",
    "must_reach",
    "reach_hours",
    "cap_status",
    "severity",
    "urgency",
    "certainty",
    "expires_at",
)


def _require_everywhere(actor: Actor, perm: str, paths: Iterable[str]) -> None:
    for path in paths:
        require(actor, perm, path=path)


def _clean(values: dict[str, Any], fields: dict[str, list[str]]) -> dict[str, Any]:
    now = clock.now()
    groups = values.get("groups") or [NoticeGroup.HOUSEHOLDS]
    if not isinstance(groups, list | tuple) or not groups:
        groups = ["?"]
    allowed = set(NoticeGroup.values)
    if any(g not in allowed for g in groups):
        fields["groups"] = [_("Choose one of the offered values.")]
    hours = values.get("reach_hours", DEFAULT_REACH_HOURS)
    if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= 168:
        fields["reach_hours"] = [_("Give a number of hours from 1 to 168.")]
        hours = DEFAULT_REACH_HOURS
    return {
        "category": choice(values.get("category"), NoticeCategory.values, "category", fields),
        "title_zh": text(values.get("title_zh"), 120, "title_zh", fields),
        "title_en": text(values.get("title_en"), 160, "title_en", fields),
        "body_zh": text(values.get("body_zh"), 1000, "body_zh", fields),
        "body_en": text(values.get("body_en"), 2000, "body_en", fields),
        "groups": sorted(set(groups) & allowed),
        "must_reach": bool(values.get("must_reach", False)),
        "reach_hours": hours,
        "cap_status": choice(
            values.get("cap_status") or CapStatus.ACTUAL, CapStatus.values, "cap_status", fields
        ),
        "severity": choice(
            values.get("severity") or Severity.MODERATE, Severity.values, "severity", fields
        ),
        "urgency": choice(
            values.get("urgency") or Urgency.EXPECTED, Urgency.values, "urgency", fields
        ),
        "certainty": choice(
            values.get("certainty") or Certainty.LIKELY, Certainty.values, "certainty", fields
        ),
        "expires_at": expiry(values.get("expires_at"), now, fields),
    }


def notice_draft(*, actor: Actor, areas: Iterable[Any], **values: Any) -> Notice:
    """A draft notice for the subtrees of ``areas`` (objects or ids) and ``groups``.
    Refused, writing nothing: an unknown area (404), an area where the actor may not draft,
    a missing or too long text, an unknown choice, an expiry not ahead (at most 60 days)."""
    fields: dict[str, list[str]] = {}
    targets = areas_of(areas, fields)
    clean = _clean(values, fields)
    if fields:
        raise invalid(fields)
    paths = minimal_paths(a.path for a in targets)
    _require_everywhere(actor, Perm.NOTICES_DRAFT, paths)
    return _create(actor, targets, paths, clean, msg_type=MsgType.ALERT, references=None)


def _create(
    actor: Actor,
    targets: list[Any],
    paths: list[str],
    clean: dict[str, Any],
    *,
    msg_type: str,
    references: Notice | None,
) -> Notice:
    with transaction.atomic():
        notice = Notice.objects.create(
            identifier=f"lifeline-{uuid.uuid4().hex}",
            area_path=common_prefix(paths),
            target_paths=paths,
            msg_type=msg_type,
            references=references,
            created_by=user_of(actor),
            **clean,
        )
        notice.target_areas.set(targets)
        audit_log(
            actor=actor,
            action="notice.draft",
            obj=notice,
            area_path=notice.area_path,
            fields=["title_zh", "body_zh", "target_paths", "msg_type"],
        )
    return notice


def notice_follow_up(*, actor: Actor, original: Notice, msg_type: str, **values: Any) -> Notice:
    """A draft Update (new texts or times) or Cancel of a published notice, over the same
    targets; the texts default to the original's (a Cancel's say it is cancelled)."""
    fields: dict[str, list[str]] = {}
    if msg_type not in (MsgType.UPDATE, MsgType.CANCEL):
        fields["msg_type"] = [_("Choose one of the offered values.")]
        raise invalid(fields)
    _require_everywhere(actor, Perm.NOTICES_DRAFT, original.target_paths)
    original = Notice.objects.get(pk=original.pk)
    if original.status != NoticeStatus.PUBLISHED or original.replaced_at is not None:
        raise Conflict(
            _("Only a published notice still in force can be updated or cancelled."),
            code="not_in_force",
        )
    merged: dict[str, Any] = {name: getattr(original, name) for name in FIELDS}
    if msg_type == MsgType.CANCEL:
        merged["title_zh"] = f"【已取消】{original.title_zh}"[:120]
        merged["title_en"] = f"Cancelled: {original.title_en}"[:160]
        merged["must_reach"] = False
    merged["expires_at"] = original.expires_at
    merged.update({k: v for k, v in values.items() if k in FIELDS and v not in (None, "")})
    clean = _clean(merged, fields)
    if fields:
        raise invalid(fields)
    targets = list(original.target_areas.all())
    return _create(
        actor, targets, original.target_paths, clean, msg_type=msg_type, references=original
    )


def notice_submit(*, actor: Actor, notice: Notice) -> Notice:
    """Hand a draft to approval (by anyone who may draft over all its targets)."""
    _require_everywhere(actor, Perm.NOTICES_DRAFT, notice.target_paths)
    with transaction.atomic():
        changed = Notice.objects.filter(pk=notice.pk, status=NoticeStatus.DRAFT).update(
            status=NoticeStatus.SUBMITTED, submitted_at=clock.now()
        )
        if not changed:
            raise Conflict(_("Only a draft can be submitted."), code="not_draft")
        audit_log(
            actor=actor,
            action="notice.submit",
            obj=notice,
            area_path=notice.area_path,
            fields=["status"],
        )
    notice.refresh_from_db()
    return notice


def notice_approve(*, actor: Actor, notice: Notice) -> Notice:
    """Publish a submitted notice (see the module's docstring for the rules)."""
    from lifeline.notices.cap import CapInvalid, alert_xml, validate

    _require_everywhere(actor, Perm.NOTICES_APPROVE, notice.target_paths)
    if notice.created_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(
            _("A notice is approved by a second person, never by the one who drafted it."),
            code="same_person",
        )
    now = clock.now()
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.status != NoticeStatus.SUBMITTED:
            raise Conflict(_("This notice is not waiting for approval."), code="not_submitted")
        if locked.references_id is not None:
            original = Notice.objects.select_for_update().get(pk=locked.references_id)
            if original.replaced_at is not None:
                raise Conflict(
                    _("The notice this one follows was already updated or cancelled."),
                    code="not_in_force",
                )
            Notice.objects.filter(pk=original.pk).update(replaced_at=now)
        locked.status = NoticeStatus.PUBLISHED
        locked.published_at = now
        locked.approved_by = user_of(actor)
        locked.fanout_status = FanoutStatus.PENDING
        try:
            validate(alert_xml(locked))
        except CapInvalid as exc:
            raise Conflict(
                _("The notice does not make a valid CAP message: %(reason)s")
                % {"reason": str(exc)[:200]},
                code="cap_invalid",
            ) from None
        locked.save(update_fields=["status", "published_at", "approved_by", "fanout_status"])
        audit_log(
            actor=actor,
            action="notice.publish",
            obj=locked,
            area_path=locked.area_path,
            fields=["status", "approved_by"],
        )
        transaction.on_commit(lambda: _start_fanout(locked.pk))
    return locked


def _start_fanout(notice_id: int) -> None:
    from lifeline.notices.services.fanout import fanout_tasks
    from lifeline.notices.tasks import fan_out_notice

    # Several tasks, so that several workers send a big notice's ranges side by side.
    # Should the queue be unusable, the sweep picks pending notices up anyway.
    with contextlib.suppress(Exception):
        for _n in range(fanout_tasks()):
            fan_out_notice.enqueue(notice_id)
