"""Reading quantities: a number in a unit of measure, converted to the item's base unit,
refused when it is zero, negative, not a number or in a unit that does not fit the item."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from lifeline.core.errors import ServiceError
from lifeline.supplies.models import Item, MeasureUnit

COUNT = "count"  # the dimension of things counted in pieces
PLACES = Decimal("0.001")
MAX_QUANTITY = Decimal("100000000")


def invalid(field: str, message: str) -> ServiceError:
    return ServiceError(message, code="invalid", fields={field: [message]})


def parse_quantity(
    value: Any, *, field: str = "quantity", allow_zero: bool = False, allow_negative: bool = False
) -> Decimal:
    """A decimal with at most three places; zero and negative refused unless allowed."""
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise invalid(field, _("Enter a number.")) from None
    if not number.is_finite():
        raise invalid(field, _("Enter a number."))
    if number != number.quantize(PLACES, rounding=ROUND_HALF_UP):
        raise invalid(field, _("Use at most three decimal places."))
    if abs(number) >= MAX_QUANTITY:
        raise invalid(field, _("That quantity is too large."))
    if number < 0 and not allow_negative:
        raise invalid(field, _("The quantity cannot be negative."))
    if number == 0 and not allow_zero:
        raise invalid(field, _("The quantity must be more than zero."))
    return number.quantize(PLACES)


def unit_for(item: Item, code: str | None, *, field: str = "unit") -> MeasureUnit:
    """The unit ``code`` for ``item`` (its base unit when empty); refused when unknown, of
    another dimension (kilograms of masks) or another item's pack. An item counted in
    pieces is counted in its base unit or its own packs only: a "box" of N95 masks is not
    a box of 20 unless it is the item's own box of 20."""
    base = item.base_unit
    if not code or code == base.code:
        return base
    unit = MeasureUnit.objects.filter(code=code).first()
    if unit is None:
        raise invalid(field, _("Unknown unit of measure."))
    other_pack = bool(unit.item_id) and unit.item_id != item.pk
    loose_count = base.dimension == COUNT and unit.item_id != item.pk
    if unit.dimension != base.dimension or other_pack or loose_count:
        raise invalid(
            field, _("%(item)s cannot be counted in that unit.") % {"item": item.local_name}
        )
    return unit


def to_base(item: Item, quantity: Any, unit_code: str | None = None, **kwargs: Any) -> Decimal:
    """``quantity`` given in ``unit_code`` as a quantity of the item's base unit."""
    unit = unit_for(item, unit_code)
    number = parse_quantity(quantity, **kwargs)
    if unit.pk == item.base_unit_id:
        return number
    converted = (number * unit.factor / item.base_unit.factor).quantize(
        PLACES, rounding=ROUND_HALF_UP
    )
    if converted == 0 and number != 0:
        raise invalid(kwargs.get("field", "quantity"), _("That quantity is too small."))
    return converted


def show(quantity: Decimal | int | None) -> str:
    """A quantity for a page: no trailing zeros (3, 2.5, 0.125)."""
    if quantity is None:
        return ""
    number = Decimal(quantity).normalize()
    text = f"{number:f}"
    return text
