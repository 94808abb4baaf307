"""The command centre sets up lifeline units: the unit, its figures, thresholds and
critical roles."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lifeline.continuity.models import (
    CriticalRole,
    Figure,
    FigureKind,
    LifelineUnit,
    Measure,
    Sector,
    Threshold,
)
from lifeline.continuity.services.common import invalid, number, require_manage, text, whole
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict
from lifeline.registry.models import Area, Unit


def lifeline_unit_create(
    *, actor: Actor, unit: Unit, area: Area, sector: str, note: str = ""
) -> LifelineUnit:
    """Make a registry unit a lifeline unit serving ``area`` (once per unit)."""
    require_manage(actor, path=area.path)
    fields: dict[str, list[str]] = {}
    if sector not in Sector.values:
        fields["sector"] = [str(_("Unknown sector."))]
    note = text(note, "note", fields, limit=300, needed=False)
    if fields:
        raise invalid(fields)
    try:
        with transaction.atomic():
            made = LifelineUnit.objects.create(
                unit=unit,
                area=area,
                area_path=area.path,
                sector=sector,
                note=note,
                created_at=clock.now(),
            )
            audit_log(
                actor=actor,
                action="continuity.lifeline_unit_create",
                obj=made,
                area_path=made.area_path,
                fields=["unit", "sector"],
            )
    except IntegrityError:
        raise Conflict(_("This unit is already a lifeline unit."), code="duplicate") from None
    return made


def figure_create(
    *,
    actor: Actor,
    lifeline_unit: LifelineUnit,
    name: str,
    kind: str,
    unit_label: str = "",
    every_hours: Any = 24,
    use: Figure | None = None,
) -> Figure:
    """A figure the unit reports every ``every_hours``; a reserve may name its daily use."""
    require_manage(actor, lifeline_unit)
    fields: dict[str, list[str]] = {}
    name = text(name, "name", fields, limit=60, needed=True)
    unit_label = text(unit_label, "unit_label", fields, limit=20, needed=False)
    if kind not in FigureKind.values:
        fields["kind"] = [str(_("Unknown kind of figure."))]
    hours = whole(every_hours, "every_hours", fields, high=24 * 31)
    if hours < 1:
        fields.setdefault("every_hours", [str(_("At least every hour."))])
    if use is not None and (use.lifeline_unit_id != lifeline_unit.pk or use.kind != FigureKind.USE):
        fields["use"] = [str(_("Choose a daily use of the same unit."))]
    if fields:
        raise invalid(fields)
    try:
        with transaction.atomic():
            figure = Figure.objects.create(
                lifeline_unit=lifeline_unit,
                name=name,
                unit_label=unit_label,
                kind=kind,
                use=use,
                every_hours=hours,
                sort_order=lifeline_unit.figures.count(),
            )
            audit_log(
                actor=actor,
                action="continuity.figure_create",
                obj=figure,
                area_path=lifeline_unit.area_path,
                fields=["name", "kind", "every_hours"],
            )
    except IntegrityError:
        raise Conflict(
            _("This unit already has a figure of that name."), code="duplicate"
        ) from None
    return figure


def threshold_create(
    *,
    actor: Actor,
    figure: Figure,
    measure: str,
    below: Any,
    title: str,
    guidance: str = "",
    owner: str = "",
) -> Threshold:
    """Below ``below`` opens a problem for the command centre with ``guidance`` and
    ``owner`` (who is to act on it)."""
    require_manage(actor, figure.lifeline_unit)
    fields: dict[str, list[str]] = {}
    if measure not in Measure.values:
        fields["measure"] = [str(_("Unknown measure."))]
    elif measure == Measure.DAYS_OF_COVER and figure.use_id is None:
        fields["measure"] = [str(_("Days of cover need a reserve with its daily use."))]
    limit = number(below, "below", fields)
    title = text(title, "title", fields, limit=150, needed=True)
    guidance = text(guidance, "guidance", fields, limit=2000, needed=False)
    owner = text(owner, "owner", fields, limit=100, needed=False)
    if fields or limit is None:
        raise invalid(fields)
    with transaction.atomic():
        made = Threshold.objects.create(
            figure=figure,
            measure=measure,
            below=limit,
            title=title,
            guidance=guidance,
            owner=owner,
        )
        audit_log(
            actor=actor,
            action="continuity.threshold_create",
            obj=made,
            area_path=figure.lifeline_unit.area_path,
            fields=["measure", "below", "title", "owner"],
        )
    return made


def critical_role_create(
    *, actor: Actor, lifeline_unit: LifelineUnit, name: str, minimum: Any, guidance: str = ""
) -> CriticalRole:
    """A role the unit cannot run without; fewer than ``minimum`` on site raises a problem."""
    require_manage(actor, lifeline_unit)
    fields: dict[str, list[str]] = {}
    name = text(name, "name", fields, limit=60, needed=True)
    least = whole(minimum, "minimum", fields)
    guidance = text(guidance, "guidance", fields, limit=2000, needed=False)
    if fields:
        raise invalid(fields)
    try:
        with transaction.atomic():
            role = CriticalRole.objects.create(
                lifeline_unit=lifeline_unit, name=name, minimum=least, guidance=guidance
            )
            audit_log(
                actor=actor,
                action="continuity.critical_role_create",
                obj=role,
                area_path=lifeline_unit.area_path,
                fields=["name", "minimum"],
            )
    except IntegrityError:
        raise Conflict(_("This unit already has a role of that name."), code="duplicate") from None
    return role
