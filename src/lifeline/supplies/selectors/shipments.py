"""Shipment reads, through ``accounts.scoping``: a shipment is seen where its destination
lies (``area_path``) and by the sending warehouse's unit (``SUPPLIES_VIEW`` either way)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.scoping import scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.supplies.models import Shipment, ShipmentLine, ShipmentStatus

NO_SHIPMENT = _("No such shipment.")


def shipment_list(
    *, actor: Actor, status: str | None = None, warehouse_id: int | None = None
) -> QuerySet[Shipment]:
    qs = scoped(Shipment.objects.select_related("from_warehouse", "to_warehouse", "to_area"), actor)
    if status:
        qs = qs.filter(status=status) if status in ShipmentStatus.values else qs.none()
    if warehouse_id is not None:
        qs = qs.filter(from_warehouse_id=warehouse_id)
    return qs.order_by("-created_at", "-pk")


def shipment_get(*, actor: Actor, pk: int) -> Shipment:
    shipment = (
        shipment_list(actor=actor)
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ShipmentLine.objects.select_related(
                    "item__base_unit", "lot", "need"
                ).order_by("pk"),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if shipment is None:
        raise NotFound(NO_SHIPMENT)
    return shipment


def shipment_lines(shipment: Shipment) -> list[ShipmentLine]:
    """The lines with their items (for the receiver's page, which has no actor: the
    signed link is the proof)."""
    return list(
        ShipmentLine.objects.filter(shipment=shipment)
        .select_related("item__base_unit", "lot")
        .order_by("pk")
    )
