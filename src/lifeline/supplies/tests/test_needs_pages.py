"""The needs pages: community staff raise a need (bad input: 400, nothing written), see
recurring needs in red below their threshold; the logistics officer proposes, edits a line
and approves; no writes on GET, outsiders see nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lifeline.accounts.models import Role
from lifeline.core import clock
from lifeline.supplies.models import Allocation, AllocationRun, Need, Shipment, WarehouseKind
from lifeline.supplies.services import ledger
from lifeline.supplies.services.needs import recurring_create
from lifeline.supplies.tests.scope_cases_needs import item, logistics_setup, warehouse
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def need_form(city: SmallCity, **change: Any) -> dict[str, Any]:
    data = {
        "area": city.grid_b.pk,
        "item": item("n95").pk,
        "quantity": "10",
        "unit_code": "n95_box20",
        "needed_by": (clock.today() + dt.timedelta(days=1)).isoformat(),
        "priority": "2",
        "for_whom": "post",
        "for_label": "二网格卡口",
        "contact_name": "卡口赵",
        "contact_phone": "13800005555",
    }
    data.update(change)
    return data


def test_staff_raise_a_need_and_bad_input_writes_nothing(city: SmallCity) -> None:
    staff = client(make_user("p_staff", role=Role.COMMUNITY_STAFF, area=city.community))
    assert staff.get(reverse("supplies:needs")).status_code == 200
    for bad in ({"quantity": "0"}, {"quantity": "-1"}, {"unit_code": "kg"}, {"contact_phone": "1"}):
        response = staff.post(reverse("supplies:needs"), need_form(city, **bad))
        assert response.status_code == 400, bad
    assert Need.objects.count() == 0
    response = staff.post(reverse("supplies:needs"), need_form(city))
    need = Need.objects.get()
    assert response.status_code == 302 and need.quantity == 200
    page = staff.get(reverse("supplies:need", args=[need.pk])).content.decode()
    assert "13800005555" not in page and "138****5555" in page


def test_outsider_sees_nothing(city: SmallCity) -> None:
    outsider = client(make_user("p_outsider"))
    assert outsider.get(reverse("supplies:allocation")).status_code == 404
    assert outsider.post(reverse("supplies:needs"), need_form(city)).status_code == 404
    assert Need.objects.count() == 0


def test_recurring_below_threshold_in_red(city: SmallCity) -> None:
    user = make_user("p_staff", role=Role.COMMUNITY_STAFF, area=city.community)
    store = warehouse(
        "p-C", "食堂库房", WarehouseKind.CANTEEN, city.units["committee"], city.grid_b
    )
    recurring_create(
        actor=user,
        area=city.grid_b,
        label="工厂食堂",
        item=item("meat"),
        per_day="50",
        unit_code="jin",
        warehouse=store,
        contact_name="食堂张",
        contact_phone="13800004444",
    )
    ledger.new_lot(actor=None, warehouse=store, item=item("meat"), quantity=Decimal(30))
    page = client(user).get(reverse("supplies:recurring")).content.decode()
    assert 'data-testid="low"' in page and "1.2" in page


def test_officer_proposes_edits_and_approves(city: SmallCity) -> None:
    setup = logistics_setup(city, prefix="p")
    staff = client(make_user("p_staff", role=Role.COMMUNITY_STAFF, area=city.community))
    staff.post(reverse("supplies:needs"), need_form(city))
    ledger.new_lot(
        actor=None,
        warehouse=setup["red_cross_store"],
        item=item("n95"),
        quantity=Decimal(150),
        expires_on=clock.today() + dt.timedelta(days=100),
    )
    officer = client(setup["officer"])
    assert officer.get(reverse("supplies:allocation")).status_code == 200
    assert AllocationRun.objects.count() == 0  # no write on GET
    response = officer.post(reverse("supplies:allocation"), {"unit": setup["logistics"].pk})
    run = AllocationRun.objects.get()
    assert response.status_code == 302
    page = officer.get(reverse("supplies:allocation_run", args=[run.pk])).content.decode()
    assert "OPTIMAL" in page and 'data-testid="short-by"' in page
    line = Allocation.objects.get()
    act = reverse("supplies:allocation_act", args=[run.pk])
    too_many = officer.post(act, {"action": "edit", "line": line.pk, "quantity": "151"})
    assert too_many.status_code == 400
    officer.post(act, {"action": "edit", "line": line.pk, "quantity": "120"})
    assert Allocation.objects.get().quantity == 120
    assert officer.post(act, {"action": "approve"}).status_code == 302
    assert Shipment.objects.count() == 1 and Need.objects.get().allocated == 120
