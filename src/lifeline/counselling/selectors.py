"""Counselling reads. The public list of who is on duty needs no actor and shows only
those on duty now with their published number; everything else is scoped to the line's
unit through the actor's memberships (``accounts.scoping``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.counselling.models import (
    Callback,
    CallbackStatus,
    Contact,
    Counsellor,
    DutyWindow,
    Language,
    Referral,
    ReferralStatus,
)
from lifeline.registry.models import Unit
from lifeline.workorders.selectors import workorder_track_by_pk


@dataclass(frozen=True)
class OnDuty:
    """One row of the public list: nothing about the counsellor but what is published."""

    counsellor_id: int
    name: str
    phone: str
    languages: list[str]
    line: str
    until: dt.datetime

    @property
    def language_labels(self) -> list[str]:
        labels = dict(Language.choices)
        return [str(labels[code]) for code in self.languages if code in labels]

    @property
    def dial(self) -> str:
        """The number for a ``tel:`` link: digits, a landline's extension after a pause."""
        parts = self.phone.replace(" ", "").split("-")
        if self.phone.startswith("0") and len(parts) == 3:
            return f"{parts[0]}{parts[1]},{parts[2]}"
        return "".join(parts)


def on_duty_now(*, line: Unit | None = None, line_ids: Iterable[int] | None = None) -> list[OnDuty]:
    """Counsellors on duty now (public: no actor), one row each, soonest to leave last;
    of one ``line`` or of the lines ``line_ids`` when given."""
    now = clock.now()
    windows = (
        DutyWindow.objects.filter(
            starts_at__lte=now,
            ends_at__gt=now,
            counsellor__active=True,
            line__kind=Unit.Kind.COUNSELLING_LINE,
        )
        .select_related("counsellor", "line")
        .order_by("counsellor__display_name", "counsellor_id", "-ends_at")
    )
    if line is not None:
        windows = windows.filter(line=line)
    if line_ids is not None:
        windows = windows.filter(line_id__in=sorted(line_ids))
    seen: dict[int, OnDuty] = {}
    for window in windows:
        c = window.counsellor
        if c.pk in seen:
            continue
        seen[c.pk] = OnDuty(
            counsellor_id=c.pk,
            name=c.display_name,
            phone=c.public_phone,
            languages=list(c.languages or []),
            line=window.line.name,
            until=window.ends_at,
        )
    return list(seen.values())


def lines_for(*, actor: Actor, perm: Any = (Perm.COUNSELLING_TAKE,)) -> QuerySet[Unit]:
    """The counselling lines where the actor holds ``perm``."""
    units = scope_for(actor).grant(perm).unit_ids
    return Unit.objects.filter(pk__in=sorted(units), kind=Unit.Kind.COUNSELLING_LINE)


def on_duty_for(*, actor: Actor, perm: Any = (Perm.COUNSELLING_SUPERVISE,)) -> list[OnDuty]:
    """Counsellors on duty now on the lines where the actor holds ``perm`` (the
    supervisor's own lines, not the city's)."""
    return on_duty_now(line_ids=lines_for(actor=actor, perm=perm).values_list("pk", flat=True))


def line_get(*, actor: Actor, pk: Any, perm: Any = (Perm.COUNSELLING_TAKE,)) -> Unit:
    found = lines_for(actor=actor, perm=perm).filter(pk=_id(pk)).first()
    if found is None:
        raise NotFound()
    return found


def _id(pk: Any) -> int:
    return int(pk) if str(pk).isdigit() and len(str(pk)) < 19 else 0


def counsellor_list(*, actor: Actor, perm: Any = None) -> QuerySet[Counsellor]:
    """Counsellors of the lines where the actor holds ``perm`` (default: any line's)."""
    return scoped(Counsellor.objects.select_related("line"), actor, perm)


def counsellor_get(*, actor: Actor, pk: Any) -> Counsellor:
    found = counsellor_list(actor=actor).filter(pk=_id(pk)).first()
    if found is None:
        raise NotFound()
    return found


def own_counsellor(*, actor: Actor) -> Counsellor | None:
    """The actor's own counsellor record, when their account is linked to one."""
    pk = getattr(actor, "pk", None)
    if pk is None:
        return None
    return counsellor_list(actor=actor).filter(user_id=pk).first()


def contact_list(*, actor: Actor) -> QuerySet[Contact]:
    return scoped(Contact.objects.select_related("line", "enterprise", "area"), actor)


def contact_get(*, actor: Actor, pk: Any) -> Contact:
    found = contact_list(actor=actor).filter(pk=_id(pk)).first()
    if found is None:
        raise NotFound()
    return found


def high_risk_open(*, actor: Actor) -> QuerySet[Contact]:
    """Flagged contacts nobody has acted on yet, oldest first (the supervisor's)."""
    qs = scoped(Contact.objects.select_related("line"), actor, Perm.COUNSELLING_SUPERVISE)
    return qs.filter(flagged_at__isnull=False, handled_at__isnull=True).order_by("flagged_at")


def referral_list(
    *, actor: Actor, perm: Any = None, contact: Contact | None = None
) -> QuerySet[Referral]:
    """Referrals of the actor's lines (``perm``: default any line permission), newest first."""
    qs = scoped(Referral.objects.select_related("contact", "line"), actor, perm)
    return qs.filter(contact=contact) if contact is not None else qs


def referral_order_states(referrals: Iterable[Referral]) -> dict[int, str]:
    """The state of each sent referral's work order (its label), read from the work-order
    app, by referral id. Only the state leaves that app, nothing about the order."""
    states: dict[int, str] = {}
    for referral in referrals:
        if referral.status != ReferralStatus.SENT or referral.order_ref is None:
            continue
        order = workorder_track_by_pk(pk=referral.order_ref)
        if order is not None:
            states[referral.pk] = str(order.get_status_display())
    return states


def callback_queue(*, actor: Actor) -> QuerySet[Callback]:
    """Waiting callbacks, oldest missed call first."""
    return scoped(Callback.objects.select_related("line"), actor).filter(
        status=CallbackStatus.WAITING
    )


def callback_list(*, actor: Actor, status: str = "") -> QuerySet[Callback]:
    qs = scoped(Callback.objects.select_related("line"), actor)
    return qs.filter(status=status) if status else qs


def callback_get(*, actor: Actor, pk: Any) -> Callback:
    found = callback_list(actor=actor).filter(pk=_id(pk)).first()
    if found is None:
        raise NotFound()
    return found


def roster(*, actor: Actor, day: dt.date, perm: Any = None) -> QuerySet[DutyWindow]:
    """Duty windows overlapping the city's ``day`` on the lines where the actor holds
    ``perm`` (default: any line permission)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    return (
        scoped(DutyWindow.objects.select_related("counsellor", "line"), actor, perm)
        .filter(starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at", "counsellor__display_name")
    )


def duty_list(*, actor: Actor, since: dt.datetime | None = None) -> QuerySet[DutyWindow]:
    """Duty windows of the actor's lines still running or to come (ending after
    ``since``, default now), soonest first."""
    after = since or clock.now()
    return (
        scoped(DutyWindow.objects.select_related("counsellor"), actor)
        .filter(ends_at__gt=after)
        .order_by("starts_at", "id")
    )


@dataclass(frozen=True)
class CountRow:
    day: dt.date
    label: str
    count: int


def contact_counts(
    *, actor: Actor, since: dt.date, until: dt.date, by: str = "enterprise"
) -> list[CountRow]:
    """Contacts per day (the city's) and per workplace (``by="enterprise"``) or area
    (``by="area"``), without names: only the supervisor's lines."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until, dt.time.min)) + dt.timedelta(days=1)
    qs = scoped(Contact.objects.all(), actor, Perm.COUNSELLING_SUPERVISE).filter(
        started_at__gte=start, started_at__lt=end
    )
    name_field = "enterprise__name" if by != "area" else "area__name"
    counted: Counter[tuple[dt.date, str]] = Counter()
    for started, name in qs.values_list("started_at", name_field).iterator():
        counted[(timezone.localdate(started), name or "")] += 1
    return [
        CountRow(day, label, n)
        for (day, label), n in sorted(counted.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))
    ]
