"""The command centre's dashboard in a real browser, in Chinese and in English, on a
phone and on a desktop: command staff land on the city, see every app's figures against
yesterday, drill down district by district to a grid (named with its community), and
see the map of the children coloured by the chosen figure and its 14-day chart."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.command.services import figures_refresh
from lifeline.command.tests.helpers import make_desk
from lifeline.core import clock
from lifeline.registry.models import Area
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("command")
PASSWORD = "pass-word-123"
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(params=sorted(LOCALES))
def lang(request: Any) -> str:
    return str(request.param)


@pytest.fixture(params=sorted(SIZES))
def size(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def screen(browser: Any, lang: str, size: str) -> Iterator[Any]:
    context = browser.new_context(locale=LOCALES[lang], viewport=SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _square(x: float, y: float, side: float) -> dict[str, Any]:
    ring = [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _draw(city: SmallCity) -> None:
    """Boundaries for the small city: each level a square, the two grids side by side."""
    for area, shape in (
        (city.city, _square(113.0, 27.8, 0.4)),
        (city.district, _square(113.0, 27.8, 0.2)),
        (city.street, _square(113.0, 27.8, 0.1)),
        (city.community, _square(113.0, 27.8, 0.04)),
        (city.grid_a, _square(113.0, 27.8, 0.02)),
        (city.grid_b, _square(113.02, 27.8, 0.02)),
    ):
        Area.objects.filter(pk=area.pk).update(boundary=shape)


def _drill(page: Any, name: str) -> None:
    page.get_by_test_id("children").get_by_role("link", name=name).click()
    expect(page.get_by_test_id("area-title")).to_contain_text(name)


def test_command_staff_drill_from_the_city_to_a_grid(
    live_server: Any, transactional_db: None, city: SmallCity, screen: Any, lang: str, size: str
) -> None:
    desk = make_desk(city)
    _draw(city)
    figures_refresh(day=clock.today())
    page = screen
    page.goto(f"{live_server.url}/login/?next=/command/")
    page.fill("#id_username", desk.command.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/command/areas/**")
    assert page.locator("html").get_attribute("lang") == lang
    expect(page.get_by_test_id("area-title")).to_contain_text("株洲市")
    tiles = page.get_by_test_id("tile")
    assert tiles.count() >= 20
    opened = page.locator('[data-key="workorders.open"] [data-testid="tile-value"]')
    expect(opened).to_have_text("3")
    expect(page.get_by_test_id("map")).to_have_attribute("data-drawn", "1")
    expect(page.locator("#figure-chart")).to_have_attribute("data-drawn", "14")
    page.screenshot(path=str(SHOTS / f"city-{lang}-{size}.png"), full_page=True)
    for name in ("天元区", "嵩山路街道", "泰山路社区"):
        _drill(page, name)
    expect(page.get_by_test_id("child")).to_have_count(2)
    expect(page.get_by_test_id("map")).to_have_attribute("data-drawn", "2")
    page.screenshot(path=str(SHOTS / f"community-{lang}-{size}.png"), full_page=True)
    _drill(page, "泰山路社区 · 第一网格")
    expect(opened).to_have_text("2")
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("天元区")
    expect(page.get_by_test_id("map")).to_have_attribute("data-drawn", "1")
    expect(page.locator("#figure-chart")).to_have_attribute("data-drawn", "14")
    # choosing another figure redraws the chart for it
    page.get_by_test_id("figure-select").select_option("registry.people")
    page.get_by_test_id("choose").locator("button[type=submit]").click()
    expect(page.locator('[data-key="registry.people"]')).to_have_class("tile chosen")
    page.screenshot(path=str(SHOTS / f"grid-{lang}-{size}.png"), full_page=True)
    body = page.locator("body").inner_text()
    assert "area_path" not in body and "workorders.open" not in body
