"""A lab uploads a results file: row-level errors and nothing written for a bad file; a
good file imported by the job, with its progress and summary."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client, override_settings
from openpyxl import Workbook

from lifeline.core import clock
from lifeline.screening.models import ResultsJob, TubeResult, TubeStatus
from lifeline.screening.services import (
    results_job_create,
    results_job_process,
    results_template,
)
from lifeline.screening.tests.conftest import more_people, pool


@pytest.fixture
def tubes(city, sampler):
    today = clock.today()
    return [pool(sampler, more_people(city.grid_a, 2), day=today) for _ in range(2)]


def _job(lab, text: str, name: str = "results.csv") -> ResultsJob:
    job = results_job_create(actor=lab, file_name=name, content=text.encode("utf-8"), language="en")
    return results_job_process(job_id=job.pk)


def test_a_file_with_one_bad_row_is_reported_by_row_and_column_and_writes_nothing(lab, tubes):
    text = f"barcode,result\n{tubes[0]},negative\n{tubes[1]},maybe\nNOPE,positive\n"
    job = _job(lab, text)
    assert job.status == ResultsJob.Status.INVALID
    assert [(e["row"], e["column"], e["code"]) for e in job.errors] == [
        (3, "result", "bad_result"),
        (4, "barcode", "unknown_tube"),
    ]
    assert job.errors[0]["message"] == "Write negative, positive or invalid."
    assert not TubeResult.objects.exists()


def test_a_good_excel_file_is_imported_whole_with_its_summary(lab, tubes):
    book = Workbook()
    sheet = book.active
    sheet.append(["条码", "结果", "报告时间"])
    sheet.append([tubes[0], "阴性", dt.datetime(2024, 5, 1, 14, 30)])
    sheet.append([tubes[1], "positive", None])
    buffer = io.BytesIO()
    book.save(buffer)
    job = results_job_create(
        actor=lab, file_name="r.xlsx", content=buffer.getvalue(), language="zh-hans"
    )
    job = results_job_process(job_id=job.pk)
    assert job.status == ResultsJob.Status.DONE, job.errors
    assert (job.summary["imported"], job.summary["positives"]) == (2, 1)
    assert job.progress_percent == 100
    assert set(TubeResult.objects.values_list("outcome", flat=True)) == {"negative", "positive"}
    assert job.content == b""


def test_the_template_names_every_column(lab):
    text = results_template(language="en").decode("utf-8-sig")
    assert text.startswith("barcode (Tube barcode),result (Result),reported_at (Reported at)")


def test_a_sampler_may_not_upload_results(sampler):
    from lifeline.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        results_job_create(actor=sampler, file_name="x.csv", content=b"x", language="en")


@override_settings(LIFELINE_IMPORT_INLINE=True)
def test_the_lab_page_uploads_and_shows_the_report_and_another_lab_cannot_read_it(city, lab, tubes):
    from lifeline.accounts.models import Role
    from lifeline.testing.factories import make_user

    client = Client()
    client.force_login(lab)
    upload = io.BytesIO(f"barcode,result\n{tubes[0]},negative\n".encode())
    upload.name = "ok.csv"
    response = client.post("/screening/lab/", {"file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert tubes[0] in page.content.decode()
    assert TubeResult.objects.get().tube.status == TubeStatus.RESULTED
    other = make_user("other_lab", role=Role.LAB, area=city.city)
    client.force_login(other)
    assert client.get(response["Location"]).status_code == 404
