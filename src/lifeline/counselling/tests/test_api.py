"""The counselling API for counsellors and supervisors: contacts go out with the least
data, a callback is taken by one counsellor at a time, a referral says where it went, and
the supervisor keeps counsellors and the roster."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import API, assert_error, client_for, post_json
from lifeline.core import clock
from lifeline.core.models import AuditRecord
from lifeline.counselling.models import Counsellor, DutyWindow
from lifeline.counselling.services import callback_request, contact_log
from lifeline.counselling.tests.helpers import make_counselling
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db

URL = f"{API}/counselling"


def test_contacts_go_out_without_a_name_and_with_the_phone_masked(city: SmallCity):
    line = make_counselling(city)
    contact_log(
        actor=line.counsellor_user,
        line=line.line,
        topic="work",
        outcome="supported",
        minutes=5,
        consent_contact=True,
        caller_name="张三",
        caller_phone="13912345678",
    )
    answer = client_for(line.counsellor_user).get(f"{URL}/contacts")
    assert answer.status_code == 200
    (row,) = answer.json()["items"]
    assert row["caller_phone_masked"] == "139****5678" and "张三" not in answer.content.decode()


def test_a_callback_is_taken_by_one_counsellor_at_a_time(city: SmallCity):
    line = make_counselling(city)
    colleague = make_user("line_cou2", role=Role.COUNSELLOR, unit=line.line)
    callback = callback_request(actor=line.counsellor_user, line=line.line, phone="13912340001")
    me = client_for(line.counsellor_user)
    taken = me.post(f"{URL}/callbacks/{callback.pk}/take")
    assert taken.status_code == 200 and taken.json()["taken_by_me"] is True
    assert me.post(f"{URL}/callbacks/{callback.pk}/take").status_code == 200  # mine again
    assert_error(client_for(colleague).post(f"{URL}/callbacks/{callback.pk}/take"), 409, "taken")
    listed = client_for(colleague).get(f"{URL}/callbacks").json()["items"]
    assert listed[0]["taken"] is True and listed[0]["taken_by_me"] is False
    done = post_json(me, f"{URL}/callbacks/{callback.pk}/complete", {"reached": True})
    assert done.json()["status"] == "done"
    assert AuditRecord.objects.filter(action="counselling.callback_take").count() == 1


def test_a_referral_through_the_api_is_recorded_with_its_status(city: SmallCity):
    line = make_counselling(city)
    contact = contact_log(
        actor=line.counsellor_user, line=line.line, topic="grief", outcome="supported", minutes=30
    )
    client = client_for(line.counsellor_user)
    refused = post_json(
        client, f"{URL}/contacts/{contact.pk}/referrals", {"to": "emergency", "basis": "consent"}
    )
    assert_error(refused, 400)
    made = post_json(
        client,
        f"{URL}/contacts/{contact.pk}/referrals",
        {"to": "emergency", "basis": "life_at_risk", "reason": "说今晚要结束生命"},
        HTTP_IDEMPOTENCY_KEY="ref-1",
    )
    assert made.status_code == 201, made.content
    assert made.json()["status"] == "to_phone"
    listed = client.get(f"{URL}/referrals").json()["items"]
    assert [r["id"] for r in listed] == [made.json()["id"]]
    assert client.get(f"{URL}/contacts").json()["items"][0]["high_risk"] is True


def test_the_supervisor_adds_a_counsellor_and_a_duty_and_a_counsellor_may_not(city: SmallCity):
    line = make_counselling(city)
    boss = client_for(line.supervisor)
    added = post_json(
        boss,
        f"{URL}/counsellors",
        {"line_id": line.line.pk, "display_name": "李老师", "public_phone": "0731-28881111-2"},
    )
    assert added.status_code == 201, added.content
    mobile = post_json(
        boss,
        f"{URL}/counsellors",
        {"line_id": line.line.pk, "display_name": "赵老师", "public_phone": "13912345678"},
    )
    assert_error(mobile, 400)
    start = clock.now() + dt.timedelta(hours=2)
    body = {
        "counsellor_id": added.json()["id"],
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=4)).isoformat(),
    }
    assert post_json(boss, f"{URL}/duty", body).status_code == 201
    assert_error(post_json(boss, f"{URL}/duty", body), 409, "overlap")
    listed = boss.get(f"{URL}/duty", {"counsellor_id": added.json()["id"]}).json()["items"]
    assert [w["counsellor"] for w in listed] == ["李老师"]
    counsellor = client_for(line.counsellor_user)
    assert counsellor.get(f"{URL}/counsellors").json()["items"] == []
    later = {**body, "starts_at": (start + dt.timedelta(days=1)).isoformat()}
    later["ends_at"] = (start + dt.timedelta(days=1, hours=2)).isoformat()
    assert post_json(counsellor, f"{URL}/duty", later).status_code in (403, 404)
    assert DutyWindow.objects.count() == 1 and Counsellor.objects.count() == 2
