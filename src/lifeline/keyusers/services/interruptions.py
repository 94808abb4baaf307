"""Interruptions of supply at supply points.

- ``interruption_plan`` writes a draft of a planned interruption (or an unplanned one for
  ``outage_record``): supply points all of one utility and visible to the actor with
  ``CONTINUITY_OUTAGES``; an end after the start.
- ``interruption_publish`` refuses a planned interruption that starts fewer than
  ``notice_days()`` business days away, unless the actor holds
  ``CONTINUITY_OVERRIDE_NOTICE`` there and gives a reason (kept on the row and audited).
  Publishing texts each affected key user's contact and each supply-dependent household
  once per phone, in the same transaction; a second publish is refused (compare-and-set
  on the status, so two racing publishes send one set of texts).
- ``outage_record`` enters an unplanned outage as published at once, texts those
  affected and opens a critical ``key_user_outage`` work order per affected key user.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, require, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor, system, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.keyusers.models import (
    Interruption,
    InterruptionKind,
    InterruptionStatus,
    KeyUser,
    SupplyPoint,
)
from lifeline.keyusers.selectors import Impact, impact_of
from lifeline.keyusers.services.common import (
    business_days_until,
    invalid,
    local_label,
    notice_days,
    send_text,
    text,
)
from lifeline.keyusers.services.register import point_ids
from lifeline.workorders.models import Channel, Priority
from lifeline.workorders.services import workorder_create, workorder_raise_priority

OUTAGE_CATEGORY = "key_user_outage"
PLANNED_TEXT = gettext_lazy(
    "Lifeline: supply will be interrupted from %(start)s to %(end)s (%(reason)s). Prepare "
    "your backup supply. Questions: %(utility)s %(utility_phone)s."
)
OUTAGE_TEXT = gettext_lazy(
    "Lifeline: supply is cut since %(start)s (%(reason)s). %(utility)s is working on it; "
    "call %(utility_phone)s if life-support equipment is at risk."
)


def _common_prefix(paths: list[str]) -> str:
    """The deepest area path every one of ``paths`` lies under."""
    first = paths[0]
    parts = first.strip("/").split("/")
    while parts:
        prefix = "/" + "/".join(parts) + "/"
        if all(path.startswith(prefix) for path in paths):
            return prefix
        parts.pop()
    return "/"


def _checked_points(actor: Actor, supply_points: Iterable[Any]) -> list[SupplyPoint]:
    ids = point_ids(supply_points)
    found = (
        list(
            scoped(SupplyPoint.objects.filter(pk__in=ids), actor, Perm.CONTINUITY_OUTAGES)
            .select_related("utility")
            .order_by("pk")
        )
        if ids
        else []
    )
    if ids is None:
        raise invalid({"supply_points": [_("Unknown supply point.")]})
    if len(found) != len(ids):
        # Unknown, or outside the actor's grant: one answer, so nothing leaks.
        raise NotFound(_("Unknown supply point."))
    if not found:
        raise invalid({"supply_points": [_("Choose at least one supply point.")]})
    if len({point.utility_id for point in found}) > 1:
        raise invalid({"supply_points": [_("Choose supply points of one utility.")]})
    return found


def _moment(value: Any, field: str, fields: dict[str, list[str]]) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        fields[field] = [_("Give a date and time.")]
        return None
    return value


def interruption_plan(
    *,
    actor: Actor,
    supply_points: Iterable[Any],
    starts_at: Any,
    ends_at: Any,
    reason: str,
    kind: str = InterruptionKind.PLANNED,
) -> Interruption:
    """A draft interruption of ``supply_points`` (objects or ids). Refused, writing
    nothing: an unknown or unseen supply point, points of two utilities, no start, an end
    not after the start (a planned one needs an end), no reason."""
    fields: dict[str, list[str]] = {}
    if kind not in InterruptionKind.values:
        fields["kind"] = [_("Unknown kind of interruption.")]
    start = _moment(starts_at, "starts_at", fields)
    end = _moment(ends_at, "ends_at", fields)
    if start is None and "starts_at" not in fields:
        fields["starts_at"] = [_("Give the start.")]
    if end is None and kind == InterruptionKind.PLANNED and "ends_at" not in fields:
        fields["ends_at"] = [_("Give the end.")]
    if start is not None and end is not None and end <= start:
        fields["ends_at"] = [_("The end must come after the start.")]
    clean_reason = text(reason, 300, "reason", fields)
    if not clean_reason and "reason" not in fields:
        fields["reason"] = [_("Give the reason.")]
    points = _checked_points(actor, supply_points)
    if fields or start is None:
        raise invalid(fields)
    utility = points[0].utility
    with transaction.atomic():
        interruption = Interruption.objects.create(
            kind=kind,
            utility=utility,
            area_path=_common_prefix([point.area_path for point in points]),
            starts_at=start,
            ends_at=end,
            reason=clean_reason,
            notice_days=notice_days(),
            created_by=user_of(actor),
            created_at=clock.now(),
        )
        interruption.supply_points.set(points)
        audit_log(
            actor=actor,
            action="keyusers.interruption_plan",
            obj=interruption,
            area_path=interruption.area_path,
            fields=["kind", "starts_at", "ends_at", "reason", "supply_points"],
        )
    return interruption


def notice_given(interruption: Interruption) -> int:
    """Business days from today (the city's) to the interruption's start."""
    today = timezone.localdate(clock.now())
    return business_days_until(today, timezone.localdate(interruption.starts_at))


def _check_notice(actor: Actor, interruption: Interruption, override_reason: str) -> str:
    """The override reason kept ("" when the notice is long enough); refuses otherwise."""
    given, needed = notice_given(interruption), interruption.notice_days
    if interruption.kind != InterruptionKind.PLANNED or given >= needed:
        return ""
    reason = " ".join((override_reason or "").split())
    if not reason:
        raise ServiceError(
            _(
                "Too short notice: the interruption starts in %(given)s business days; "
                "%(needed)s are required."
            )
            % {"given": given, "needed": needed},
            code="short_notice",
            fields={"starts_at": [_("Move the start later, or publish with a reason.")]},
        )
    if not can(
        actor,
        Perm.CONTINUITY_OVERRIDE_NOTICE,
        path=interruption.area_path,
        unit_id=interruption.utility_id,
    ):
        raise PermissionDenied(_("Your role may not publish without the notice period."))
    if len(reason) < 5 or len(reason) > 300:
        raise invalid({"override_reason": [_("Say in a few words why (5 to 300 characters).")]})
    return reason


def _notify(interruption: Interruption, impact: Impact, message: Any) -> int:
    utility = interruption.utility
    values = {
        "start": local_label(interruption.starts_at),
        "end": local_label(interruption.ends_at) or "—",
        "reason": interruption.reason,
        "utility": utility.name,
        "utility_phone": utility.phone or "—",
    }
    phones = impact.phones()
    for phone, object_type, object_id in phones:
        send_text(phone, message, object_type=object_type, object_id=object_id, **values)
    return len(phones)


def interruption_publish(
    *, actor: Actor, interruption: Interruption, override_reason: str = ""
) -> Interruption:
    """Publish a draft and text everyone it affects (see the module's rules). Refused,
    writing nothing, when not a draft (``not_draft``), on too short notice
    (``short_notice``) or an override the actor may not make."""
    require(
        actor,
        (Perm.CONTINUITY_OUTAGES, Perm.CONTINUITY_OVERRIDE_NOTICE),
        path=interruption.area_path,
        unit_id=interruption.utility_id,
    )
    if interruption.status != InterruptionStatus.DRAFT:
        raise _not_draft()
    kept_reason = _check_notice(actor, interruption, override_reason)
    now = clock.now()
    with transaction.atomic():
        updated = Interruption.objects.filter(
            pk=interruption.pk, status=InterruptionStatus.DRAFT
        ).update(status=InterruptionStatus.PUBLISHED, published_at=now)
        if not updated:
            raise _not_draft()
        interruption.refresh_from_db()
        impact = impact_of(supply_point_ids=_ids(interruption))
        message = PLANNED_TEXT if interruption.kind == InterruptionKind.PLANNED else OUTAGE_TEXT
        sent = _notify(interruption, impact, message)
        interruption.key_users_affected = len(impact.key_users)
        interruption.households_affected = len(impact.households)
        interruption.notices_sent = sent
        if kept_reason:
            interruption.override_reason = kept_reason
            interruption.override_by = actor  # type: ignore[assignment]
        interruption.save(
            update_fields=[
                "key_users_affected",
                "households_affected",
                "notices_sent",
                "override_reason",
                "override_by",
            ]
        )
        audit_log(
            actor=actor,
            action="keyusers.interruption_publish",
            obj=interruption,
            area_path=interruption.area_path,
            purpose=f"short notice: {kept_reason}" if kept_reason else "",
            fields=["status", "notices_sent", *(["override_reason"] if kept_reason else [])],
        )
    return interruption


def _ids(interruption: Interruption) -> list[int]:
    return list(interruption.supply_points.values_list("pk", flat=True))


def _not_draft() -> Conflict:
    return Conflict(
        _("This interruption is already published or cancelled."),
        code="not_draft",
    )


def interruption_cancel(*, actor: Actor, interruption: Interruption) -> Interruption:
    """Cancel a draft (a published one stays on record)."""
    require(
        actor,
        Perm.CONTINUITY_OUTAGES,
        path=interruption.area_path,
        unit_id=interruption.utility_id,
    )
    with transaction.atomic():
        updated = Interruption.objects.filter(
            pk=interruption.pk, status=InterruptionStatus.DRAFT
        ).update(status=InterruptionStatus.CANCELLED)
        if not updated:
            raise _not_draft()
        interruption.refresh_from_db()
        audit_log(
            actor=actor,
            action="keyusers.interruption_cancel",
            obj=interruption,
            area_path=interruption.area_path,
            fields=["status"],
        )
    return interruption


# The outage's orders are filed by the city's own service (the internal category), so a
# utility's duty desk needs no right to file work orders; who entered the outage is in
# the interruption's audit record.
FILED_BY = system("key user outage")


def _open_order(interruption: Interruption, key_user: KeyUser) -> None:
    description = _(
        "Key protected user %(name)s is cut off since %(start)s (%(reason)s). Plan: backup "
        "%(backup)s, respond within %(minutes)s minutes."
    ) % {
        "name": key_user.name,
        "start": local_label(interruption.starts_at),
        "reason": interruption.reason,
        "backup": key_user.backup_source or "—",
        "minutes": key_user.response_minutes,
    }
    intake = workorder_create(
        actor=FILED_BY,
        description=description,
        category_code=OUTAGE_CATEGORY,
        channel=Channel.STAFF,
        area=key_user.area,
        contact_name=key_user.contact_name,
        contact_phone=key_user.contact_phone,
        address=key_user.address,
    )
    if intake.order.priority != Priority.CRITICAL:
        workorder_raise_priority(
            actor=FILED_BY,
            order=intake.order,
            priority=Priority.CRITICAL,
            reason=_("Priority raised to critical: a key protected user is cut off."),
        )


def outage_record(
    *,
    actor: Actor,
    supply_points: Iterable[Any],
    reason: str,
    starts_at: Any = None,
    ends_at: Any = None,
) -> Interruption:
    """An unplanned outage starting at ``starts_at`` (now by default): published at once,
    everyone affected texted, and a critical work order opened per affected key user; all
    in one transaction (a refused work order writes nothing)."""
    with transaction.atomic():
        interruption = interruption_plan(
            actor=actor,
            supply_points=supply_points,
            starts_at=starts_at or clock.now(),
            ends_at=ends_at,
            reason=reason,
            kind=InterruptionKind.UNPLANNED,
        )
        interruption = interruption_publish(actor=actor, interruption=interruption)
        for key_user in impact_of(supply_point_ids=_ids(interruption)).key_users:
            _open_order(interruption, key_user)
    return interruption
