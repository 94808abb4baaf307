"""Checkpoint staff, in a real browser with the network cut: the verifier still accepts a
valid pass and rejects a revoked one (the revocation was synced before the cut), and the
checks it made offline are uploaded once the network returns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.passes import services
from lifeline.passes.models import Checkpoint, MovementPass, PassCheck
from lifeline.passes.tests.conftest import seed_pass_types
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity, make_user

pytestmark = [pytest.mark.browser, pytest.mark.urls("lifeline.passes.tests.urls")]

CACHED = """async () => {
  const cache = await caches.open('lifeline-checkpoint-v1');
  const o = { ignoreVary: true };
  return !!(await cache.match(location.pathname, o)) && !!(await cache.match('verifier.js', o));
}"""


def _issue_truck_pass(city: SmallCity, applicant: User, approver: User, plate: str) -> MovementPass:
    now = clock.now()
    application = services.pass_application_submit(
        actor=applicant,
        pass_type_code="logistics",
        applicant_kind="enterprise",
        on_behalf_of="株洲某医疗用品有限公司",
        area=city.street,  # where the park's service company is a member
        holder_label=plate,
        route="园区—湘江一桥—市中心医院",
        valid_from=now - dt.timedelta(hours=1),
        valid_until=now + dt.timedelta(hours=6),
        purpose="运送防护服",
    )
    return services.pass_application_approve(actor=approver, application_id=application.pk)


def _verify(page: Any, text: str) -> None:
    page.fill("#pass-text", text)
    page.click("#verify")


def test_verifier_works_offline_and_uploads_its_checks_when_the_network_returns(
    live_server: Any, transactional_db: None, page: Any, city: SmallCity
) -> None:
    # given: the district bureau issued two truck passes and revoked one of them
    seed_pass_types()
    district = Unit.objects.create(
        code="U-DIST", name="天元区交通运输局", kind=Unit.Kind.DISTRICT_BUREAU
    )
    district.areas.set([city.district])
    approver = make_user("district_approver", role=Role.UNIT_STAFF, unit=district)
    applicant = make_user("park_service", role=Role.UNIT_STAFF, area=city.street)
    checkpoint = Checkpoint.objects.create(
        code="CP-BRIDGE-1",
        name="湘江一桥卡口",
        area=city.district,
        area_path=city.district.path,
        unit=district,
    )
    make_user("bridge_staff", role=Role.CHECKPOINT_STAFF, unit=district)
    valid = _issue_truck_pass(city, applicant, approver, "湘B12345")
    revoked = _issue_truck_pass(city, applicant, approver, "湘B67890")
    services.pass_revoke(actor=approver, pass_id=revoked.pass_id, reason="车辆改派")

    # and: checkpoint staff open the verifier online, which syncs keys and revocations
    page.goto(f"{live_server.url}/login/?next=/passes/checkpoint/")
    page.fill("#id_username", "bridge_staff")
    page.fill("#id_password", "pass-word-123")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/passes/checkpoint/")
    expect(page.locator("#verifier")).to_have_attribute("data-ready", "true")
    expect(page.locator("#verifier")).to_have_attribute("data-synced", "1")
    page.wait_for_function(CACHED)

    # when: the network is cut and the page is reloaded from the service worker
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#verifier")).to_have_attribute("data-ready", "true")
    expect(page.locator("[data-testid=network]")).to_have_attribute("data-state", "offline")

    # then: the valid pass passes and the revoked one is refused, both offline
    _verify(page, valid.text)
    expect(page.locator("[data-testid=result]")).to_have_attribute("data-status", "ok")
    expect(page.locator("[data-testid=result]")).to_contain_text("湘B12345")
    _verify(page, revoked.text)
    expect(page.locator("[data-testid=result]")).to_have_attribute("data-status", "revoked")
    expect(page.locator("[data-testid=queued]")).to_have_text("2")
    assert PassCheck.objects.count() == 0

    # when: the network returns
    page.context.set_offline(False)

    # then: the two queued checks are uploaded, once each, against the checkpoint
    expect(page.locator("[data-testid=queued]")).to_have_text("0")
    checks = {c.pass_ref: c for c in PassCheck.objects.filter(checkpoint=checkpoint)}
    assert set(checks) == {valid.pass_id, revoked.pass_id}
    assert checks[valid.pass_id].result == "ok" and checks[valid.pass_id].offline
    assert checks[revoked.pass_id].result == "revoked"
