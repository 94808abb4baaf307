"""Template filters over ``workorders.labels``: stored codes shown as words in the page's
language (a page never shows a key or a login name), and the deadline that matters."""

from __future__ import annotations

from typing import Any

from django import template

from lifeline.core import clock
from lifeline.workorders import labels
from lifeline.workorders.clocks import Deadline, deadline_of
from lifeline.workorders.models import WorkOrder

register = template.Library()


@register.filter
def choice_label(value: Any) -> str:
    return labels.choice_label(value)


@register.filter
def category_label(category: Any) -> str:
    return labels.category_label(category)


@register.filter
def person_label(user: Any) -> str:
    return labels.person_label(user)


@register.filter
def deadline(order: WorkOrder) -> Deadline | None:
    """The due time that matters now (``clocks.deadline_of``)."""
    return deadline_of(order, clock.now())
