"""Donations: donors, their pledges of goods, the receipt of those goods at a logistics
warehouse, and gifts of money.

Everything is kept by a unit (the logistics group, or the channel that keeps the donor's
file) and needs ``SUPPLIES_DONATIONS`` there; receiving goods is a warehouse act and needs
``SUPPLIES_STOCK`` at the pledge's warehouse. Goods go to the logistics group, which
matches them to needs: a pledge to deliver straight to a street, community or canteen
store is refused and the donor pointed to the logistics group, unless
``settings.LIFELINE_DONATIONS_DIRECT`` allows it.

Each received quantity becomes a new lot remembering its pledge line (the start of the
donor's trace, :mod:`lifeline.supplies.selectors.trace`); the first receipt texts the
donor a thank-you with what was received, through the outbox, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import ServiceError
from lifeline.core.outbox import enqueue_sms
from lifeline.core.personal import normalise_phone, phone_is_valid
from lifeline.registry.models import Unit
from lifeline.supplies.models import (
    DONATION_KINDS,
    Donor,
    DonorKind,
    EntryKind,
    Item,
    MoneyDonation,
    Pledge,
    PledgeLine,
    PledgeStatus,
    Warehouse,
    WarehouseKind,
)
from lifeline.supplies.services import ledger
from lifeline.supplies.services.ledger import Ref
from lifeline.supplies.services.quantities import parse_quantity, show, to_base

REF_TYPE = "supplies.pledge"
MAX_LINES = 50
MAX_MONEY = Decimal("1000000000")


def _invalid(fields: dict[str, list[str]]) -> ServiceError:
    return ServiceError(_("Please correct the marked fields."), fields=fields)


def require_donations(actor: Actor, unit_id: int) -> None:
    """``SUPPLIES_DONATIONS`` at the unit that keeps the donor's file."""
    require(
        actor,
        Perm.SUPPLIES_DONATIONS,
        unit_id=unit_id,
        message=_("You may not record donations for this unit."),
    )


def _text(value: str | None, limit: int) -> str:
    return (value or "").strip()[:limit]


def _money(value: Any, field: str, *, required: bool = False) -> Decimal | None:
    """A positive amount of yuan with at most two places, or None when left empty."""
    if value is None or str(value).strip() == "":
        if required:
            raise _invalid({field: [_("Enter the amount.")]})
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise _invalid({field: [_("Enter an amount in yuan.")]}) from None
    if not amount.is_finite() or amount <= 0 or amount >= MAX_MONEY:
        raise _invalid({field: [_("Enter an amount in yuan more than zero.")]})
    if amount != amount.quantize(Decimal("0.01")):
        raise _invalid({field: [_("Use at most two decimal places.")]})
    return amount


# Donors ---------------------------------------------------------------------------------


def donor_create(
    *,
    actor: Actor,
    unit: Unit,
    kind: str,
    name: str,
    contact_name: str = "",
    contact_phone: str = "",
) -> Donor:
    """A donor's file, kept by ``unit``. Needs ``SUPPLIES_DONATIONS`` there."""
    require_donations(actor, unit.pk)
    fields: dict[str, list[str]] = {}
    name = _text(name, 1000)
    contact_name = _text(contact_name, 1000)
    phone = normalise_phone(contact_phone or "")
    if kind not in DonorKind.values:
        fields["kind"] = [_("Choose whether the donor is an organisation or a person.")]
    if not name or len(name) > 150:
        fields["name"] = [_("Give the donor's name (at most 150 characters).")]
    if len(contact_name) > 50:
        fields["contact_name"] = [_("At most 50 characters.")]
    if phone and (not phone_is_valid(phone) or len(phone) > 20):
        fields["contact_phone"] = [_("Enter a valid phone number.")]
    if fields:
        raise _invalid(fields)
    with transaction.atomic():
        donor = Donor.objects.create(
            kind=kind,
            name=name,
            contact_name=contact_name,
            contact_phone=phone,
            unit=unit,
            created_at=clock.now(),
        )
        audit_log(actor=actor, action="supplies.donor_created", obj=donor)
    return donor


# Pledges --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogisticsContact:
    """Where donated goods must go instead: the logistics group's warehouse and contact."""

    group: str
    warehouse: str
    contact_name: str
    phone: str


def logistics_contact(unit_id: int | None = None) -> LogisticsContact | None:
    """The logistics group's warehouse (the one of ``unit_id`` first) and its contact."""
    warehouses = Warehouse.objects.filter(kind=WarehouseKind.LOGISTICS, active=True).select_related(
        "unit"
    )
    chosen = (unit_id and warehouses.filter(unit_id=unit_id).first()) or warehouses.first()
    if chosen is None:
        return None
    return LogisticsContact(
        group=chosen.unit.name,
        warehouse=chosen.name,
        contact_name=chosen.contact_name,
        # The group's own line first (a published number), else the warehouse contact's.
        phone=chosen.unit.phone or chosen.contact_phone,
    )


def direct_refusal(unit_id: int | None = None) -> str:
    """The message for a pledge to deliver straight to a street, community or canteen."""
    contact = logistics_contact(unit_id)
    if contact is None:
        return _(
            "Donated goods are not delivered straight to a community, street or canteen: "
            "they go to the command centre's logistics group, which matches them to needs."
        )
    return _(
        "Donated goods are not delivered straight to a community, street or canteen: please "
        "send them to %(group)s (%(warehouse)s), contact %(contact)s, phone %(phone)s, "
        "which matches them to needs."
    ) % {
        "group": contact.group,
        "warehouse": contact.warehouse,
        "contact": contact.contact_name or "—",
        "phone": contact.phone or "—",
    }


def may_deliver_direct() -> bool:
    return bool(getattr(settings, "LIFELINE_DONATIONS_DIRECT", False))


Line = tuple[Item, Any, str | None, Any]


def pledge_create(
    *,
    actor: Actor,
    donor: Donor,
    warehouse: Warehouse,
    lines: list[Line],
    channel: Unit | None = None,
    value: Any = None,
    note: str = "",
) -> Pledge:
    """A donor's pledge of goods to be received at ``warehouse``; ``lines`` are
    ``(item, quantity, unit code, value)``, each quantity converted to the item's base
    unit. Refused (nothing written) for a zero, negative or unknown-unit quantity, and for
    a warehouse that is not the logistics group's or the Red Cross's (unless direct
    deliveries are allowed), with the logistics group's contact in the message."""
    require_donations(actor, donor.unit_id)
    if warehouse.kind not in DONATION_KINDS and not may_deliver_direct():
        message = direct_refusal(donor.unit_id)
        raise ServiceError(message, code="direct_delivery", fields={"warehouse": [message]})
    fields: dict[str, list[str]] = {}
    if not warehouse.active:
        fields["warehouse"] = [_("This warehouse is closed.")]
    if not lines:
        fields["lines"] = [_("A pledge needs at least one line.")]
    if len(lines) > MAX_LINES:
        fields["lines"] = [_("At most %(n)d lines.") % {"n": MAX_LINES}]
    note = _text(note, 1000)
    if len(note) > 300:
        fields["note"] = [_("At most 300 characters.")]
    parsed: list[tuple[Item, Decimal, Decimal | None]] = []
    for i, (item, quantity, unit_code, line_value) in enumerate(lines[:MAX_LINES]):
        try:
            base = to_base(item, quantity, unit_code)
            amount = _money(line_value, "value")
        except ServiceError as error:
            for name, texts in error.fields.items():
                fields[f"lines.{i}.{name}"] = [f"{item.local_name}: {t}" for t in texts]
            continue
        if not item.active:
            fields[f"lines.{i}.item"] = [_("%(item)s is no longer stocked.") % {"item": item}]
            continue
        parsed.append((item, base, amount))
    try:
        total = _money(value, "value")
    except ServiceError as error:
        fields.update(error.fields)
        total = None
    if fields:
        raise _invalid(fields)
    if total is None and all(v is not None for _i, _q, v in parsed):
        total = sum((v for _i, _q, v in parsed if v is not None), Decimal(0))
    with transaction.atomic():
        pledge = Pledge.objects.create(
            donor=donor,
            unit_id=donor.unit_id,
            channel=channel,
            warehouse=warehouse,
            value=total,
            note=note,
            created_by=user_of(actor),
            created_at=clock.now(),
        )
        PledgeLine.objects.bulk_create(
            PledgeLine(pledge=pledge, item=item, quantity=quantity, value=amount)
            for item, quantity, amount in parsed
        )
        audit_log(actor=actor, action="supplies.pledge_created", obj=pledge)
    return pledge


# Receiving ------------------------------------------------------------------------------


@dataclass
class _Receipt:
    line: PledgeLine
    received: Decimal
    damaged: Decimal
    lot_no: str
    expires_on: dt.date | None
    reason: str


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _invalid({field: [_("Enter a date (YYYY-MM-DD).")]}) from None


def _read_receipts(pledge: Pledge, lines: list[dict[str, Any]]) -> list[_Receipt]:
    """Every line checked before anything is written; all errors at once."""
    by_id = {line.pk: line for line in pledge.lines.select_related("item__base_unit")}
    fields: dict[str, list[str]] = {}
    receipts: list[_Receipt] = []
    seen: set[int] = set()
    for entry in lines:
        line = by_id.get(_int(entry.get("line_id")))
        if line is None or line.pk in seen:
            fields["lines"] = [_("A line does not belong to this pledge.")]
            continue
        seen.add(line.pk)
        key = f"line_{line.pk}"
        name = line.item.local_name
        try:
            received = parse_quantity(
                entry.get("received") or 0, field=f"{key}_received", allow_zero=True
            )
            damaged = parse_quantity(
                entry.get("damaged") or 0, field=f"{key}_damaged", allow_zero=True
            )
            expires_on = _date(entry.get("expires_on"), f"{key}_expires_on")
        except ServiceError as error:
            for field, texts in error.fields.items():
                fields[field] = [f"{name}: {t}" for t in texts]
            continue
        reason = _text(entry.get("reason"), 1000)
        lot_no = _text(entry.get("lot_no"), 1000)
        if len(reason) > 200:
            fields[f"{key}_reason"] = [_("At most 200 characters.")]
        if len(lot_no) > 40:
            fields[f"{key}_lot_no"] = [_("At most 40 characters.")]
        if received == 0 and damaged == 0:
            continue
        arrived = line.received + line.damaged + received + damaged
        if arrived > line.quantity and not reason:
            fields[f"{key}_reason"] = [
                _(
                    "%(item)s: %(arrived)s %(unit)s would have arrived against %(pledged)s "
                    "pledged; say why more was taken in."
                )
                % {
                    "item": name,
                    "arrived": show(arrived),
                    "pledged": show(line.quantity),
                    "unit": line.item.base_unit.local_name,
                }
            ]
        if received and line.item.tracks_expiry and expires_on is None:
            fields[f"{key}_expires_on"] = [_("%(item)s: give the expiry date.") % {"item": name}]
        if expires_on is not None and expires_on < clock.today() and received:
            fields[f"{key}_expires_on"] = [
                _("%(item)s: this expiry date has passed; record the goods as damaged.")
                % {"item": name}
            ]
        receipts.append(_Receipt(line, received, damaged, lot_no, expires_on, reason))
    if not receipts and not fields:
        fields["lines"] = [_("Enter what was received or damaged on at least one line.")]
    if fields:
        raise _invalid(fields)
    return receipts


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _status(lines: list[PledgeLine]) -> str:
    if all(line.received + line.damaged >= line.quantity for line in lines):
        return PledgeStatus.RECEIVED
    if any(line.received or line.damaged for line in lines):
        return PledgeStatus.PARTLY_RECEIVED
    return PledgeStatus.PLEDGED


def _discrepancy(line: PledgeLine, receipt: _Receipt) -> str:
    parts = [line.discrepancy] if line.discrepancy else []
    arrived = line.received + line.damaged
    if receipt.damaged:
        parts.append(_("%(n)s damaged") % {"n": show(receipt.damaged)})
    if arrived > line.quantity:
        parts.append(_("%(n)s more than pledged") % {"n": show(arrived - line.quantity)})
    if receipt.reason:
        parts.append(receipt.reason)
    return "; ".join(parts)[-300:]


def _thank_you(pledge: Pledge, receipts: list[_Receipt]) -> bool:
    """Queue the thank-you and receipt text to the donor (in the city's language)."""
    phone = pledge.donor.contact_phone
    if not phone:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        listed = _("; ").join(
            _("%(item)s %(quantity)s %(unit)s")
            % {
                "item": r.line.item.local_name,
                "quantity": show(r.received),
                "unit": r.line.item.base_unit.local_name,
            }
            for r in receipts
            if r.received
        )
        body = _(
            "Thank you, %(donor)s: %(warehouse)s received your donation (pledge no. %(no)s): "
            "%(items)s. It goes to where it is needed most."
        ) % {
            "donor": pledge.donor.name,
            "warehouse": pledge.warehouse.name,
            "no": pledge.pk,
            "items": listed,
        }
    enqueue_sms(recipient=phone, body=body, object_type=REF_TYPE, object_id=str(pledge.pk))
    return True


def pledge_receive(*, actor: Actor, pledge: Pledge, lines: list[dict[str, Any]]) -> Pledge:
    """Take in goods against a pledge at its warehouse (``SUPPLIES_STOCK`` there).

    ``lines``: ``{line_id, received, damaged, lot_no, expires_on, reason}`` in the item's
    base unit. Each received quantity becomes a new lot of the pledge line (a RECEIPT);
    damaged goods are recorded on the line, not stocked. More than pledged (received and
    damaged, all receipts together) needs a reason. The first receipt queues the
    thank-you to the donor. All or nothing; the pledge row is locked so two officers
    receiving at once never over-count."""
    ledger.require_stock(actor, pledge.warehouse)
    with transaction.atomic():
        locked = (
            Pledge.objects.select_for_update()
            .select_related("donor", "warehouse")
            .get(pk=pledge.pk)
        )
        if locked.status == PledgeStatus.CANCELLED:
            raise ServiceError(_("This pledge was cancelled."), code="cancelled")
        receipts = _read_receipts(locked, lines)
        ref = Ref(REF_TYPE, locked.pk)
        for receipt in receipts:
            line = receipt.line
            line.received += receipt.received
            line.damaged += receipt.damaged
            line.discrepancy = _discrepancy(line, receipt)
            line.save(update_fields=["received", "damaged", "discrepancy"])
            if receipt.received:
                ledger.new_lot(
                    actor=actor,
                    warehouse=locked.warehouse,
                    item=line.item,
                    quantity=receipt.received,
                    kind=EntryKind.RECEIPT,
                    lot_no=receipt.lot_no,
                    expires_on=receipt.expires_on,
                    pledge_line=line,
                    reason=receipt.reason or _("Donation"),
                    ref=ref,
                )
        locked.status = _status(list(locked.lines.all()))
        update = ["status"]
        first = locked.thanked_at is None and any(r.received for r in receipts)
        if first and _thank_you(locked, receipts):
            locked.thanked_at = clock.now()
            update.append("thanked_at")
        locked.save(update_fields=update)
        audit_log(
            actor=actor,
            action="supplies.pledge_received",
            obj=locked,
            area_path=locked.warehouse.area_path,
        )
    pledge.refresh_from_db()
    return pledge


def pledge_cancel(*, actor: Actor, pledge: Pledge, reason: str) -> Pledge:
    """Cancel a pledge nothing was received against."""
    require_donations(actor, pledge.unit_id)
    reason = _text(reason, 1000)
    if not reason or len(reason) > 200:
        raise _invalid({"reason": [_("Give the reason (at most 200 characters).")]})
    with transaction.atomic():
        locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if locked.status != PledgeStatus.PLEDGED:
            raise ServiceError(
                _("Goods were already received against this pledge."), code="received"
            )
        locked.status = PledgeStatus.CANCELLED
        locked.note = f"{locked.note} {reason}".strip()[:300]
        locked.save(update_fields=["status", "note"])
        audit_log(actor=actor, action="supplies.pledge_cancelled", obj=locked)
    return locked


# Money ----------------------------------------------------------------------------------


def money_record(
    *,
    actor: Actor,
    donor: Donor,
    amount: Any,
    received_on: dt.date | str,
    channel: Unit | None = None,
    use: str = "",
) -> MoneyDonation:
    """Money given by ``donor`` (recorded, not processed)."""
    require_donations(actor, donor.unit_id)
    fields: dict[str, list[str]] = {}
    value: Decimal | None = None
    try:
        value = _money(amount, "amount", required=True)
    except ServiceError as error:
        fields.update(error.fields)
    day: dt.date | None = None
    try:
        day = _date(received_on, "received_on")
    except ServiceError as error:
        fields.update(error.fields)
    if day is None and "received_on" not in fields:
        fields["received_on"] = [_("Enter a date (YYYY-MM-DD).")]
    elif day is not None and day > clock.today():
        fields["received_on"] = [_("This date is in the future.")]
    use = _text(use, 1000)
    if len(use) > 300:
        fields["use"] = [_("At most 300 characters.")]
    if fields:
        raise _invalid(fields)
    assert value is not None and day is not None
    with transaction.atomic():
        money = MoneyDonation.objects.create(
            donor=donor,
            unit_id=donor.unit_id,
            channel=channel,
            amount=value,
            received_on=day,
            use=use,
            created_by=user_of(actor),
            created_at=clock.now(),
        )
        audit_log(actor=actor, action="supplies.money_recorded", obj=money)
    return money


def money_use_set(*, actor: Actor, money: MoneyDonation, use: str) -> MoneyDonation:
    """Record what a money donation was used for."""
    require_donations(actor, money.unit_id)
    use = _text(use, 1000)
    if not use or len(use) > 300:
        raise _invalid({"use": [_("Say what the money was used for (at most 300 characters).")]})
    with transaction.atomic():
        MoneyDonation.objects.filter(pk=money.pk).update(use=use)
        audit_log(actor=actor, action="supplies.money_use_set", obj=money, fields=["use"])
    money.use = use
    return money


__all__ = [
    "REF_TYPE",
    "LogisticsContact",
    "direct_refusal",
    "donor_create",
    "logistics_contact",
    "may_deliver_direct",
    "money_record",
    "money_use_set",
    "pledge_cancel",
    "pledge_create",
    "pledge_receive",
    "require_donations",
]
