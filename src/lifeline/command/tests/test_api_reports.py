"""The command API's daily reports and review meetings: a district's report generated,
written, signed (its content and hash then fixed), meetings and their actions filed as
work orders; bad input is a 4xx in the one error shape and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.api.tests.helpers import assert_error, client_for, post_json
from lifeline.command.models import DailyReport, ReviewAction, ReviewMeeting
from lifeline.command.snapshot import canonical, digest
from lifeline.command.tests.scope_cases import action_body, make_command_world
from lifeline.core import clock
from lifeline.testing.factories import SmallCity
from lifeline.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
API = "/api/v1/command"


def test_a_district_generates_writes_and_signs_its_report(city: SmallCity):
    w = make_command_world(city)
    client = client_for(w.district_a)
    day = str(clock.today() - dt.timedelta(days=2))
    made = post_json(client, f"{API}/reports", {"area_id": city.district.pk, "day": day})
    assert made.status_code == 201, made.content
    report = made.json()
    assert report["status"] == "draft" and report["verified"] is True
    assert report["content_hash"] == digest(canonical(report["content"]))
    keys = {f["key"] for f in report["content"]["figures"]}
    assert "workorders.open" in keys and "screening.positives" in keys
    url = f"{API}/reports/{report['id']}"
    written = post_json(client, f"{url}/sections", {"methods": "上门采样", "expected_version": 1})
    assert written.status_code == 200 and written.json()["content"]["sections"]["methods"]
    stale = post_json(client, f"{url}/sections", {"plan": "x", "expected_version": 1})
    assert_error(stale, 409, "changed")
    signed = post_json(client, f"{url}/sign", {"expected_hash": written.json()["content_hash"]})
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    assert signed.json()["signer_name"]
    # signed: the same content and hash whatever is asked after
    again = post_json(client, f"{API}/reports", {"area_id": city.district.pk, "day": day})
    assert again.json()["content_hash"] == signed.json()["content_hash"]
    assert_error(post_json(client, f"{url}/sign", {}), 409, "signed")
    assert_error(post_json(client, f"{url}/sections", {"plan": "改"}), 409, "signed")
    listed = client.get(f"{API}/reports", {"area_id": city.district.pk}).json()
    assert {r["status"] for r in listed["items"]} == {"draft", "signed"}


@pytest.mark.parametrize(
    "body",
    [
        {"day": "2999-01-01"},
        {"day": "not-a-day"},
        {"area_id": "grid"},
        {"extra": 1},
    ],
    ids=["future", "not-a-day", "a-grid", "unknown-field"],
)
def test_a_bad_report_request_is_refused_and_writes_nothing(city: SmallCity, body: dict):
    w = make_command_world(city)
    before = DailyReport.objects.count()
    good = {"area_id": city.district.pk, "day": str(clock.today())}
    if body.get("area_id") == "grid":
        body = {"area_id": city.grid_a.pk}
    response = post_json(client_for(w.district_a), f"{API}/reports", {**good, **body})
    assert_error(response, response.status_code)
    assert 400 <= response.status_code < 500
    assert DailyReport.objects.count() == before


def test_meetings_and_their_actions_through_the_api(city: SmallCity):
    w = make_command_world(city)
    client = client_for(w.district_b)
    day = str(clock.today())
    made = post_json(
        client, f"{API}/meetings", {"area_id": w.reports.area_b.pk, "day": day, "notes": "复盘"}
    )
    assert made.status_code == 201 and made.json()["actions"] == []
    twice = post_json(client, f"{API}/meetings", {"area_id": w.reports.area_b.pk, "day": day})
    assert_error(twice, 409, "exists")
    url = f"{API}/meetings/{made.json()['id']}/actions"
    filed = post_json(client, url, action_body(w))
    assert filed.status_code == 201 and filed.json()["status"] == "dispatched"
    order = WorkOrder.objects.get(pk=filed.json()["work_order_id"])
    assert order.responsible_unit_id == w.reports.bureau_b.pk
    past = {**action_body(w), "due_at": "2000-01-01T08:00:00+08:00"}
    assert_error(post_json(client, url, past), 400)
    blank = {**action_body(w), "text": ""}
    assert post_json(client, url, blank).status_code in (400, 422)
    assert ReviewAction.objects.filter(meeting_id=made.json()["id"]).count() == 1
    read = client.get(f"{API}/meetings/{made.json()['id']}").json()
    assert [a["text"] for a in read["actions"]] == ["协调配送车辆"]
    assert ReviewMeeting.objects.filter(area_path=w.reports.area_b.path).count() == 2
