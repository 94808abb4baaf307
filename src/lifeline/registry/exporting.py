"""Exporting household lists in the import's own columns, so an export re-imports as is.

Phones and ID numbers are masked unless the actor is command-centre staff or an
administrator who asks for full values and says why; that is recorded as one
``registry.export_reveal`` audit record naming the fields and the row count. Masked exports
are recorded too (``registry.export``): a list of a whole district leaving the system is a
fact worth keeping.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere, require, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError
from lifeline.core.exports import csv_writer, xlsx_cell
from lifeline.core.personal import age_band, decrypt_value, mask_phone
from lifeline.registry.importing.columns import COLUMNS, VULNERABILITY_EXPORT_ZH
from lifeline.registry.models import Area, Household, Person
from lifeline.registry.vocab import RELATION_EXPORT_ZH, Relation

FORMATS = ("csv", "xlsx")
REVEALED_FIELDS = ("household_phone", "phone", "id_number")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportFile:
    file_name: str
    content_type: str
    content: bytes
    rows: int


def export_may_reveal(*, actor: Actor) -> bool:
    return can_anywhere(actor, Perm.REGISTRY_EXPORT_REVEALED)


def households_export(
    *,
    actor: Actor,
    area_code: str = "",
    fmt: str = "csv",
    reveal: bool = False,
    purpose: str = "",
    language: str = "zh-hans",
) -> ExportFile:
    """The actor's households (under ``area_code`` if given), one row per person."""
    if fmt not in FORMATS:
        raise ServiceError(
            _("Unknown format; use csv or xlsx."), fields={"format": [_("Unknown.")]}
        )
    if not can_anywhere(actor, Perm.REGISTRY_EXPORT):
        raise PermissionDenied(_("Your role may not export the registry."))
    perm = Perm.REGISTRY_EXPORT_REVEALED if reveal else Perm.REGISTRY_EXPORT
    area = _area(actor, area_code, perm)
    purpose = (purpose or "").strip()
    if reveal:
        if not export_may_reveal(actor=actor):
            raise PermissionDenied(
                _("Only command-centre staff may export full phone and ID numbers.")
            )
        if len(purpose) < 2:
            raise ServiceError(
                _("Say why you need full phone and ID numbers."),
                fields={"purpose": [_("A purpose is required.")]},
            )
    english = language.startswith("en")
    rows = list(_rows(actor, area, perm, reveal=reveal, english=english))
    _audit(actor, area, reveal=reveal, purpose=purpose, rows=len(rows))
    header = [c.en if english else c.zh for c in COLUMNS]
    content = _xlsx(header, rows) if fmt == "xlsx" else _csv(header, rows)
    # The reader's wall clock (TIME_ZONE), not UTC: a list saved at 08:05 says 0805.
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M")
    name = f"households-{area.code if area else 'all'}-{stamp}{'-full' if reveal else ''}.{fmt}"
    return ExportFile(name, CONTENT_TYPES[fmt], content, len(rows))


TEMPLATE_EXAMPLE = {
    "grid_code": "430202001001",
    "building": "1栋",
    "address": "幸福路12号1栋",
    "unit_no": "1-101",
    "household_phone": "13800138000",
    "name": "张三",
    "sex": "男",
    "birth_date": "1960-05-01",
    "phone": "13900139000",
    "id_number": "",
    "relation": "户主",
    "vulnerabilities": "独居老人",
    "gas_account": "",
    "power_account": "",
    "water_account": "",
}
TEMPLATE_EXAMPLE_EN = {
    **TEMPLATE_EXAMPLE,
    "building": "Building 1",
    "address": "12 Xingfu Road, Building 1",
    "name": "Zhang San",
    "sex": "M",
    "relation": "head",
    "vulnerabilities": "elderly_alone",
}


def households_template(*, language: str = "zh-hans") -> ExportFile:
    """An empty household list (XLSX): the import's headers in the reader's language, and
    one example row to overwrite. Holds no one's data, so anyone who may import may have it."""
    english = language.startswith("en")
    header = [c.en if english else c.zh for c in COLUMNS]
    example = TEMPLATE_EXAMPLE_EN if english else TEMPLATE_EXAMPLE
    content = _xlsx(header, [[example.get(c.key, "") for c in COLUMNS]])
    name = "households-template-en.xlsx" if english else "households-template.xlsx"
    return ExportFile(name, CONTENT_TYPES["xlsx"], content, 1)


def _audit(actor: Actor, area: Area | None, *, reveal: bool, purpose: str, rows: int) -> None:
    place: dict[str, Any] = {"obj": area} if area else {"object_type": "registry.area"}
    with transaction.atomic():
        if reveal:
            audit_log(
                actor=actor,
                action="registry.export_reveal",
                purpose=(f"{purpose[:200]} [rows={rows}]"),
                fields=REVEALED_FIELDS,
                **place,
            )
        else:
            audit_log(actor=actor, action="registry.export", purpose=f"[rows={rows}]", **place)


def _area(actor: Actor, code: str, perm: str) -> Area | None:
    if not code:
        return None
    area = Area.objects.filter(code=code.strip()).first()
    if area is None:
        raise NotFound(_("No such area in your scope."))
    require(actor, perm, path=area.path, message=_("Your role may not export this area."))
    return area


def _rows(
    actor: Actor, area: Area | None, perm: str, *, reveal: bool, english: bool
) -> Iterator[list[Any]]:
    """Only where the actor holds ``perm`` (export, or export with full values)."""
    members = scoped(Person.objects.prefetch_related("vulnerabilities"), actor, perm)
    members = members.order_by("id")
    households = scoped(Household.objects.select_related("building", "grid"), actor, perm)
    if area is not None:
        households = households.filter(area_path__startswith=area.path)
    households = households.order_by(
        "area_path", "building__name_sort", "building__name", "unit_sort", "unit_no"
    ).prefetch_related(Prefetch("members", queryset=members))
    for household in households.iterator(chunk_size=1000):
        base = {
            "grid_code": household.grid.code,
            "building": household.building.name,
            "address": household.building.address,
            "unit_no": household.unit_no,
            "household_phone": household.phone if reveal else mask_phone(household.phone),
            "gas_account": household.gas_account,
            "power_account": household.power_account,
            "water_account": household.water_account,
        }
        people = list(household.members.all())
        if not people:
            yield [base.get(c.key, "") for c in COLUMNS]
            continue
        for person in people:
            row = {**base, **_person_values(person, reveal=reveal, english=english)}
            yield [row.get(c.key, "") for c in COLUMNS]


def _person_values(person: Person, *, reveal: bool, english: bool) -> dict[str, Any]:
    if reveal and person.id_number_enc:
        id_number = decrypt_value(person.id_number_enc)
    else:
        id_number = person.id_number_masked
    kinds = [v.kind for v in person.vulnerabilities.all()]
    labels = kinds if english else [VULNERABILITY_EXPORT_ZH.get(k, k) for k in kinds]
    return {
        "name": person.name,
        "sex": person.sex if english else {"M": "男", "F": "女"}.get(person.sex, person.sex),
        # Masked, the age band stands in for the birth date (with sex and address it would
        # narrow the hidden ID digits too far: docs/security.md).
        "birth_date": person.birth_date if reveal else age_band(person.birth_date, clock.today()),
        "phone": person.phone if reveal else mask_phone(person.phone),
        "id_number": id_number,
        "relation": _relation_text(person.relation, english=english),
        "vulnerabilities": ("," if english else "、").join(labels),
    }


def _relation_text(value: str, *, english: bool) -> str:
    """The relation as the import reads it back: the code in English, the Chinese word."""
    if value in Relation.values:
        return value if english else RELATION_EXPORT_ZH[value]
    return value


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out)  # dates as ISO text, formula-like text neutralised
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Chinese Excel read UTF-8


def _xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("households")
    sheet.append([xlsx_cell(sheet, name) for name in header])
    for row in rows:
        # Text, not numbers: Excel would round an 18-digit ID number to 15 digits.
        sheet.append(
            [
                xlsx_cell(sheet, v, number_format="yyyy-mm-dd" if isinstance(v, dt.date) else "@")
                for v in row
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
