"""Supplies reads for other apps (the command centre's figures). Inside supplies, import
the part's module (``lifeline.supplies.selectors.stock``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.core.actors import Actor
from lifeline.supplies.models import Need, OrderStatus, PackageOrder


def building_orders_of_day(*, building_id: int, day: dt.date) -> list[dict[str, Any]]:
    """A building's package orders of ``day`` to collect and deliver, for its building
    head's task sheet: unit, package and status, no name or phone; at most 500."""
    orders = (
        PackageOrder.objects.filter(pick_list__building_id=building_id, day__day=day)
        .exclude(status=OrderStatus.CANCELLED)
        .select_related("household", "day__package")
        .order_by("household__unit_sort", "household__unit_no", "seq")[:500]
    )
    return [
        {
            "unit_no": order.household.unit_no,
            "package": order.day.package.name,
            "status": order.get_status_display(),
        }
        for order in orders
    ]


def need_statuses(*, actor: Actor, need_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Where needs raised elsewhere stand (an enterprise's loop, say): for each of
    ``need_ids`` (at most 500) in an area where the actor may raise or see needs, its
    status (code and label), quantity, allocated and delivered. Others are left out."""
    ids = [int(pk) for pk in need_ids][:500]
    needs = scoped(Need.objects.filter(pk__in=ids), actor, (Perm.SUPPLIES_NEED, Perm.SUPPLIES_VIEW))
    return {
        need.pk: {
            "status": need.status,
            "label": str(need.get_status_display()),
            "quantity": need.quantity,
            "allocated": need.allocated,
            "delivered": need.delivered,
        }
        for need in needs
    }
