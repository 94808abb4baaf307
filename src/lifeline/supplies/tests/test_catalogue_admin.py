"""The supplies admin: reference data is edited (audited), a warehouse's place follows its
area, a warehouse holding stock cannot move, and the ledger cannot be changed by anyone,
a superuser included."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from lifeline.accounts.models import User
from lifeline.api.tests.helpers import client_for
from lifeline.core import clock
from lifeline.core.models import AuditRecord
from lifeline.registry.models import Unit
from lifeline.supplies.models import EntryKind, Item, LedgerEntry, Lot, Warehouse
from lifeline.supplies.services.ledger import post
from lifeline.testing.factories import SmallCity


@pytest.fixture
def admin_user(db: None) -> User:
    return User.objects.create_superuser("root", password="pass-word-123")


@pytest.fixture
def stocked(city: SmallCity, admin_user: User) -> Any:
    unit = Unit.objects.create(code="U-LOG", name="物资保障组", kind=Unit.Kind.LOGISTICS)
    warehouse = Warehouse.objects.create(
        code="WH-1",
        name="一号仓",
        kind="logistics",
        unit=unit,
        area=city.district,
        area_path=city.district.path,
    )
    lot = Lot.objects.create(
        warehouse=warehouse,
        unit=unit,
        area_path=warehouse.area_path,
        item=Item.objects.get(code="n95"),
        received_at=clock.now(),
    )
    entry = post(lot, Decimal("100"), EntryKind.RECEIPT, actor=admin_user)
    return warehouse, lot, entry


def _warehouse_form(warehouse: Warehouse, **changes: Any) -> dict[str, Any]:
    data = {
        "code": warehouse.code,
        "name": warehouse.name,
        "kind": warehouse.kind,
        "unit": warehouse.unit_id,
        "area": warehouse.area_id,
        "address": "",
        "lat": "",
        "lng": "",
        "contact_name": "",
        "contact_phone": "",
        "active": "on",
    }
    return {**data, **changes}


def test_the_ledger_cannot_be_changed_even_by_a_superuser(stocked, admin_user):
    entry = LedgerEntry.objects.get()
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = site._registry[LedgerEntry]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert model_admin.has_view_permission(request, entry)
    client = client_for(admin_user)
    change_url = reverse("admin:supplies_ledgerentry_change", args=[entry.pk])
    page = client.get(change_url)
    assert page.status_code == 200 and b'type="submit"' not in page.content.split(b"<form")[-1]
    posted = client.post(change_url, {"quantity": "999", "reason": "改一下"})
    assert posted.status_code == 403
    delete = client.post(
        reverse("admin:supplies_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert client.get(reverse("admin:supplies_ledgerentry_add")).status_code == 403
    # nor by the list's bulk delete
    listing = client.post(
        reverse("admin:supplies_ledgerentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert listing.status_code in (200, 302, 403)
    entry.refresh_from_db()
    assert entry.quantity == Decimal("100") and LedgerEntry.objects.count() == 1


def test_a_warehouse_saved_in_the_admin_takes_its_area_path_and_is_audited(city, admin_user):
    unit = Unit.objects.create(code="U-LOG", name="物资保障组", kind=Unit.Kind.LOGISTICS)
    client = client_for(admin_user)
    data = {
        "code": "WH-2",
        "name": "社区物资点",
        "kind": "community",
        "unit": unit.pk,
        "area": city.community.pk,
        "address": "",
        "lat": "",
        "lng": "",
        "contact_name": "",
        "contact_phone": "",
        "active": "on",
    }
    response = client.post(reverse("admin:supplies_warehouse_add"), data)
    assert response.status_code == 302, response.content[:2000]
    warehouse = Warehouse.objects.get(code="WH-2")
    assert warehouse.area_path == city.community.path
    # moved to grid A (no stock yet): the path follows
    url = reverse("admin:supplies_warehouse_change", args=[warehouse.pk])
    assert client.post(url, _warehouse_form(warehouse, area=city.grid_a.pk)).status_code == 302
    warehouse.refresh_from_db()
    assert warehouse.area_path == city.grid_a.path
    actions = list(
        AuditRecord.objects.filter(object_type="supplies.warehouse")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["supplies.warehouse_create", "supplies.warehouse_change"]


def test_a_warehouse_holding_stock_cannot_move(stocked, admin_user, city):
    warehouse, _lot, _entry = stocked
    client = client_for(admin_user)
    url = reverse("admin:supplies_warehouse_change", args=[warehouse.pk])
    response = client.post(url, _warehouse_form(warehouse, area=city.grid_b.pk))
    assert response.status_code == 200  # the form again, with the error
    assert "cannot change" in response.content.decode() or "不能更改" in response.content.decode()
    warehouse.refresh_from_db()
    assert warehouse.area_path == city.district.path
    # a rename is fine
    renamed = client.post(url, _warehouse_form(warehouse, name="一号仓（新）"))
    assert renamed.status_code == 302


def test_an_item_is_edited_with_its_packs_inline(city, admin_user):
    client = client_for(admin_user)
    item = Item.objects.get(code="n95")
    page = client.get(reverse("admin:supplies_item_change", args=[item.pk]))
    assert page.status_code == 200 and "n95_box20" in page.content.decode()
    for name in ("itemcategory", "measureunit", "lot", "shipment", "pledge", "donor", "need"):
        listing = client.get(reverse(f"admin:supplies_{name}_changelist"))
        assert listing.status_code == 200, name
