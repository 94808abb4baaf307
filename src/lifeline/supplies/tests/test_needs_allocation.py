"""The allocation model and its services: optimal on a hand-checked case, never more than
needed, priority first, fair shares when short, "short by" per need, approval into
shipments that tell both sides, and bad input refused with nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from lifeline.accounts.models import Role
from lifeline.core import clock
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.models import OutboxMessage
from lifeline.supplies.models import (
    Allocation,
    AllocationRun,
    LedgerEntry,
    Need,
    NeedStatus,
    RunStatus,
    Shipment,
)
from lifeline.supplies.selectors.needs import run_proposal
from lifeline.supplies.services import ledger
from lifeline.supplies.services.allocation import (
    allocation_approve,
    allocation_discard,
    allocation_edit,
    allocation_propose,
)
from lifeline.supplies.services.allocation_model import LotRow, NeedRow, solve
from lifeline.supplies.tests.scope_cases_needs import item, logistics_setup, raise_need
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db


def need(key: int, remaining: int, rank: int = 0, wait: int = 0, item: int = 1) -> NeedRow:
    return NeedRow(key, item, remaining, rank, wait, 27.8, 113.1, "/a/")


def lot(key: int, on_hand: int, lat: float = 27.8, expiry: int = 366, item: int = 1) -> LotRow:
    return LotRow(key, item, on_hand, expiry, lat, 113.1)


def flows_by_need(solution: Any) -> dict[int, int]:
    out: dict[int, int] = {}
    for f in solution.flows:
        out[f.need] = out.get(f.need, 0) + f.quantity
    return out


# The pure model ------------------------------------------------------------------------


def test_hand_checked_case_is_optimal_and_takes_the_near_lot_first() -> None:
    # given two needs of 30 and 50, a near lot of 60 and a far lot (about 11 km) of 40
    solution = solve([need(1, 30), need(2, 50)], [lot(10, 60), lot(11, 40, lat=27.9)])
    # then the solver proves optimality, both needs are met in full (80 of 100 units)
    assert solution.status == "OPTIMAL" and solution.optimal
    assert flows_by_need(solution) == {1: 30, 2: 50}
    # and the near lot is used up before the far one: 60 near, 20 far
    by_lot: dict[int, int] = {}
    for f in solution.flows:
        by_lot[f.lot] = by_lot.get(f.lot, 0) + f.quantity
    assert by_lot == {10: 60, 11: 20}


def test_never_more_than_needed_and_other_items_untouched() -> None:
    solution = solve([need(1, 5), need(2, 7, item=2)], [lot(10, 1000), lot(11, 1000, item=3)])
    assert flows_by_need(solution) == {1: 5}


def test_priority_first_when_short() -> None:
    # a normal need that has waited long, a critical one, and stock for one of them
    solution = solve([need(1, 100, rank=0, wait=90), need(2, 100, rank=4)], [lot(10, 100)])
    assert flows_by_need(solution) == {2: 100}


def test_vulnerable_before_others_of_the_same_priority() -> None:
    solution = solve([need(1, 100, rank=0), need(2, 100, rank=1)], [lot(10, 120)])
    assert flows_by_need(solution) == {2: 100, 1: 20}


def test_fair_shares_when_short_spread_stock_before_filling_one_need() -> None:
    # three equal needs of 100, one waiting longer, and only 150 in stock
    solution = solve([need(1, 100, wait=60), need(2, 100), need(3, 100)], [lot(10, 150)])
    # each gets its first half (50) before any need gets its second half
    assert flows_by_need(solution) == {1: 50, 2: 50, 3: 50}
    # with 200, the longest waiting need gets its second half first
    solution = solve([need(1, 100, wait=60), need(2, 100), need(3, 100)], [lot(10, 200)])
    assert flows_by_need(solution) == {1: 100, 2: 50, 3: 50}


def test_earlier_expiry_preferred_between_lots_of_one_warehouse() -> None:
    solution = solve([need(1, 10)], [lot(10, 10, expiry=300), lot(11, 10, expiry=20)])
    assert [(f.lot, f.quantity) for f in solution.flows] == [(11, 10)]


def test_street_stock_serves_its_own_street_only() -> None:
    needs = [
        NeedRow(1, 1, 10, 0, 0, None, None, "/c/s1/"),
        NeedRow(2, 1, 10, 0, 0, None, None, "/c/s2/"),
    ]
    solution = solve(needs, [LotRow(10, 1, 100, 366, None, None, "/c/s1/")])
    assert flows_by_need(solution) == {1: 10}


def test_nothing_to_match_is_trivially_optimal() -> None:
    solution = solve([need(1, 10)], [lot(10, 10, item=2)])
    assert solution.optimal and solution.flows == []


# The services ------------------------------------------------------------------------


@pytest.fixture
def world(city: SmallCity) -> dict[str, Any]:
    setup = logistics_setup(city)
    staff = make_user("n_community", role=Role.COMMUNITY_STAFF, area=city.community)
    lot = ledger.new_lot(
        actor=None,
        warehouse=setup["red_cross_store"],
        item=item("n95"),
        quantity=Decimal(300),
        expires_on=clock.today() + dt.timedelta(days=200),
    )
    return {**setup, "staff": staff, "lot": lot, "city": city}


def test_proposal_short_by_and_approval_into_shipments(world: dict[str, Any]) -> None:
    # given two needs for N95 in the two grids: 200 critical and 250 normal; 300 in stock
    city, staff, officer = world["city"], world["staff"], world["officer"]
    critical = raise_need(staff, city.grid_a, "n95", "200", priority=1, for_label="一网格卡口")
    normal = raise_need(staff, city.grid_b, "n95", "25", unit_code="n95_box20")  # 500 pieces
    # when the logistics officer runs a proposal
    run = allocation_propose(actor=officer, unit=world["logistics"])
    # then the solver proved optimality, and the critical need is met in full
    assert run.solver["status"] == "OPTIMAL" and run.solver["needs"] == 2
    proposals = {p.need.pk: p for p in run_proposal(actor=officer, run=run)}
    assert proposals[critical.pk].proposed == 200 and proposals[critical.pk].short_by == 0
    assert proposals[normal.pk].proposed == 100 and proposals[normal.pk].short_by == 400
    # and nothing moved yet
    assert Need.objects.get(pk=critical.pk).allocated == 0
    assert LedgerEntry.objects.filter(kind="issue").count() == 0

    # when the officer edits one line down and approves
    line = Allocation.objects.get(run=run, need=normal)
    allocation_edit(actor=officer, allocation=line, quantity="80")
    shipments = allocation_approve(actor=officer, run=run)
    # then one shipment per destination, stock taken out, the needs allocated
    assert len(shipments) == 2 and Shipment.objects.count() == 2
    world["lot"].refresh_from_db()
    assert world["lot"].on_hand == 20
    critical.refresh_from_db()
    normal.refresh_from_db()
    assert (critical.allocated, critical.status) == (200, NeedStatus.ALLOCATED)
    assert (normal.allocated, normal.status) == (80, NeedStatus.PARTLY)
    assert all(a.shipment_id for a in Allocation.objects.filter(run=run))
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    # and both sides were told, each with the other's contact
    texts = list(OutboxMessage.objects.values_list("recipient", "body"))
    to_receiver = [b for r, b in texts if r == "13800003333"]
    to_sender = [b for r, b in texts if r == "13900002222"]
    assert len(to_receiver) == 2 and "红会李" in to_receiver[0] and "13900002222" in to_receiver[0]
    assert len(to_sender) == 2 and "社区刘" in to_sender[0] and "13800003333" in to_sender[0]
    # and a decided run cannot be approved again
    with pytest.raises(Conflict):
        allocation_approve(actor=officer, run=run)


def test_approval_refused_when_stock_went_meanwhile(world: dict[str, Any]) -> None:
    city, officer = world["city"], world["officer"]
    raise_need(world["staff"], city.grid_a, "n95", "300")
    run = allocation_propose(actor=officer, unit=world["logistics"])
    ledger.stock_adjust(actor=officer, lot=world["lot"], delta="-100", reason="破损")
    with pytest.raises(Conflict):
        allocation_approve(actor=officer, run=run)
    assert Shipment.objects.count() == 0 and Need.objects.get().allocated == 0
    assert AllocationRun.objects.get().status == RunStatus.PROPOSED


def test_edit_never_above_the_lot_or_the_need(world: dict[str, Any]) -> None:
    city, officer = world["city"], world["officer"]
    raise_need(world["staff"], city.grid_a, "n95", "100")
    run = allocation_propose(actor=officer, unit=world["logistics"])
    line = run.allocations.get()
    for bad in ("101", "-1", "abc", "1.0005"):
        with pytest.raises(ServiceError):
            allocation_edit(actor=officer, allocation=line, quantity=bad)
    line.refresh_from_db()
    assert line.quantity == 100


def test_grid_workers_and_staff_may_not_allocate(world: dict[str, Any]) -> None:
    with pytest.raises((PermissionDenied, NotFound)):
        allocation_propose(actor=world["staff"], unit=world["logistics"])
    assert AllocationRun.objects.count() == 0


def test_discard(world: dict[str, Any]) -> None:
    raise_need(world["staff"], world["city"].grid_a, "n95", "10")
    run = allocation_propose(actor=world["officer"], unit=world["logistics"])
    allocation_discard(actor=world["officer"], run=run)
    assert AllocationRun.objects.get().status == RunStatus.DISCARDED
    with pytest.raises(Conflict):
        allocation_approve(actor=world["officer"], run=run)
