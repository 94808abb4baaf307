"""Under the Content-Security-Policy (no inline scripts, handlers or styles), the main pages
of several roles still work in a real browser, and the browser reports no violation.

Violations are collected twice: the ``securitypolicyviolation`` event of every document
(reported to the test through an exposed function), and Chromium's console messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.passes.models import Checkpoint
from lifeline.registry.models import Unit
from lifeline.screening.models import Site
from lifeline.teams.services import plan_create
from lifeline.teams.tests.helpers import MORNING, make_fleet, make_orders
from lifeline.testing.factories import SmallCity, make_user
from lifeline.workorders.services import workorder_create

pytestmark = pytest.mark.browser

PASSWORD = "pass-word-123"

LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__reportCsp(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}` +
                     ` at ${e.documentURI} (${e.sourceFile || ""}:${e.lineNumber})`);
});
window.print = () => { window.__printed = true; };
"""


CHECKPOINT_CACHED = """async () => {
  const cache = await caches.open('lifeline-checkpoint-v1');
  const o = { ignoreVary: true };
  return !!(await cache.match(location.pathname, o)) && !!(await cache.match('verifier.js', o));
}"""


class Session:
    """A browser context signed in as one user, collecting CSP violations."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.violations: list[str] = []
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        self.context.expose_function("__reportCsp", self._report)
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on("console", self._console)

    def _report(self, text: str) -> None:
        self.violations.append(text)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)

    def login(self, username: str) -> Session:
        self.page.goto(f"{self.base}/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("form.stacked button[type=submit]")
        self.page.wait_for_url(lambda url: "/login/" not in url)
        return self

    def open(self, path: str) -> Any:
        response = self.page.goto(f"{self.base}{path}")
        assert response is not None and response.status == 200, (path, response)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, (path, policy)
        self.page.wait_for_load_state("load")
        return response


@pytest.fixture
def sessions(browser: Any, live_server: Any) -> Iterator[Callable[[], Session]]:
    opened: list[Session] = []

    def make() -> Session:
        opened.append(Session(browser, live_server.url))
        return opened[-1]

    yield make
    for session in opened:
        session.context.close()


def _assert_clean(session: Session) -> None:
    session.page.wait_for_timeout(300)  # late reports (async event dispatch)
    assert session.violations == [], session.violations


def test_pages_of_several_roles_work_without_csp_violations(
    live_server: Any,
    transactional_db: None,
    sessions: Any,
    city: SmallCity,
    grid_worker_a: User,
    community_staff: User,
    hotline_operator: User,
    command_staff: User,
) -> None:
    person = city.people_a[0]
    order = workorder_create(
        actor=grid_worker_a,
        category_code="food_supplies",
        area=city.grid_a,
        description="家里缺米",
        address="1栋",
        extra={"items": "大米 10 斤", "people": 3},
    ).order
    make_user("sampler", role=Role.SAMPLER, area=city.community)
    site = Site.objects.create(
        name="泰山路核酸采样点", kind="fixed", area=city.community, area_path=city.community.path
    )
    fleet = make_fleet(city)
    with clock.frozen_at(MORNING):
        make_orders(fleet, city, per_grid=3)
        plan = plan_create(
            actor=fleet.company_dispatcher,
            unit_id=fleet.company.pk,
            day=MORNING.date(),
            time_limit=0.3,
        )

    # anonymous: the login page and the resident form
    anonymous = sessions()
    anonymous.open("/login/")
    anonymous.open("/r/")
    _assert_clean(anonymous)

    # a grid worker: area tree, grid, household, person with an htmx reveal, search, orders
    grid = sessions().login("grid_a")
    grid.open("/areas/")
    grid.open(f"/grids/{city.grid_a.pk}/")
    grid.open(f"/households/{person.household_id}/")
    grid.open(f"/people/{person.pk}/")
    phone = grid.page.locator(".sensitive[data-field=phone]")
    phone.locator("summary").click()
    phone.locator("input[name=purpose]").fill("送药上门前电话确认")
    phone.locator("button[type=submit]").click()
    expect(grid.page.locator("[data-testid=revealed-phone]")).to_have_text(person.phone)
    grid.open(f"/search/?q={person.name}")
    grid.open("/workorders/")
    grid.open(f"/workorders/{order.pk}/")
    expect(grid.page.locator("main")).to_contain_text("大米 10 斤")
    _assert_clean(grid)

    # community staff: screening list, import and export pages
    community = sessions().login("community")
    community.open(f"/screening/areas/{city.community.pk}/lists/not_tested_today/")
    community.open("/registry/import/")
    community.open("/registry/export/")
    _assert_clean(community)

    # the hotline console: a caller found by phone through htmx
    hotline = sessions().login("hotline")
    hotline.open("/workorders/hotline/")
    hotline.page.fill("#caller-phone", person.phone)
    hotline.page.locator("main").get_by_role("button", name="查找").click()
    expect(hotline.page.locator("[data-testid=caller-households]")).to_contain_text(person.name)
    _assert_clean(hotline)

    # the sampling console: its script (now a file) queues and syncs a registration
    sampler = sessions().login("sampler")
    sampler.open("/screening/console/")
    sampler.page.select_option("#site", str(site.pk))
    sampler.page.click("#open-session")
    expect(sampler.page.locator("#where-chosen")).to_contain_text(site.name)
    sampler.page.fill("#barcode", "CSP-0001")
    sampler.page.fill("#person-code", f"P{person.pk}")
    sampler.page.press("#person-code", "Enter")  # the form must not post
    expect(sampler.page.locator("#synced-count")).to_have_text("1", timeout=20_000)
    assert sampler.page.url.endswith("/screening/console/")
    _assert_clean(sampler)

    # command centre: metrics and the interactive API docs (Swagger UI renders)
    command = sessions().login("command")
    command.open("/workorders/metrics/")
    command.open("/api/v1/docs")
    # the schema of the whole API is built on this first request: give it time
    expect(command.page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=60_000)
    _assert_clean(command)

    # the gas company's dispatcher: plan, map, and the route sheet's print button
    dispatcher = sessions().login(fleet.company_dispatcher.username)
    dispatcher.open(reverse("teams:plan", args=[plan.pk]))
    dispatcher.open(reverse("teams:map", args=[plan.pk]))
    expect(dispatcher.page.locator(".leaflet-overlay-pane svg path").first).to_be_attached()
    dispatcher.open(reverse("teams:sheet", args=[plan.pk]))
    dispatcher.page.locator("main button[data-print]").click()
    assert dispatcher.page.evaluate("window.__printed === true")
    _assert_clean(dispatcher)

    # checkpoint staff: the offline verifier (a module script, a service worker caching it)
    district = Unit.objects.create(
        code="U-DIST", name="天元区交通运输局", kind=Unit.Kind.DISTRICT_BUREAU
    )
    district.areas.set([city.district])
    Checkpoint.objects.create(
        code="CP-1",
        name="湘江一桥卡口",
        area=city.district,
        area_path=city.district.path,
        unit=district,
    )
    make_user("bridge_staff", role=Role.CHECKPOINT_STAFF, unit=district)
    checkpoint = sessions().login("bridge_staff")
    checkpoint.open("/passes/checkpoint/")
    expect(checkpoint.page.locator("#verifier")).to_have_attribute("data-ready", "true")
    checkpoint.page.wait_for_function(CHECKPOINT_CACHED)
    _assert_clean(checkpoint)

    # an administrator: Django's admin, a list and a change form
    root = make_user("root")
    User.objects.filter(pk=root.pk).update(is_staff=True, is_superuser=True)
    admin = sessions().login("root")
    admin.open("/admin/")
    admin.open("/admin/teams/vehicle/")
    admin.open(f"/admin/teams/vehicle/{fleet.vehicles['A'].pk}/change/")
    _assert_clean(admin)


def test_an_inline_script_would_be_reported(
    live_server: Any, transactional_db: None, sessions: Any, city: SmallCity
) -> None:
    """The listener works: an inline script or style attribute added to a served page is
    refused and reported."""
    session = sessions()
    session.open("/login/")
    session.page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__ran = true"; document.body.append(s);
                   const html = '<p style="color: red">x</p>';
                   document.body.insertAdjacentHTML("beforeend", html); }"""
    )
    session.page.wait_for_timeout(300)
    assert session.page.evaluate("window.__ran === undefined")
    assert any("script-src" in v for v in session.violations), session.violations
    assert any("style-src" in v for v in session.violations), session.violations
