"""A hotline operator, in a real browser: the caller's number finds the household, and the
medical-access decision of the person calling shows in the same view (asked again there,
and turned into a top-priority transfer order without leaving the console)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.accounts.models import Role
from lifeline.health.models import Decision, DesignatedHospital, MedicalTransfer
from lifeline.health.services import access_decide, health_status_set
from lifeline.health.vocab import HospitalRole
from lifeline.registry.models import Facility
from lifeline.testing.factories import SmallCity, make_person, make_user
from lifeline.workorders.models import Priority

pytestmark = pytest.mark.browser


def _designated_hospital(city: SmallCity) -> DesignatedHospital:
    facility = Facility.objects.create(
        kind=Facility.Kind.HOSPITAL,
        name="天元区定点医院",
        area=city.district,
        area_path=city.district.path,
        lat=27.83,
        lng=113.15,
        phone="0731-22000000",
    )
    return DesignatedHospital.objects.create(
        facility=facility,
        role=HospitalRole.DESIGNATED,
        district=city.district,
        phones=["0731-22000000"],
        notes="发热患者走东门",
    )


def test_hotline_finds_the_caller_by_phone_and_shows_the_decision_in_the_same_view(
    live_server: Any, transactional_db: None, page: Any, city: SmallCity
) -> None:
    # given: a red-code resident already answered once (on the person page), a relative in
    # the same household never answered, and the district's designated hospital
    _designated_hospital(city)
    operator = make_user("hotline", role=Role.HOTLINE_OPERATOR, area=city.city)
    caller = city.people_a[0]
    relative = make_person(household=caller.household, name="李四", sex="F")
    health_status_set(actor=operator_staff(city), person=caller, colour="red", reason="阳性")
    earlier = access_decide(
        actor=operator, person=caller, urgency="necessary", channel="person_page"
    )
    page.goto(f"{live_server.url}/login/?next=/workorders/hotline/")
    page.fill("#id_username", "hotline")
    page.fill("#id_password", "pass-word-123")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/workorders/hotline/")
    console = page.url

    # when: the operator types the caller's number and selects the caller
    page.fill("#caller-phone", caller.phone)
    page.locator("main").get_by_role("button", name="查找").click()
    households = page.locator("[data-testid=caller-households]")
    expect(households).to_contain_text(caller.name)
    households.locator("tr", has_text=caller.name).get_by_role("link", name="选择").click()

    # then: the decision is shown in the console, with where, how and who is told first
    decision = page.locator("#access-decision-slot [data-testid=access-decision]")
    expect(decision).to_have_attribute("data-decision", str(earlier.pk))
    expect(decision.locator("[data-testid=access-instructions]")).to_contain_text("120")
    expect(decision.locator("[data-testid=access-where]")).to_contain_text("天元区定点医院")
    expect(decision).to_contain_text("发热患者走东门")
    expect(decision.locator("[data-testid=access-notify] li").first).to_contain_text("社区")
    expect(page.locator("body")).not_to_contain_text(caller.phone)

    # when: the caller says it has become an emergency, and the operator asks again
    decision.locator("[data-testid=access-urgency]").select_option("emergency")
    decision.locator("[data-testid=access-decide]").click()
    # then: the answer is replaced in place by "call 120 now", made by the emergency rule
    expect(
        page.locator("#access-decision-slot [data-testid=access-decision]")
    ).not_to_have_attribute("data-decision", str(earlier.pk))
    fresh = Decision.objects.order_by("-pk").first()
    assert fresh is not None and fresh.rule.name == "emergency_120"
    assert fresh.channel == "hotline" and fresh.person == caller
    expect(page.locator("[data-testid=access-instructions]")).to_have_text(fresh.instructions_zh)

    # when: the operator files the medical transfer from the same view
    page.locator("[data-testid=request-transfer]").click()
    # then: a top-priority order with the decision attached, still in the console
    filed = page.locator("[data-testid=transfer-filed]")
    expect(filed).to_be_visible()
    transfer = MedicalTransfer.objects.get()
    assert transfer.decision.rule.name == "emergency_120" and transfer.person == caller
    assert transfer.order.priority == Priority.CRITICAL
    expect(filed).to_contain_text(str(transfer.order.number))
    expect(filed).to_contain_text("120")
    assert page.url.split("?")[0] == console

    # when: the relative, never answered, is selected
    households.locator("tr", has_text=relative.name).get_by_role("link", name="选择").click()
    expect(households.locator("tr.selected")).to_contain_text(relative.name)
    # the slot offers the question itself (not the caller's answer's "ask again")
    ask = page.locator("#access-decision-slot > [data-testid=access-ask]")
    expect(ask).to_be_visible()
    ask.locator("[data-testid=access-decide]").click()
    # then: the green-code answer takes the form's place, decided for the relative
    expect(page.locator("#access-decision-slot > [data-testid=access-decision]")).to_be_visible()
    latest = Decision.objects.order_by("-pk").first()
    assert latest is not None and latest.person == relative
    assert latest.rule.name == "green_default"


def operator_staff(city: SmallCity) -> Any:
    """Community staff who records the health status the caller has."""
    return make_user("status_editor", role=Role.COMMUNITY_STAFF, area=city.community)
