"""Field teams in a real browser: a crew on the phone lands on its route, sees the doors'
addresses and records a stop; a dispatcher at the desk has the day planned by the worker
(with a progress bar), sees it drawn on the Leaflet map and inserts an urgent order picked
from a list. Each walked once in Chinese and once in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from lifeline.core import clock
from lifeline.core.reference_data import restore_missing_reference_data
from lifeline.registry.models import Building
from lifeline.teams.models import PlanStop
from lifeline.teams.services import plan_create, plan_publish
from lifeline.teams.tests.helpers import CENTRES, DAY, MORNING, Fleet, make_fleet, make_order
from lifeline.testing.factories import SmallCity, make_household
from lifeline.testing.shots import screenshots_dir
from lifeline.workorders.models import WorkOrder

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir()
PASSWORD = "pass-word-123"
# Text a person must never see: internal ids, raw keys, template or gettext leftovers.
RAW = re.compile(r"work_order:|ref_id|\{%|\{\{|%\(|msgid|teams\.[a-z_]+\b")
PEOPLE = {"crew_a": "王建国", "dispatch_gas": "李调度"}


@pytest.fixture(autouse=True)
def _morning() -> Iterator[None]:
    with clock.frozen_at(MORNING):
        yield


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: None) -> None:
    # The categories the orders need; a flush between transactional tests empties them.
    restore_missing_reference_data()


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # The worker recycles connections between jobs; in a test that would close the
    # connection the live server shares.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    monkeypatch.setattr(
        "lifeline.core.management.commands.worker.close_old_connections", lambda: None
    )


def _doors(city: SmallCity, fleet: Fleet, per_grid: int = 4) -> list[WorkOrder]:
    """Open gas orders at real doors (a building's address and a unit number), each with
    the resident's callback number."""
    orders = []
    for key, grid in (("A", city.grid_a), ("B", city.grid_b)):
        lat, lng = CENTRES[key]
        for n in range(per_grid):
            building = Building.objects.create(
                grid=grid,
                area_path=grid.path,
                name=f"{key}{n + 1}栋",
                address=f"株洲市天元区泰山路{key}区{n + 1}栋",
                lat=lat + 0.002 * (n - 1),
                lng=lng + 0.0025 * ((n * 7) % 5 - 2),
            )
            household = make_household(grid=grid, unit_no=f"{n + 1}01", building=building)
            order = make_order(grid=grid, unit=fleet.units[key], near=CENTRES[key])
            order.household, order.address = household, ""
            order.lat, order.lng = building.lat, building.lng
            order.contact_phone = f"1391234{n:04d}"
            order.save(update_fields=["household", "address", "lat", "lng", "contact_phone"])
            orders.append(order)
    return orders


def _fleet(city: SmallCity) -> Fleet:
    fleet = make_fleet(city)
    for user in (*fleet.members.values(), *fleet.dispatchers.values(), fleet.company_dispatcher):
        user.display_name = PEOPLE.get(user.username, "赵师傅")
        user.save(update_fields=["display_name"])
    return fleet


def _log_in(page: Any, base: str, username: str, language: str) -> None:
    page.goto(f"{base}/login/")
    if language == "en":
        page.locator("form.langswitch button[value=en]").click()
        page.wait_for_load_state()
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stacked button[type=submit]")


def _clean(page: Any, username: str) -> str:
    text = page.locator("body").inner_text()
    assert not RAW.search(text), RAW.search(text)
    assert username not in text
    return text


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_crew_lands_on_its_route_sees_addresses_and_records_a_stop(
    live_server: Any, transactional_db: None, browser: Any, city: SmallCity, language: str
) -> None:
    # Given a published plan with the crew of vehicle A-1 on it
    fleet = _fleet(city)
    doors = _doors(city, fleet)
    dispatcher = fleet.dispatchers["A"]
    plan = plan_create(actor=dispatcher, team_id=fleet.teams["A"].pk, day=DAY, time_limit=0.5)
    plan_publish(actor=dispatcher, plan=plan, expected_version=1)
    first = plan.stops.order_by("seq").first()
    assert first is not None
    order = WorkOrder.objects.select_related("household__building").get(pk=first.ref_id)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    # When the crew member logs in on the phone
    _log_in(page, live_server.url, "crew_a", language)
    # Then they land on their route, its next stop naming the door and a masked callback
    page.wait_for_url("**/teams/my/")
    card = page.locator("[data-testid=next-stop]")
    door = f"{order.household.building.address} {order.household.unit_no}"
    expect(card.locator("[data-testid=next-address]")).to_have_text(door)
    expect(card.locator("[data-testid=contact]")).to_contain_text(order.contact_phone[:3] + "****")
    assert order.contact_phone not in page.content()
    for other in doors[:4]:
        if other.pk != order.pk:
            expect(page.locator(".stop-list")).to_contain_text(other.household.building.address)
    arrive = "I have arrived" if language == "en" else "我已到达"
    done = "Done here" if language == "en" else "完成此上门点"
    expect(card.get_by_role("button", name=arrive)).to_be_visible()
    page.screenshot(path=str(SHOTS / f"crews-phone-{language}.png"), full_page=True)
    _clean(page, "crew_a")
    # When they record arrival, then completion (the card is swapped in place)
    card.get_by_role("button", name=arrive).click()
    expect(card.get_by_role("button", name=arrive)).to_have_count(0)
    page.locator("[data-testid=next-stop]").get_by_role("button", name=done).click()
    expect(page.locator("[data-testid=progress]")).to_contain_text("1")
    stop = PlanStop.objects.get(pk=first.pk)
    assert stop.arrived_at is not None and stop.completed_at is not None
    _clean(page, "crew_a")
    context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dispatcher_plans_in_the_worker_sees_the_map_and_inserts_an_urgent_order(
    live_server: Any, transactional_db: None, browser: Any, city: SmallCity, language: str
) -> None:
    fleet = _fleet(city)
    _doors(city, fleet)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Given the company's dispatcher, landing on the unit's work
    _log_in(page, live_server.url, "dispatch_gas", language)
    page.wait_for_url("**/workorders/")
    teams = "Teams and routes" if language == "en" else "班组与路线"
    page.locator("nav.mainnav").get_by_role("link", name=teams).click()
    page.wait_for_url("**/teams/")
    # When they ask for the company's plan of the day
    page.select_option("select[name=target]", f"unit:{fleet.company.pk}")
    page.fill("input[name=day]", DAY.isoformat())
    page.fill("input[name=time_limit]", "1")
    page.get_by_role("button", name="Make the plan" if language == "en" else "生成方案").click()
    # Then the page shows the job waiting, with a progress bar, until the worker solves it
    page.wait_for_url("**/teams/jobs/*/")
    expect(page.locator("[data-testid=job-progress] progress")).to_be_visible()
    call_command("worker", "--once", stdout=StringIO())
    page.wait_for_url(re.compile(r".*/teams/plans/\d+/$"))
    expect(page.locator("[data-testid=route]")).to_have_count(2)
    _clean(page, "dispatch_gas")

    # The map: area boundaries, a coloured line per route, stops, depots and a legend
    page.get_by_role("link", name="Map" if language == "en" else "地图").click()
    box = page.locator("#plan-map")
    expect(box).to_have_attribute("data-drawn", re.compile(r"^\d+$"))
    assert box.locator(".leaflet-overlay-pane svg path").count() >= 2 + 2 + 8
    expect(box.locator(".leaflet-control .map-legend")).to_be_visible()
    expect(box.locator(".map-legend li")).to_have_count(2 + 2)  # area, depot, two routes
    expect(box.locator(".leaflet-tile")).to_have_count(0)
    box.locator(".leaflet-interactive").nth(6).hover(force=True)
    page.screenshot(path=str(SHOTS / f"crews-map-{language}.png"), full_page=True)
    _clean(page, "dispatch_gas")
    page.go_back()

    # An urgent order arrives; the dispatcher finds it by its number and inserts it
    urgent = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"], priority=1)
    page.reload()
    page.fill("[data-testid=urgent-search]", urgent.number[-5:])
    choice = page.locator("[data-testid=urgent-choice]")
    expect(choice).to_have_count(1)
    expect(choice).to_contain_text(urgent.number)
    choice.locator("input[type=radio]").check()
    page.locator("[data-testid=urgent-insert]").click()
    inserted = "Urgent visit inserted." if language == "en" else "紧急上门任务已插入。"
    expect(page.locator(".messages")).to_contain_text(inserted)
    assert PlanStop.objects.filter(ref_id=urgent.pk, kind="work_order").exists()
    page.screenshot(path=str(SHOTS / f"crews-plan-{language}.png"), full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4000, height
    _clean(page, "dispatch_gas")
    # Leaflet and the map script run under the Content-Security-Policy without complaint
    assert errors == []
    context.close()
