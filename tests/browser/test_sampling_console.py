"""A sampler on a phone, in a real browser: picks a site and a session (or opens one),
scans people into a tube and sees each accepted person's masked name and age band, sees a
refused scan leave the counter alone, sends the tubes to a lab, then reopens the console
with the network cut and queues a scan that reaches the server once when it returns."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.accounts.models import Role
from lifeline.core import clock
from lifeline.core.personal import age_band, mask_name
from lifeline.registry.models import Unit
from lifeline.screening.models import Sample, Session, Shipment, Site, Tube, TubeStatus
from lifeline.screening.services import session_start
from lifeline.testing.factories import SmallCity, make_household, make_person, make_user
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser

CACHED = """async () => {
  const cache = await caches.open('lifeline-console-v1');
  return !!(await cache.match(location.pathname, { ignoreVary: true }));
}"""

SHOTS = screenshots_dir()


def _given_a_site_a_lab_and_a_sampler(city: SmallCity) -> tuple[Site, Unit]:
    site = Site.objects.create(
        name="泰山路核酸采样点", kind="fixed", area=city.community, area_path=city.community.path
    )
    lab = Unit.objects.create(code="LAB-1", name="市第一检测实验室", kind=Unit.Kind.HOSPITAL)
    make_user("lab_staff", role=Role.LAB, area=city.city, unit=lab)
    make_user("sampler", role=Role.SAMPLER, area=city.community)
    return site, lab


def _log_in(page: Any, url: str) -> None:
    page.goto(f"{url}/login/?next=/screening/console/")
    page.fill("#id_username", "sampler")
    page.fill("#id_password", "pass-word-123")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/screening/console/**")


def _scan(page: Any, code: str) -> None:
    page.fill("#person-code", code)
    page.click("#add-person")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_sampler_samples_sends_tubes_and_keeps_working_offline(
    live_server: Any, transactional_db: None, browser: Any, city: SmallCity, locale: str
) -> None:
    site, lab = _given_a_site_a_lab_and_a_sampler(city)
    planned = None
    if locale == "en-US":  # a session planned ahead, picked from the list
        planned = session_start(
            actor=make_user("planner", role=Role.SAMPLER, area=city.community), site_id=site.pk
        )
    first, second, third = city.people_a
    context = browser.new_context(locale=locale, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    _log_in(page, live_server.url)

    # when: the sampler picks the site, and a session (opens one in Chinese, picks in English)
    page.select_option("#site", str(site.pk))
    if planned is None:
        page.click("#open-session")
        page.wait_for_url("**/screening/console/")
        session = Session.objects.get()
    else:
        page.select_option("#session", str(planned.pk))
        session = planned
    expect(page.locator("#session")).to_have_value(str(session.pk))
    expect(page.locator("#where-chosen")).to_contain_text(site.name)

    # and scans a person into a tube
    page.fill("#barcode", "SH-0001")
    _scan(page, f"P{first.pk}")
    # then: the masked name and age band are echoed, the counter counts one
    band = age_band(first.birth_date, clock.today())
    expect(page.locator("#last-scan")).to_contain_text(mask_name(first.name))
    expect(page.locator("#last-scan")).to_contain_text(band)
    expect(page.locator("#last-scan")).not_to_contain_text(first.name)
    expect(page.locator("#tube-count")).to_have_text("1")

    # when: an unknown code and the same person again are scanned
    _scan(page, "P99999999")
    expect(page.locator("#rejected li")).to_have_count(1)
    _scan(page, f"P{first.pk}")
    expect(page.locator("#rejected li")).to_have_count(2)
    # then: both are refused, with a message, and the counter has not moved
    expect(page.locator("#last-scan")).to_have_attribute("data-state", "refused")
    expect(page.locator("#tube-count")).to_have_text("1")
    _scan(page, f"P{second.pk}")
    expect(page.locator("#tube-count")).to_have_text("2")
    assert Sample.objects.count() == 2

    # when: the tubes are sent to the lab
    page.click("#send-tubes")
    # then: the console shows the lab and the number of tubes; the tube is on its way
    expect(page.locator("#sent li")).to_contain_text(lab.name)
    shipment = Shipment.objects.get()
    assert (shipment.tube_count, shipment.lab_id, shipment.session_id) == (1, lab.pk, session.pk)
    assert Tube.objects.get(barcode="SH-0001").status == TubeStatus.SENT
    page.wait_for_function(CACHED)
    page.screenshot(path=f"{SHOTS}/sampling-console-{locale}.png", full_page=True)

    # when: the network is cut and the console is reopened
    context.set_offline(True)
    page.reload()
    # then: it opens from the phone, with the session still chosen
    expect(page.locator("#person-code")).to_be_visible()
    expect(page.locator("#session")).to_have_value(str(session.pk))
    page.fill("#barcode", "SH-0002")
    _scan(page, f"P{third.pk}")
    expect(page.locator("#queue-count")).to_have_text("1")
    expect(page.locator("#last-scan")).to_have_attribute("data-state", "queued")
    assert Sample.objects.count() == 2

    # when: the network returns
    context.set_offline(False)
    page.click("#sync-now")
    # then: the queued scan is accepted once, into the session's tube
    expect(page.locator("#queue-count")).to_have_text("0", timeout=20_000)
    expect(page.locator("#tube-count")).to_have_text("1")
    expect(page.locator("#last-scan")).to_contain_text(mask_name(third.name))
    assert Sample.objects.filter(person=third).count() == 1
    assert Tube.objects.get(barcode="SH-0002").session_id == session.pk

    # and: the daily review lists the site, the session and the tubes sent
    page.goto(f"{live_server.url}/screening/review/")
    expect(page.locator("#per-site")).to_contain_text(site.name)
    expect(page.locator("#per-session")).to_contain_text(session.name)
    expect(page.locator("#shipments")).to_contain_text(lab.name)
    body = page.locator("main").inner_text()
    assert "sampler" not in body and "screening." not in body
    if locale == "zh-CN":
        expect(page.locator("h1")).to_contain_text("每日复盘")
    else:
        expect(page.locator("#shipments")).to_contain_text("1")
        expect(page.locator("main")).to_contain_text("Tubes sent to the lab")
    context.close()


def test_console_keeps_twenty_offline_registrations_and_syncs_them_once(
    live_server: Any, transactional_db: None, page: Any, city: SmallCity
) -> None:
    # given: a sampler of the community at a session, and 20 residents of grid A
    site, _lab = _given_a_site_a_lab_and_a_sampler(city)
    people = [
        make_person(household=make_household(grid=city.grid_a, unit_no=f"9{i:02d}"), name="居民")
        for i in range(20)
    ]
    _log_in(page, live_server.url)
    page.select_option("#site", str(site.pk))
    page.click("#open-session")
    page.wait_for_url("**/screening/console/")
    page.fill("#barcode", "SH-0001")
    page.select_option("#pool-size", "20")

    # when: the network drops and 20 people are scanned into the tube
    page.context.set_offline(True)
    for person in people:
        _scan(page, f"P{person.pk}")
    expect(page.locator("#queue-count")).to_have_text("20")
    expect(page.locator("#tube-count")).to_have_text("0")  # none accepted yet
    page.click("#sync-now")  # a sync attempt while offline must keep the queue
    expect(page.locator("#net-status")).to_have_attribute("data-online", "0")
    assert Sample.objects.count() == 0

    # then: back online, the queue drains and the server holds exactly 20, in one tube
    page.context.set_offline(False)
    page.click("#sync-now")
    expect(page.locator("#queue-count")).to_have_text("0", timeout=20_000)
    expect(page.locator("#synced-count")).to_have_text("20")
    page.reload()  # nothing is left to send twice
    expect(page.locator("#queue-count")).to_have_text("0")
    assert Sample.objects.count() == 20
    tube = Tube.objects.get(barcode="SH-0001")
    assert (tube.members, tube.status) == (20, TubeStatus.CLOSED)
    assert tube.session_id == Session.objects.get().pk
    assert set(Sample.objects.values_list("person_id", flat=True)) == {p.pk for p in people}
