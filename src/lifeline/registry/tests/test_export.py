"""Exporting household lists: masked by default, full values only by an audited reveal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.core.personal import decrypt_value
from lifeline.registry.exporting import households_export
from lifeline.registry.importing import import_job_create, import_job_process
from lifeline.registry.models import Building, Household, ImportJob, Person, Vulnerability
from lifeline.registry.vocab import relation_parse


def _full_values(city) -> list[str]:
    people = [*city.people_a, *city.people_b]
    return (
        [decrypt_value(p.id_number_enc) for p in people]
        + [p.phone for p in people]
        + [p.household.phone for p in people]
    )


def _people_snapshot() -> set[tuple]:
    return {
        (
            p.grid.code,
            p.household.building.name,
            p.household.unit_no,
            p.household.phone,
            p.name,
            p.sex,
            p.birth_date,
            p.phone,
            p.id_number_hash,
            relation_parse(p.relation),  # old rows hold the word, re-imported ones the code
            tuple(sorted(p.vulnerabilities.values_list("kind", flat=True))),
        )
        for p in Person.objects.select_related("grid", "household__building")
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_masked_by_default(city, command_staff, fmt):
    # when command staff export the city without asking for full values
    export = households_export(actor=command_staff, area_code=city.city.code, fmt=fmt)

    # then no full phone or ID number is in the file, only their masks
    text = export.content.decode("utf-8-sig") if fmt == "csv" else _xlsx_text(export.content)
    assert export.rows == 6
    for value in _full_values(city):
        assert value not in text
    assert city.people_a[0].id_number_masked in text
    assert AuditRecord.objects.filter(action="registry.export").count() == 1
    assert not AuditRecord.objects.filter(action="registry.export_reveal").exists()


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return "\n".join(
        ",".join(str(v) for v in row if v is not None) for row in sheet.iter_rows(values_only=True)
    )


def test_a_grid_worker_exports_only_their_grid(city, grid_worker_a):
    export = households_export(actor=grid_worker_a, fmt="csv", language="en")
    text = export.content.decode("utf-8-sig")
    assert export.rows == 3
    assert city.grid_a.code in text and city.grid_b.code not in text
    assert text.splitlines()[0].startswith("grid_code,building")


def test_a_grid_worker_cannot_export_another_grid_or_reveal(city, grid_worker_a):
    with pytest.raises(ServiceError):
        households_export(actor=grid_worker_a, area_code=city.grid_b.code)
    with pytest.raises(PermissionDenied):
        households_export(actor=grid_worker_a, reveal=True, purpose="check")
    assert not AuditRecord.objects.exists()


def test_reveal_needs_a_purpose_and_is_audited_once_with_fields_and_rows(city, command_staff):
    # given command staff
    with pytest.raises(ServiceError) as refused:
        households_export(actor=command_staff, reveal=True, purpose="", language="en")
    assert "purpose" in refused.value.fields

    # when they export with full values and a purpose
    export = households_export(
        actor=command_staff, area_code=city.community.code, reveal=True, purpose="疫情排查"
    )

    # then the file has the full values and one audit record names the fields and rows
    text = export.content.decode("utf-8-sig")
    for value in _full_values(city):
        assert value in text
    record = AuditRecord.objects.get(action="registry.export_reveal")
    assert set(record.fields) == {"household_phone", "phone", "id_number"}
    assert "疫情排查" in record.purpose and "rows=6" in record.purpose
    assert record.area_path == city.community.path


def test_xlsx_export_with_reveal_reimports_into_an_empty_city(city, command_staff):
    # given the city's people, exported in full as XLSX
    before = _people_snapshot()
    export = households_export(
        actor=command_staff, area_code=city.city.code, fmt="xlsx", reveal=True, purpose="迁移"
    )

    # and a city emptied of households (same areas)
    Vulnerability.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    Building.objects.all().delete()

    # when the file is imported
    job = import_job_create(
        actor=command_staff, file_name=export.file_name, content=export.content, language="en"
    )
    job = import_job_process(job_id=job.pk)

    # then the same people are back, in the same households, with the same tags
    assert job.status == ImportJob.Status.DONE, job.errors
    assert _people_snapshot() == before


def test_csv_export_in_english_reimports_into_an_empty_city(city, command_staff):
    before = _people_snapshot()
    export = households_export(
        actor=command_staff, fmt="csv", reveal=True, purpose="迁移", language="en"
    )
    Vulnerability.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    job = import_job_create(
        actor=command_staff, file_name="x.csv", content=export.content, language="en"
    )
    job = import_job_process(job_id=job.pk)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert _people_snapshot() == before


def test_export_command_writes_the_file(city, command_staff, grid_worker_a, tmp_path: Path):
    out = tmp_path / "h.xlsx"
    call_command(
        "export",
        "households",
        "--area",
        city.grid_a.code,
        "--as",
        "command",
        "--format",
        "xlsx",
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    assert out.read_bytes().startswith(b"PK")
    with pytest.raises(CommandError):
        call_command(
            "export",
            "households",
            "--as",
            "grid_a",
            "--reveal",
            "--purpose",
            "x y",
            "-o",
            str(tmp_path / "no.csv"),
            stdout=io.StringIO(),
        )
    assert not (tmp_path / "no.csv").exists()


def test_export_page_downloads_masked_and_offers_reveal_only_to_command_staff(
    client, city, grid_worker_a, command_staff
):
    # given the grid worker on the export page: no reveal option
    client.force_login(grid_worker_a)
    page = client.get(reverse("registry_import:export"))
    assert page.status_code == 200 and 'name="reveal"' not in page.content.decode()

    # when they download their grid as CSV
    response = client.post(
        reverse("registry_import:export"), {"area": city.grid_a.code, "format": "csv"}
    )

    # then it is an attachment with masked values
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert city.people_a[0].phone not in response.content.decode("utf-8-sig")

    # and a forged reveal request is refused, not served
    forged = client.post(
        reverse("registry_import:export"),
        {"area": city.grid_a.code, "format": "csv", "reveal": "on", "purpose": "x y"},
    )
    assert forged.status_code == 403

    # command staff see the option; without a purpose the page says why
    client.force_login(command_staff)
    assert 'name="reveal"' in client.get(reverse("registry_import:export")).content.decode()
    missing = client.post(
        reverse("registry_import:export"),
        {"area": "", "format": "csv", "reveal": "on", "purpose": ""},
    )
    assert missing.status_code == 400
