"""What the resident pages show of an order's extra fields: labels and values in the
page's language, never a stored key."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext

from lifeline.workorders.labels import choice_label
from lifeline.workorders.services.extra_fields import field_label

register = template.Library()


@register.filter
def extra_details(order: Any) -> list[tuple[str, str]]:
    """The order's extra fields as (label, value) rows, in the category's order; values of
    fields the category no longer defines are left out rather than shown by their key."""
    extra = getattr(order, "extra", None) or {}
    rows = []
    for definition in getattr(order.category, "fields", None) or []:
        value = extra.get(definition.get("name"))
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            text = gettext("Yes") if value else gettext("No")
        elif definition.get("type") == "choice":
            text = choice_label(value)
        else:
            text = str(value)
        rows.append((field_label(definition), text))
    return rows
