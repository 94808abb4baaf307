"""Exports of distributions: CSV and XLSX with the titles in the reader's language, the
HXL-tagged CSV validated by libhxl (and a broken one refused), only what the actor sees,
and no resident data."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import translation

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.registry.models import Area, Unit
from lifeline.supplies.models import (
    Item,
    Lot,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    Warehouse,
    WarehouseKind,
)
from lifeline.supplies.selectors import exports
from lifeline.testing.factories import SmallCity, make_area, make_user


@dataclass
class Distributions:
    logistics: Unit
    officer: User
    worker_a: User
    outsider: User
    other_street: Area
    sent_a: Shipment  # to grid A, delivered
    sent_far: Shipment  # to another street, on its way
    prepared: Shipment  # not sent yet: not exported


def _shipment(
    warehouse: Warehouse, area: Area, waybill: str, status: str, user: User, **kw: object
) -> Shipment:
    now = clock.now()
    return Shipment.objects.create(
        waybill_no=waybill,
        from_warehouse=warehouse,
        unit=warehouse.unit,
        to_area=area,
        area_path=area.path,
        to_label=str(kw.pop("to_label", area.name)),
        contact_name="李主任",
        contact_phone="13800138000",
        status=status,
        created_by=user,
        created_at=now,
        dispatched_at=now if status != ShipmentStatus.PREPARED else None,
        delivered_at=now if status == ShipmentStatus.DELIVERED else None,
        **kw,  # type: ignore[arg-type]
    )


def make_distributions(city: SmallCity) -> Distributions:
    logistics = Unit.objects.create(code="U-LOG", name="物资保障组", kind=Unit.Kind.LOGISTICS)
    logistics.name_en = "Logistics group"
    logistics.save()
    officer = make_user("officer", role=Role.WAREHOUSE_OFFICER, unit=logistics)
    warehouse = Warehouse.objects.create(
        code="WH-LOG",
        name="物资保障组仓库",
        kind=WarehouseKind.LOGISTICS,
        unit=logistics,
        area=city.district,
        area_path=city.district.path,
    )
    n95, rice = Item.objects.get(code="n95"), Item.objects.get(code="rice")
    lots = {
        item.code: Lot.objects.create(
            warehouse=warehouse,
            unit=logistics,
            area_path=warehouse.area_path,
            item=item,
            on_hand=Decimal("100"),
            received_at=clock.now(),
        )
        for item in (n95, rice)
    }
    other_street = make_area(
        parent=city.district, level="street", code="430211002", name="栗雨街道"
    )
    sent_a = _shipment(warehouse, city.grid_a, "WB-0001", ShipmentStatus.DELIVERED, officer)
    ShipmentLine.objects.create(
        shipment=sent_a,
        lot=lots["n95"],
        item=n95,
        quantity=Decimal("3000"),
        received=Decimal("3000"),
    )
    ShipmentLine.objects.create(
        shipment=sent_a, lot=lots["rice"], item=rice, quantity=Decimal("12.5")
    )
    sent_far = _shipment(warehouse, other_street, "WB-0002", ShipmentStatus.DISPATCHED, officer)
    ShipmentLine.objects.create(
        shipment=sent_far, lot=lots["n95"], item=n95, quantity=Decimal("500")
    )
    prepared = _shipment(warehouse, city.grid_a, "WB-0003", ShipmentStatus.PREPARED, officer)
    ShipmentLine.objects.create(shipment=prepared, lot=lots["n95"], item=n95, quantity=Decimal("7"))
    return Distributions(
        logistics=logistics,
        officer=officer,
        worker_a=make_user("worker_a", role=Role.GRID_WORKER, area=city.grid_a),
        outsider=make_user("nobody"),
        other_street=other_street,
        sent_a=sent_a,
        sent_far=sent_far,
        prepared=prepared,
    )


@pytest.fixture
def world(city: SmallCity) -> Distributions:
    return make_distributions(city)


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_sending_unit_exports_every_line_it_sent_and_nothing_not_yet_sent(world):
    # when the officer of the sending unit exports CSV in Chinese
    export = exports.distributions_export(actor=world.officer, fmt="csv")
    header, *rows = _rows(export.content)
    # then the titles are Chinese and the lines sent (not the prepared one) are there
    assert header[:6] == ["运单号", "发出单位", "类别", "物资", "物资编码", "发出数量"]
    assert sorted(r[0] for r in rows) == ["WB-0001", "WB-0001", "WB-0002"]
    first = dict(zip(header, rows[0], strict=True))
    assert first["发出单位"] == "物资保障组" and first["物资"] == "N95口罩"
    assert first["发出数量"] == "3000" and first["区"] == "天元区"
    assert first["街道"] == "嵩山路街道" and first["社区"] == "泰山路社区"
    assert first["接收人电话（已隐藏）"] == "138****8000"
    assert "13800138000" not in export.content.decode("utf-8-sig")
    assert export.file_name.endswith(".csv") and export.rows == 3


def test_a_grid_worker_exports_only_what_reached_their_grid(world):
    export = exports.distributions_export(actor=world.worker_a, fmt="csv")
    _header, *rows = _rows(export.content)
    assert {r[0] for r in rows} == {"WB-0001"}
    # and a user with no membership may not export at all
    with pytest.raises(PermissionDenied):
        exports.distributions_export(actor=world.outsider, fmt="csv")


def test_the_english_xlsx_has_english_titles_and_numbers(world):
    from openpyxl import load_workbook

    export = exports.distributions_export(actor=world.officer, fmt="xlsx", language="en")
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    assert header[:6] == ["Waybill", "Sent by", "Category", "Item", "Item code", "Quantity sent"]
    row = dict(zip(header, values[1], strict=True))
    assert row["Item"] == "N95 mask" and row["Sent by"] == "Logistics group"
    assert row["Quantity sent"] == 3000 and row["Status"] == "Delivered"
    assert len(values) == 4


def test_the_hxl_export_validates_with_libhxl(world, settings):
    # given validation inside the export (the tests' setting)
    settings.LIFELINE_SUPPLIES_VALIDATE_HXL = True
    for language in ("zh-hans", "en"):
        export = exports.distributions_export(actor=world.officer, fmt="hxl", language=language)
        _header, tags, *rows = _rows(export.content)
        assert tags[:6] == [
            "#meta+waybill",
            "#org+name",
            "#sector",
            "#item+name",
            "#item+code",
            "#output+num",
        ]
        assert exports.hxl_problems(export.content) == []
        assert len(rows) == 3


def test_libhxl_reads_the_columns_by_their_hashtags(world):
    hxl = exports._hxl()
    export = exports.distributions_export(actor=world.officer, fmt="hxl", language="en")
    data = hxl.data(hxl.input.make_input(io.BytesIO(export.content)))
    rows = list(data)
    assert [r.get("#meta+waybill") for r in rows] == ["WB-0001", "WB-0001", "WB-0002"]
    assert sum(Decimal(r.get("#output+num")) for r in rows) == Decimal("3512.5")
    assert rows[0].get("#adm3+name") == "天元区" and rows[2].get("#adm4+name") == "栗雨街道"


def test_a_broken_hxl_file_fails_validation(world):
    export = exports.distributions_export(actor=world.officer, fmt="hxl", language="en")
    text = export.content.decode("utf-8-sig")
    # a quantity that is not a number
    broken = text.replace(",3000,", ",three thousand,", 1)
    assert broken != text
    assert any("number" in p.lower() for p in exports.hxl_problems(broken.encode()))
    # a required column without its hashtag
    untagged = text.replace("#org+name", "", 1)
    assert exports.hxl_problems(untagged.encode())
    # no hashtag row at all
    header_only = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert exports.hxl_problems(header_only.encode())


def test_days_narrow_the_export_and_bad_input_is_refused(world):
    today = clock.today()
    later = exports.distributions_export(
        actor=world.officer, fmt="csv", since=today + dt.timedelta(days=1)
    )
    assert later.rows == 0
    with pytest.raises(ServiceError):
        exports.distributions_export(
            actor=world.officer, fmt="csv", since=today, until=today - dt.timedelta(days=1)
        )
    with pytest.raises(ServiceError):
        exports.distributions_export(actor=world.officer, fmt="pdf")
    with pytest.raises(ServiceError):
        exports.parse_day("2022-13-40", "since")


def test_titles_follow_the_active_language(world):
    with translation.override("en"):
        export = exports.distributions_export(actor=world.officer, fmt="csv", language="en")
    header = _rows(export.content)[0]
    assert header[0] == "Waybill" and "District" in header
