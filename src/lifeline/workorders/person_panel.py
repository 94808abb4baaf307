"""The open work orders of a person's household, for the registry's person page.

Registered in ``apps.py`` into ``registry.panels``. Read through the public selector
``workorder_open_for_caller``, which scopes by ``workorders.view``: an actor who may not see
work orders at the person's place gets no panel (not an empty one).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can
from lifeline.core.actors import Actor
from lifeline.registry.panels import PanelRow, PersonPanel
from lifeline.workorders.selectors import workorder_open_for_caller

SHOWN = 10


def open_orders_panel(*, actor: Actor, person: Any) -> PersonPanel | None:
    if not can(actor, Perm.WORKORDER_VIEW, path=person.area_path):
        return None
    orders = workorder_open_for_caller(actor=actor, household_ids=[person.household_id], phone="")
    english = (get_language() or "").startswith("en")
    rows = [
        PanelRow(
            label=f"{order.number or ''} {_category_name(order.category, english)}".strip(),
            value=order.get_status_display(),
            when=order.due_resolution_at,
            url=reverse("workorders:order", args=[order.pk]),
        )
        for order in orders[:SHOWN]
    ]
    return PersonPanel(
        title=_("Open work orders of the household"),
        rows=rows,
        empty=_("No open work orders."),
        order=20,
    )


def _category_name(category: Any, english: bool) -> str:
    return str(category.name_en if english and category.name_en else category.name)
