"""Distributions for others to read: who sent what, where and when ("3W/4W"), as CSV, XLSX
and HXL-tagged CSV (the Humanitarian Exchange Language: a row of hashtags under the
header, so HXL tools read the columns whatever their titles).

One row per shipment line that left a warehouse (on its way, delivered, or delivered with a
discrepancy), only of the shipments the actor may see (``SUPPLIES_VIEW`` by the sending
unit or the destination area), at most ``MAX_ROWS``. No resident is named: the receiving
contact is staff of the receiving place, and their phone is masked.

Places use the administrative levels of the Common Operational Datasets for China: the city
is #adm2, the district #adm3, the street (township level) #adm4, the community (village
level) #adm5; the destination's own label is #loc.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.core.exports import csv_writer, xlsx_cell
from lifeline.core.personal import mask_phone
from lifeline.registry.models import Area, AreaLevel
from lifeline.registry.tree import ancestor_paths
from lifeline.supplies.models import Lot, Shipment, ShipmentLine, ShipmentStatus, Warehouse

MAX_ROWS = 50_000
FORMATS = ("csv", "xlsx", "hxl")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "hxl": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SENT = (ShipmentStatus.DISPATCHED, ShipmentStatus.DELIVERED, ShipmentStatus.DISCREPANCY)


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy text, read in the file's language
    hxl: str


COLUMNS = [
    Column("waybill", gettext_lazy("Waybill"), "#meta+waybill"),
    Column("org", gettext_lazy("Sent by"), "#org+name"),
    Column("sector", gettext_lazy("Category"), "#sector"),
    Column("item", gettext_lazy("Item"), "#item+name"),
    Column("item_code", gettext_lazy("Item code"), "#item+code"),
    Column("quantity", gettext_lazy("Quantity sent"), "#output+num"),
    Column("received", gettext_lazy("Quantity received"), "#output+num+received"),
    Column("unit", gettext_lazy("Unit of measure"), "#output+unit"),
    Column("city", gettext_lazy("City"), "#adm2+name"),
    Column("district", gettext_lazy("District"), "#adm3+name"),
    Column("street", gettext_lazy("Street"), "#adm4+name"),
    Column("community", gettext_lazy("Community"), "#adm5+name"),
    Column("place", gettext_lazy("Delivered to"), "#loc+name"),
    Column("date", gettext_lazy("Date"), "#date"),
    Column("status", gettext_lazy("Status"), "#status"),
    Column("contact", gettext_lazy("Receiving contact"), "#contact+name"),
    Column("phone", gettext_lazy("Receiving phone (masked)"), "#contact+phone"),
]
LEVEL_KEYS: dict[str, str] = {
    AreaLevel.CITY: "city",
    AreaLevel.DISTRICT: "district",
    AreaLevel.STREET: "street",
    AreaLevel.COMMUNITY: "community",
}


@dataclass(frozen=True)
class ExportFile:
    file_name: str
    content_type: str
    content: bytes
    rows: int


def may_export(*, actor: Actor) -> bool:
    return can_anywhere(actor, Perm.SUPPLIES_VIEW)


def _shipments(actor: Actor, since: dt.date | None, until: dt.date | None) -> Any:
    qs = scoped(Shipment.objects.filter(status__in=SENT), actor, Perm.SUPPLIES_VIEW)
    qs = qs.annotate(when=Coalesce(F("delivered_at"), F("dispatched_at")))
    if since is not None:
        qs = qs.filter(when__gte=_day_start(since))
    if until is not None:
        qs = qs.filter(when__lt=_day_start(until + dt.timedelta(days=1)))
    return qs


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _place_names(paths: set[str], english: bool) -> dict[str, dict[str, str]]:
    """For each destination path, the names of its city, district, street and community."""
    wanted = {p for path in paths for p in ancestor_paths(path)}
    areas = {
        a["path"]: a
        for a in Area.objects.filter(path__in=sorted(wanted)).values(
            "path", "level", "name", "name_en"
        )
    }
    names: dict[str, dict[str, str]] = {}
    for path in paths:
        found: dict[str, str] = {}
        for p in ancestor_paths(path):
            area = areas.get(p)
            if area and area["level"] in LEVEL_KEYS:
                label = area["name_en"] if english and area["name_en"] else area["name"]
                found[LEVEL_KEYS[area["level"]]] = label
        names[path] = found
    return names


def distribution_rows(
    *,
    actor: Actor,
    since: dt.date | None = None,
    until: dt.date | None = None,
    english: bool = False,
    limit: int = MAX_ROWS,
) -> Iterator[dict[str, Any]]:
    """The actor's distributions, one dict per shipment line by ``COLUMNS`` key, oldest
    first, at most ``limit``."""
    shipments = _shipments(actor, since, until)
    paths = set(shipments.values_list("area_path", flat=True).distinct())
    places = _place_names(paths, english)
    lines = (
        ShipmentLine.objects.filter(shipment__in=shipments.values("pk"))
        .select_related("shipment__unit", "item__category", "item__base_unit")
        .annotate(when=Coalesce(F("shipment__delivered_at"), F("shipment__dispatched_at")))
        .order_by("when", "shipment_id", "pk")
    )
    statuses = dict(ShipmentStatus.choices)
    for line in lines[:limit].iterator(chunk_size=2000):
        shipment, item = line.shipment, line.item
        unit = shipment.unit
        when = line.when  # type: ignore[attr-defined]
        yield {
            "waybill": shipment.waybill_no,
            "org": unit.name_en if english and unit.name_en else unit.name,
            "sector": _local(item.category, english),
            "item": _local(item, english),
            "item_code": item.code,
            "quantity": line.quantity,
            "received": line.received,
            "unit": _local(item.base_unit, english),
            **places.get(shipment.area_path, {}),
            "place": shipment.to_label,
            "date": timezone.localtime(when).date() if when else None,
            "status": str(statuses.get(shipment.status, shipment.status)),
            "contact": shipment.contact_name,
            "phone": mask_phone(shipment.contact_phone),
        }


def _local(row: Any, english: bool) -> str:
    return str(row.name_en if english and row.name_en else row.name)


def parse_day(value: str | None, field: str) -> dt.date | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        message = _("Enter a date like 2022-04-01.")
        raise ServiceError(message, fields={field: [message]}) from None


def distributions_export(
    *,
    actor: Actor,
    fmt: str,
    since: dt.date | None = None,
    until: dt.date | None = None,
    language: str = "zh-hans",
    validate: bool | None = None,
) -> ExportFile:
    """The actor's distributions as a file (``csv``, ``xlsx`` or ``hxl``). An HXL file is
    checked against :data:`HXL_SCHEMA` when ``validate`` is true (by default when the
    setting ``LIFELINE_SUPPLIES_VALIDATE_HXL`` is: the tests, not requests)."""
    if fmt not in FORMATS:
        raise ServiceError(_("Unknown format; use csv, xlsx or hxl."), fields={"format": []})
    if not may_export(actor=actor):
        raise PermissionDenied(_("You may not export distributions."))
    if since and until and since > until:
        message = _("The first day must not be after the last.")
        raise ServiceError(message, fields={"since": [message]})
    english = language.startswith("en")
    with translation.override(language):  # titles and states in the file's language
        rows = [
            [row.get(c.key) for c in COLUMNS]
            for row in distribution_rows(actor=actor, since=since, until=until, english=english)
        ]
        header = [str(c.label) for c in COLUMNS]
    if fmt == "xlsx":
        content = _xlsx(header, rows)
    else:
        tags = [c.hxl for c in COLUMNS] if fmt == "hxl" else None
        content = _csv(header, rows, tags)
    if fmt == "hxl" and _validating(validate):
        problems = hxl_problems(content)
        if problems:
            raise AssertionError(f"the HXL export does not validate: {problems}")
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M")
    extension = "xlsx" if fmt == "xlsx" else "csv"
    kind = "distributions-hxl" if fmt == "hxl" else "distributions"
    return ExportFile(f"{kind}-{stamp}.{extension}", CONTENT_TYPES[fmt], content, len(rows))


def _validating(validate: bool | None) -> bool:
    if validate is not None:
        return validate
    return bool(getattr(settings, "LIFELINE_SUPPLIES_VALIDATE_HXL", False))


def _text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return "" if value is None else value


def _csv(header: list[str], rows: list[list[Any]], tags: list[str] | None) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out)  # dates as ISO text, formula-like text neutralised
    writer.writerow(header)
    if tags:
        writer.writerow(tags)
    writer.writerows([_text(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Chinese Excel read UTF-8


def _xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("distributions")
    sheet.append([xlsx_cell(sheet, name) for name in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, Decimal):
        return xlsx_cell(sheet, value.normalize(), number_format="0.###")
    if isinstance(value, dt.date):
        return xlsx_cell(sheet, value, number_format="yyyy-mm-dd")
    return xlsx_cell(sheet, "" if value is None else value, number_format="@")


# HXL validation (libhxl) ------------------------------------------------------------------

# An HXL schema, itself HXL: each row one rule for the columns matching #valid_tag.
HXL_SCHEMA = [
    ["#valid_tag", "#valid_required", "#valid_datatype", "#valid_value+min", "#valid_severity"],
    ["#meta+waybill", "true", "", "", "error"],
    ["#org", "true", "", "", "error"],
    ["#item+name", "true", "", "", "error"],
    ["#item+code", "true", "", "", "error"],
    ["#output+num-received", "true", "number", "0.001", "error"],
    ["#output+num+received", "", "number", "0", "error"],
    ["#output+unit", "true", "", "", "error"],
    ["#adm3+name", "true", "", "", "error"],
    ["#loc+name", "true", "", "", "error"],
    ["#date", "true", "date", "", "error"],
    ["#status", "true", "", "", "error"],
]


def _hxl() -> Any:
    # libhxl is imported on first use: it is large, and only validation needs it. It
    # imports ``six`` without declaring it; pyproject declares six for it.
    import hxl
    import hxl.input

    return hxl


def hxl_problems(content: bytes) -> list[str]:
    """What libhxl's validator finds wrong with an HXL CSV (nothing: an empty list)."""
    hxl = _hxl()
    found: list[str] = []

    def note(error: Any) -> None:
        if getattr(error, "rule", None) is None or error.rule.severity == "error":
            where = f"row {error.row.row_number}: " if getattr(error, "row", None) else ""
            found.append(f"{where}{error.message} {error.value or ''}".strip())

    schema = hxl.schema(HXL_SCHEMA, callback=note)
    try:
        source = hxl.data(hxl.input.make_input(io.BytesIO(content)))
        schema.validate(source)
    except hxl.HXLException as error:  # no hashtag row, an unreadable file
        found.append(str(error))
    return found


# The supplies home's figures -------------------------------------------------------------

HOME_WAREHOUSES = 12
SOON_DAYS = 7


@dataclass(frozen=True)
class WarehouseFigures:
    pk: int
    name: str
    lines: int  # lots with something on hand
    items: int
    expiring: int  # of those lines, expiring within SOON_DAYS days


@dataclass(frozen=True)
class HomeFigures:
    warehouses: int
    lines: int
    expiring: int
    on_the_way: int
    per_warehouse: list[WarehouseFigures]


def home_figures(*, actor: Actor) -> HomeFigures | None:
    """A few numbers for the supplies home (``SUPPLIES_VIEW``; None without it): the
    warehouses the actor sees, their stock lines and lines expiring soon (aggregated per
    warehouse, the first ``HOME_WAREHOUSES`` by code), and shipments on their way."""
    if not can_anywhere(actor, Perm.SUPPLIES_VIEW):
        return None
    warehouses = scoped(Warehouse.objects.filter(active=True), actor, Perm.SUPPLIES_VIEW)
    soon = clock.today() + dt.timedelta(days=SOON_DAYS)
    lots = scoped(Lot.objects.filter(on_hand__gt=0), actor, Perm.SUPPLIES_VIEW)
    totals = lots.aggregate(lines=Count("pk"), expiring=Count("pk", filter=Q(expires_on__lte=soon)))
    shown = list(warehouses.order_by("code").values("pk", "name")[:HOME_WAREHOUSES])
    per: dict[int, Any] = {
        row["warehouse"]: row
        for row in lots.filter(warehouse__in=[w["pk"] for w in shown])
        .values("warehouse")
        .annotate(
            lines=Count("pk"),
            items=Count("item", distinct=True),
            expiring=Count("pk", filter=Q(expires_on__lte=soon)),
        )
        .order_by()
    }
    on_the_way = scoped(
        Shipment.objects.filter(status=ShipmentStatus.DISPATCHED), actor, Perm.SUPPLIES_VIEW
    ).count()
    return HomeFigures(
        warehouses=warehouses.count(),
        lines=totals["lines"],
        expiring=totals["expiring"],
        on_the_way=on_the_way,
        per_warehouse=[
            WarehouseFigures(
                w["pk"],
                w["name"],
                per.get(w["pk"], {}).get("lines", 0),
                per.get(w["pk"], {}).get("items", 0),
                per.get(w["pk"], {}).get("expiring", 0),
            )
            for w in shown
        ],
    )
