"""Importing over the registry: households matched by key and updated, a preview of what
changes, the masked export re-imported as a no-op, .xls/.ods files, the template, and
errors stored as codes rendered in the reader's language."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from lifeline.core.models import AuditRecord
from lifeline.core.personal import decrypt_value
from lifeline.registry.exporting import households_export, households_template
from lifeline.registry.importing import import_job_confirm, import_job_create, import_job_process
from lifeline.registry.importing.messages import stored_error_text
from lifeline.registry.models import Household, ImportJob, Person
from lifeline.registry.tests.households_files import HEADER_ZH, rows_csv
from lifeline.registry.vocab import relation_parse

FILES = Path(__file__).parent / "files"


def run(actor: Any, content: bytes, *, preview: bool = False, name: str = "list.csv") -> ImportJob:
    job = import_job_create(
        actor=actor, file_name=name, content=content, language="zh-hans", preview=preview
    )
    return import_job_process(job_id=job.pk)


def snapshot() -> list[tuple]:
    return sorted(
        (
            p.pk,
            p.name,
            p.sex,
            p.birth_date,
            p.phone,
            p.id_number_hash,
            p.relation,
            p.household.phone,
            tuple(sorted(v.kind for v in p.vulnerabilities.all())),
        )
        for p in Person.objects.select_related("household").prefetch_related("vulnerabilities")
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_masked_export_reimports_unchanged(city, community_staff, fmt):
    # given the community's masked export
    export = households_export(actor=community_staff, fmt=fmt)
    before = snapshot()
    records = AuditRecord.objects.filter(action__in=["person.update", "household.update"]).count()

    # when it is imported back as it is
    job = run(community_staff, export.content, name=export.file_name)

    # then it is accepted, every row matched and unchanged, and no real value overwritten
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.summary["people_unchanged"] == len(before)
    assert job.summary["people_new"] == job.summary["people_updated"] == 0
    assert snapshot() == before
    assert (
        AuditRecord.objects.filter(action__in=["person.update", "household.update"]).count()
        == records
    )


def test_a_second_import_updates_households_with_a_preview(city, grid_worker_a):
    # given a registered household and a list that changes a phone, adds a member and
    # keeps another member as is
    person = city.people_a[0]
    household = person.household
    keep = [
        city.grid_a.code,
        household.building.name,
        "",
        household.unit_no,
        "",
        person.name,
        "",
        "",
        "13911112222",
        "",
        "户主",
        "",
    ]
    new = [
        city.grid_a.code,
        household.building.name,
        "",
        household.unit_no,
        "",
        "新生儿",
        "女",
        "2026-10-01",
        "",
        "",
        "子女",
        "婴幼儿",
    ]
    content = rows_csv([keep, new], header=HEADER_ZH[:12])

    # when it is uploaded for a preview
    job = run(grid_worker_a, content, preview=True)

    # then the counts are shown and nothing is written yet
    assert job.status == ImportJob.Status.PREVIEW, job.errors
    assert job.summary["people_new"] == 1 and job.summary["people_updated"] == 1
    assert job.summary["households_updated"] == 1 and job.summary["households_new"] == 0
    assert not household.members.filter(name="新生儿").exists()

    # when the uploader confirms
    assert import_job_confirm(actor=grid_worker_a, job=job)
    job = import_job_process(job_id=job.pk)

    # then the member is added and the phone and relation updated, in one job
    assert job.status == ImportJob.Status.DONE, job.errors
    person.refresh_from_db()
    assert person.phone == "13911112222" and relation_parse(person.relation) == "head"
    baby = household.members.get(name="新生儿")
    assert baby.relation == "child"
    assert list(baby.vulnerabilities.values_list("kind", flat=True)) == ["infant"]
    assert AuditRecord.objects.filter(action="person.update", object_id=str(person.pk)).exists()


def test_an_id_number_registered_in_another_household_is_a_row_error(city, grid_worker_a):
    other = city.people_b[0]
    household = city.people_a[0].household
    row = [
        city.grid_a.code,
        household.building.name,
        "",
        household.unit_no,
        "",
        other.name,
        "",
        "",
        "",
        decrypt_value(other.id_number_enc),
        "",
        "",
    ]
    job = run(grid_worker_a, rows_csv([row], header=HEADER_ZH[:12]))
    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["code"]) for e in job.errors] == [(2, "registered_elsewhere")]


@pytest.mark.parametrize("name", ["households.xls", "households.ods"])
def test_old_excel_and_opendocument_files_import(city, grid_worker_a, name):
    job = run(grid_worker_a, (FILES / name).read_bytes(), name=name)
    assert job.status == ImportJob.Status.DONE, job.errors
    person = Person.objects.get(name="孙八")
    assert person.phone == "13900139001" and person.relation == "spouse"
    assert person.household.phone == "13800138000"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_template_has_the_headers_and_an_example_that_reads_back(city, grid_worker_a, language):
    from openpyxl import load_workbook

    template = households_template(language=language)
    sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[0][0] == ("grid_code" if language == "en" else "网格编码")
    # the example only fails on its made-up grid code: every other cell is valid
    job = run(grid_worker_a, template.content, name=template.file_name)
    assert {e["code"] for e in job.errors} == {"unknown_grid"}


def test_the_template_downloads_for_who_may_import(client, city, grid_worker_a, hotline_operator):
    client.force_login(grid_worker_a)
    response = client.get(reverse("registry_import:template"))
    assert response.status_code == 200
    assert "households-template" in response["Content-Disposition"]
    client.force_login(hotline_operator)
    assert client.get(reverse("registry_import:template")).status_code == 404


def test_translated_headers_are_accepted(city, grid_worker_a):
    header = ["Grid code", "Building", "Address", "Unit number", "Household phone", "Name", "Sex"]
    row = [city.grid_a.code, "5栋", "", "101", "", "Li Lei", "M"]
    job = run(grid_worker_a, rows_csv([row], header=header))
    assert job.status == ImportJob.Status.DONE, job.errors


def test_errors_are_stored_as_codes_and_read_in_the_readers_language(city, grid_worker_a):
    row = ["NO-SUCH-GRID", "1栋", "", "101", "", "某人", "男"]
    job = run(grid_worker_a, rows_csv([row], header=HEADER_ZH[:7]))
    error = job.errors[0]
    assert error == {
        "row": 2,
        "column": "grid_code",
        "code": "unknown_grid",
        "params": {"code": "NO-SUCH-GRID"},
    }
    with translation.override("en"):
        assert stored_error_text(error) == "No grid has the code “NO-SUCH-GRID”."


def test_old_stored_errors_still_read(city):
    old_plain = {
        "row": 3,
        "column": "birth_date",
        "code": "birth_date_mismatch",
        "message": "出生日期与身份证号不符。",
    }
    old_params = {
        "row": 3,
        "column": "grid_code",
        "code": "unknown_grid",
        "message": "没有编码为“X”的网格。",
    }
    with translation.override("en"):
        # a text with no parameters is translated, one with parameters shown as stored
        assert stored_error_text(old_plain) == "The birth date does not match the ID number."
        assert stored_error_text(old_params) == old_params["message"]


def test_the_upload_page_offers_the_template_and_confirms_the_preview(
    client, city, grid_worker_a, settings
):
    settings.LIFELINE_IMPORT_INLINE = True
    client.force_login(grid_worker_a)
    page = client.get(reverse("registry_import:upload"), HTTP_ACCEPT_LANGUAGE="en").content
    assert reverse("registry_import:template").encode() in page
    upload = io.BytesIO(households_export(actor=grid_worker_a, fmt="csv").content)
    upload.name = "export.csv"
    body = client.post(
        reverse("registry_import:upload"), {"file": upload}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'data-status="preview"' in body and "Save these changes" in body
    assert Household.objects.count() == 6
