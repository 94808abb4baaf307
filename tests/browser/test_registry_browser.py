"""A grid worker, in a real browser: log in, drill down to a person, reveal the phone, find
someone by ID number."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.accounts.models import User
from lifeline.core import clock
from lifeline.core.models import AuditRecord
from lifeline.core.personal import age_band, decrypt_value
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.browser


def test_grid_worker_drills_down_and_reveals_a_phone_with_a_purpose(
    live_server: Any, transactional_db: None, page: Any, city: SmallCity, grid_worker_a: User
) -> None:
    person = city.people_a[0]
    # given: the grid worker logs in
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "grid_a")
    page.fill("#id_password", "pass-word-123")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/areas/")

    # when: the area tree leads to the grid, and the grid to the person
    page.locator("main").get_by_role("link", name=city.grid_a.name).first.click()
    page.wait_for_url(f"**/grids/{city.grid_a.pk}/")
    expect(page.locator("#people")).to_contain_text(person.phone_masked)
    page.locator("#people").get_by_role("link", name=person.name).click()
    page.wait_for_url(f"**/people/{person.pk}/")
    phone = page.locator(".sensitive[data-field=phone]")
    expect(phone).to_contain_text(person.phone_masked)
    expect(page.locator("body")).not_to_contain_text(person.phone)
    # the ID shows the province only, the birth date an age band
    expect(page.locator(".sensitive[data-field=id_number]")).to_contain_text("43" + "*" * 16)
    birth = page.locator(".sensitive[data-field=birth_date]")
    expect(birth).to_contain_text(age_band(person.birth_date, clock.today()))
    expect(page.locator("body")).not_to_contain_text(person.birth_date.isoformat())

    # when: the phone is revealed with a reason from the list and a purpose
    phone.locator("summary").click()
    phone.locator("select[name=reason]").select_option("care")
    phone.locator("input[name=purpose]").fill("送药上门前电话确认")
    phone.locator("button[type=submit]").click()

    # then: the full number appears in place (htmx swap, no page change), audited once
    expect(page.locator("[data-testid=revealed-phone]")).to_have_text(person.phone)
    assert page.url.endswith(f"/people/{person.pk}/")
    record = AuditRecord.objects.get(action="sensitive.reveal")
    assert record.purpose == "care: 送药上门前电话确认"

    # when: the grid worker finds someone by full ID number (a POST form, counted)
    page.goto(f"{live_server.url}/search/")
    page.fill("input[name=id_number]", decrypt_value(person.id_number_enc))
    page.get_by_role("button", name="按身份证号查找").click()
    # then: the person is listed, the number itself is not shown back, nor put in the URL
    expect(page.locator("main")).to_contain_text(person.name)
    assert decrypt_value(person.id_number_enc) not in page.content()
    assert decrypt_value(person.id_number_enc) not in page.url
    assert AuditRecord.objects.filter(action="person.search_id").count() == 1
