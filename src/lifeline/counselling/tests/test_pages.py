"""The counselling pages: the public list opens without a login in both languages; a
counsellor logs a contact from the desk; a refused form shows its error and writes
nothing; the callbacks queue reveals a number only on an audited POST."""

from __future__ import annotations

import pytest
from django.test import Client

from lifeline.api.tests.helpers import client_for
from lifeline.core.models import AuditRecord
from lifeline.counselling.models import Callback, Contact
from lifeline.counselling.services import callback_request
from lifeline.counselling.tests.helpers import make_counselling, on_duty_now
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.response_capture import allow_pii

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_public_list_opens_without_a_login(city: SmallCity, language: str):
    line = make_counselling(city)
    on_duty_now(line, line.counsellor)
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/counselling/")
    assert response.status_code == 200
    page = response.content.decode()
    assert line.counsellor.display_name in page
    assert 'href="tel:0731288800001,1"' in page or 'href="tel:073128880000,1"' in page


def test_the_public_list_says_when_nobody_is_on_duty(city: SmallCity):
    make_counselling(city)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/counselling/").content.decode()
    assert "Nobody is on duty right now" in page


def test_a_counsellor_logs_a_contact_from_the_desk(city: SmallCity):
    line = make_counselling(city)
    client = client_for(line.counsellor_user)
    assert client.get("/counselling/desk/").status_code == 200
    response = client.post(
        "/counselling/desk/",
        {
            "line": line.line.pk,
            "topic": "work",
            "minutes": 15,
            "outcome": "supported",
            "risk": "none",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.taken_by == line.counsellor_user and contact.counsellor == line.counsellor
    assert contact.caller_name == "" and contact.caller_phone == ""


def test_a_name_without_consent_is_refused_on_the_form(city: SmallCity):
    line = make_counselling(city)
    client = client_for(line.counsellor_user)
    response = client.post(
        "/counselling/desk/",
        {
            "line": line.line.pk,
            "topic": "work",
            "minutes": 15,
            "outcome": "supported",
            "risk": "none",
            "caller_name": "张三",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "only when the caller agrees" in response.content.decode()
    assert Contact.objects.count() == 0


def test_the_callback_number_is_shown_only_on_an_audited_reveal(city: SmallCity):
    line = make_counselling(city)
    callback = callback_request(actor=line.counsellor_user, line=line.line, phone="13912340009")
    client = client_for(line.counsellor_user)
    desk = client.get("/counselling/desk/").content.decode()
    assert "139****0009" in desk and "13912340009" not in desk
    with allow_pii():
        shown = client.post(f"/counselling/callbacks/{callback.pk}/reveal/")
    assert "13912340009" in shown.content.decode()
    assert AuditRecord.objects.filter(action="counselling.callback_reveal").count() == 1
    client.post(f"/counselling/callbacks/{callback.pk}/done/", {"reached": "yes"})
    assert Callback.objects.get().phone == ""


def test_pages_of_the_line_are_closed_to_others(city: SmallCity):
    line = make_counselling(city)
    callback = callback_request(actor=line.counsellor_user, line=line.line, phone="13912340009")
    worker = client_for(make_user("gw_c", area=city.grid_a))
    for url in ("/counselling/desk/", "/counselling/supervisor/"):
        assert worker.get(url).status_code == 404
    assert worker.post(f"/counselling/callbacks/{callback.pk}/reveal/").status_code == 404
    assert client_for(line.counsellor_user).get("/counselling/supervisor/").status_code == 404
    assert client_for(line.supervisor).get("/counselling/supervisor/").status_code == 200


def test_the_counsellor_goes_on_and_off_duty_from_the_desk(city: SmallCity):
    line = make_counselling(city)
    client = client_for(line.counsellor_user)
    client.post("/counselling/desk/duty/", {"on": "yes", "hours": "3"})
    assert line.counsellor.display_name in Client().get("/counselling/").content.decode()
    client.post("/counselling/desk/duty/", {"on": "no"})
    assert line.counsellor.display_name not in Client().get("/counselling/").content.decode()
