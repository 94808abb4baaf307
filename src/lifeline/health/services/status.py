"""Health-status and area-risk writes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, ServiceError
from lifeline.health.models import AreaRisk, HealthStatus
from lifeline.health.vocab import CodeColour, Quarantine, RiskLevel, StatusSource
from lifeline.registry.models import Area, Person

# A status may be stamped a little ahead of this server's clock by the health-code system.
CLOCK_SKEW = dt.timedelta(minutes=5)


def check_period(
    valid_from: dt.datetime | None, valid_to: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime | None]:
    now = clock.now()
    valid_from = valid_from or now
    if valid_from > now + CLOCK_SKEW:
        raise ServiceError(
            _("A status cannot start in the future."),
            fields={"valid_from": [_("Must not be later than now.")]},
        )
    if valid_to is not None and valid_to <= valid_from:
        raise ServiceError(
            _("The end of the period must be after its start."),
            fields={"valid_to": [_("Must be after the start.")]},
        )
    return valid_from, valid_to


def status_values_check(*, colour: str, quarantine: str, source: str) -> None:
    fields: dict[str, list[str]] = {}
    if colour not in CodeColour.values:
        fields["colour"] = [_("Choose green, yellow or red.")]
    if quarantine not in Quarantine.values:
        fields["quarantine"] = [_("Unknown quarantine status.")]
    if source not in StatusSource.values:
        fields["source"] = [_("Unknown source.")]
    if fields:
        raise ServiceError(_("Please correct the marked fields."), fields=fields)


def health_status_set(
    *,
    actor: Actor,
    person: Person,
    colour: str,
    quarantine: str = Quarantine.NONE,
    reason: str = "",
    source: str = StatusSource.MANUAL,
    valid_from: dt.datetime | None = None,
    valid_to: dt.datetime | None = None,
) -> HealthStatus:
    """Record a new status for ``person``; it becomes the current row and closes the last one.

    Replaying the same status (same start, colour and quarantine) returns the stored row and
    writes nothing, so the health-code system may resend. A status older than the current
    one is refused (``stale``): history is appended, never rewritten. Needs
    ``HEALTH_SET_STATUS`` where the person lives.
    """
    require(
        actor,
        Perm.HEALTH_SET_STATUS,
        path=person.area_path,
        message=_("You may not change the health status of people here."),
    )
    status_values_check(colour=colour, quarantine=quarantine, source=source)
    valid_from, valid_to = check_period(valid_from, valid_to)
    with transaction.atomic():
        # Locking the person serialises writers of one person, even when no row exists yet.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        last = HealthStatus.objects.filter(person=person, current=True).first()
        if last is not None:
            if (
                last.valid_from == valid_from
                and last.colour == colour
                and last.quarantine == quarantine
                and last.valid_to == valid_to
            ):
                return last
            if valid_from <= last.valid_from:
                raise Conflict(
                    _("A newer status is already recorded for this person."), code="stale"
                )
            last.current = False
            if last.valid_to is None or last.valid_to > valid_from:
                last.valid_to = valid_from
            last.save(update_fields=["current", "valid_to"])
        row = HealthStatus.objects.create(
            person=person,
            area_path=person.area_path,
            colour=colour,
            quarantine=quarantine,
            reason=reason.strip()[:255],
            source=source,
            valid_from=valid_from,
            valid_to=valid_to,
            current=True,
            set_by=user_of(actor),
        )
        audit_log(
            actor=actor,
            action="health.status_set",
            obj=row,
            fields=["colour", "quarantine", "reason", "source", "valid_from", "valid_to"],
        )
    return row


def area_risk_set(
    *,
    actor: Actor,
    area: Area,
    level: str,
    reason: str = "",
    valid_from: dt.datetime | None = None,
    valid_to: dt.datetime | None = None,
) -> AreaRisk:
    """Declare the risk level of ``area`` from ``valid_from``; the open declaration on the
    same area ends where this one starts. Needs ``HEALTH_SET_RISK`` over ``area``."""
    require(
        actor,
        Perm.HEALTH_SET_RISK,
        path=area.path,
        message=_("You may not declare the risk of this area."),
    )
    if level not in RiskLevel.values:
        raise ServiceError(_("Choose low, medium or high."), fields={"level": [_("Unknown.")]})
    valid_from, valid_to = check_period(valid_from, valid_to)
    with transaction.atomic():
        open_rows = AreaRisk.objects.select_for_update().filter(area=area, valid_to__isnull=True)
        for row in open_rows:
            if row.valid_from >= valid_from:
                raise Conflict(
                    _("A later risk declaration is already open for this area."), code="stale"
                )
            row.valid_to = valid_from
            row.save(update_fields=["valid_to"])
        risk = AreaRisk.objects.create(
            area=area,
            area_path=area.path,
            level=level,
            reason=reason.strip()[:255],
            valid_from=valid_from,
            valid_to=valid_to,
            set_by=user_of(actor),
        )
        audit_log(
            actor=actor,
            action="health.area_risk_set",
            obj=risk,
            fields=["level", "reason", "valid_from", "valid_to"],
        )
    return risk
