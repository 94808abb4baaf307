"""Shipments: made from lots (stock taken, all or nothing), dispatched with a texted code,
received with the code or a signature, short deliveries recorded, stock points receiving
lots that keep their origin, needs' delivered quantities kept."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from lifeline.core import clock
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.supplies.models import (
    Donor,
    DonorKind,
    EntryKind,
    LedgerEntry,
    Lot,
    NeedStatus,
    Pledge,
    PledgeLine,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    WarehouseKind,
)
from lifeline.supplies.services.ledger import Short, ledger_problems
from lifeline.supplies.services.shipments import (
    receive_token,
    shipment_cancel,
    shipment_confirm,
    shipment_dispatch,
    shipment_for_token,
    shipment_resend_code,
    signature_is_valid,
)
from lifeline.supplies.tests.scope_cases_shipments import (
    make_depot,
    make_need,
    png_data_url,
    ship,
)
from lifeline.teams.models import Delivery


@pytest.fixture
def depot(city):
    return make_depot("B", city.grid_b)


def _code(shipment: Shipment) -> str:
    text = OutboxMessage.objects.filter(object_id=str(shipment.pk)).latest("pk").body
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", text.split("/supplies/receive/")[0])
    assert match, text
    return match.group(1)


def _all(shipment: Shipment, **override: str) -> dict[int, str]:
    return {
        line.pk: override.get(line.item.code, str(line.quantity)) for line in shipment.lines.all()
    }


def test_create_takes_the_stock_and_numbers_the_waybill(city, depot):
    # Given a need for 40 kg of rice and 500 kg in stock
    need = make_need(depot, item="rice", quantity=40, area=city.grid_b)
    # When 40 kg and 300 masks are shipped
    shipment = ship(depot, city.grid_b, [(need, "rice", 40), (None, "n95", 300)])
    # Then the lots are drawn down by ISSUE entries naming the shipment
    assert re.fullmatch(r"WB-\d{8}-0001", shipment.waybill_no)
    assert shipment.status == ShipmentStatus.PREPARED
    assert shipment.unit_id == depot.unit.pk and shipment.area_path == city.grid_b.path
    depot.lots["rice"].refresh_from_db()
    assert depot.lots["rice"].on_hand == Decimal(460)
    entries = LedgerEntry.objects.filter(ref_type="supplies.shipment", ref_id=str(shipment.pk))
    assert sorted(e.quantity for e in entries) == [Decimal(-300), Decimal(-40)]
    assert {e.kind for e in entries} == {EntryKind.ISSUE}
    assert ledger_problems() == []
    # and the next one of the day takes the next number
    second = ship(depot, city.grid_b, [(None, "rice", 1)])
    assert second.waybill_no.endswith("-0002")
    assert AuditRecord.objects.filter(action="supplies.shipment_created").count() == 2


def test_create_short_writes_nothing(city, depot):
    before = (Shipment.objects.count(), LedgerEntry.objects.count(), ShipmentLine.objects.count())
    with pytest.raises(Short) as refused:
        ship(depot, city.grid_b, [(None, "n95", 100), (None, "rice", 501)])
    assert refused.value.missing == Decimal(1)
    assert "1" in str(refused.value.message)
    after = (Shipment.objects.count(), LedgerEntry.objects.count(), ShipmentLine.objects.count())
    assert after == before
    depot.lots["n95"].refresh_from_db()
    assert depot.lots["n95"].on_hand == Decimal(2000)


def test_create_refuses_a_lot_of_another_warehouse(city, depot):
    other = make_depot("A", city.grid_a)
    depot.lots["rice"] = other.lots["rice"]
    with pytest.raises(ServiceError) as refused:
        ship(depot, city.grid_b, [(None, "rice", 1)])
    assert "lines" in refused.value.fields
    assert Shipment.objects.count() == 0


def test_dispatch_texts_the_code_and_the_link(city, depot):
    shipment = ship(depot, city.grid_b, [(None, "rice", 25)])
    shipment = shipment_dispatch(actor=depot.officer, shipment=shipment)
    assert shipment.status == ShipmentStatus.DISPATCHED and shipment.dispatched_at
    text = OutboxMessage.objects.get(object_id=str(shipment.pk))
    assert text.recipient == "13912345678"
    assert shipment.waybill_no in text.body and "大米" in text.body and "25" in text.body
    link = re.search(r"/supplies/receive/([^/\s]+)/", text.body)
    assert link and shipment_for_token(link.group(1)).pk == shipment.pk
    code = _code(shipment)
    assert code not in shipment.code_hash and len(shipment.code_hash) == 64
    # Dispatching twice is refused
    with pytest.raises(Conflict):
        shipment_dispatch(actor=depot.officer, shipment=shipment)


def test_dispatch_refused_to_another_unit_and_to_a_grid_worker(city, depot, grid_worker_b):
    shipment = ship(depot, city.grid_b, [(None, "rice", 1)])
    other = make_depot("A", city.grid_a)
    with pytest.raises(NotFound):
        shipment_dispatch(actor=other.officer, shipment=shipment)
    with pytest.raises(PermissionDenied):
        shipment_dispatch(actor=grid_worker_b, shipment=shipment)
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.PREPARED
    assert not OutboxMessage.objects.exists()


def test_confirm_with_the_right_code_delivers_and_counts_the_need(city, depot):
    need = make_need(depot, item="rice", quantity=40, area=city.grid_b)
    shipment = ship(depot, city.grid_b, [(need, "rice", 40)], dispatch=True)
    done = shipment_confirm(
        token_or_shipment=receive_token(shipment),
        code=_code(shipment),
        received_by="李主任",
        lines=_all(shipment),
    )
    assert done.status == ShipmentStatus.DELIVERED and done.delivered_at
    assert done.received_by == "李主任" and done.code_hash == "" and done.signature == ""
    need.refresh_from_db()
    assert need.delivered == Decimal(40) and need.status == NeedStatus.DELIVERED
    record = AuditRecord.objects.get(action="supplies.shipment_received")
    assert record.purpose == "code"
    # The code works once
    with pytest.raises(Conflict):
        shipment_confirm(
            token_or_shipment=receive_token(shipment),
            code="000000",
            received_by="李主任",
            lines=_all(shipment),
        )


def test_wrong_codes_are_limited_to_five(city, depot):
    shipment = ship(depot, city.grid_b, [(None, "rice", 10)], dispatch=True)
    right = _code(shipment)
    wrong = "000000" if right != "000000" else "111111"
    token = receive_token(shipment)
    for _try in range(5):
        with pytest.raises(ServiceError) as refused:
            shipment_confirm(
                token_or_shipment=token, code=wrong, received_by="李", lines=_all(shipment)
            )
        assert refused.value.code == "bad_code"
    # The code is spent now: even the right one no longer works
    with pytest.raises(ServiceError) as spent:
        shipment_confirm(
            token_or_shipment=token, code=right, received_by="李", lines=_all(shipment)
        )
    assert spent.value.code == "code_spent"
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DISPATCHED and shipment.code_hash == ""
    # A new code from the sender works
    shipment_resend_code(actor=depot.officer, shipment=shipment)
    done = shipment_confirm(
        token_or_shipment=token, code=_code(shipment), received_by="李", lines=_all(shipment)
    )
    assert done.status == ShipmentStatus.DELIVERED


def test_signature_instead_of_the_code(city, depot):
    shipment = ship(depot, city.grid_b, [(None, "rice", 10)], dispatch=True)
    token = receive_token(shipment)
    for bad in ("data:image/png;base64,AAAA", "data:image/jpeg;base64,/9j/", "hello"):
        with pytest.raises(ServiceError) as refused:
            shipment_confirm(
                token_or_shipment=token, signature=bad, received_by="李", lines=_all(shipment)
            )
        assert "signature" in refused.value.fields
    too_big = png_data_url() + "A" * 300_000
    assert not signature_is_valid(too_big)
    with pytest.raises(ServiceError) as nothing:
        shipment_confirm(token_or_shipment=token, received_by="李", lines=_all(shipment))
    assert "code" in nothing.value.fields
    done = shipment_confirm(
        token_or_shipment=token, signature=png_data_url(), received_by="李", lines=_all(shipment)
    )
    assert done.status == ShipmentStatus.DELIVERED and done.signature.startswith("data:image/png")
    assert AuditRecord.objects.get(action="supplies.shipment_received").purpose == "signature"


def test_forged_link_is_not_found(city, depot):
    shipment = ship(depot, city.grid_b, [(None, "rice", 10)], dispatch=True)
    with pytest.raises(NotFound):
        shipment_confirm(
            token_or_shipment=receive_token(shipment) + "x",
            signature=png_data_url(),
            received_by="李",
            lines=_all(shipment),
        )


def test_short_delivery_needs_a_note_and_is_a_discrepancy(city, depot):
    need = make_need(depot, item="rice", quantity=40, area=city.grid_b)
    shipment = ship(depot, city.grid_b, [(need, "rice", 40), (None, "n95", 200)], dispatch=True)
    token = receive_token(shipment)
    rice = shipment.lines.get(item__code="rice")
    # More than was sent is refused; less without a note is refused
    for received, field in (("41", f"line_{rice.pk}"), ("35", f"note_{rice.pk}")):
        with pytest.raises(ServiceError) as refused:
            shipment_confirm(
                token_or_shipment=token,
                code=_code(shipment),
                received_by="李",
                lines=_all(shipment, rice=received),
            )
        assert field in refused.value.fields
    stock_before = Lot.objects.get(pk=depot.lots["rice"].pk).on_hand
    done = shipment_confirm(
        token_or_shipment=token,
        code=_code(shipment),
        received_by="李",
        lines=_all(shipment, rice="35"),
        notes={rice.pk: "一袋破损"},
    )
    assert done.status == ShipmentStatus.DISCREPANCY
    rice.refresh_from_db()
    assert rice.received == Decimal(35) and rice.discrepancy == "一袋破损"
    need.refresh_from_db()
    assert need.delivered == Decimal(35) and need.status == NeedStatus.ALLOCATED
    # The 5 kg short is not put back in stock
    assert Lot.objects.get(pk=depot.lots["rice"].pk).on_hand == stock_before
    assert ledger_problems() == []


def test_transfer_into_a_community_store_keeps_the_origin(city, depot):
    # Given masks in stock from a donor's pledge line
    lot = depot.lots["n95"]
    donor = Donor.objects.create(
        kind=DonorKind.ORGANISATION, name="红十字会", unit=depot.unit, created_at=clock.now()
    )
    pledge = Pledge.objects.create(
        donor=donor,
        unit=depot.unit,
        warehouse=depot.warehouse,
        created_by=depot.officer,
        created_at=clock.now(),
    )
    pledge_line = PledgeLine.objects.create(pledge=pledge, item=lot.item, quantity=2000)
    Lot.objects.filter(pk=lot.pk).update(pledge_line=pledge_line)
    lot.refresh_from_db()
    store = make_depot("S", city.community, kind=WarehouseKind.COMMUNITY, stock={}).warehouse
    shipment = ship(depot, city.community, [(None, "n95", 500)], to_warehouse=store, dispatch=True)
    shipment_confirm(
        token_or_shipment=receive_token(shipment),
        code=_code(shipment),
        received_by="社区仓管",
        lines=_all(shipment, n95="480"),
        notes={shipment.lines.get().pk: "20只受潮"},
    )
    arrived = Lot.objects.get(warehouse=store)
    assert arrived.on_hand == Decimal(480)
    assert arrived.source_lot_id == lot.pk
    assert arrived.pledge_line_id == pledge_line.pk
    assert (arrived.lot_no, arrived.expires_on) == (lot.lot_no, lot.expires_on)
    entry = arrived.entries.get()
    assert entry.kind == EntryKind.TRANSFER_IN and entry.ref_id == str(shipment.pk)
    assert ledger_problems() == []


def test_cancel_before_dispatch_returns_the_stock(city, depot):
    need = make_need(depot, item="rice", quantity=40, area=city.grid_b)
    shipment = ship(depot, city.grid_b, [(need, "rice", 40)])
    shipment = shipment_cancel(actor=depot.officer, shipment=shipment, reason="车辆故障")
    assert shipment.status == ShipmentStatus.CANCELLED
    assert Lot.objects.get(pk=depot.lots["rice"].pk).on_hand == Decimal(500)
    back = LedgerEntry.objects.filter(ref_id=str(shipment.pk), kind=EntryKind.TRANSFER_IN).get()
    assert back.quantity == Decimal(40)
    need.refresh_from_db()
    assert need.allocated == 0 and need.status == NeedStatus.OPEN
    with pytest.raises(Conflict):
        shipment_cancel(actor=depot.officer, shipment=shipment)
    dispatched = ship(depot, city.grid_b, [(None, "rice", 1)], dispatch=True)
    with pytest.raises(Conflict):
        shipment_cancel(actor=depot.officer, shipment=dispatched)


def test_a_shipment_puts_a_visit_on_the_teams_queue_at_its_place(city, depot):
    # Given a household need whose building is on the map
    household = city.people_b[0].household
    building = household.building
    building.lat, building.lng = 27.83, 113.15
    building.save(update_fields=["lat", "lng"])
    need = make_need(depot, item="rice", quantity=10, area=city.grid_b, household=household)
    # When the logistics officer ships it
    shipment = ship(depot, city.grid_b, [(need, "rice", 10)])
    # Then the sending unit's teams find a delivery visit there
    assert shipment.delivery_id is not None
    visit = Delivery.objects.get(pk=shipment.delivery_id)
    assert (visit.lat, visit.lng, visit.unit_id) == (27.83, 113.15, depot.unit.pk)
    assert shipment.waybill_no in visit.what and visit.area_path == city.grid_b.path
    # A place with no position on the map: the shipment is made without a visit
    other = make_need(depot, item="rice", quantity=10, area=city.grid_b)
    plain = ship(depot, city.grid_b, [(other, "rice", 10)])
    assert plain.delivery_id is None and Shipment.objects.count() == 2
    # Cancelled before it leaves: the visit goes off the teams' queue too
    shipment_cancel(actor=depot.officer, shipment=shipment, reason="改期")
    visit.refresh_from_db()
    assert visit.status == Delivery.Status.CANCELLED
