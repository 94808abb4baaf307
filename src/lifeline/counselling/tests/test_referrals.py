"""Referral to medical access: handed to medical care as a "medical care" work order when
the referrer may file one where the caller is, else recorded for the line to phone
through; audited, shown on the contact and on the supervisor's page with its status, and
carrying nothing personal but the phone the caller agreed to leave."""

from __future__ import annotations

import pytest

from lifeline.accounts.models import Membership, Role, User
from lifeline.api.tests.helpers import client_for
from lifeline.core.models import AuditRecord
from lifeline.counselling.models import Contact, ReferralStatus
from lifeline.counselling.services import contact_log, referral_make
from lifeline.counselling.tests.helpers import Line, make_counselling
from lifeline.registry.models import Area
from lifeline.testing.factories import SmallCity
from lifeline.workorders.selectors import workorder_track_by_pk

pytestmark = pytest.mark.django_db


def _high_risk(line: Line, *, area: Area | None = None, **more: object) -> Contact:
    return contact_log(
        actor=line.counsellor_user,
        line=line.line,
        topic="family",
        outcome="supported",
        minutes=40,
        risk="high",
        area=area or line.city.community,
        note="丈夫失业，说不想活了",
        **more,  # type: ignore[arg-type]
    )


def _may_file_orders(line: Line) -> None:
    Membership.objects.create(user=line.supervisor, role=Role.HOTLINE_OPERATOR, area=line.city.city)
    line.supervisor = User.objects.get(pk=line.supervisor.pk)  # the scope is cached on it


def test_a_referral_without_order_rights_is_recorded_for_the_line_to_phone(city: SmallCity):
    line = make_counselling(city)
    contact = _high_risk(line, consent_referral=True)
    referral = referral_make(
        actor=line.counsellor_user, contact=contact, to="mental_health", basis="consent"
    )
    assert referral.status == ReferralStatus.TO_PHONE and referral.order_ref is None
    record = AuditRecord.objects.get(action="counselling.referral_make")
    assert record.purpose == "referral: consent"


def test_a_life_at_risk_referral_becomes_a_medical_order_without_the_callers_story(
    city: SmallCity,
):
    # given an anonymous high-risk caller and a supervisor who may file orders in the city
    line = make_counselling(city)
    _may_file_orders(line)
    contact = _high_risk(line)
    # when the supervisor refers without consent because a life is at risk
    referral = referral_make(
        actor=line.supervisor,
        contact=contact,
        to="emergency",
        basis="life_at_risk",
        reason="有具体计划和工具",
    )
    # then a medical-care order goes to the caller's area, with no phone and no note
    assert referral.status == ReferralStatus.SENT and referral.order_number
    order = workorder_track_by_pk(pk=referral.order_ref)
    assert order is not None and order.category.code == "medical_care"
    assert order.area_path.startswith(city.community.path)
    assert order.contact_phone == "" and order.contact_name == ""
    assert "失业" not in order.description and "有具体计划和工具" in order.description
    assert "0731-12351" in order.description  # the line's number to reach the caller through
    record = AuditRecord.objects.get(action="counselling.referral_make")
    assert record.purpose == "referral: life_at_risk"


def test_a_consenting_caller_is_referred_with_only_the_phone_they_left(city: SmallCity):
    line = make_counselling(city)
    _may_file_orders(line)
    contact = _high_risk(
        line,
        consent_referral=True,
        consent_contact=True,
        caller_name="李四",
        caller_phone="13912345678",
    )
    referral = referral_make(
        actor=line.supervisor, contact=contact, to="community_doctor", basis="consent"
    )
    order = workorder_track_by_pk(pk=referral.order_ref)
    assert order is not None and order.contact_phone == "13912345678"
    assert "李四" not in order.contact_name and "李四" not in order.description


def test_the_referral_and_its_status_show_on_the_contact_and_the_supervisor_page(
    city: SmallCity,
):
    line = make_counselling(city)
    _may_file_orders(line)
    contact = _high_risk(line)
    client = client_for(line.supervisor)
    response = client.post(
        f"/counselling/contacts/{contact.pk}/",
        {"to": "emergency", "basis": "life_at_risk", "reason": "今晚有危险"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    referral = contact.referrals.get()
    page = client.get(f"/counselling/contacts/{contact.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "Sent to medical care" in text and referral.order_number in text
    supervisor = client.get("/counselling/supervisor/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sent to medical care" in supervisor and referral.order_number in supervisor


def test_another_lines_referrals_stay_off_the_supervisor_page(city: SmallCity):
    line_a = make_counselling(city, tag="A")
    line_b = make_counselling(city, tag="B")
    contact = _high_risk(line_b, consent_referral=True)
    referral_make(
        actor=line_b.counsellor_user, contact=contact, to="mental_health", basis="consent"
    )
    response = client_for(line_a.supervisor).get("/counselling/supervisor/")
    assert response.context["referrals"] == []


def test_a_referral_no_unit_takes_is_recorded_for_the_line_to_phone(city: SmallCity):
    # given a caller counted at a street, where no unit takes medical-care orders
    line = make_counselling(city)
    _may_file_orders(line)
    contact = _high_risk(line, area=city.street)
    # when referred, the referral is still recorded (never lost) for the line to phone
    referral = referral_make(
        actor=line.supervisor,
        contact=contact,
        to="emergency",
        basis="life_at_risk",
        reason="今晚有危险",
    )
    assert referral.status == ReferralStatus.TO_PHONE and referral.order_ref is None
    assert AuditRecord.objects.filter(action="counselling.referral_make").count() == 1
