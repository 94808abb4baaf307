"""Seed scenario (5): the trade union's free counselling line, 50 counsellors, their numbers
published. The public list shows only those on duty now; a contact is anonymous unless the
caller agrees; a missed call becomes a callback; a high-risk flag reaches the supervisor;
counts go by workplace without names; the psychological-help work order routes here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from lifeline.api.tests.helpers import client_for
from lifeline.core import clock
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.counselling import selectors
from lifeline.counselling.models import CallbackStatus, Contact
from lifeline.counselling.services import (
    callback_complete,
    callback_request,
    contact_flag_high_risk,
    contact_log,
    counsellor_off_duty,
    duty_window_create,
)
from lifeline.counselling.tests.helpers import HOUR, make_counselling, on_duty_now
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity
from lifeline.workorders.services import workorder_create

pytestmark = pytest.mark.django_db


def test_with_50_counsellors_the_public_list_shows_only_those_on_duty(city: SmallCity):
    # Given 50 counsellors: 12 on duty now, 10 later today, 10 whose duty ended, 18 free
    line = make_counselling(city, others=49)
    people = [line.counsellor, *line.others]
    assert len(people) == 50
    now = clock.now()
    for c in people[:12]:
        on_duty_now(line, c)
    for c in people[12:22]:
        duty_window_create(
            actor=line.supervisor, counsellor=c, starts_at=now + HOUR, ends_at=now + 5 * HOUR
        )
    for c in people[22:32]:
        duty_window_create(
            actor=line.supervisor, counsellor=c, starts_at=now - 6 * HOUR, ends_at=now - HOUR
        )
    # When anyone opens the public page on a phone, without logging in
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/counselling/")
    # Then exactly the 12 on duty are listed, with their numbers, and nobody else
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="counsellor"') == 12
    for c in people[:12]:
        assert c.display_name in page and c.public_phone in page
    for c in people[12:]:
        assert c.display_name not in page and c.public_phone not in page
    # And the API's public list says the same
    api = Client().get("/api/v1/counselling/on-duty").json()
    assert api["count"] == 12
    assert {row["name"] for row in api["items"]} == {c.display_name for c in people[:12]}


def test_a_counsellor_going_off_duty_leaves_the_public_list(city: SmallCity):
    line = make_counselling(city)
    on_duty_now(line, line.counsellor)
    assert [r.name for r in selectors.on_duty_now()] == [line.counsellor.display_name]
    counsellor_off_duty(actor=line.counsellor_user, counsellor=line.counsellor)
    assert selectors.on_duty_now() == []


def test_a_contact_logged_anonymously_keeps_no_personal_data(city: SmallCity):
    line = make_counselling(city)
    # When a counsellor logs a call without the caller's consent to keep a name or phone
    contact = contact_log(
        actor=line.counsellor_user,
        line=line.line,
        topic="isolation",
        outcome="supported",
        minutes=25,
        note="隔离第十天，睡不着",
    )
    # Then nothing names or reaches the caller
    row = Contact.objects.values().get(pk=contact.pk)
    assert row["caller_name"] == "" and row["caller_phone"] == ""
    assert row["consent_contact"] is False
    # And the audit names the fields written, never their values
    record = AuditRecord.objects.filter(action="counselling.contact_log").latest("pk")
    assert "睡不着" not in str(record.__dict__)
    answer = client_for(line.counsellor_user).get("/api/v1/counselling/contacts").json()
    assert answer["items"][0]["anonymous"] is True


def test_a_missed_call_becomes_a_callback_and_its_number_is_erased_when_done(city: SmallCity):
    line = make_counselling(city)
    first = callback_request(
        actor=line.counsellor_user,
        line=line.line,
        phone="13912340001",
        missed_at=clock.now() - dt.timedelta(minutes=20),
    )
    second = callback_request(actor=line.counsellor_user, line=line.line, phone="13912340002")
    again = callback_request(actor=line.counsellor_user, line=line.line, phone="13912340001")
    # The same number waiting is not queued twice; the queue is oldest first
    assert again.pk == first.pk
    queue = list(selectors.callback_queue(actor=line.counsellor_user))
    assert queue == [first, second]
    assert first.due_at == first.missed_at + dt.timedelta(minutes=30)
    done = callback_complete(actor=line.counsellor_user, callback=first, reached=True)
    assert done.status == CallbackStatus.DONE and done.phone == ""
    assert list(selectors.callback_queue(actor=line.counsellor_user)) == [second]


def test_a_high_risk_flag_reaches_the_supervisor_at_once(city: SmallCity):
    line = make_counselling(city)
    contact = contact_log(
        actor=line.counsellor_user, line=line.line, topic="grief", outcome="supported", minutes=40
    )
    before = OutboxMessage.objects.count()
    # When the counsellor flags the contact high-risk (self-harm), twice by mistake
    contact_flag_high_risk(actor=line.counsellor_user, contact=contact)
    contact_flag_high_risk(actor=line.counsellor_user, contact=contact)
    # Then the supervisor is texted once, with nothing personal in the text
    texts = list(OutboxMessage.objects.all()[before:])
    assert [t.recipient for t in texts] == [line.supervisor.phone]
    assert "grief" not in texts[0].body
    # And the contact waits on the supervisor's page until acted on
    assert list(selectors.high_risk_open(actor=line.supervisor)) == [contact]
    page = client_for(line.supervisor).get("/counselling/supervisor/", HTTP_ACCEPT_LANGUAGE="en")
    assert "High-risk contacts to act on" in page.content.decode()
    assert f"/counselling/contacts/{contact.pk}/" in page.content.decode()
    # The counsellor alone does not see the supervisor's list
    assert list(selectors.high_risk_open(actor=line.counsellor_user)) == []


def test_a_contact_logged_as_high_risk_is_flagged_on_logging(city: SmallCity):
    line = make_counselling(city)
    contact = contact_log(
        actor=line.counsellor_user,
        line=line.line,
        topic="family",
        outcome="follow_up",
        minutes=30,
        risk="high",
    )
    assert contact.flagged_at is not None
    assert OutboxMessage.objects.filter(object_type="counselling.contact").count() == 1


def test_counts_by_workplace_and_day_carry_no_names(city: SmallCity):
    line = make_counselling(city)
    plant = Unit.objects.create(code="PLANT", name="株洲电厂", kind=Unit.Kind.UTILITY)
    water = Unit.objects.create(code="WATER", name="株洲水厂", kind=Unit.Kind.UTILITY)
    for workplace, n in ((plant, 3), (water, 2), (None, 1)):
        for _ in range(n):
            contact_log(
                actor=line.counsellor_user,
                line=line.line,
                topic="work",
                outcome="supported",
                minutes=10,
                enterprise=workplace,
                consent_contact=True,
                caller_name="李师傅",
            )
    today = clock.today()
    rows = selectors.contact_counts(
        actor=line.supervisor, since=today - dt.timedelta(days=1), until=today
    )
    assert {(r.label, r.count) for r in rows} == {("株洲电厂", 3), ("株洲水厂", 2), ("", 1)}
    page = client_for(line.supervisor).get("/counselling/supervisor/").content.decode()
    assert "株洲电厂" in page and "李师傅" not in page


def test_the_psychological_work_order_category_routes_to_the_counselling_line(
    city: SmallCity,
):
    line = make_counselling(city)
    intake = workorder_create(
        actor=None,
        channel="form",
        area=city.grid_a,
        category_code="psychological",
        description="封控在家很焦虑",
        contact_phone="13912345678",
    )
    assert intake.order.responsible_unit == line.line
