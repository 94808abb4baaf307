"""Matching available stock to open needs: the proposal an officer edits, and its approval
into shipments. The model and its objective are in ``allocation_model.py``; what it
solves is what the proposal page states."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, require, scope_for, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.outbox import enqueue_sms
from lifeline.registry.models import Area, Unit
from lifeline.supplies.models import (
    Allocation,
    AllocationRun,
    Lot,
    Need,
    NeedStatus,
    RunStatus,
    Shipment,
    Warehouse,
    WarehouseKind,
)
from lifeline.supplies.services.allocation_model import (
    MAX_EXPIRY_DAYS,
    SCALE,
    LotRow,
    NeedRow,
    Solution,
    rank_of,
    solve,
)
from lifeline.supplies.services.quantities import invalid, parse_quantity, show

ALLOCATE_FROM = (WarehouseKind.LOGISTICS, WarehouseKind.RED_CROSS, WarehouseKind.STREET)
OPEN = (NeedStatus.OPEN, NeedStatus.PARTLY)
MAX_NEEDS = 50_000


def to_units(quantity: Decimal) -> int:
    return int((quantity * SCALE).to_integral_value())


def from_units(units: int) -> Decimal:
    return (Decimal(units) / SCALE).quantize(Decimal("0.001"))


def wait_score(need: Need, *, today: dt.date, now: dt.datetime) -> int:
    """0..90: how close (or overdue) the "needed by" date is, plus days already waited."""
    due = min(max((today - need.needed_by).days + 30, 0), 60)
    waited = min(max((now - need.created_at).days, 0), 30)
    return due + waited


def need_row(need: Need, *, today: dt.date, now: dt.datetime) -> NeedRow:
    return NeedRow(
        key=need.pk,
        item=need.item_id,
        remaining=to_units(need.quantity - need.allocated),
        rank=rank_of(need.priority, need.vulnerable),
        wait=wait_score(need, today=today, now=now),
        lat=need.lat,
        lng=need.lng,
        path=need.area_path,
    )


def lot_row(lot: Lot, *, today: dt.date) -> LotRow:
    warehouse = lot.warehouse
    expiry = MAX_EXPIRY_DAYS if lot.expires_on is None else (lot.expires_on - today).days
    return LotRow(
        key=lot.pk,
        item=lot.item_id,
        on_hand=to_units(lot.on_hand),
        expiry_days=min(max(expiry, 0), MAX_EXPIRY_DAYS),
        lat=warehouse.lat,
        lng=warehouse.lng,
        # A street's stock point serves its own street.
        serves=warehouse.area_path if warehouse.kind == WarehouseKind.STREET else "",
    )


def require_allocate(actor: Actor, unit: Unit) -> None:
    require(
        actor,
        Perm.SUPPLIES_ALLOCATE,
        unit_id=unit.pk,
        message=_("Only the logistics group may match stock to needs."),
    )


def open_needs_for(
    actor: Actor, *, area: Area | None = None, item_ids: Iterable[int] | None = None
) -> QuerySet[Need]:
    qs = scoped(Need.objects.filter(status__in=OPEN), actor, Perm.SUPPLIES_VIEW)
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    if item_ids is not None:
        qs = qs.filter(item_id__in=list(item_ids))
    return qs


def lots_for(actor: Actor, *, item_ids: Iterable[int], today: dt.date) -> list[Lot]:
    """Unexpired lots with stock in warehouses the actor may allocate from."""
    lots = (
        Lot.objects.filter(
            on_hand__gt=0,
            item_id__in=list(item_ids),
            warehouse__kind__in=ALLOCATE_FROM,
            warehouse__active=True,
        )
        .exclude(expires_on__lt=today)
        .select_related("warehouse")
    )
    allowed: dict[int, bool] = {}
    kept = []
    for lot in lots:
        if lot.warehouse_id not in allowed:
            allowed[lot.warehouse_id] = can(
                actor, Perm.SUPPLIES_ALLOCATE, path=lot.area_path, unit_id=lot.unit_id
            )
        if allowed[lot.warehouse_id]:
            kept.append(lot)
    return kept


def allocation_propose(
    *,
    actor: Actor,
    unit: Unit,
    area: Area | None = None,
    item_ids: Iterable[int] | None = None,
) -> AllocationRun:
    """Solve the matching of the open needs the actor sees (in ``area``, of ``item_ids``)
    to the stock they may allocate from, and keep it as a proposal. Changes no stock and
    no need until approved."""
    require_allocate(actor, unit)
    if area is not None and not scope_for(actor).covers_path(area.path):
        raise NotFound()
    now, today = clock.now(), clock.today()
    needs = list(open_needs_for(actor, area=area, item_ids=item_ids)[: MAX_NEEDS + 1])
    if len(needs) > MAX_NEEDS:
        raise ServiceError(
            _("Too many open needs for one proposal; choose an area or some items."),
            code="too_many",
        )
    needs = [n for n in needs if n.quantity > n.allocated]
    lots = lots_for(actor, item_ids={n.item_id for n in needs}, today=today)
    solution = solve(
        [need_row(n, today=today, now=now) for n in needs],
        [lot_row(lot, today=today) for lot in lots],
    )
    if not solution.optimal:
        raise ServiceError(
            _("The solver found no allocation (%(status)s).") % {"status": solution.status},
            code="solver",
        )
    figures = _run_figures(solution, needs, lots)
    by_need = {n.pk: n for n in needs}
    path = area.path if area is not None else _unit_path(unit)
    with transaction.atomic():
        run = AllocationRun.objects.create(
            unit=unit,
            area_path=path,
            solver=figures,
            created_by=user_of(actor),
            created_at=now,
        )
        Allocation.objects.bulk_create(
            Allocation(
                run=run,
                need_id=flow.need,
                lot_id=flow.lot,
                area_path=by_need[flow.need].area_path,
                quantity=from_units(flow.quantity),
                proposed=from_units(flow.quantity),
            )
            for flow in solution.flows
        )
        audit_log(actor=actor, action="supplies.allocation_proposed", obj=run, area_path=path)
    return run


def _unit_path(unit: Unit) -> str:
    paths = sorted(unit.areas.values_list("path", flat=True), key=len)
    return paths[0] if paths else ""


def _run_figures(solution: Solution, needs: list[Need], lots: list[Lot]) -> dict[str, Any]:
    given: dict[int, int] = defaultdict(int)
    for flow in solution.flows:
        given[flow.need] += flow.quantity
    full = partly = 0
    for need in needs:
        wanted = to_units(need.quantity - need.allocated)
        if given.get(need.pk, 0) >= wanted:
            full += 1
        elif given.get(need.pk, 0) > 0:
            partly += 1
    return {
        **solution.figures(),
        "needs": len(needs),
        "lots": len(lots),
        "items": len({n.item_id for n in needs}),
        "allocated": str(from_units(solution.allocated)),
        "needs_full": full,
        "needs_partly": partly,
        "needs_unserved": len(needs) - full - partly,
    }


def _locked_proposal(run: AllocationRun) -> AllocationRun:
    locked = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != RunStatus.PROPOSED:
        raise Conflict(_("This proposal was already approved or discarded."), code="decided")
    return locked


def allocation_edit(*, actor: Actor, allocation: Allocation, quantity: Any) -> Allocation:
    """Change one line of a proposal: never more than the lot holds or the need still
    lacks, counting the proposal's other lines of the same lot and need; 0 drops it."""
    run = allocation.run
    require_allocate(actor, run.unit)
    amount = parse_quantity(quantity, allow_zero=True)
    with transaction.atomic():
        _locked_proposal(run)
        line = Allocation.objects.select_related("need", "lot__item__base_unit").get(
            pk=allocation.pk
        )
        others = Allocation.objects.filter(run=run).exclude(pk=line.pk)
        for_need = others.filter(need=line.need_id).aggregate(s=Sum("quantity"))["s"] or 0
        from_lot = others.filter(lot=line.lot_id).aggregate(s=Sum("quantity"))["s"] or 0
        need_left = line.need.quantity - line.need.allocated - for_need
        lot_left = line.lot.on_hand - from_lot
        unit = line.lot.item.base_unit.local_name
        if amount > need_left:
            raise invalid(
                "quantity",
                _("More than the need still lacks (%(left)s %(unit)s).")
                % {"left": show(max(need_left, Decimal(0))), "unit": unit},
            )
        if amount > lot_left:
            raise invalid(
                "quantity",
                _("More than the lot holds (%(left)s %(unit)s).")
                % {"left": show(max(lot_left, Decimal(0))), "unit": unit},
            )
        line.quantity = amount
        line.save(update_fields=["quantity"])
        audit_log(
            actor=actor, action="supplies.allocation_edited", obj=line, area_path=line.area_path
        )
    allocation.quantity = amount
    return line


def allocation_discard(*, actor: Actor, run: AllocationRun) -> AllocationRun:
    require_allocate(actor, run.unit)
    with transaction.atomic():
        locked = _locked_proposal(run)
        locked.status = RunStatus.DISCARDED
        locked.decided_by = user_of(actor)
        locked.decided_at = clock.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit_log(
            actor=actor,
            action="supplies.allocation_discarded",
            obj=locked,
            area_path=locked.area_path,
        )
    return locked


def allocation_approve(*, actor: Actor, run: AllocationRun) -> list[Shipment]:
    """Turn a proposal into shipments, all or nothing: the needs are locked and checked
    again (none may get more than it still lacks), the lines are grouped by sending
    warehouse and destination (the need's area and contact) into one shipment each, whose
    creation takes the stock out of the lots (refused when a lot holds too little now).
    Both sides are texted: the receiving contact and the warehouse's contact, each with
    the other's name and phone."""
    require_allocate(actor, run.unit)
    from lifeline.supplies.services.shipments import shipment_create

    with transaction.atomic():
        locked = _locked_proposal(run)
        lines = list(
            Allocation.objects.filter(run=locked, quantity__gt=0)
            .select_related("lot__warehouse", "lot__item__base_unit")
            .order_by("pk")
        )
        if not lines:
            raise ServiceError(_("Nothing is allocated in this proposal."), code="empty")
        needs = {
            n.pk: n
            for n in Need.objects.select_for_update(of=("self",))
            .filter(pk__in={a.need_id for a in lines})
            .select_related("area", "item__base_unit")
            .order_by("pk")
        }
        _check_needs(needs, lines)
        groups: dict[tuple[Any, ...], list[Allocation]] = defaultdict(list)
        for line in lines:
            if not can(
                actor,
                Perm.SUPPLIES_ALLOCATE,
                path=line.lot.area_path,
                unit_id=line.lot.unit_id,
            ):
                raise PermissionDenied(_("You may not send stock from this warehouse."))
            need = needs[line.need_id]
            key = (line.lot.warehouse_id, need.area_id, need.contact_name, need.contact_phone)
            groups[key].append(line)
        shipments = [_ship(actor, group, needs, shipment_create) for group in groups.values()]
        for need in needs.values():
            need.allocated += sum((a.quantity for a in lines if a.need_id == need.pk), Decimal(0))
            need.status = (
                NeedStatus.ALLOCATED if need.allocated >= need.quantity else NeedStatus.PARTLY
            )
            need.save(update_fields=["allocated", "status"])
        locked.status = RunStatus.APPROVED
        locked.decided_by = user_of(actor)
        locked.decided_at = clock.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit_log(
            actor=actor,
            action="supplies.allocation_approved",
            obj=locked,
            area_path=locked.area_path,
        )
    run.status = locked.status
    return shipments


def _check_needs(needs: dict[int, Need], lines: list[Allocation]) -> None:
    wanted: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        wanted[line.need_id] += line.quantity
    for pk, amount in wanted.items():
        need = needs[pk]
        left = need.quantity - need.allocated
        if need.status not in OPEN or amount > left:
            raise Conflict(
                _(
                    "The need of %(label)s for %(item)s changed since the proposal "
                    "(%(left)s %(unit)s still lacking); make a new proposal."
                )
                % {
                    "label": need.for_label,
                    "item": need.item.local_name,
                    "left": show(max(left, Decimal(0)) if need.status in OPEN else Decimal(0)),
                    "unit": need.item.base_unit.local_name,
                },
                code="need_changed",
            )


def _ship(
    actor: Actor,
    group: list[Allocation],
    needs: dict[int, Need],
    shipment_create: Any,
) -> Shipment:
    first = needs[group[0].need_id]
    warehouse = group[0].lot.warehouse
    labels = list(dict.fromkeys(needs[a.need_id].for_label for a in group))
    shipment: Shipment = shipment_create(
        actor=actor,
        from_warehouse=warehouse,
        to_area=first.area,
        to_label="、".join(labels)[:150] or first.area.name,
        contact_name=first.contact_name,
        contact_phone=first.contact_phone,
        lines=[(needs[a.need_id], a.lot, a.quantity) for a in group],
        lat=first.lat,
        lng=first.lng,
    )
    Allocation.objects.filter(pk__in=[a.pk for a in group]).update(shipment=shipment)
    _tell_both_sides(shipment, group, warehouse, first)
    return shipment


def _tell_both_sides(
    shipment: Shipment, group: list[Allocation], warehouse: Warehouse, need: Need
) -> None:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for line in group:
        totals[line.lot.item_id] += line.quantity
    items = {line.lot.item_id: line.lot.item for line in group}
    goods = "、".join(
        f"{items[i].local_name} {show(q)} {items[i].base_unit.local_name}"
        for i, q in totals.items()
    )
    sender = warehouse.contact_name or warehouse.name
    to_receiver = _(
        "Supplies allocated to %(place)s: %(goods)s, waybill %(waybill)s, from %(warehouse)s. "
        "Sender contact: %(name)s %(phone)s."
    ) % {
        "place": shipment.to_label,
        "goods": goods,
        "waybill": shipment.waybill_no,
        "warehouse": warehouse.name,
        "name": sender,
        "phone": warehouse.contact_phone or "",
    }
    ref = {"object_type": "supplies.shipment", "object_id": str(shipment.pk)}
    enqueue_sms(recipient=need.contact_phone, body=to_receiver, **ref)
    if warehouse.contact_phone:
        to_sender = _(
            "Please send %(goods)s to %(place)s, waybill %(waybill)s. "
            "Receiving contact: %(name)s %(phone)s."
        ) % {
            "goods": goods,
            "place": shipment.to_label,
            "waybill": shipment.waybill_no,
            "name": need.contact_name,
            "phone": need.contact_phone,
        }
        enqueue_sms(recipient=warehouse.contact_phone, body=to_sender, **ref)
