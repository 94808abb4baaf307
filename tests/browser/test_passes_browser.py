"""Passes end to end in a real browser, once in Chinese and once in English: a volunteer
applies for themselves on a phone, the gas company's dispatcher applies for a vehicle, the
district approver sees who applied, for which unit and why, approves and is told the SMS
went out; at the bridge, checkpoint staff type the short pass number online, then check two
passes with the network cut and see them reach the server when it returns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.accounts.models import Role, User
from lifeline.core.models import OutboxMessage
from lifeline.passes import services
from lifeline.passes.models import (
    ApplicationStatus,
    Checkpoint,
    MovementPass,
    PassApplication,
    PassCheck,
)
from lifeline.passes.tests.conftest import seed_pass_types
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.shots import screenshots_dir

pytestmark = [pytest.mark.browser, pytest.mark.urls("lifeline.passes.tests.urls")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = screenshots_dir()
LOGINS = ("volunteer_a", "gas_dispatch", "district_approver", "street_approver", "bridge_staff")


def _person(username: str, display: str, *, phone: str = "", **membership: Any) -> User:
    user = make_user(username, **membership)
    user.display_name, user.phone = display, phone
    user.save()
    return user


@pytest.fixture
def world(city: SmallCity) -> dict[str, Any]:
    seed_pass_types()
    district = Unit.objects.create(
        code="U-DIST",
        name="天元区交通运输局",
        name_en="Tianyuan Transport Bureau",
        kind=Unit.Kind.DISTRICT_BUREAU,
    )
    district.areas.set([city.district])
    street = Unit.objects.create(code="U-STREET", name="嵩山路街道办", kind=Unit.Kind.STREET_OFFICE)
    street.areas.set([city.street])
    gas = Unit.objects.create(
        code="GAS", name="株洲新奥燃气", name_en="Zhuzhou ENN Gas", kind=Unit.Kind.UTILITY
    )
    gas.areas.set([city.city])
    checkpoint = Checkpoint.objects.create(
        code="CP-01",
        name="株洲湘江大桥西岸卡口",
        area=city.district,
        area_path=city.district.path,
        unit=district,
    )
    return {
        "volunteer": _person(
            "volunteer_a", "李晓明", phone="13812341234", role=Role.GRID_WORKER, area=city.grid_a
        ),
        "gas_staff": _person("gas_dispatch", "王调度", role=Role.UNIT_STAFF, unit=gas),
        "approver": _person("district_approver", "陈审批", role=Role.UNIT_STAFF, unit=district),
        "street_approver": _person("street_approver", "周街道", role=Role.UNIT_STAFF, unit=street),
        "checker": _person("bridge_staff", "刘卡口", role=Role.CHECKPOINT_STAFF, unit=district),
        "checkpoint": checkpoint,
        "city": city,
    }


@pytest.fixture
def open_as(browser: Any, live_server: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def login(username: str, path: str, *, locale: str, viewport: dict[str, int]) -> Any:
        context = browser.new_context(locale=locale, viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/login/?next={path}")
        page.fill("#id_username", username)
        page.fill("#id_password", "pass-word-123")
        page.click("form.stacked button[type=submit]")
        page.wait_for_url(f"**{path}")
        return page

    yield login
    for context in contexts:
        context.close()


def _main_text(page: Any) -> str:
    return str(page.locator("main").inner_text())


def _nothing_internal(text: str) -> None:
    for login in LOGINS:
        assert login not in text, login
    for raw in ("passes.", "logistics", "unknown_key", "msg", "_("):
        assert raw not in text, raw


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_apply_approve_and_check_at_the_bridge_online_and_offline(
    live_server: Any, transactional_db: None, world: dict[str, Any], open_as: Any, locale: str
) -> None:
    english = locale.startswith("en")
    lang = "en" if english else "zh"
    city: SmallCity = world["city"]

    # given: a volunteer on their phone applies for a duty pass for themselves
    page = open_as("volunteer_a", "/passes/apply/", locale=locale, viewport=PHONE)
    page.check("input[name=applicant_kind][value=self]")
    page.select_option("#id_pass_type", "duty")
    page.select_option("#id_area", str(city.grid_a.pk))
    page.fill("#id_purpose", "入户排查")
    page.click("#apply-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("嵩山路街道办")
    if english:
        expect(page.locator(".messages")).to_contain_text("Application sent to")
    expect(page.locator("#my-applications li").first).to_have_attribute("data-status", "pending")
    page.screenshot(path=str(SHOTS / f"passes-apply-self-{lang}.png"), full_page=True)
    _nothing_internal(_main_text(page))

    # and: the gas company's dispatcher applies for a vehicle, first forgetting the plate
    page = open_as("gas_dispatch", "/passes/apply/", locale=locale, viewport=PHONE)
    page.check("input[name=applicant_kind][value=unit]")
    page.select_option("#id_pass_type", "logistics")
    page.select_option("#id_area", str(city.district.pk))
    page.fill("#id_driver_name", "赵师傅")
    page.fill("#id_holder_phone", "13912345678")
    page.fill("#id_route", "新奥储配站—湘江大桥—天元区")
    page.fill("#id_purpose", "送液化气")
    page.click("#apply-form button[type=submit]")
    expect(page.locator("[data-field=holder_label] .error")).to_be_visible()
    if english:
        expect(page.locator("[data-field=holder_label] .error")).to_have_text(
            "Give the vehicle's plate."
        )
    assert not PassApplication.objects.filter(applicant=world["gas_staff"]).exists()
    page.fill("#id_holder_label", "湘B5A123")
    expect(page.locator("#id_holder_phone")).to_have_attribute("placeholder", "139****5678")
    page.fill("#id_holder_phone", "13912345678")  # pages never show it in full
    page.click("#apply-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text(
        "天元区交通运输局" if not english else "Tianyuan"
    )
    page.screenshot(path=str(SHOTS / f"passes-apply-unit-{lang}.png"), full_page=True)

    # when: the district approver opens the queue on a desktop
    page = open_as("district_approver", "/passes/queue/", locale=locale, viewport=DESKTOP)
    row = page.locator("#queue tbody tr").first
    # then: the applicant by name, the unit, the purpose, the route and the driver masked
    for shown in (
        "王调度",
        "株洲新奥燃气" if not english else "Zhuzhou ENN Gas",
        "送液化气",
        "新奥储配站—湘江大桥—天元区",
        "赵*傅",
    ):
        expect(row).to_contain_text(shown)
    expect(row).to_contain_text("物流车辆通行证" if not english else "Logistics vehicle entry")
    _nothing_internal(_main_text(page))
    # when: they approve
    row.locator("button[value=approve]").click()
    # then: the page confirms and names the masked phone the SMS went to
    expect(page.locator(".messages")).to_contain_text("139****5678")
    if english:
        expect(page.locator(".messages")).to_contain_text("Approved")
    page.screenshot(path=str(SHOTS / f"passes-queue-{lang}.png"), full_page=True)
    truck = MovementPass.objects.get(holder_label="湘B5A123")
    sms = OutboxMessage.objects.get(object_type="passes.movementpass", object_id=truck.pass_id)
    assert sms.recipient == "13912345678" and truck.pass_id in sms.body
    # (the volunteer's duty pass is approved by the street office)
    duty = PassApplication.objects.get(applicant=world["volunteer"])
    volunteer_pass = services.pass_application_approve(
        actor=world["street_approver"], application_id=duty.pk
    )
    assert PassApplication.objects.filter(status=ApplicationStatus.APPROVED).count() == 2

    # when: checkpoint staff at the bridge type the truck's short pass number, online
    page = open_as("bridge_staff", "/passes/checkpoint/", locale=locale, viewport=PHONE)
    verifier = page.locator("#verifier")
    expect(verifier).to_have_attribute("data-ready", "true")
    expect(page.locator("[data-testid=network]")).to_have_attribute("data-state", "online")
    expect(page.locator("[data-testid=network]")).to_have_text("online" if english else "在线")
    page.fill("#pass-text", truck.pass_id.lower())
    page.click("#verify")
    # then: a translated result: valid, with the pass type's name in the page's language
    result = page.locator("[data-testid=result]")
    expect(result).to_have_attribute("data-status", "ok")
    expect(result).to_contain_text("Valid pass" if english else "通行证有效")
    expect(result).to_contain_text("Logistics vehicle entry" if english else "物流车辆通行证")
    expect(result).to_contain_text("湘B5A123")
    _nothing_internal(str(result.inner_text()))
    if english:
        assert "有效" not in str(result.inner_text())
    page.screenshot(path=str(SHOTS / f"passes-checkpoint-online-{lang}.png"), full_page=True)
    assert PassCheck.objects.filter(movement_pass=truck, offline=False).count() == 1

    # when: the network is cut and two passes are checked from their texts
    page.context.set_offline(True)
    expect(page.locator("[data-testid=network]")).to_have_attribute("data-state", "offline")
    for issued in (truck, volunteer_pass):
        page.fill("#pass-text", issued.text)
        page.click("#verify")
        expect(result).to_have_attribute("data-status", "ok")
        expect(result).to_contain_text(issued.holder_label)
    # then: both wait in the queue on the phone, none on the server yet
    expect(page.locator("[data-testid=queued]")).to_have_text("2")
    page.screenshot(path=str(SHOTS / f"passes-checkpoint-offline-{lang}.png"), full_page=True)
    assert PassCheck.objects.filter(offline=True).count() == 0

    # when: the network returns
    page.context.set_offline(False)
    # then: the queue drains and the server recorded both checks, once each
    expect(page.locator("[data-testid=queued]")).to_have_text("0", timeout=20_000)
    expect(page.locator("[data-testid=network]")).to_have_attribute("data-state", "online")
    offline = PassCheck.objects.filter(offline=True, checkpoint=world["checkpoint"])
    assert sorted(offline.values_list("pass_ref", flat=True)) == sorted(
        [truck.pass_id, volunteer_pass.pass_id]
    )
    assert all(c.result == "ok" for c in offline)
