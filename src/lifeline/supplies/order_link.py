"""On a food-and-supplies or medicine work order's page: "Raise a supply need", which
opens the need form with the order's number filled in. Registered in ``apps.py`` into
``workorders.links``; shown only to those who may raise needs where the order is."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can
from lifeline.core.actors import Actor
from lifeline.workorders.links import OrderLink

SUPPLY_CATEGORIES = frozenset({"food_supplies", "medicine"})


def supply_need_link(*, actor: Actor, order: Any) -> OrderLink | None:
    if order.category.code not in SUPPLY_CATEGORIES or not order.is_open:
        return None
    if not can(actor, Perm.SUPPLIES_NEED, path=order.area_path):
        return None
    url = reverse("supplies:needs") + "?" + urlencode({"work_order": order.number})
    return OrderLink(label=_("Raise a supply need"), url=url + "#raise")
