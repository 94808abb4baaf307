"""Where a stop is and whom to call there, read at the crew's page from the records the
stop stands for (the work order, the delivery, the recheck, the household): the household's
building address with its unit number, and the callback phone of a work order (masked;
the full number only through ``services.stop_contact_reveal``, audited).

Minimum necessary: no names, no ID numbers; only a work order carries a callback number
(the resident gave it to be called back), other visits show the address alone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lifeline.core.personal import mask_phone
from lifeline.registry.models import Household
from lifeline.screening.models import RecheckTask
from lifeline.teams.models import Delivery, PlanStop, VisitKind
from lifeline.workorders.models import WorkOrder


@dataclass(frozen=True)
class StopPlace:
    address: str
    phone_masked: str = ""

    @property
    def callable(self) -> bool:
        return bool(self.phone_masked)


def _household_address(household: Household | None) -> str:
    if household is None:
        return ""
    return f"{household.building.address} {household.unit_no}".strip()


def _ids(stops: Iterable[PlanStop], kind: str) -> list[int]:
    return [s.ref_id for s in stops if s.kind == kind]


def stop_places(stops: Iterable[PlanStop]) -> dict[int, StopPlace]:
    """Per stop id, its address (the snapshot's when the record is gone) and the masked
    callback phone of a work order. The caller has checked the actor may see the stops."""
    stops = list(stops)
    orders = WorkOrder.objects.select_related("household__building").in_bulk(
        _ids(stops, VisitKind.WORK_ORDER)
    )
    deliveries = Delivery.objects.select_related("household__building").in_bulk(
        _ids(stops, VisitKind.DELIVERY)
    )
    rechecks = RecheckTask.objects.select_related("person__household__building").in_bulk(
        _ids(stops, VisitKind.RECHECK)
    )
    households = Household.objects.select_related("building").in_bulk(
        _ids(stops, VisitKind.HOME_SAMPLING)
    )
    places = {}
    for stop in stops:
        address, phone = "", ""
        if stop.kind == VisitKind.WORK_ORDER and stop.ref_id in orders:
            order = orders[stop.ref_id]
            address = _household_address(order.household) or order.address
            phone = order.contact_phone
        elif stop.kind == VisitKind.DELIVERY and stop.ref_id in deliveries:
            delivery = deliveries[stop.ref_id]
            address = _household_address(delivery.household) or delivery.address
        elif stop.kind == VisitKind.RECHECK and stop.ref_id in rechecks:
            address = _household_address(rechecks[stop.ref_id].person.household)
        elif stop.kind == VisitKind.HOME_SAMPLING:
            address = _household_address(households.get(stop.ref_id))
        places[stop.pk] = StopPlace(address or stop.address, mask_phone(phone) if phone else "")
    return places


def callback_phone(stop: PlanStop) -> str:
    """The full callback number of the stop's work order ("" for none)."""
    if stop.kind != VisitKind.WORK_ORDER:
        return ""
    order = WorkOrder.objects.filter(pk=stop.ref_id).only("contact_phone").first()
    return order.contact_phone if order is not None else ""
