"""Changing a notice before it is published: its author edits a draft or a notice waiting
for approval (which takes it back to a draft: the submission, the first of the two
persons' steps, is void), and a draft or waiting notice is withdrawn, never deleted.

Both lock the notice row, so an edit or a withdrawal and an approval at the same moment
cannot both happen: whichever comes second finds the notice no longer in the state it
needs and is refused (``not_editable`` / ``not_withdrawable`` / ``not_submitted``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, require
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, PermissionDenied
from lifeline.notices.models import Notice, NoticeStatus
from lifeline.notices.services.common import areas_of, common_prefix, invalid, minimal_paths
from lifeline.notices.services.drafting import FIELDS, _clean

OPEN = (NoticeStatus.DRAFT, NoticeStatus.SUBMITTED)


def _locked(notice: Notice) -> Notice:
    return Notice.objects.select_for_update().get(pk=notice.pk)


def notice_edit(
    *, actor: Actor, notice: Notice, areas: Iterable[Any] | None = None, **values: Any
) -> Notice:
    """Change a draft or waiting notice: only its author, still allowed to draft over every
    old and new target. Fields left out keep their values; ``areas`` (not for an Update
    or Cancel, which keep their original's) replaces the targets. A waiting notice goes
    back to the drafts and is submitted again. Audited (``notice.edit``, the names of the
    fields changed). Refused, writing nothing: someone else's notice (``not_author``),
    one already published or withdrawn (``not_editable``), bad values as for a draft."""
    with transaction.atomic():
        locked = _locked(notice)  # the values merged are the row's as it is now
        for path in locked.target_paths:
            require(actor, Perm.NOTICES_DRAFT, path=path)
        if locked.created_by_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("Only the author of a notice may edit it."), code="not_author")
        if locked.status not in OPEN:
            raise Conflict(
                _("Only a draft or a notice waiting for approval can be edited."),
                code="not_editable",
            )
        fields: dict[str, list[str]] = {}
        targets = None
        if areas is not None:
            if locked.references_id is not None:
                fields["areas"] = [_("An update or cancellation keeps the areas of its notice.")]
            else:
                targets = areas_of(areas, fields)
        merged = {name: getattr(locked, name) for name in FIELDS}
        merged.update({k: v for k, v in values.items() if k in FIELDS and v is not None})
        clean = _clean(merged, fields)
        if fields:
            raise invalid(fields)
        paths = minimal_paths(a.path for a in targets) if targets is not None else None
        for path in paths or ():
            require(actor, Perm.NOTICES_DRAFT, path=path)
        changed = [name for name, value in clean.items() if getattr(locked, name) != value]
        for name, value in clean.items():
            setattr(locked, name, value)
        if paths is not None and paths != locked.target_paths:
            locked.target_paths = paths
            locked.area_path = common_prefix(paths)
            changed.append("target_paths")
            locked.target_areas.set(targets or [])
        if locked.status == NoticeStatus.SUBMITTED:
            changed.append("status")
        locked.status = NoticeStatus.DRAFT
        locked.submitted_at = None
        locked.edited_at = clock.now()
        locked.save()
        audit_log(
            actor=actor,
            action="notice.edit",
            obj=locked,
            area_path=locked.area_path,
            fields=sorted(set(changed)),
        )
    return locked


def may_withdraw(actor: Actor, notice: Notice) -> bool:
    """Its author while allowed to draft over every target, or whoever may approve there."""
    paths = notice.target_paths
    author = notice.created_by_id == getattr(actor, "pk", None) and all(
        can(actor, Perm.NOTICES_DRAFT, path=p) for p in paths
    )
    return author or all(can(actor, Perm.NOTICES_APPROVE, path=p) for p in paths)


def notice_withdraw(*, actor: Actor, notice: Notice) -> Notice:
    """Withdraw a draft or a notice waiting for approval: it stays, marked withdrawn, and
    can no longer be submitted, approved or edited. Audited (``notice.withdraw``)."""
    for path in notice.target_paths:
        require(actor, (Perm.NOTICES_DRAFT, Perm.NOTICES_APPROVE), path=path)
    if not may_withdraw(actor, notice):
        raise PermissionDenied(
            _("Only its author or someone who may approve it can withdraw a notice."),
            code="not_author",
        )
    with transaction.atomic():
        locked = _locked(notice)
        if locked.status not in OPEN:
            raise Conflict(
                _("Only a draft or a notice waiting for approval can be withdrawn."),
                code="not_withdrawable",
            )
        locked.status = NoticeStatus.WITHDRAWN
        locked.withdrawn_at = clock.now()
        locked.withdrawn_by = user_of(actor)
        locked.save(update_fields=["status", "withdrawn_at", "withdrawn_by"])
        audit_log(
            actor=actor,
            action="notice.withdraw",
            obj=locked,
            area_path=locked.area_path,
            fields=["status"],
        )
    return locked
