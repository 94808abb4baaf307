"""Shipments: what leaves a warehouse with a waybill, the text to the receiving contact,
and the receipt they confirm on a phone (a one-time code or a drawn signature).

``shipment_create`` is called by the allocation approval (which holds the transaction and
has checked ``SUPPLIES_ALLOCATE``): it writes the shipment and its lines and takes the
stock out of the given lots (an ISSUE entry each, refused with ``Short`` when a lot holds
too little, nothing written then).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
import struct
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, require
from lifeline.core import clock, ratelimit
from lifeline.core.actors import Actor, system, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, ServiceError
from lifeline.core.outbox import enqueue_sms
from lifeline.core.personal import lookup_hash, normalise_phone, phone_is_valid
from lifeline.registry.models import Area
from lifeline.supplies.models import (
    EntryKind,
    Lot,
    Need,
    NeedStatus,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    Warehouse,
)
from lifeline.supplies.services import ledger
from lifeline.supplies.services.ledger import Ref
from lifeline.supplies.services.quantities import parse_quantity, show
from lifeline.teams.services import delivery_cancel, delivery_create_at_place

REF_TYPE = "supplies.shipment"
WAYBILL_PREFIX = "WB"
WAYBILL_TRIES = 50
# The receipt link: signed (the proof of which shipment), good for a month.
TOKEN_SALT = "lifeline.supplies.shipment.receive"
TOKEN_AGE = dt.timedelta(days=30)
# The one-time code (the proof of the person): five wrong tries spend it.
CODE_TRIES = ratelimit.Limit(5, dt.timedelta(days=1))
# A drawn signature: a PNG data URL of at most this many characters.
SIGNATURE_PREFIX = "data:image/png;base64,"
SIGNATURE_MAX = 200_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_NOTE = 300
# First expired first out, as the ledger locks lots.
LOT_ORDER: list[Any] = list(Lot._meta.ordering or [])


def ref_of(shipment: Shipment) -> Ref:
    return Ref(REF_TYPE, shipment.pk)


def _invalid(fields: dict[str, list[str]]) -> ServiceError:
    return ServiceError(_("Please correct the marked fields."), fields=fields)


def _waybill_prefix() -> str:
    return f"{WAYBILL_PREFIX}-{clock.today():%Y%m%d}-"


def _save_with_waybill(shipment: Shipment) -> None:
    """Give the shipment the next waybill number of the day and save it. The number is
    unique in the database; two shipments racing for the same number: the second one's
    savepoint rolls back and it takes the next."""
    prefix = _waybill_prefix()
    number = Shipment.objects.filter(waybill_no__startswith=prefix).count() + 1
    for _try in range(WAYBILL_TRIES):
        shipment.waybill_no = f"{prefix}{number:04d}"
        try:
            with transaction.atomic():
                shipment.save(force_insert=True)
            return
        except IntegrityError:
            shipment.pk = None
            number += 1
    raise ServiceError(_("Could not number the waybill; try again."), code="busy")


def shipment_create(
    *,
    actor: Actor,
    from_warehouse: Warehouse,
    to_area: Area,
    to_label: str,
    contact_name: str,
    contact_phone: str,
    lines: list[tuple[Need | None, Lot, Decimal]],
    lat: float | None = None,
    lng: float | None = None,
    to_warehouse: Warehouse | None = None,
    note: str = "",
) -> Shipment:
    """A prepared shipment from ``from_warehouse`` to a place, its lines taken out of
    their lots. The caller holds the transaction and has checked ``SUPPLIES_ALLOCATE``."""
    fields: dict[str, list[str]] = {}
    to_label = (to_label or "").strip()
    contact_name = (contact_name or "").strip()
    phone = normalise_phone(contact_phone or "")
    if not to_label or len(to_label) > 150:
        fields["to_label"] = [_("Say where it goes (at most 150 characters).")]
    if not contact_name or len(contact_name) > 50:
        fields["contact_name"] = [_("Name the receiving contact (at most 50 characters).")]
    if not phone_is_valid(phone) or len(phone) > 20:
        fields["contact_phone"] = [_("Enter a valid phone number.")]
    if not lines:
        fields["lines"] = [_("A shipment needs at least one line.")]
    if to_warehouse is not None and to_warehouse.pk == from_warehouse.pk:
        fields["to_warehouse"] = [_("Choose another warehouse to receive it.")]
    for need, lot, quantity in lines:
        if lot.warehouse_id != from_warehouse.pk:
            fields["lines"] = [_("Every line must come from the sending warehouse.")]
        elif need is not None and need.item_id != lot.item_id:
            fields["lines"] = [_("A line's lot holds another item than its need.")]
        elif quantity is None or Decimal(quantity) <= 0:
            fields["lines"] = [_("The quantity must be more than zero.")]
    if fields:
        raise _invalid(fields)

    with transaction.atomic():
        shipment = Shipment(
            from_warehouse=from_warehouse,
            unit_id=from_warehouse.unit_id,
            to_warehouse=to_warehouse,
            to_area=to_area,
            area_path=to_area.path,
            to_label=to_label,
            contact_name=contact_name,
            contact_phone=phone,
            lat=lat,
            lng=lng,
            status=ShipmentStatus.PREPARED,
            created_by=user_of(actor),
            created_at=clock.now(),
            note=(note or "").strip()[:300],
        )
        _save_with_waybill(shipment)
        # The lots locked first, in first-expired-first-out order (as the ledger does),
        # so two shipments from the same lots never wait on each other in a circle.
        list(
            Lot.objects.select_for_update()
            .filter(pk__in=[lot.pk for _n, lot, _q in lines])
            .order_by(*LOT_ORDER)
            .values_list("pk", flat=True)
        )
        reason = _("Waybill %(no)s") % {"no": shipment.waybill_no}
        for need, lot, quantity in lines:
            amount = Decimal(quantity)
            ledger.post(
                lot, -amount, EntryKind.ISSUE, actor=actor, ref=ref_of(shipment), reason=reason
            )
            ShipmentLine.objects.create(
                shipment=shipment, need=need, lot=lot, item_id=lot.item_id, quantity=amount
            )
        _plan_visit(actor, shipment, [need for need, _lot, _q in lines if need is not None])
        audit_log(
            actor=actor,
            action="supplies.shipment_created",
            obj=shipment,
            area_path=shipment.area_path,
        )
    return shipment


def _position(shipment: Shipment, needs: list[Need]) -> tuple[float | None, float | None]:
    """Where the shipment goes: its own position, else a need's, else the building of a
    need's household."""
    if shipment.lat is not None and shipment.lng is not None:
        return shipment.lat, shipment.lng
    for need in needs:
        if need.lat is not None and need.lng is not None:
            return need.lat, need.lng
        building = need.household.building if need.household is not None else need.building
        if building is not None and building.lat is not None and building.lng is not None:
            return building.lat, building.lng
    return None, None


def _plan_visit(actor: Actor, shipment: Shipment, needs: list[Need]) -> None:
    """A visit on the field teams' queue (a teams delivery carried by the sending unit's
    teams, today) at the shipment's place: a household's, or a store's, a canteen's, a
    street's position. Teams refuses an actor who may not send supplies there, or a place
    with no position: the shipment is then made without a visit (``delivery_id`` empty)."""
    lat, lng = _position(shipment, needs)
    if lat is None or lng is None:
        return
    what = f"{shipment.waybill_no} {', '.join(sorted({n.item.local_name for n in needs}))}"
    try:
        with transaction.atomic():
            visit = delivery_create_at_place(
                actor=actor,
                unit_id=shipment.unit_id,
                area=shipment.to_area,
                day=clock.today(),
                what=what[:100],
                address=shipment.to_label,
                lat=lat,
                lng=lng,
                size=max(1, min(len(needs), 1000)),
            )
    except ServiceError:
        return
    shipment.delivery_id = visit.pk
    shipment.save(update_fields=["delivery_id"])


# Dispatch -------------------------------------------------------------------------------


def require_sender(actor: Actor, shipment: Shipment) -> None:
    """Dispatch and cancel: the logistics group or the sending warehouse's staff."""
    warehouse = shipment.from_warehouse
    require(
        actor,
        (Perm.SUPPLIES_ALLOCATE, Perm.SUPPLIES_STOCK),
        path=warehouse.area_path,
        unit_id=warehouse.unit_id,
        message=_("You may not send shipments from this warehouse."),
    )


def receive_token(shipment: Shipment) -> str:
    return signing.dumps(shipment.pk, salt=TOKEN_SALT)


def receive_link(shipment: Shipment) -> str:
    """The receiver's page (a path: the SMS gateway adds the site's address)."""
    return reverse("supplies:receive", args=[receive_token(shipment)])


def shipment_for_token(token: str) -> Shipment:
    """The shipment a receipt link names; NotFound for a forged or expired link."""
    try:
        pk = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        raise NotFound(_("This link is not valid, or has expired.")) from None
    shipment = (
        Shipment.objects.select_related("from_warehouse", "to_warehouse").filter(pk=pk).first()
    )
    if shipment is None:
        raise NotFound(_("This link is not valid, or has expired."))
    return shipment


def _code_hash(shipment: Shipment, code: str) -> str:
    return lookup_hash(f"shipment:{shipment.pk}:{code.strip()}")


def _lock(shipment: Shipment) -> Shipment:
    return (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("from_warehouse", "to_warehouse")
        .get(pk=shipment.pk)
    )


def contents(shipment: Shipment) -> str:
    """What is coming, in a line: "大米 100 公斤, N95口罩 2000 件"."""
    parts = [
        f"{line.item.local_name} {show(line.quantity)} {line.item.base_unit.local_name}"
        for line in shipment.lines.select_related("item__base_unit")
    ]
    return ", ".join(parts)


def _text_code(shipment: Shipment) -> None:
    """A new one-time code, only its hash kept; texted with the link in the city's
    language (the receiver's phone, not the officer's page)."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    shipment.code_hash = _code_hash(shipment, code)
    with translation.override(settings.LANGUAGE_CODE):
        body = _(
            "Waybill %(no)s from %(from)s is on its way to %(to)s: %(what)s. "
            "Your receipt code is %(code)s. Confirm what arrives at %(link)s"
        ) % {
            "no": shipment.waybill_no,
            "from": shipment.from_warehouse.name,
            "to": shipment.to_label,
            "what": contents(shipment),
            "code": code,
            "link": receive_link(shipment),
        }
    enqueue_sms(
        recipient=shipment.contact_phone,
        body=body,
        object_type=REF_TYPE,
        object_id=str(shipment.pk),
    )


def shipment_dispatch(*, actor: Actor, shipment: Shipment) -> Shipment:
    """A prepared shipment leaves: on its way, and the receiving contact gets a text with
    the waybill, what is coming, a one-time code and the link to the receipt page."""
    require_sender(actor, shipment)
    with transaction.atomic():
        shipment = _lock(shipment)
        if shipment.status != ShipmentStatus.PREPARED:
            raise Conflict(_("This shipment has already left or was cancelled."), code="state")
        shipment.status = ShipmentStatus.DISPATCHED
        shipment.dispatched_at = clock.now()
        _text_code(shipment)
        shipment.save(update_fields=["status", "dispatched_at", "code_hash"])
        audit_log(
            actor=actor,
            action="supplies.shipment_dispatched",
            obj=shipment,
            area_path=shipment.area_path,
        )
    return shipment


def shipment_resend_code(*, actor: Actor, shipment: Shipment) -> Shipment:
    """A new code (the old one lost or spent by wrong tries) for a shipment on its way."""
    require_sender(actor, shipment)
    with transaction.atomic():
        shipment = _lock(shipment)
        if shipment.status != ShipmentStatus.DISPATCHED:
            raise Conflict(_("This shipment is not on its way."), code="state")
        _text_code(shipment)
        shipment.save(update_fields=["code_hash"])
        audit_log(
            actor=actor,
            action="supplies.shipment_code_sent",
            obj=shipment,
            area_path=shipment.area_path,
        )
    return shipment


def shipment_cancel(*, actor: Actor, shipment: Shipment, reason: str = "") -> Shipment:
    """A shipment that has not left is cancelled: its stock goes back into the same lots
    and its needs give back what was allocated to it."""
    require_sender(actor, shipment)
    with transaction.atomic():
        shipment = _lock(shipment)
        if shipment.status != ShipmentStatus.PREPARED:
            raise Conflict(_("Only a shipment that has not left can be cancelled."), code="state")
        note = _("cancelled")
        if reason.strip():
            note = f"{note}: {reason.strip()}"
        lines = list(shipment.lines.select_related("lot", "need").order_by("lot_id"))
        for line in lines:
            ledger.post(
                line.lot,
                line.quantity,
                EntryKind.TRANSFER_IN,
                actor=actor,
                reason=note,
                ref=ref_of(shipment),
            )
        _give_back(lines)
        if shipment.delivery_id is not None:
            delivery_cancel(actor=actor, delivery_id=shipment.delivery_id, reason=note)
        shipment.status = ShipmentStatus.CANCELLED
        shipment.note = note[:MAX_NOTE]
        shipment.save(update_fields=["status", "note"])
        audit_log(
            actor=actor,
            action="supplies.shipment_cancelled",
            obj=shipment,
            area_path=shipment.area_path,
        )
    return shipment


def _give_back(lines: list[ShipmentLine]) -> None:
    by_need: dict[int, Decimal] = {}
    for line in lines:
        if line.need_id is not None:
            by_need[line.need_id] = by_need.get(line.need_id, Decimal(0)) + line.quantity
    for need in Need.objects.select_for_update().filter(pk__in=by_need).order_by("pk"):
        need.allocated = max(Decimal(0), need.allocated - by_need[need.pk])
        if need.status in (NeedStatus.ALLOCATED, NeedStatus.PARTLY):
            need.status = NeedStatus.PARTLY if need.allocated else NeedStatus.OPEN
        need.save(update_fields=["allocated", "status"])


# Receipt --------------------------------------------------------------------------------


def signature_is_valid(value: str) -> bool:
    """A PNG data URL of a sane size whose bytes are a PNG with a sane picture size."""
    if not value.startswith(SIGNATURE_PREFIX) or len(value) > SIGNATURE_MAX:
        return False
    try:
        data = base64.b64decode(value[len(SIGNATURE_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(data) < 33 or not data.startswith(PNG_MAGIC) or data[12:16] != b"IHDR":
        return False
    width, height = struct.unpack(">II", data[16:24])
    return 0 < width <= 2000 and 0 < height <= 2000


def _read_lines(
    shipment: Shipment, lines: Mapping[Any, Any], notes: Mapping[Any, Any]
) -> tuple[dict[int, tuple[Decimal, str]], dict[str, list[str]]]:
    """Received quantity and discrepancy note per line, with the field errors."""
    fields: dict[str, list[str]] = {}
    read: dict[int, tuple[Decimal, str]] = {}
    given = {str(k): v for k, v in lines.items()}
    said = {str(k): str(v or "").strip() for k, v in notes.items()}
    for line in shipment.lines.select_related("item__base_unit"):
        key = str(line.pk)
        name = f"line_{line.pk}"
        if given.get(key) in (None, ""):
            fields[name] = [_("Enter how much arrived (0 if nothing).")]
            continue
        try:
            received = parse_quantity(given[key], field=name, allow_zero=True)
        except ServiceError as error:
            fields.update(error.fields)
            continue
        note = said.get(key, "")
        if received > line.quantity:
            fields[name] = [
                _("More than was sent (%(sent)s %(unit)s).")
                % {"sent": show(line.quantity), "unit": line.item.base_unit.local_name}
            ]
        elif received < line.quantity and not note:
            fields[f"note_{line.pk}"] = [_("Say what is missing or damaged.")]
        elif len(note) > MAX_NOTE:
            fields[f"note_{line.pk}"] = [_("At most 300 characters.")]
        read[line.pk] = (received, note)
    unknown = set(given) - {str(pk) for pk in shipment.lines.values_list("pk", flat=True)}
    if unknown:
        fields["lines"] = [_("A line that is not on this waybill.")]
    return read, fields


def _check_code(shipment: Shipment, code: str) -> None:
    """Refuse a wrong code; the fifth wrong try spends the code (committed even though
    the confirmation is refused)."""
    if not shipment.code_hash:
        raise ServiceError(
            _("This code no longer works. Sign instead, or ask the sender for a new code."),
            code="code_spent",
            fields={"code": [_("No longer works.")]},
        )
    if secrets.compare_digest(shipment.code_hash, _code_hash(shipment, code)):
        return
    verdict = ratelimit.hit(f"shipment-code:{shipment.pk}:{shipment.code_hash[:12]}", CODE_TRIES)
    with transaction.atomic():
        if verdict.used >= CODE_TRIES.count:
            Shipment.objects.filter(pk=shipment.pk, code_hash=shipment.code_hash).update(
                code_hash=""
            )
            audit_log(
                actor=system("wrong receipt codes"),
                action="supplies.shipment_code_spent",
                obj=shipment,
                area_path=shipment.area_path,
            )
    raise ServiceError(
        _("That code is wrong."), code="bad_code", fields={"code": [_("Wrong code.")]}
    )


def require_receiver(actor: Actor, shipment: Shipment) -> None:
    """A signed-in person recording the receipt for the contact: the receiving stock
    point's staff, or the sender's."""
    into = shipment.to_warehouse
    if into is not None and can(
        actor, Perm.SUPPLIES_STOCK, path=into.area_path, unit_id=into.unit_id
    ):
        return
    require_sender(actor, shipment)


def shipment_confirm(
    *,
    token_or_shipment: str | Shipment,
    received_by: str,
    lines: Mapping[Any, Any],
    notes: Mapping[Any, Any] | None = None,
    code: str | None = None,
    signature: str | None = None,
    note: str = "",
    actor: Actor | None = None,
) -> Shipment:
    """The receiving contact confirms what arrived, proved by the texted code or by a
    signature drawn on the phone. Each line's received quantity (never more than sent;
    less only with a note) is kept; the shipment is delivered, or delivered with a
    discrepancy. A short delivery is not put back in stock: the officer resolves it with
    an adjustment. What arrives at a stock point enters it as new lots that keep their
    origin; each need's delivered quantity grows.

    With a token (the link) nobody is signed in; with a shipment, ``actor`` records it for
    the contact and must be the sender's or the receiving stock point's staff."""
    if isinstance(token_or_shipment, Shipment):
        if actor is None:
            raise NotFound()
        shipment = token_or_shipment
        require_receiver(actor, shipment)
    else:
        shipment = shipment_for_token(token_or_shipment)
    who = actor if actor is not None else system("receipt by the receiving contact")
    if shipment.status != ShipmentStatus.DISPATCHED:
        raise Conflict(_("This shipment is not waiting for a receipt."), code="state")
    read, fields = _read_lines(shipment, lines, notes or {})
    received_by = (received_by or "").strip()
    if not received_by or len(received_by) > 50:
        fields["received_by"] = [_("Give the name of who received it (at most 50 characters).")]
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        fields["note"] = [_("At most 300 characters.")]
    code = (code or "").strip()
    signature = (signature or "").strip()
    if not code and not signature:
        fields["code"] = [_("Enter the code from the text message, or sign.")]
    elif not code and not signature_is_valid(signature):
        fields["signature"] = [_("The signature could not be read; sign again.")]
    if fields:
        raise _invalid(fields)
    if code:
        _check_code(shipment, code)
        signature = ""
    with transaction.atomic():
        shipment = _lock(shipment)
        if shipment.status != ShipmentStatus.DISPATCHED:
            raise Conflict(_("This shipment is not waiting for a receipt."), code="state")
        short = _record_lines(shipment, read, who)
        shipment.status = ShipmentStatus.DISCREPANCY if short else ShipmentStatus.DELIVERED
        shipment.delivered_at = clock.now()
        shipment.received_by = received_by
        shipment.signature = signature
        shipment.code_hash = ""
        shipment.note = note or shipment.note
        shipment.save(
            update_fields=[
                "status",
                "delivered_at",
                "received_by",
                "signature",
                "code_hash",
                "note",
            ]
        )
        audit_log(
            actor=who,
            action="supplies.shipment_received",
            obj=shipment,
            area_path=shipment.area_path,
            purpose="code" if code else "signature",
        )
    return shipment


def _record_lines(shipment: Shipment, read: dict[int, tuple[Decimal, str]], who: Actor) -> bool:
    """Each line's receipt, the transfer into the receiving stock point and the needs'
    delivered quantities; True when anything arrived short."""
    short = False
    by_need: dict[int, Decimal] = {}
    for line in shipment.lines.select_related("lot", "item").order_by("pk"):
        received, note = read[line.pk]
        line.received = received
        line.discrepancy = note if received < line.quantity else ""
        line.save(update_fields=["received", "discrepancy"])
        short = short or received < line.quantity
        if received and shipment.to_warehouse is not None:
            ledger.new_lot(
                actor=who,
                warehouse=shipment.to_warehouse,
                item=line.item,
                quantity=received,
                kind=EntryKind.TRANSFER_IN,
                lot_no=line.lot.lot_no,
                expires_on=line.lot.expires_on,
                pledge_line=line.lot.pledge_line,
                source_lot=line.lot,
                reason=_("Waybill %(no)s") % {"no": shipment.waybill_no},
                ref=ref_of(shipment),
            )
        if line.need_id is not None and received:
            by_need[line.need_id] = by_need.get(line.need_id, Decimal(0)) + received
    for need in Need.objects.select_for_update().filter(pk__in=by_need).order_by("pk"):
        need.delivered += by_need[need.pk]
        fields = ["delivered"]
        if need.delivered >= need.quantity and need.status != NeedStatus.CANCELLED:
            need.status = NeedStatus.DELIVERED
            fields.append("status")
        need.save(update_fields=fields)
    return short
