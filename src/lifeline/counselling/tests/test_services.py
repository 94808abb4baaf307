"""The counselling services refuse bad input with a translated message and write nothing;
they hold only on the actor's own line; referrals need consent or a life at risk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from lifeline.accounts.models import Role
from lifeline.core import clock
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.counselling.models import Callback, Contact, Counsellor, DutyWindow, Referral
from lifeline.counselling.services import (
    callback_complete,
    callback_request,
    contact_handle,
    contact_log,
    counsellor_create,
    counsellor_on_duty,
    duty_window_create,
    referral_make,
)
from lifeline.counselling.tests.helpers import HOUR, make_counselling
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db

MODELS = (Contact, Callback, Counsellor, DutyWindow, Referral, AuditRecord, OutboxMessage)


def _counts() -> list[int]:
    return [m.objects.count() for m in MODELS]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"topic": "nonsense"}, "topic"),
        ({"minutes": 9999}, "minutes"),
        ({"minutes": "abc"}, "minutes"),
        ({"caller_name": "张三"}, "consent_contact"),
        ({"caller_phone": "13912345678"}, "consent_contact"),
        ({"consent_contact": True, "caller_phone": "12"}, "caller_phone"),
        ({"note": "x" * 501}, "note"),
        ({"started_at": "future"}, "started_at"),
    ],
)
def test_bad_contact_input_is_refused_in_the_users_language_and_writes_nothing(
    city: SmallCity, changes: dict, field: str
):
    line = make_counselling(city)
    values = {"topic": "work", "outcome": "supported", "minutes": 10, **changes}
    if values.get("started_at") == "future":
        values["started_at"] = clock.now() + dt.timedelta(hours=2)
    before = _counts()
    with translation.override("zh-hans"), pytest.raises(ServiceError) as refused:
        contact_log(actor=line.counsellor_user, line=line.line, **values)
    assert field in refused.value.fields
    message = str(refused.value.fields[field][0])
    # A sentence for the person (zh-Hans once the lead has applied the new strings)
    assert " " in message or not message.isascii(), message
    assert _counts() == before


def test_a_counsellor_of_another_line_cannot_log_on_this_line(city: SmallCity):
    line = make_counselling(city)
    other = make_counselling(city, tag="B")
    before = _counts()
    with pytest.raises(NotFound):
        contact_log(
            actor=other.counsellor_user,
            line=line.line,
            topic="work",
            outcome="supported",
            minutes=5,
        )
    grid_worker = make_user("gw", role=Role.GRID_WORKER, area=city.grid_a)
    with pytest.raises(NotFound):
        callback_request(actor=grid_worker, line=line.line, phone="13912340001")
    assert _counts() == before


def test_only_the_supervisor_adds_counsellors_and_duty(city: SmallCity):
    line = make_counselling(city)
    with pytest.raises(PermissionDenied):
        counsellor_create(
            actor=line.counsellor_user,
            line=line.line,
            display_name="新老师",
            public_phone_number="0731-28889999",
        )
    with pytest.raises(PermissionDenied):
        duty_window_create(
            actor=line.counsellor_user,
            counsellor=line.counsellor,
            starts_at=clock.now(),
            ends_at=clock.now() + HOUR,
        )


def test_a_personal_mobile_is_never_published(city: SmallCity):
    line = make_counselling(city)
    with translation.override("en"), pytest.raises(ServiceError) as refused:
        counsellor_create(
            actor=line.supervisor,
            line=line.line,
            display_name="李老师",
            public_phone_number="13812345678",
        )
    assert "not a personal mobile" in str(refused.value.fields["public_phone"][0])
    assert not Counsellor.objects.filter(display_name="李老师").exists()


def test_duty_windows_of_one_counsellor_do_not_overlap(city: SmallCity):
    line = make_counselling(city)
    start = clock.now()
    duty_window_create(
        actor=line.supervisor, counsellor=line.counsellor, starts_at=start, ends_at=start + HOUR
    )
    with pytest.raises(Conflict):
        counsellor_on_duty(actor=line.counsellor_user, counsellor=line.counsellor, hours=2)
    with pytest.raises(ServiceError):
        duty_window_create(
            actor=line.supervisor,
            counsellor=line.counsellor,
            starts_at=start + 2 * HOUR,
            ends_at=start + 20 * HOUR,
        )
    assert DutyWindow.objects.count() == 1


def test_a_referral_needs_consent_or_a_life_at_risk_with_the_reason(city: SmallCity):
    line = make_counselling(city)
    contact = contact_log(
        actor=line.counsellor_user, line=line.line, topic="sleep", outcome="supported", minutes=9
    )
    with pytest.raises(ServiceError) as refused:
        referral_make(
            actor=line.counsellor_user, contact=contact, to="mental_health", basis="consent"
        )
    assert "basis" in refused.value.fields
    with pytest.raises(ServiceError) as refused:
        referral_make(
            actor=line.counsellor_user, contact=contact, to="emergency", basis="life_at_risk"
        )
    assert "reason" in refused.value.fields
    assert Referral.objects.count() == 0
    # Without consent, a life at risk with its reason: referred, flagged, audited
    referral = referral_make(
        actor=line.counsellor_user,
        contact=contact,
        to="emergency",
        basis="life_at_risk",
        reason="来电者说已备好药物",
    )
    contact.refresh_from_db()
    assert contact.flagged_at is not None and contact.outcome == "referred"
    record = AuditRecord.objects.filter(action="counselling.referral_make").get()
    assert record.purpose == "referral: life_at_risk"
    assert referral.basis == "life_at_risk"
    # With consent given on the contact, a referral needs no further reason
    agreed = contact_log(
        actor=line.counsellor_user,
        line=line.line,
        topic="health",
        outcome="advised",
        minutes=12,
        consent_referral=True,
    )
    referral_make(
        actor=line.counsellor_user, contact=agreed, to="community_doctor", basis="consent"
    )


def test_the_supervisor_records_what_was_done_once(city: SmallCity):
    line = make_counselling(city)
    contact = contact_log(
        actor=line.counsellor_user,
        line=line.line,
        topic="family",
        outcome="follow_up",
        minutes=30,
        risk="high",
    )
    with pytest.raises(PermissionDenied):
        contact_handle(actor=line.counsellor_user, contact=contact, note="回电")
    with pytest.raises(ServiceError):
        contact_handle(actor=line.supervisor, contact=contact, note="")
    contact_handle(actor=line.supervisor, contact=contact, note="已回电，家属陪同就医")
    with pytest.raises(Conflict):
        contact_handle(actor=line.supervisor, contact=contact, note="再次")


def test_a_callback_done_twice_is_refused_the_second_time(city: SmallCity):
    line = make_counselling(city)
    callback = callback_request(actor=line.counsellor_user, line=line.line, phone="13912340003")
    callback_complete(actor=line.counsellor_user, callback=callback, reached=False)
    with pytest.raises(Conflict):
        callback_complete(actor=line.counsellor_user, callback=callback, reached=True)
    with pytest.raises(ServiceError):
        callback_request(actor=line.counsellor_user, line=line.line, phone="not a phone")
