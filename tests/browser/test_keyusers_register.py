"""The key-users register in a real browser, in Chinese and in English: the power
company's duty desk opens the map of its key users (coloured by kind, a popup with the
name, kind and supply points; a person at home only counted at the area's centre), then
edits a hospital's protection plan. No page shows a full phone, a person at home's name
or address, a login name or a raw key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import expect

from lifeline.keyusers.models import KeyUser, KeyUserKind
from lifeline.keyusers.tests.helpers import key_user, make_power_grid
from lifeline.registry.models import Area, Facility
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("keyusers")
PASSWORD = "pass-word-123"
RAW = re.compile(r"home_life_support|area_path|power_duty|supply_points|_at\b|\{|%\(")
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}


@pytest.fixture(params=sorted(LOCALES))
def lang(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Any, lang: str) -> Iterator[Any]:
    context = browser.new_context(locale=LOCALES[lang], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _words(lang: str) -> dict[str, str]:
    """What the pages say, from the catalogue of the page's language."""
    with translation.override(lang):
        return {
            "map": gettext("Map"),
            "map_title": gettext("Key users on the map"),
            "hospital": str(KeyUserKind.HOSPITAL.label),
            "home": ngettext(
                "%(n)s person at home on oxygen or life support",
                "%(n)s people at home on oxygen or life support",
                1,
            )
            % {"n": 1},
            # A {% trans %} of a text with "%(n)s" keeps it as "%%(n)s" in the catalogue;
            # the page's script fills it in.
            "masked": gettext("At the centre of their area (people at home): %%(n)s.").replace(
                "%%", "%"
            )
            % {"n": 1},
            "edit": gettext("Edit the plan"),
            "save": gettext("Save"),
            "saved": gettext("The protection plan is saved."),
        }


def _facility(area: Area, name: str, lat: float, lng: float) -> Facility:
    return Facility.objects.create(
        kind=Facility.Kind.HOSPITAL, name=name, area=area, area_path=area.path, lat=lat, lng=lng
    )


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/?next=/keyusers/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/keyusers/")


def _clean(page: Any, *secrets: str) -> None:
    text = str(page.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)
    for secret in secrets:
        assert secret not in text


def test_the_duty_desk_sees_its_key_users_on_the_map_and_edits_a_plan(
    live_server: Any,
    transactional_db: None,
    city: SmallCity,
    page: Any,
    lang: str,
) -> None:
    words = _words(lang)
    grid = make_power_grid(city)
    grid.duty.display_name = "供电值班"
    grid.duty.save()
    first = key_user(grid, 1, grid.feeder_a, facility=_facility(city.grid_a, "一院", 27.80, 113.10))
    key_user(grid, 3, grid.feeder_b, facility=_facility(city.grid_b, "三院", 27.86, 113.20))
    key_user(
        grid,
        2,
        grid.feeder_a,
        kind=KeyUserKind.HOME_LIFE_SUPPORT,
        name="李秀英",
        address="泰山路12号3栋402",
        contact_phone="13700009999",
    )
    secrets = ("13700009999", "李秀英", "泰山路12号", grid.duty.username)

    # the map of the register: three markers, the person at home only counted
    _login(page, live_server.url, grid.duty.username)
    page.get_by_test_id("map-link").click()
    expect(page.locator("h1")).to_have_text(words["map_title"])
    box = page.get_by_test_id("map")
    expect(box).to_have_attribute("data-drawn", "3")
    expect(page.get_by_test_id("map-counts")).to_have_text(words["masked"])
    expect(page.get_by_test_id("legend")).to_contain_text(words["hospital"])
    popups = []
    markers = box.locator("path.leaflet-interactive")
    expect(markers).to_have_count(3)
    for n in range(3):
        # clicks go to the elements themselves: an open popup's pan of the map may move
        # a marker or the close button under a click aimed by coordinates
        markers.nth(n).dispatch_event("click")
        popup = page.get_by_test_id("map-popup")
        expect(popup).to_be_visible()
        popups.append(str(popup.inner_text()))
        if "第1医院" in popups[-1]:
            page.screenshot(path=str(SHOTS / f"register-map-{lang}.png"), full_page=True)
        page.locator(".leaflet-popup-close-button").dispatch_event("click")
        expect(popup).to_have_count(0)
    hospital = next(text for text in popups if "第1医院" in text)
    assert words["hospital"] in hospital and "10KV-101" in hospital
    home = next(text for text in popups if words["home"] in text)
    assert "10KV-101" in home
    _clean(page, *secrets)

    # the plan of hospital 1: a new backup source and the special plan
    page.goto(f"{live_server.url}/keyusers/{first.pk}/")
    page.get_by_test_id("edit-plan").click()
    form = page.get_by_test_id("keyusers-form")
    expect(form.locator("input[name=contact_phone]")).to_have_value("")
    form.locator("input[name=backup_source]").fill("双回路 + 应急发电车")
    form.locator("textarea[name=special_plan]").fill("改为集中隔离医院：两路市电 + 发电车待命")
    form.locator(f"input[name=supply_points][value='{grid.feeder_b.pk}']").check()
    page.screenshot(path=str(SHOTS / f"edit-plan-{lang}.png"), full_page=True)
    form.get_by_role("button", name=words["save"]).click()
    expect(page.locator("body")).to_contain_text(words["saved"])
    expect(page.get_by_test_id("plan")).to_contain_text("双回路 + 应急发电车")
    expect(page.get_by_test_id("plan")).to_contain_text("10KV-102")
    expect(page.get_by_test_id("special-plan")).to_contain_text("两路市电")
    expect(page.get_by_test_id("plan")).to_contain_text("137****0001")
    page.screenshot(path=str(SHOTS / f"plan-saved-{lang}.png"), full_page=True)
    _clean(page, *secrets, "13700000001")
    saved = KeyUser.objects.get(pk=first.pk)
    assert saved.contact_phone == "13700000001"
    assert saved.backup_source == "双回路 + 应急发电车"
