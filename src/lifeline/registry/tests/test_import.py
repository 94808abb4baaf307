"""Importing household lists: every row checked first, then all or nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from lifeline.core.errors import PermissionDenied
from lifeline.core.models import AuditRecord
from lifeline.core.personal import decrypt_value
from lifeline.registry.importing import (
    households_check,
    import_job_create,
    import_job_process,
    import_job_result,
)
from lifeline.registry.importing.messages import stored_error_text
from lifeline.registry.models import Building, Household, ImportJob, Person, Vulnerability
from lifeline.registry.tests.households_files import (
    HEADER_ZH,
    person_row,
    rows_csv,
    rows_xlsx,
    valid_rows,
    with_bad_check_digit,
)

ID_COLUMN = HEADER_ZH.index("身份证号")


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Building, Household, Person, Vulnerability, AuditRecord)
    }


def run_import(
    actor: Any, content: bytes, *, language: str = "zh-hans", name: str = "list.csv"
) -> ImportJob:
    job = import_job_create(actor=actor, file_name=name, content=content, language=language)
    return import_job_process(job_id=job.pk)


def test_thousand_rows_with_one_bad_id_write_nothing_then_the_corrected_file_imports(
    city, grid_worker_a
):
    # given 1,000 valid rows of grid A, and spreadsheet row 537 with a wrong check digit
    rows = valid_rows(1000, grid_code=city.grid_a.code)
    good_id = rows[535][ID_COLUMN]  # the header is row 1, so data index 535 is row 537
    rows[535][ID_COLUMN] = with_bad_check_digit(good_id)
    before = counts()

    # when the file is imported
    job = run_import(grid_worker_a, rows_csv(rows), language="en")

    # then nothing is written and the report names row 537 and why
    assert job.status == ImportJob.Status.INVALID
    assert counts() == before
    assert [(e["row"], e["column"], e["code"]) for e in job.errors] == [
        (537, "id_number", "bad_id_number")
    ]
    with translation.override("en"):
        assert "check digit" in stored_error_text(job.errors[0])

    # when the corrected file is imported
    rows[535][ID_COLUMN] = good_id
    job = run_import(grid_worker_a, rows_csv(rows))

    # then all 1,000 people are in grid A, in 250 households of 10 new buildings
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.created_rows == 1000
    assert Person.objects.filter(grid=city.grid_a).count() == before["Person"] // 2 + 1000
    assert Household.objects.count() == before["Household"] + 250
    assert Building.objects.count() == before["Building"] + 10
    result = import_job_result(job=job)
    assert result is not None and (result.households, result.people) == (250, 1000)
    assert AuditRecord.objects.filter(action="import.commit", object_id=str(job.pk)).count() == 1


def _registered_person(row: list[str], city) -> None:
    row[ID_COLUMN] = decrypt_value(city.people_b[0].id_number_enc)
    row[6] = row[7] = ""  # sex and birth date then come from the ID number


ERROR_CASES = {
    # code: (change to row 3 of the file, column, English words, Chinese words)
    "bad_id_number": (
        lambda r, c: r.__setitem__(9, with_bad_check_digit(r[9])),
        "id_number",
        "ID number is not valid",
        "身份证号",
    ),
    "bad_phone": (
        lambda r, c: r.__setitem__(8, "12345"),
        "phone",
        "not a valid phone number",
        "电话",
    ),
    "unknown_grid": (
        lambda r, c: r.__setitem__(0, "NO-SUCH-GRID"),
        "grid_code",
        "No grid has the code",
        "网格",
    ),
    "grid_out_of_scope": (
        lambda r, c: r.__setitem__(0, c.grid_b.code),
        "grid_code",
        "outside your area",
        "网格",
    ),
    "duplicate_in_file": (
        lambda r, c: r.__setitem__(9, person_row(0, grid_code="")[9]),
        "id_number",
        "already in row 2",
        "第 2 行",
    ),
    # zh-Hans text of the registry's import messages (from the merged catalogue)
    "registered_elsewhere": (_registered_person, "id_number", "another household", "另一户"),
    "required": (lambda r, c: r.__setitem__(5, ""), "name", "is required", "必填"),
    "bad_date": (
        lambda r, c: r.__setitem__(7, "1991-13-45"),
        "birth_date",
        "is not a date",
        "不是日期",
    ),
    "unknown_vulnerability": (
        lambda r, c: r.__setitem__(11, "外星人"),
        "vulnerabilities",
        "Unknown special group",
        "未知",
    ),
}


@pytest.mark.parametrize("code", sorted(ERROR_CASES))
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_error_is_reported_with_its_row_in_the_users_language(
    city, grid_worker_a, code, language
):
    # given a valid file whose third row (spreadsheet row 4) carries one mistake
    change, column, english, chinese = ERROR_CASES[code]
    rows = valid_rows(4, grid_code=city.grid_a.code)
    change(rows[2], city)
    before = counts()

    # when it is imported
    job = run_import(grid_worker_a, rows_csv(rows), language=language)

    # then row 4 is reported with that reason in the job's language, and nothing is written
    assert job.status == ImportJob.Status.INVALID
    assert counts() == before
    found = [e for e in job.errors if e["code"] == code]
    assert [(e["row"], e["column"]) for e in found] == [(4, column)], job.errors
    with translation.override(language):
        message = stored_error_text(found[0])
    assert (english if language == "en" else chinese) in message


def test_a_grid_worker_cannot_import_into_another_grid(city, grid_worker_a):
    # given a file of grid B people, uploaded by the grid worker of grid A
    rows = valid_rows(6, grid_code=city.grid_b.code)
    before = counts()

    # when imported
    job = run_import(grid_worker_a, rows_csv(rows), language="en")

    # then every row is refused as outside the worker's area; nothing written
    assert job.status == ImportJob.Status.INVALID
    assert {e["code"] for e in job.errors} == {"grid_out_of_scope"}
    assert [e["row"] for e in job.errors] == [2, 3, 4, 5, 6, 7]
    assert counts() == before


def test_a_role_that_may_not_edit_cannot_upload(city, hotline_operator):
    with pytest.raises(PermissionDenied):
        import_job_create(actor=hotline_operator, file_name="a.csv", content=b"x", language="en")


@pytest.mark.parametrize(
    "content, code",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "bad_file"),
        (b"", "empty_file"),
        (b"   \n\n", "empty_file"),
        ("姓名,性别,房号\n张三,男,101\n".encode(), "missing_columns"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "bad_file"),
        (b"PK\x03\x04 not really a zip", "bad_file"),
        (",".join(HEADER_ZH).encode() + b"\n", "no_rows"),
    ],
)
def test_an_unreadable_file_gets_one_clear_file_error(city, grid_worker_a, content, code):
    # when a file that is not a household list is imported
    job = run_import(grid_worker_a, content, language="en", name="list.csv")

    # then the job is rejected with one file-level error, not a crash
    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["code"]) for e in job.errors] == [(0, code)]
    assert stored_error_text(job.errors[0])


def test_xlsx_with_english_headers_and_numeric_cells_imports(city, grid_worker_a):
    # given an Excel sheet with English headers, phones typed as numbers, a real date cell
    header = [
        "Grid code",
        "Building",
        "Address",
        "Unit No",
        "Household phone",
        "Name",
        "Sex",
        "Birth date",
        "Phone",
        "ID number",
        "Relation",
        "Vulnerabilities",
    ]
    row: list[object] = list(person_row(1, grid_code=city.grid_a.code)[:12])
    row[8] = int(str(row[8]))
    row[6] = "M" if row[6] == "男" else "F"
    row[11] = "elderly_alone, bedridden"
    import datetime as dt

    row[7] = dt.datetime.fromisoformat(str(row[7]))

    # when imported
    job = run_import(grid_worker_a, rows_xlsx([row], header=header), name="list.xlsx")

    # then the person is there with both special-group tags
    assert job.status == ImportJob.Status.DONE, job.errors
    person = Person.objects.get(name="居民1")
    assert person.phone == str(row[8])
    assert set(person.vulnerabilities.values_list("kind", flat=True)) == {
        "elderly_alone",
        "bedridden",
    }


def test_people_join_an_existing_household_and_no_id_rows_are_deduplicated_by_name(
    city, grid_worker_a
):
    # given a household already registered in grid A
    household = city.people_a[0].household
    row = [
        city.grid_a.code,
        household.building.name,
        "",
        household.unit_no,
        "",
        "新成员",
        "女",
        "2020-05-01",
        "",
        "",
        "女儿",
        "婴幼儿",
    ]
    header = HEADER_ZH[:12]

    # when a person without an ID number is imported into it twice
    first = run_import(grid_worker_a, rows_csv([row], header=header))
    second = run_import(grid_worker_a, rows_csv([row], header=header), language="en")

    # then the household is reused once, and the second time the person is matched by
    # name in that household and left as is
    assert first.status == ImportJob.Status.DONE, first.errors
    assert second.status == ImportJob.Status.DONE, second.errors
    assert household.members.filter(name="新成员").count() == 1
    result = import_job_result(job=first)
    assert result is not None and result.households_reused == 1
    assert second.summary["people_unchanged"] == 1 and second.summary["people_new"] == 0


def test_a_retried_job_is_not_imported_twice(city, grid_worker_a):
    job = run_import(grid_worker_a, rows_csv(valid_rows(4, grid_code=city.grid_a.code)))
    before = counts()
    again = import_job_process(job_id=job.pk)
    assert again.status == ImportJob.Status.DONE
    assert counts() == before


def test_dry_run_checks_and_writes_nothing(city, grid_worker_a):
    before = counts()
    plan, errors = households_check(
        actor=grid_worker_a, content=rows_csv(valid_rows(8, grid_code=city.grid_a.code))
    )
    assert errors == [] and plan is not None and len(plan.households) == 2
    assert counts() == before


def test_cli_prints_progress_and_the_error_report_and_exits_non_zero(city, grid_worker_a, tmp_path):
    # given a file with a bad phone in row 3
    rows = valid_rows(3, grid_code=city.grid_a.code)
    rows[1][8] = "555"
    path = tmp_path / "list.csv"
    path.write_bytes(rows_csv(rows))
    out, err = io.StringIO(), io.StringIO()

    # when imported from the command line
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import",
            "households",
            str(path),
            "--as",
            "grid_a",
            "--language",
            "en",
            stdout=out,
            stderr=err,
        )

    # then the bar and the row's problem are printed, and nothing is written
    assert "[" in out.getvalue() and "3/3" in out.getvalue()
    assert "row 3" in err.getvalue() and "phone" in err.getvalue()
    assert Person.objects.filter(name__startswith="居民").count() == 0


def test_cli_imports_a_valid_file_and_dry_run_writes_nothing(city, grid_worker_a, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(rows_csv(valid_rows(5, grid_code=city.grid_a.code)))
    out = io.StringIO()
    call_command(
        "import",
        "households",
        str(path),
        "--as",
        "grid_a",
        "--dry-run",
        "--language",
        "en",
        stdout=out,
    )
    assert "dry run" in out.getvalue()
    assert not Person.objects.filter(name__startswith="居民").exists()
    call_command(
        "import", "households", str(path), "--as", "grid_a", "--language", "en", stdout=out
    )
    assert Person.objects.filter(name__startswith="居民").count() == 5


@override_settings(LIFELINE_IMPORT_INLINE=True)
def test_upload_page_imports_and_shows_the_result(client, city, grid_worker_a):
    # given the grid worker on the upload page
    client.force_login(grid_worker_a)
    assert client.get(reverse("registry_import:upload")).status_code == 200
    upload = io.BytesIO(rows_csv(valid_rows(8, grid_code=city.grid_a.code)))
    upload.name = "list.csv"

    # when a valid file is uploaded
    response = client.post(
        reverse("registry_import:upload"), {"file": upload}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )

    # then the job page shows what the file would change, and nothing is written yet
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-status="preview"' in body and 'data-count="people_new">8<' in body
    assert Person.objects.filter(name__startswith="居民").count() == 0

    # when the uploader confirms
    job = ImportJob.objects.get()
    response = client.post(
        reverse("registry_import:confirm", args=[job.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )

    # then the people are imported and the page says so
    assert 'data-status="done"' in response.content.decode()
    assert Person.objects.filter(name__startswith="居民").count() == 8


@override_settings(LIFELINE_IMPORT_INLINE=True)
def test_upload_page_shows_the_error_table(client, city, grid_worker_a):
    rows = valid_rows(4, grid_code=city.grid_a.code)
    rows[2][ID_COLUMN] = with_bad_check_digit(rows[2][ID_COLUMN])
    client.force_login(grid_worker_a)
    upload = io.BytesIO(rows_csv(rows))
    upload.name = "list.csv"
    response = client.post(reverse("registry_import:upload"), {"file": upload}, follow=True)
    body = response.content.decode()
    assert 'data-status="invalid"' in body
    assert 'data-row="4" data-code="bad_id_number"' in body
    assert "hx-trigger" not in body  # a final job stops polling


@override_settings(LIFELINE_IMPORT_INLINE=True)
def test_upload_page_never_fails_on_a_bad_file(client, city, grid_worker_a):
    client.force_login(grid_worker_a)
    upload = io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    upload.name = "picture.csv"
    response = client.post(reverse("registry_import:upload"), {"file": upload}, follow=True)
    assert response.status_code == 200
    assert 'data-status="invalid"' in response.content.decode()
    assert 'data-code="bad_file"' in response.content.decode()


@override_settings(LIFELINE_IMPORT_INLINE=True)
def test_upload_page_refuses_an_empty_file_with_its_error(client, city, grid_worker_a):
    # given an empty upload (the browser sends a file of 0 bytes)
    client.force_login(grid_worker_a)
    upload = io.BytesIO(b"")
    upload.name = "empty.csv"
    jobs = ImportJob.objects.count()

    # when it is posted
    response = client.post(reverse("registry_import:upload"), {"file": upload}, follow=True)

    # then the form is shown again with the file's error, and no job is made
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors["file"]] == ["empty"]
    message = response.context["form"].errors["file"][0]
    assert message and escape(message) in response.content.decode()
    assert ImportJob.objects.count() == jobs


def test_progress_fragment_polls_while_the_job_runs(client, city, grid_worker_a):
    # given a job halfway through checking
    job = import_job_create(actor=grid_worker_a, file_name="a.csv", content=b"x", language="en")
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.VALIDATING, total_rows=1000, processed_rows=400
    )
    client.force_login(grid_worker_a)

    # when the page polls its progress
    response = client.get(
        reverse("registry_import:progress", args=[job.pk]), HTTP_HX_REQUEST="true"
    )

    # then it shows a 40% bar and asks to be polled again in a second
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert 'value="40"' in body


def test_a_job_is_seen_only_by_its_uploader(client, city, grid_worker_a, grid_worker_b):
    job = import_job_create(actor=grid_worker_a, file_name="a.csv", content=b"x", language="en")
    client.force_login(grid_worker_b)
    assert client.get(reverse("registry_import:job", args=[job.pk])).status_code == 404


def test_without_inline_mode_the_upload_enqueues_the_worker_task(
    client, city, grid_worker_a, django_capture_on_commit_callbacks
):
    # given the database task backend (no worker running)
    from django_tasks_db.models import DBTaskResult

    from lifeline.registry.tasks import process_import_job

    client.force_login(grid_worker_a)
    upload = io.BytesIO(rows_csv(valid_rows(4, grid_code=city.grid_a.code)))
    upload.name = "list.csv"

    # when a file is uploaded
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry_import:upload"), {"file": upload})

    # then the job waits for the worker, which imports it when it runs the task
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PENDING
    assert DBTaskResult.objects.filter(task_path__endswith="process_import_job").count() == 1
    process_import_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW  # the counts wait for the uploader


def test_the_sample_file_of_the_docs_imports(city, command_staff):
    # given grids with the demo city's first grid codes
    from pathlib import Path

    from lifeline.registry.models import AreaLevel
    from lifeline.testing.factories import make_area

    for code in ("43020200100101", "43020200100102"):
        make_area(parent=city.community, level=AreaLevel.GRID, code=code, name=code)
    sample = Path(__file__).resolve().parents[1] / "samples" / "households_sample.csv"

    # when the sample is imported
    job = run_import(command_staff, sample.read_bytes(), language="en")

    # then its 6 people in 4 households are registered, with their special groups
    assert job.status == ImportJob.Status.DONE, job.errors
    result = import_job_result(job=job)
    assert result is not None and (result.households, result.people) == (4, 6)
    assert Vulnerability.objects.filter(person__name="李秀英").count() == 2
