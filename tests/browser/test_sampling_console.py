"""A sampler's phone loses the network mid-round: 20 registrations queue in the page and
reach the server exactly once when the network returns."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.accounts.models import Role
from lifeline.screening.models import Sample, Tube, TubeStatus
from lifeline.testing.factories import SmallCity, make_household, make_person, make_user

pytestmark = pytest.mark.browser


def test_console_keeps_twenty_offline_registrations_and_syncs_them_once(
    live_server: Any, transactional_db: None, page: Any, city: SmallCity
) -> None:
    # given: a sampler of the community and 20 residents of grid A
    make_user("sampler", role=Role.SAMPLER, area=city.community)
    people = [
        make_person(household=make_household(grid=city.grid_a, unit_no=f"9{i:02d}"), name="居民")
        for i in range(20)
    ]
    page.goto(f"{live_server.url}/login/?next=/screening/console/")
    page.fill("#id_username", "sampler")
    page.fill("#id_password", "pass-word-123")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/screening/console/")
    page.fill("#barcode", "SH-0001")
    page.select_option("#pool-size", "20")

    # when: the network drops and 20 people are scanned into the tube
    page.context.set_offline(True)
    for person in people:
        page.fill("#person-code", f"P{person.pk}")
        page.click("#add-person")
    expect(page.locator("#queue-count")).to_have_text("20")
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
    assert set(Sample.objects.values_list("person_id", flat=True)) == {p.pk for p in people}
