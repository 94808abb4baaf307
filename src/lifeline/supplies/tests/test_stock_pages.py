"""The warehouse officer's pages: their own warehouses only, the forms' errors in place
with nothing written, quantities in units of measure, exports, lots and counts."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from lifeline.accounts.models import User
from lifeline.api.tests.helpers import client_for
from lifeline.supplies.models import CountStatus, EntryKind, LedgerEntry, Lot, StockCount
from lifeline.supplies.tests.scope_cases_stock import (
    StockWorld,
    item,
    make_officer,
    make_stock_world,
    receive,
)
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(city: SmallCity) -> StockWorld:
    return make_stock_world(city)


def _post(user: User, name: str, data: dict, **kwargs: object):
    return client_for(user).post(reverse(name, kwargs=kwargs), data)


def _act(user: User, warehouse, action: str, data: dict):
    return _post(user, "supplies:warehouse_act", data, pk=warehouse.pk, action=action)


def _written() -> tuple[int, int]:
    return Lot.objects.count(), LedgerEntry.objects.count()


def test_the_officer_lists_only_their_warehouses_with_stock_at_a_glance(w):
    page = client_for(w.officer_b).get(reverse("supplies:stock"))
    body = page.content.decode()
    assert page.status_code == 200
    assert w.wh_b.name in body and w.wh_b2.name in body and w.wh_a.name not in body
    assert "U-LOG" not in body and "WH-B" not in body


def test_another_units_warehouse_lot_and_count_are_not_found(w):
    client = client_for(w.officer_a)
    for name, pk in (
        ("supplies:warehouse", w.wh_b.pk),
        ("supplies:lot", w.lot_b.pk),
        ("supplies:count", w.count_open.pk),
    ):
        assert client.get(reverse(name, kwargs={"pk": pk})).status_code == 404, name
    before = _written()
    refused = _act(w.officer_a, w.wh_b, "issue", {"item": item("n95").pk, "quantity": "1"})
    assert refused.status_code == 404 and _written() == before


def test_the_warehouse_page_shows_stock_by_local_names_and_lots_by_number(w):
    page = client_for(w.officer_b).get(reverse("supplies:warehouse", kwargs={"pk": w.wh_b.pk}))
    body = page.content.decode()
    assert page.status_code == 200
    assert "N95口罩" in body and "B-1" in body and w.lot_b.expires_on.isoformat() in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert reverse("supplies:warehouse_export", kwargs={"pk": w.wh_b.pk, "fmt": "xlsx"}) in body
    # a grid worker of grid B reads the stock but gets no forms
    seen = client_for(w.worker_b).get(reverse("supplies:warehouse", kwargs={"pk": w.wh_b.pk}))
    assert seen.status_code == 200 and 'data-testid="issue-form"' not in seen.content.decode()


def test_receiving_in_jin_and_in_boxes_of_20(w):
    response = _act(
        w.officer_b,
        w.wh_b,
        "receive",
        {"item": item("vegetables").pk, "quantity": "200", "unit": "jin"},
    )
    assert response.status_code == 302
    assert Lot.objects.filter(warehouse=w.wh_b, item__code="vegetables").get().on_hand == 100
    response = _act(
        w.officer_b,
        w.wh_b,
        "receive",
        {
            "item": item("n95").pk,
            "quantity": "5",
            "unit": "n95_box20",
            "lot_no": "B-2",
            "expires_on": "2099-01-31",
        },
    )
    assert response.status_code == 302
    assert Lot.objects.get(warehouse=w.wh_b, lot_no="B-2").on_hand == 100


def test_receiving_without_the_expiry_of_an_item_that_tracks_it_is_refused(w):
    before = _written()
    response = _act(
        w.officer_b, w.wh_b, "receive", {"item": item("n95").pk, "quantity": "20", "unit": ""}
    )
    assert response.status_code == 400
    assert _written() == before
    assert 'data-field="expires_on"' in response.content.decode()


@pytest.mark.parametrize(
    "quantity,unit", [("0", ""), ("-3", ""), ("很多", ""), ("3", "kg"), ("3", "jin")]
)
def test_bad_quantities_are_refused_in_place_and_nothing_is_written(w, quantity, unit):
    before = _written()
    response = _act(
        w.officer_b,
        w.wh_b,
        "issue",
        {"item": item("n95").pk, "quantity": quantity, "unit": unit, "reason": "发放"},
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert _written() == before


def test_issuing_more_than_in_stock_says_what_is_short_with_409(w):
    before = _written()
    response = _act(
        w.officer_b,
        w.wh_b,
        "issue",
        {"item": item("n95").pk, "quantity": "6", "unit": "n95_box20", "reason": "发社区"},
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "N95口罩" in body and "120" in body and "20" in body
    assert _written() == before


def test_issue_transfer_and_adjust_from_the_page(w):
    officer = w.officer_b
    assert (
        _act(officer, w.wh_b, "issue", {"item": item("n95").pk, "quantity": "10", "reason": "发"})
    ).status_code == 302
    moved = _act(
        officer, w.wh_b, "transfer", {"target": w.wh_b2.pk, "item": item("n95").pk, "quantity": "5"}
    )
    assert moved.status_code == 302
    copy = Lot.objects.get(warehouse=w.wh_b2, item__code="n95")
    assert (copy.lot_no, copy.source_lot_id, copy.on_hand) == ("B-1", w.lot_b.pk, 5)
    refused = _act(officer, w.wh_b, "transfer", {"target": w.wh_a.pk, "item": item("n95").pk})
    assert refused.status_code == 400  # grid A's warehouse is not a choice
    no_reason = _act(officer, w.wh_b, "adjust", {"lot": w.lot_b.pk, "delta": "-1", "reason": ""})
    assert no_reason.status_code == 400
    adjusted = _act(officer, w.wh_b, "adjust", {"lot": w.lot_b.pk, "delta": "−1", "reason": "破"})
    assert adjusted.status_code == 302
    w.lot_b.refresh_from_db()
    assert w.lot_b.on_hand == Decimal(84)


def test_the_lot_page_shows_its_ledger(w):
    page = client_for(w.officer_b).get(reverse("supplies:lot", kwargs={"pk": w.lot_b.pk}))
    body = page.content.decode()
    assert page.status_code == 200 and "B-1" in body and "100" in body
    assert str(EntryKind.RECEIPT.label) in body or "入库" in body or "Receipt" in body


def test_the_stock_exports_in_csv_and_xlsx(w):
    client = client_for(w.officer_b)
    url = reverse("supplies:warehouse_export", kwargs={"pk": w.wh_b.pk, "fmt": "csv"})
    text = client.get(url).content.decode("utf-8-sig")
    assert "N95口罩" in text and ",100," in text
    from openpyxl import load_workbook

    url = reverse("supplies:warehouse_export", kwargs={"pk": w.wh_b.pk, "fmt": "xlsx"})
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "N95口罩" and Decimal(str(rows[1][3])) == 100
    other = client_for(w.officer_a).get(url)
    assert other.status_code == 404


def test_a_count_from_start_to_approval_on_the_pages(w, city):
    counter, reviewer = w.officer_b, w.officer_b2
    started = _post(counter, "supplies:count_start", {}, pk=w.wh_b.pk)
    count = StockCount.objects.get(warehouse=w.wh_b)
    assert started.status_code == 302
    line = count.lines.get()
    # a difference without a reason is not submitted
    data = {f"c-{line.pk}": "97", f"r-{line.pk}": ""}
    refused = _post(counter, "supplies:count_act", data, pk=count.pk, action="submit")
    assert refused.status_code == 400
    bad = _post(counter, "supplies:count_act", {f"c-{line.pk}": "-4"}, pk=count.pk, action="record")
    assert bad.status_code == 400
    data[f"r-{line.pk}"] = "三只破损"
    submitted = _post(counter, "supplies:count_act", data, pk=count.pk, action="submit")
    assert submitted.status_code == 302
    own = _post(counter, "supplies:count_act", {}, pk=count.pk, action="approve")
    assert own.status_code == 403
    page = client_for(reviewer).get(reverse("supplies:count", kwargs={"pk": count.pk}))
    assert "三只破损" in page.content.decode()
    approved = _post(reviewer, "supplies:count_act", {"note": "核"}, pk=count.pk, action="approve")
    assert approved.status_code == 302
    count.refresh_from_db()
    assert count.status == CountStatus.APPROVED
    assert LedgerEntry.objects.filter(kind=EntryKind.COUNT).get().quantity == -3


def test_an_officer_of_a_district_sees_the_streets_warehouse(w, city):
    officer = make_officer("district_officer", unit=w.unit_b, area=city.district)
    receive(officer, w.wh_a, "rice", 5)
    page = client_for(officer).get(reverse("supplies:stock"))
    assert w.wh_a.name in page.content.decode()
