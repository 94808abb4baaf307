"""A lab on a desktop, in a real browser: sees the tubes on their way, uploads a results
file with one bad row and reads the row-level error (nothing imported), then a good file,
whose progress it watches until the results are shown."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.accounts.models import Role
from lifeline.registry.models import Unit
from lifeline.screening.models import ResultsJob, Site, TubeResult, TubeStatus
from lifeline.screening.services import (
    results_job_process,
    sample_register,
    session_start,
    shipment_send,
    tube_close,
)
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser
SHOTS = screenshots_dir()


def _given_two_tubes_sent_to_the_lab(city: SmallCity) -> tuple[Unit, list[str]]:
    site = Site.objects.create(
        name="泰山路核酸采样点", kind="fixed", area=city.community, area_path=city.community.path
    )
    lab = Unit.objects.create(code="LAB-1", name="市第一检测实验室", kind=Unit.Kind.HOSPITAL)
    make_user("lab_staff", role=Role.LAB, area=city.city, unit=lab)
    sampler = make_user("sampler", role=Role.SAMPLER, area=city.community)
    session = session_start(actor=sampler, site_id=site.pk)
    barcodes = ["SH-1001", "SH-1002"]
    for barcode, person in zip(barcodes, city.people_a, strict=False):
        sample_register(
            actor=sampler,
            client_id=f"c-{barcode}",
            barcode=barcode,
            person_id=person.pk,
            session_id=session.pk,
        )
        tube_close(actor=sampler, barcode=barcode)
    shipment_send(actor=sampler, client_id="box-1", session_id=session.pk, lab_id=lab.pk)
    return lab, barcodes


def _upload(page: Any, name: str, text: str) -> None:
    page.set_input_files(
        "#results-upload input[type=file]",
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}],
    )
    page.click("#results-upload button[type=submit]")
    page.wait_for_url("**/screening/lab/imports/*/")


def _worker_runs_the_job() -> None:
    # `lifeline worker` would pick the queued task; here the test plays the worker.
    results_job_process(job_id=ResultsJob.objects.latest("pk").pk)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_lab_uploads_a_bad_file_then_a_good_one(
    live_server: Any,
    transactional_db: None,
    browser: Any,
    city: SmallCity,
    settings: Any,
    locale: str,
) -> None:
    settings.LIFELINE_IMPORT_INLINE = False
    lab, barcodes = _given_two_tubes_sent_to_the_lab(city)
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/?next=/screening/lab/")
    page.fill("#id_username", "lab_staff")
    page.fill("#id_password", "pass-word-123")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/screening/lab/")

    # then: the box on its way is listed, with its site and its two tubes
    expect(page.locator("#incoming")).to_contain_text(lab.name)
    expect(page.locator("#incoming")).to_contain_text("泰山路核酸采样点")
    expect(page.locator("#incoming tbody tr").first.locator("td").nth(3)).to_have_text("2")
    # and the template can be downloaded
    with page.expect_download() as download:
        page.click("#results-template")
    assert download.value.suggested_filename == "lab-results-template.csv"

    # when: a file with one bad result is uploaded
    _upload(page, "bad.csv", f"barcode,result\n{barcodes[0]},negative\n{barcodes[1]},maybe\n")
    expect(page.locator("#results-progress")).to_have_attribute("data-status", "pending")
    expect(page.locator("#results-progress progress")).to_be_visible()
    _worker_runs_the_job()
    # then: the report names the row and the column, and nothing is imported
    row = page.locator("#results-errors tr[data-row='3']")
    expect(row).to_be_visible(timeout=20_000)
    column = "列" if locale == "zh-CN" else "Column"
    expect(page.locator("#results-errors thead")).to_contain_text(column)
    if locale == "en-US":
        expect(row).to_contain_text("Result")
        expect(row).to_contain_text("Write negative, positive or invalid.")
    assert not TubeResult.objects.exists()

    # when: the corrected file is uploaded
    page.goto(f"{live_server.url}/screening/lab/")
    _upload(page, "good.csv", f"barcode,result\n{barcodes[0]},negative\n{barcodes[1]},positive\n")
    # then: its progress shows while the worker has not run, then the results
    expect(page.locator("#results-progress progress")).to_be_visible()
    _worker_runs_the_job()
    expect(page.locator("#results-progress")).to_have_attribute(
        "data-status", "done", timeout=20_000
    )
    expect(page.locator("#results-tubes")).to_contain_text(barcodes[0])
    expect(page.locator("#results-tubes")).to_contain_text(barcodes[1])
    page.screenshot(path=f"{SHOTS}/lab-upload-{locale}.png", full_page=True)
    assert {t.tube.barcode: t.outcome for t in TubeResult.objects.select_related("tube")} == {
        barcodes[0]: "negative",
        barcodes[1]: "positive",
    }
    assert TubeResult.objects.first().tube.status == TubeStatus.RESULTED
    body = page.locator("main").inner_text()
    assert "lab_staff" not in body and "screening." not in body
    if locale == "zh-CN":
        expect(page.locator("#results-tubes")).to_contain_text("阳性")
    else:
        expect(page.locator("#results-tubes")).to_contain_text("Positive")
    # and: nothing is on its way any more
    page.goto(f"{live_server.url}/screening/lab/")
    expect(page.locator("#incoming tbody td.empty")).to_be_visible()
    context.close()
