"""Pieces the continuity services share: input checks and the permission checks."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.continuity.models import LifelineUnit
from lifeline.core.actors import Actor
from lifeline.core.errors import ServiceError

MAX_VALUE = Decimal("1e12")


def invalid(fields: dict[str, list[str]]) -> ServiceError:
    first = next(iter(fields.values()))[0]
    return ServiceError(first, fields=fields)


def require_manage(actor: Actor, unit: LifelineUnit | None = None, *, path: str = "") -> None:
    """The command centre (CONTINUITY_MANAGE over the unit's area) sets units up and guides
    their problems."""
    require(
        actor,
        Perm.CONTINUITY_MANAGE,
        path=unit.area_path if unit is not None else path,
        message=_("You may not set up lifeline units here."),
    )


def require_report(actor: Actor, unit: LifelineUnit) -> None:
    """A unit's own duty desk reports its figures: the grant must hold for the unit itself
    (a membership of the unit), not merely for the area the unit supplies."""
    require(
        actor,
        Perm.CONTINUITY_REPORT,
        unit_id=unit.unit_id,
        message=_("You may not report for this unit."),
    )


def number(value: Any, field: str, fields: dict[str, list[str]]) -> Decimal | None:
    """A non-negative number below a trillion, with at most three decimals."""
    try:
        parsed = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        parsed = None
    if parsed is None or not parsed.is_finite():
        fields[field] = [str(_("Enter a number."))]
        return None
    if parsed < 0:
        fields[field] = [str(_("A figure cannot be negative."))]
        return None
    if parsed >= MAX_VALUE:
        fields[field] = [str(_("This number is too large."))]
        return None
    return parsed.quantize(Decimal("0.001"))


def whole(value: Any, field: str, fields: dict[str, list[str]], *, high: int = 100_000) -> int:
    try:
        parsed = int(str(value).strip())
    except (TypeError, ValueError):
        fields[field] = [str(_("Enter a whole number."))]
        return 0
    if parsed < 0 or parsed > high:
        fields[field] = [str(_("Enter a whole number from 0 to %(high)d.") % {"high": high})]
    return parsed


def text(value: Any, field: str, fields: dict[str, list[str]], *, limit: int, needed: bool) -> str:
    clean = str(value or "").strip()
    if needed and not clean:
        fields[field] = [str(_("This field is required."))]
    elif len(clean) > limit:
        fields[field] = [str(_("At most %(limit)d characters.") % {"limit": limit})]
    return clean
