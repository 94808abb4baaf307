"""Thirty-two officers issuing from the same lots at once, with real threads on PostgreSQL
(SQLite serialises writers, so the race cannot happen there): no lot goes negative, every
refusal is a Short, and the ledger adds up to what the lots hold."""

from __future__ import annotations

import random
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Min, Sum

from lifeline.supplies.models import EntryKind, LedgerEntry, Lot
from lifeline.supplies.services import ledger
from lifeline.supplies.tests.scope_cases_stock import (
    item,
    make_officer,
    make_unit,
    make_warehouse,
    receive,
)

THREADS = 32
ROUNDS = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_officers_issuing_from_the_same_lots_never_take_a_lot_below_zero(city):
    if connection.vendor == "sqlite":
        pytest.skip("row-level races need PostgreSQL")
    # given three lots of 100 N95 with different expiries, and 32 officers of the unit
    unit = make_unit("U-LOG", "物资保障组")
    warehouse = make_warehouse("WH-1", unit=unit, area=city.district)
    officers = [make_officer(f"race{i}", unit=unit, area=city.district) for i in range(THREADS)]
    lots = [receive(officers[0], warehouse, "n95", 100, days=d) for d in (30, 60, 90)]
    n95 = item("n95")
    start = threading.Barrier(THREADS)
    lock = threading.Lock()
    issued: list[Decimal] = []
    shorts: list[ledger.Short] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        rng = random.Random(i)
        try:
            start.wait()
            for _ in range(ROUNDS):
                amount = Decimal(rng.randint(1, 20))
                try:
                    taken = ledger.stock_issue(
                        actor=officers[i],
                        warehouse=warehouse,
                        item=n95,
                        quantity=amount,
                        reason="并发发放",
                    )
                except ledger.Short as short:
                    with lock:
                        shorts.append(short)
                    continue
                with lock:
                    issued.append(-sum((entry.quantity for _lot, entry in taken), Decimal(0)))
                    assert issued[-1] == amount
        except BaseException as exc:  # surfaced below: a thread must not fail silently
            errors.append(exc)
        finally:
            connection.close()

    # when each issues random amounts many times at once
    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then every refusal was a Short, no lot went negative, and the books balance
    assert errors == []
    assert shorts, "the lots ran out: some issues must have been refused"
    assert all(s.item.pk == n95.pk and s.missing > 0 for s in shorts)
    held = Lot.objects.filter(pk__in=[lot.pk for lot in lots])
    assert held.aggregate(m=Min("on_hand"))["m"] >= 0
    assert ledger.ledger_problems() == []
    end = held.aggregate(s=Sum("on_hand"))["s"]
    assert sum(issued, Decimal(0)) == Decimal(300) - end
    booked = LedgerEntry.objects.filter(kind=EntryKind.ISSUE).aggregate(s=Sum("quantity"))["s"]
    assert -booked == Decimal(300) - end
    # every refused issue asked for more than what was left at the end (nothing came back)
    assert all(s.wanted > end for s in shorts)
