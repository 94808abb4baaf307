"""Supplies reads for other apps (the command centre's figures). Inside supplies, import
the part's module (``lifeline.supplies.selectors.stock``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifeline.supplies.models import OrderStatus, PackageOrder


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
