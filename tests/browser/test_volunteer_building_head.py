"""A building head named in a real browser, in Chinese and in English: the coordinator
opens a volunteer's choice of buildings (named with their grid), makes them the head of
one, and the task sheet names the building; no page shows a full phone, a login name or
a stored key."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir
from lifeline.volunteers.models import Volunteer
from lifeline.volunteers.tests.helpers import make_duty, volunteer

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("volunteers")
PASSWORD = "pass-word-123"
RAW = re.compile(r"area_path|vol_coord|building_id|13900000001")

WORDS = {
    "zh-hans": {
        "locale": "zh-CN",
        "link": "设为楼栋长…",
        "save": "保存",
        "done": "楼栋长已设置。",
        "head": "楼栋长",
        "listed": "楼栋长：",
    },
    "en": {
        "locale": "en-US",
        "link": "Building head of…",
        "save": "Save",
        "done": "The building head is set.",
        "head": "Building head of",
        "listed": "Head of ",
    },
}


@pytest.fixture(params=sorted(WORDS))
def lang(request: Any) -> str:
    return str(request.param)


def test_a_coordinator_names_a_building_head(
    live_server: Any, transactional_db: None, city: SmallCity, browser: Any, lang: str
) -> None:
    words = WORDS[lang]
    duty = make_duty(city)
    duty.coordinator.display_name = "王协调"
    duty.coordinator.save()
    person = volunteer(duty, 1)
    building = city.people_a[0].household.building
    context = browser.new_context(locale=words["locale"], viewport={"width": 1280, "height": 900})
    desk = context.new_page()
    desk.set_default_timeout(15_000)
    desk.goto(f"{live_server.url}/login/?next=/volunteers/")
    desk.fill("#id_username", duty.coordinator.username)
    desk.fill("#id_password", PASSWORD)
    desk.click("form.stacked button[type=submit]")
    desk.wait_for_url("**/volunteers/")

    desk.get_by_test_id("set-building").first.click()
    form = desk.get_by_test_id("volunteers-form")
    choice = form.locator("select[name=building] option", has_text=city.grid_a.name).first
    expect(choice).to_contain_text(building.name)
    form.locator("select[name=building]").select_option(str(building.pk))
    desk.screenshot(path=str(SHOTS / f"building-head-{lang}.png"), full_page=True)
    form.get_by_role("button", name=words["save"]).click()

    # the list says who heads which building, and the task sheet names it
    expect(desk.locator("body")).to_contain_text(words["done"])
    expect(desk.get_by_test_id("volunteers")).to_contain_text(words["listed"] + building.address)
    assert Volunteer.objects.get(pk=person.pk).building_id == building.pk
    desk.get_by_test_id("volunteers").get_by_role("link", name=person.name).click()
    heading = desk.locator("h3", has_text=building.address)
    expect(heading).to_contain_text(words["head"])
    text = str(desk.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)
    context.close()
