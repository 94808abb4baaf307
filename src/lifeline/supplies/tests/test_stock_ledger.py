"""The ledger as a warehouse officer meets it: receiving in a unit of measure, first
expired first out across lots, Short naming the item and what is missing, bad quantities
refused with nothing written, transfers keeping a lot's origin, adjustments with reasons,
and the ledger summing to what the lots hold."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lifeline.core.errors import NotFound, ServiceError
from lifeline.supplies.models import EntryKind, LedgerEntry, Lot
from lifeline.supplies.services import ledger
from lifeline.supplies.services.quantities import to_base
from lifeline.supplies.tests.scope_cases_stock import (
    item,
    make_officer,
    make_unit,
    make_warehouse,
    receive,
)
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(city: SmallCity) -> dict:
    unit = make_unit("U-LOG", "物资保障组")
    officer = make_officer("officer", unit=unit, area=city.district)
    return {
        "unit": unit,
        "officer": officer,
        "main": make_warehouse("WH-1", unit=unit, area=city.district, name="区物资仓库"),
        "street": make_warehouse("WH-2", unit=unit, area=city.street, name="街道物资点"),
    }


def _written() -> tuple[int, int]:
    return Lot.objects.count(), LedgerEntry.objects.count()


def test_vegetables_received_in_jin_are_kept_in_kilograms(place):
    vegetables = item("vegetables")
    amount = to_base(vegetables, "200", "jin")
    lot = ledger.stock_receive(
        actor=place["officer"], warehouse=place["main"], item=vegetables, quantity=amount
    )
    assert lot.on_hand == Decimal("100")
    assert to_base(item("n95"), "3", "n95_box20") == Decimal("60")


@pytest.mark.parametrize(
    ("code", "goods"),
    [("box", "n95"), ("suit_case50", "n95"), ("kg", "n95"), ("n95_box20", "protective_suit")],
)
def test_a_unit_the_item_is_not_counted_in_is_refused(code, goods):
    """A loose "box" is not the N95's box of 20; another item's pack or a weight neither."""
    with pytest.raises(ServiceError) as refused:
        to_base(item(goods), "3", code)
    assert list(refused.value.fields) == ["unit"]


def test_weights_convert_between_any_units_of_weight():
    assert to_base(item("vegetables"), "2", "jin") == Decimal("1")


def test_issue_takes_first_expired_first_across_lots(place):
    officer, main = place["officer"], place["main"]
    late = receive(officer, main, "n95", 100, days=300, lot_no="LATE")
    early = receive(officer, main, "n95", 100, days=30, lot_no="EARLY")
    middle = receive(officer, main, "n95", 100, days=90, lot_no="MID")
    taken = ledger.stock_issue(
        actor=officer, warehouse=main, item=item("n95"), quantity="150", reason="发社区"
    )
    assert [(lot.lot_no, -entry.quantity) for lot, entry in taken] == [
        ("EARLY", Decimal(100)),
        ("MID", Decimal(50)),
    ]
    for lot, held in ((early, 0), (middle, 50), (late, 100)):
        lot.refresh_from_db()
        assert lot.on_hand == held
    assert ledger.ledger_problems() == []


def test_issuing_more_than_in_stock_names_the_item_and_the_missing_amount(place):
    officer, main = place["officer"], place["main"]
    receive(officer, main, "n95", 40, days=30)
    receive(officer, main, "n95", 20, days=60)
    before = _written()
    with pytest.raises(ledger.Short) as refused:
        ledger.stock_issue(
            actor=officer, warehouse=main, item=item("n95"), quantity="100", reason="发社区"
        )
    message = str(refused.value.message)
    assert "N95口罩" in message and "60" in message and "40" in message
    assert refused.value.missing == Decimal(40) and refused.value.status == 409
    assert _written() == before


@pytest.mark.parametrize(
    "quantity,unit",
    [("0", ""), ("-5", ""), ("abc", ""), ("1.0001", ""), ("10", "furlong"), ("10", "kg")],
)
def test_bad_quantities_and_units_are_refused_and_nothing_is_written(place, quantity, unit):
    officer, main = place["officer"], place["main"]
    receive(officer, main, "n95", 50)
    before = _written()
    with pytest.raises(ServiceError) as refused:
        n95 = item("n95")
        ledger.stock_issue(
            actor=officer,
            warehouse=main,
            item=n95,
            quantity=to_base(n95, quantity, unit),
            reason="发放",
        )
    assert refused.value.status == 400 and refused.value.fields
    assert _written() == before


def test_an_item_with_an_expiry_is_not_received_without_one(place):
    before = _written()
    with pytest.raises(ServiceError) as refused:
        ledger.stock_receive(
            actor=place["officer"], warehouse=place["main"], item=item("n95"), quantity="20"
        )
    assert "expires_on" in refused.value.fields
    assert _written() == before


def test_a_transfer_keeps_lot_number_expiry_origin_and_source_lot(place):
    officer, main, street = place["officer"], place["main"], place["street"]
    first = receive(officer, main, "n95", 30, days=20, lot_no="L-1")
    second = receive(officer, main, "n95", 100, days=40, lot_no="L-2")
    moved = ledger.stock_transfer(
        actor=officer, source=main, target=street, item=item("n95"), quantity="50"
    )
    assert [(m.lot_no, m.expires_on, m.on_hand, m.source_lot_id) for m in moved] == [
        ("L-1", first.expires_on, Decimal(30), first.pk),
        ("L-2", second.expires_on, Decimal(20), second.pk),
    ]
    assert all(m.warehouse_id == street.pk and m.pledge_line_id is None for m in moved)
    kinds = LedgerEntry.objects.filter(ref_type="").values_list("kind", flat=True)
    assert sorted(set(kinds)) == sorted(
        {EntryKind.RECEIPT, EntryKind.TRANSFER_OUT, EntryKind.TRANSFER_IN}
    )
    assert ledger.on_hand(main, item("n95")) == Decimal(80)
    assert ledger.ledger_problems() == []


def test_a_transfer_goes_only_to_an_open_warehouse_the_officer_keeps(place, city):
    """Stock for another unit goes as a shipment its receiver confirms, not a transfer."""
    main = place["main"]
    officer = make_officer("grid_officer", unit=place["unit"], area=city.grid_a)
    receive(officer, main, "n95", 30)
    store = make_warehouse(
        "WH-9", unit=make_unit("U-SHOP", "社区便民店"), area=city.grid_b, name="网格店"
    )
    place["street"].active = False
    place["street"].save()
    before = _written()
    with pytest.raises(NotFound):  # a warehouse outside the officer's scope is not named
        ledger.stock_transfer(
            actor=officer, source=main, target=store, item=item("n95"), quantity="5"
        )
    with pytest.raises(ServiceError) as refused:
        ledger.stock_transfer(
            actor=officer, source=main, target=place["street"], item=item("n95"), quantity="5"
        )
    assert list(refused.value.fields) == ["target"]
    assert _written() == before


def test_an_adjustment_needs_a_reason_and_cannot_go_below_zero(place):
    officer = place["officer"]
    lot = receive(officer, place["main"], "rice", 25)
    before = _written()
    with pytest.raises(ServiceError) as refused:
        ledger.stock_adjust(actor=officer, lot=lot, delta="-2", reason="  ")
    assert "reason" in refused.value.fields
    with pytest.raises(ledger.Short):
        ledger.stock_adjust(actor=officer, lot=lot, delta="-26", reason="丢失")
    assert _written() == before
    entry = ledger.stock_adjust(actor=officer, lot=lot, delta="-2.5", reason="受潮")
    assert (entry.kind, entry.quantity, entry.balance_after) == (
        EntryKind.ADJUSTMENT,
        Decimal("-2.5"),
        Decimal("22.5"),
    )
    assert ledger.ledger_problems() == []
