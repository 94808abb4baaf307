"""Sixteen approvals making shipments from the same lots at once, and the receiver's
phone confirming twice at once, with real threads on PostgreSQL: waybill numbers stay
unique and consecutive, no lot goes below zero, and a shipment is received once."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, transaction

from lifeline.core.errors import Conflict
from lifeline.supplies.models import Lot, Shipment, ShipmentStatus
from lifeline.supplies.services.ledger import Short, ledger_problems
from lifeline.supplies.services.shipments import receive_token, shipment_confirm
from lifeline.supplies.tests.scope_cases_shipments import make_depot, png_data_url, ship

THREADS = 16


@pytest.fixture(autouse=True)
def _catalogue() -> None:
    """The seeded catalogue again: a transactional test's flush empties it."""
    importlib.import_module("lifeline.supplies.migrations.0002_seed_catalogue").seed(apps, None)


def _race(count: int, work: Callable[[int], None]) -> list[BaseException]:
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait()
            work(i)
        except BaseException as exc:  # surfaced by the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_shipments_made_at_once_number_apart_and_never_overdraw(city):
    if connection.vendor == "sqlite":
        pytest.skip("row-level races need PostgreSQL")
    # given 500 kg of rice; sixteen approvals each shipping 40 kg (only 12 fit)
    depot = make_depot("R", city.grid_b, stock={"rice": 500})

    def approve(i: int) -> None:
        try:
            with transaction.atomic():
                ship(depot, city.grid_b, [(None, "rice", 40)])
        except Short:
            pass

    assert _race(THREADS, approve) == []
    numbers = sorted(Shipment.objects.values_list("waybill_no", flat=True))
    assert len(numbers) == 12
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == list(range(1, 13))
    assert Lot.objects.get(pk=depot.lots["rice"].pk).on_hand == Decimal(20)
    assert ledger_problems() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_shipment_is_received_once(city):
    if connection.vendor == "sqlite":
        pytest.skip("row-level races need PostgreSQL")
    store = make_depot("S", city.community, stock={}).warehouse
    depot = make_depot("R", city.grid_b, stock={"rice": 500})
    shipment = ship(depot, city.community, [(None, "rice", 40)], to_warehouse=store, dispatch=True)
    line = shipment.lines.get()
    token = receive_token(shipment)
    outcomes: list[str] = []

    def confirm(i: int) -> None:
        try:
            shipment_confirm(
                token_or_shipment=token,
                signature=png_data_url(),
                received_by="李",
                lines={line.pk: "40"},
            )
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    assert _race(8, confirm) == []
    assert sorted(outcomes) == ["conflict"] * 7 + ["ok"]
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    assert Lot.objects.filter(warehouse=store).get().on_hand == Decimal(40)
    assert ledger_problems() == []
