"""Needs for supplies and recurring needs (a canteen's daily vegetables), with the sweep
that watches a recurring need's days of cover.

A need is raised at an area by someone holding ``SUPPLIES_NEED`` there (community, street
and district staff, grid workers), on behalf of their unit, for a household, a building, a
post, a canteen ... with a named contact. Quantities are given in any unit that fits the
item and kept in its base unit; zero, negative and unknown units are refused with nothing
written. ``allocated`` and the status are changed by the allocation's approval only.

``recurring_sweep`` (on ``lifeline worker``'s beat through :func:`run_periodic`) compares
each recurring need's stock at its stock point with its daily use: below the threshold it
texts the need's contact and the stock point's contact once per fall (``alerted_at``,
cleared when the cover is back above the threshold) and raises the next day's need unless
one of that recurring need is still open.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lifeline.accounts.models import Membership
from lifeline.accounts.permissions import Perm, permissions_of
from lifeline.accounts.scoping import can, require
from lifeline.core import clock
from lifeline.core.actors import Actor, system, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, ServiceError
from lifeline.core.outbox import enqueue_sms
from lifeline.core.personal import normalise_phone, phone_is_valid
from lifeline.registry.models import Area, Building, Household, Unit
from lifeline.registry.tree import LADDER, unit_of_kind_near
from lifeline.supplies.models import (
    ForWhom,
    Item,
    Lot,
    Need,
    NeedStatus,
    Priority,
    RecurringNeed,
    Warehouse,
)
from lifeline.supplies.services.quantities import show, to_base

OPEN = (NeedStatus.OPEN, NeedStatus.PARTLY)


def _refused(fields: dict[str, list[str]]) -> ServiceError:
    return ServiceError(_("Please correct the marked fields."), fields=fields)


def raising_unit(actor: Actor, area: Area) -> Unit | None:
    """The unit a need at ``area`` is raised on behalf of: the unit of the actor's deepest
    membership granting ``SUPPLIES_NEED`` over the area, or else the administrative unit
    serving that membership's area (the community committee, the street office ...)."""
    best: Membership | None = None
    for membership in Membership.objects.filter(user_id=actor.pk, active=True).select_related(
        "area", "unit"
    ):
        if Perm.SUPPLIES_NEED not in permissions_of(membership.role):
            continue
        if membership.area is None or not area.path.startswith(membership.area.path):
            continue
        if best is None or (best.area and len(membership.area.path) > len(best.area.path)):
            best = membership
    if best is None or best.area is None:
        return None
    if best.unit is not None:
        return best.unit
    for kind in LADDER:
        unit = unit_of_kind_near(kind, best.area.path)
        if unit is not None:
            return unit
    return None


def _contact(name: str, phone: str, fields: dict[str, list[str]]) -> tuple[str, str]:
    name = (name or "").strip()
    number = normalise_phone(phone or "")
    if not name or len(name) > 50:
        fields["contact_name"] = [_("Name the contact person (at most 50 characters).")]
    if not phone_is_valid(number) or len(number) > 20:
        fields["contact_phone"] = [_("Enter a valid phone number.")]
    return name, number


def _quantity(
    item: Item | None, value: Any, unit_code: str, field: str, fields: dict[str, list[str]]
) -> Decimal | None:
    if item is None:
        return None
    try:
        return to_base(item, value, unit_code or None, field=field)
    except ServiceError as error:
        for name, texts in error.fields.items():
            fields["unit_code" if name == "unit" else name] = [str(t) for t in texts]
        return None


def _place(
    area: Area, household: Household | None, building: Building | None
) -> tuple[Building | None, float | None, float | None, str]:
    """The building to deliver to, its coordinates, and a label when none is given."""
    if household is not None and building is None:
        building = household.building
    if building is not None and building.lat is not None and building.lng is not None:
        return building, building.lat, building.lng, building.address
    return building, area.lat, area.lng, (building.address if building else area.name)


def need_create(
    *,
    actor: Actor,
    area: Area,
    item: Item | None,
    quantity: Any,
    unit_code: str = "",
    needed_by: dt.date | None,
    priority: int = Priority.NORMAL,
    for_whom: str,
    for_label: str = "",
    contact_name: str,
    contact_phone: str,
    household: Household | None = None,
    building: Building | None = None,
    vulnerable: bool = False,
    work_order_id: int | None = None,
    note: str = "",
) -> Need:
    """Raise a need at ``area`` (``SUPPLIES_NEED`` there). Every field is checked before
    anything is written; the quantity is kept in the item's base unit."""
    require(
        actor,
        Perm.SUPPLIES_NEED,
        path=area.path,
        message=_("You may not raise needs for this area."),
    )
    fields: dict[str, list[str]] = {}
    if item is None or not item.active:
        fields["item"] = [_("Choose an item from the catalogue.")]
        item = None
    amount = _quantity(item, quantity, unit_code, "quantity", fields)
    if needed_by is None or needed_by < clock.today():
        fields["needed_by"] = [_("Give a date from today on.")]
    if priority not in Priority.values:
        fields["priority"] = [_("Choose a priority.")]
    if for_whom not in ForWhom.values:
        fields["for_whom"] = [_("Say whom it is for.")]
    for_label = (for_label or "").strip()
    if len(for_label) > 150:
        fields["for_label"] = [_("At most 150 characters.")]
    name, phone = _contact(contact_name, contact_phone, fields)
    for thing, label in ((household, "household"), (building, "building")):
        if thing is not None and not thing.area_path.startswith(area.path):
            fields[label] = [_("It is not in the chosen area.")]
    if work_order_id is not None:
        _check_work_order(actor, work_order_id, fields)
    if len(note or "") > 300:
        fields["note"] = [_("At most 300 characters.")]
    unit = raising_unit(actor, area)
    if unit is None and not fields:
        raise ServiceError(_("No unit of yours serves this area."), code="no_unit")
    if fields:
        raise _refused(fields)
    assert item is not None and amount is not None and needed_by is not None and unit
    building, lat, lng, place_label = _place(area, household, building)
    with transaction.atomic():
        need = Need.objects.create(
            unit=unit,
            area=area,
            area_path=area.path,
            item=item,
            quantity=amount,
            needed_by=needed_by,
            priority=priority,
            vulnerable=bool(vulnerable),
            for_whom=for_whom,
            for_label=for_label or place_label,
            household=household,
            building=building,
            lat=lat,
            lng=lng,
            contact_name=name,
            contact_phone=phone,
            work_order_id=work_order_id,
            note=(note or "").strip(),
            created_by=user_of(actor),
            created_at=clock.now(),
        )
        audit_log(actor=actor, action="supplies.need_created", obj=need, area_path=need.area_path)
    return need


def _check_work_order(actor: Actor, pk: int, fields: dict[str, list[str]]) -> None:
    from lifeline.workorders.selectors import workorder_get

    try:
        workorder_get(actor=actor, pk=pk)
    except NotFound:
        fields["work_order"] = [_("No such work order in your area.")]


def need_cancel(*, actor: Actor, need: Need, reason: str = "") -> Need:
    """Cancel what is still open of a need (what was allocated stays allocated)."""
    require(
        actor,
        Perm.SUPPLIES_NEED,
        path=need.area_path,
        message=_("You may not cancel needs for this area."),
    )
    with transaction.atomic():
        locked = Need.objects.select_for_update().get(pk=need.pk)
        if locked.status not in OPEN:
            raise Conflict(_("Only an open need can be cancelled."), code="not_open")
        locked.status = NeedStatus.CANCELLED
        if reason.strip():
            locked.note = f"{locked.note} {reason.strip()}".strip()[:300]
        locked.save(update_fields=["status", "note"])
        audit_log(
            actor=actor, action="supplies.need_cancelled", obj=locked, area_path=locked.area_path
        )
    need.status, need.note = locked.status, locked.note
    return locked


# Recurring needs -----------------------------------------------------------------------


def recurring_create(
    *,
    actor: Actor,
    area: Area,
    label: str,
    item: Item | None,
    per_day: Any,
    unit_code: str = "",
    people: int | None = None,
    warehouse: Warehouse | None = None,
    alert_below_days: Any = 2,
    contact_name: str,
    contact_phone: str,
    priority: int = Priority.HIGH,
    for_whom: str = ForWhom.CANTEEN,
) -> RecurringNeed:
    """A standing daily need at ``area`` (``SUPPLIES_NEED`` there), watched at
    ``warehouse`` (a stock point the actor may see)."""
    require(
        actor,
        Perm.SUPPLIES_NEED,
        path=area.path,
        message=_("You may not raise needs for this area."),
    )
    fields: dict[str, list[str]] = {}
    label = (label or "").strip()
    if not label or len(label) > 150:
        fields["label"] = [_("Say whom it is for (at most 150 characters).")]
    if item is None or not item.active:
        fields["item"] = [_("Choose an item from the catalogue.")]
        item = None
    amount = _quantity(item, per_day, unit_code, "per_day", fields)
    if people is not None and not 0 < people <= 1_000_000:
        fields["people"] = [_("Give the number of people fed.")]
    if warehouse is not None and not can(
        actor, Perm.SUPPLIES_VIEW, path=warehouse.area_path, unit_id=warehouse.unit_id
    ):
        fields["warehouse"] = [_("Choose a stock point you may see.")]
    threshold = _threshold(alert_below_days, fields)
    if priority not in Priority.values:
        fields["priority"] = [_("Choose a priority.")]
    if for_whom not in ForWhom.values:
        fields["for_whom"] = [_("Say whom it is for.")]
    name, phone = _contact(contact_name, contact_phone, fields)
    unit = raising_unit(actor, area)
    if unit is None and not fields:
        raise ServiceError(_("No unit of yours serves this area."), code="no_unit")
    if fields:
        raise _refused(fields)
    assert item is not None and amount is not None and threshold is not None and unit
    with transaction.atomic():
        recurring = RecurringNeed.objects.create(
            unit=unit,
            area=area,
            area_path=area.path,
            label=label,
            for_whom=for_whom,
            people=people,
            item=item,
            per_day=amount,
            warehouse=warehouse,
            alert_below_days=threshold,
            priority=priority,
            contact_name=name,
            contact_phone=phone,
            created_by=user_of(actor),
            created_at=clock.now(),
        )
        audit_log(
            actor=actor,
            action="supplies.recurring_created",
            obj=recurring,
            area_path=recurring.area_path,
        )
    return recurring


def _threshold(value: Any, fields: dict[str, list[str]]) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except Exception:
        number = Decimal(-1)
    if not number.is_finite() or not Decimal(0) < number <= Decimal(365):
        fields["alert_below_days"] = [_("Give a number of days between 0 and 365.")]
        return None
    return number.quantize(Decimal("0.1"))


def stock_of(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Decimal]:
    """Stock by (warehouse, item) for the given pairs."""
    if not pairs:
        return {}
    warehouses = {w for w, _i in pairs}
    items = {i for _w, i in pairs}
    rows = (
        Lot.objects.filter(warehouse_id__in=warehouses, item_id__in=items)
        .values("warehouse_id", "item_id")
        .annotate(total=Sum("on_hand"))
    )
    return {(r["warehouse_id"], r["item_id"]): r["total"] or Decimal(0) for r in rows}


def days_of_cover(stock: Decimal, per_day: Decimal) -> Decimal:
    return (stock / per_day).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def recurring_sweep(*, now: dt.datetime) -> dict[str, int]:
    """One pass over the active recurring needs with a stock point. Safe from several
    workers at once: the alert is claimed by compare-and-set on ``alerted_at``."""
    figures = {"checked": 0, "alerts": 0, "cleared": 0, "needs_raised": 0}
    recurring = list(
        RecurringNeed.objects.filter(active=True, warehouse__isnull=False).select_related(
            "item__base_unit", "warehouse"
        )
    )
    stock = stock_of({(r.warehouse_id, r.item_id) for r in recurring if r.warehouse_id})
    for r in recurring:
        assert r.warehouse_id is not None
        figures["checked"] += 1
        held = stock.get((r.warehouse_id, r.item_id), Decimal(0))
        days = days_of_cover(held, r.per_day)
        if days < r.alert_below_days and r.alerted_at is None:
            if _alert(r, held, days, now):
                figures["alerts"] += 1
                figures["needs_raised"] += _raise_next_day(r, now)
        elif days >= r.alert_below_days and r.alerted_at is not None:
            figures["cleared"] += RecurringNeed.objects.filter(
                pk=r.pk, alerted_at=r.alerted_at
            ).update(alerted_at=None)
    return figures


def _alert(r: RecurringNeed, held: Decimal, days: Decimal, now: dt.datetime) -> bool:
    with transaction.atomic():
        claimed = RecurringNeed.objects.filter(pk=r.pk, alerted_at__isnull=True).update(
            alerted_at=now
        )
        if not claimed:
            return False
        r.alerted_at = now
        text = _(
            "%(label)s: %(item)s covers %(days)s days only (alert below %(threshold)s); "
            "%(stock)s %(unit)s in stock, %(per_day)s %(unit)s needed a day."
        ) % {
            "label": r.label,
            "item": r.item.local_name,
            "days": show(days),
            "threshold": show(r.alert_below_days),
            "stock": show(held),
            "unit": r.item.base_unit.local_name,
            "per_day": show(r.per_day),
        }
        recipients = [r.contact_phone]
        if r.warehouse and r.warehouse.contact_phone:
            recipients.append(r.warehouse.contact_phone)
        for phone in dict.fromkeys(recipients):
            enqueue_sms(
                recipient=phone,
                body=text,
                object_type="supplies.recurringneed",
                object_id=str(r.pk),
            )
        audit_log(
            actor=system("recurring need below its days of cover"),
            action="supplies.recurring_alerted",
            obj=r,
            area_path=r.area_path,
        )
    return True


def _raise_next_day(r: RecurringNeed, now: dt.datetime) -> int:
    """The next day's need, unless one of this recurring need is still open."""
    if Need.objects.filter(recurring=r, status__in=OPEN).exists():
        return 0
    with transaction.atomic():
        need = Need.objects.create(
            unit_id=r.unit_id,
            area_id=r.area_id,
            area_path=r.area_path,
            item_id=r.item_id,
            quantity=r.per_day,
            needed_by=timezone.localdate(now) + dt.timedelta(days=1),
            priority=r.priority,
            for_whom=r.for_whom,
            for_label=r.label,
            lat=r.warehouse.lat if r.warehouse else None,
            lng=r.warehouse.lng if r.warehouse else None,
            contact_name=r.contact_name,
            contact_phone=r.contact_phone,
            recurring=r,
            created_by_id=r.created_by_id,
            created_at=now,
        )
        audit_log(
            actor=system("recurring need below its days of cover"),
            action="supplies.need_created",
            obj=need,
            area_path=need.area_path,
        )
    return 1


def run_periodic(now: dt.datetime | None = None) -> dict[str, int]:
    """The beat's entry (``LIFELINE_PERIODIC_SWEEPS``)."""
    return recurring_sweep(now=now or clock.now())
