"""A category's extra fields (``Category.fields``): their labels in the page's language and
the validation of the values filed with an order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from lifeline.workorders.models import Category


def field_label(definition: dict[str, Any]) -> str:
    from django.utils.translation import get_language

    if (get_language() or "").startswith("en"):
        return str(definition.get("label_en") or definition.get("name"))
    return str(definition.get("label") or definition.get("name"))


def validate_extra(
    category: Category, extra: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Clean ``extra`` against the category's field definitions.

    Returns the cleaned values (JSON-safe: decimals as strings, dates ISO) and the errors
    per field; unknown fields are errors, so a typo never silently drops data.
    """
    extra = dict(extra or {})
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    definitions = {d["name"]: d for d in category.fields or []}
    for name in sorted(set(extra) - set(definitions)):
        errors[f"extra.{name}"] = [_("Unknown field for this category.")]
    for name, definition in definitions.items():
        raw = extra.get(name)
        if raw is None or (isinstance(raw, str | list) and not str(raw).strip("[] ")):
            if definition.get("required"):
                errors[f"extra.{name}"] = [
                    _("%(field)s is required.") % {"field": field_label(definition)}
                ]
            continue
        try:
            clean[name] = _convert(definition, raw)
        except ValueError as exc:
            errors[f"extra.{name}"] = [str(exc)]
    return clean, errors


def _convert(definition: dict[str, Any], raw: Any) -> Any:
    kind = definition.get("type", "text")
    label = field_label(definition)
    if isinstance(raw, list) and kind != "multichoice":
        raise ValueError(_("%(field)s takes one value.") % {"field": label})
    if kind == "text":
        value: Any = str(raw).strip()[:500]
    elif kind == "int":
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ValueError(_("%(field)s must be a whole number.") % {"field": label}) from None
    elif kind == "decimal":
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError(_("%(field)s must be a number.") % {"field": label}) from None
        if not number.is_finite():
            raise ValueError(_("%(field)s must be a number.") % {"field": label})
        _check_range(definition, number, label)
        return str(number)
    elif kind == "bool":
        text = str(raw).strip().lower()
        if text not in {"true", "false", "1", "0", "yes", "no", "是", "否"}:
            raise ValueError(_("%(field)s must be yes or no.") % {"field": label})
        return text in {"true", "1", "yes", "是"}
    elif kind == "date":
        try:
            return dt.date.fromisoformat(str(raw).strip()[:10]).isoformat()
        except ValueError:
            raise ValueError(
                _("%(field)s must be a date (YYYY-MM-DD).") % {"field": label}
            ) from None
    elif kind == "multichoice":
        # Several of the allowed values (Open311 ``multivaluelist``, ``attribute[x][]``).
        values = [str(v).strip() for v in (raw if isinstance(raw, list) else [raw])]
        values = [v for v in values if v]
        allowed = definition.get("choices", [])
        if not values or any(v not in allowed for v in values):
            raise ValueError(_("%(field)s: not one of the allowed values.") % {"field": label})
        return sorted(set(values), key=allowed.index)
    elif kind == "choice":
        value = str(raw).strip()
        if value not in definition.get("choices", []):
            raise ValueError(_("%(field)s: not one of the allowed values.") % {"field": label})
        return value
    else:
        raise ValueError(_("%(field)s has an unknown type.") % {"field": label})
    if kind == "int":
        _check_range(definition, Decimal(value), label)
    return value


def _check_range(definition: dict[str, Any], number: Decimal, label: str) -> None:
    low, high = definition.get("min"), definition.get("max")
    if low is not None and number < Decimal(str(low)):
        raise ValueError(_("%(field)s must be at least %(min)s.") % {"field": label, "min": low})
    if high is not None and number > Decimal(str(high)):
        raise ValueError(_("%(field)s must be at most %(max)s.") % {"field": label, "max": high})
