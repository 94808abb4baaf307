"""Counts (盘点): one officer counts, another reviews; approval writes COUNT entries for the
differences only, reconciled against what was expected when the count started."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lifeline.core.errors import Conflict, PermissionDenied, ServiceError
from lifeline.supplies.models import CountStatus, EntryKind, LedgerEntry
from lifeline.supplies.services import counts, ledger
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
def store(city: SmallCity) -> dict:
    unit = make_unit("U-LOG", "物资保障组")
    counter = make_officer("counter", unit=unit, area=city.district)
    reviewer = make_officer("reviewer", unit=unit, area=city.district)
    warehouse = make_warehouse("WH-1", unit=unit, area=city.district)
    masks = receive(counter, warehouse, "n95", 100, lot_no="M-1")
    rice = receive(counter, warehouse, "rice", 50)
    suits = receive(counter, warehouse, "protective_suit", 30, lot_no="S-1")
    return {
        "counter": counter,
        "reviewer": reviewer,
        "warehouse": warehouse,
        "masks": masks,
        "rice": rice,
        "suits": suits,
    }


def _counted(store: dict, **found: tuple[str, str]) -> object:
    count = counts.count_start(actor=store["counter"], warehouse=store["warehouse"])
    for name in ("masks", "rice", "suits"):
        counted, reason = found.get(name, (str(store[name].on_hand), ""))
        counts.count_record(
            actor=store["counter"],
            count=count,
            lot_id=store[name].pk,
            counted=counted,
            reason=reason,
        )
    return counts.count_submit(actor=store["counter"], count=count)


def test_a_count_expects_what_each_lot_held_when_it_started(store):
    count = counts.count_start(actor=store["counter"], warehouse=store["warehouse"])
    expected = dict(count.lines.values_list("lot_id", "expected"))
    assert expected == {
        store["masks"].pk: Decimal(100),
        store["rice"].pk: Decimal(50),
        store["suits"].pk: Decimal(30),
    }
    with pytest.raises(Conflict):
        counts.count_start(actor=store["reviewer"], warehouse=store["warehouse"])


def test_the_counter_cannot_review_their_own_count(store):
    count = _counted(store, rice=("48", "两袋受潮"))
    with pytest.raises(PermissionDenied):
        counts.count_review(actor=store["counter"], count=count, approve=True)
    count.refresh_from_db()
    assert count.status == CountStatus.SUBMITTED
    assert not LedgerEntry.objects.filter(kind=EntryKind.COUNT).exists()


def test_each_difference_needs_a_reason_before_review(store):
    count = counts.count_start(actor=store["counter"], warehouse=store["warehouse"])
    for name, counted in (("masks", "100"), ("rice", "48"), ("suits", "30")):
        counts.count_record(
            actor=store["counter"], count=count, lot_id=store[name].pk, counted=counted
        )
    with pytest.raises(ServiceError) as refused:
        counts.count_submit(actor=store["counter"], count=count)
    assert refused.value.code == "reason_required"


def test_approval_writes_count_entries_for_the_differences_only(store):
    count = _counted(store, rice=("48", "两袋受潮"), suits=("31", "找到一套"))
    counts.count_review(actor=store["reviewer"], count=count, approve=True, note="已复核")
    entries = LedgerEntry.objects.filter(kind=EntryKind.COUNT).order_by("lot_id")
    assert sorted((e.lot_id, e.quantity, e.reason) for e in entries) == sorted(
        [(store["rice"].pk, Decimal(-2), "两袋受潮"), (store["suits"].pk, Decimal(1), "找到一套")]
    )
    count.refresh_from_db()
    assert count.status == CountStatus.APPROVED and count.reviewed_by == store["reviewer"]
    assert ledger.ledger_problems() == []


def test_stock_moved_during_the_count_is_reconciled_against_the_expected(store):
    count = _counted(store, rice=("45", "五公斤洒落"))
    # while the count waits for review, 10 kg of rice are issued
    ledger.stock_issue(
        actor=store["reviewer"],
        warehouse=store["warehouse"],
        item=item("rice"),
        quantity="10",
        reason="食堂",
    )
    counts.count_review(actor=store["reviewer"], count=count, approve=True)
    store["rice"].refresh_from_db()
    assert store["rice"].on_hand == Decimal(35)  # 50 - 10 issued - 5 found missing


def test_a_difference_larger_than_what_is_left_is_refused_and_nothing_written(store):
    count = _counted(store, rice=("10", "大部分被老鼠咬坏"))
    ledger.stock_issue(
        actor=store["reviewer"],
        warehouse=store["warehouse"],
        item=item("rice"),
        quantity="45",
        reason="食堂",
    )
    with pytest.raises(Conflict) as refused:
        counts.count_review(actor=store["reviewer"], count=count, approve=True)
    assert refused.value.code == "count_stale"
    assert "大米" in str(refused.value.message) and "40" in str(refused.value.message)
    assert not LedgerEntry.objects.filter(kind=EntryKind.COUNT).exists()
    count.refresh_from_db()
    assert count.status == CountStatus.SUBMITTED


def test_a_rejection_needs_a_note_and_changes_no_stock(store):
    count = _counted(store, masks=("90", "少一盒"))
    with pytest.raises(ServiceError):
        counts.count_review(actor=store["reviewer"], count=count, approve=False)
    counts.count_review(actor=store["reviewer"], count=count, approve=False, note="请重盘")
    count.refresh_from_db()
    assert count.status == CountStatus.REJECTED
    store["masks"].refresh_from_db()
    assert store["masks"].on_hand == Decimal(100)
    # a new count may start once the last is reviewed
    counts.count_start(actor=store["counter"], warehouse=store["warehouse"])
