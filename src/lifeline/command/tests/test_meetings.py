"""Review meetings: the district records the day's meeting and its actions; each action is
a work order filed to its owner unit (handed over when routing picks another), and its
live status shows in the next day's report. Bad input writes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from lifeline.api.tests.helpers import client_for
from lifeline.command.models import ReviewAction, ReviewMeeting
from lifeline.command.services import (
    meeting_create,
    meeting_update,
    report_generate,
    review_action_add,
)
from lifeline.command.tests.report_helpers import ReportDesk, at, make_report_desk
from lifeline.core import clock
from lifeline.core.errors import Conflict, NotFound, ServiceError
from lifeline.testing.factories import SmallCity
from lifeline.workorders.models import Status, WorkOrder

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 9)
EVENING = at(DAY, 21)


@pytest.fixture
def rd(city: SmallCity) -> ReportDesk:
    return make_report_desk(city)


def test_an_action_becomes_its_owners_work_order_and_shows_in_the_next_report(rd: ReportDesk):
    city, district = rd.city, rd.desk.district
    with clock.frozen_at(EVENING):
        # given the district's review meeting of the day
        meeting = meeting_create(
            actor=district, area=city.district, day=DAY, attendees="区指挥部、各街道", notes="复盘"
        )
        # when it files two actions: one for the street office, one for the bureau
        street = review_action_add(
            actor=district,
            meeting=meeting,
            text="加开两个采样点",
            owner_id=rd.street_office.pk,
            due_at=at(DAY, 24 + 12),
        )
        bureau = review_action_add(
            actor=district,
            meeting=meeting,
            text="协调物资配送车辆",
            owner_id=rd.bureau.pk,
            due_at=at(DAY, 23),
        )
    # then each is a work order with its owner unit
    for action, unit in ((street, rd.street_office), (bureau, rd.bureau)):
        order = WorkOrder.objects.get(pk=action.work_order_id)
        assert order.responsible_unit_id == unit.pk
        assert order.category.code == "review_action" and action.text in order.description
    # and the next day's report lists them with their status, the late one marked
    WorkOrder.objects.filter(pk=street.work_order_id).update(status=Status.RESOLVED)
    with clock.frozen_at(at(DAY, 24 + 8)):
        report = report_generate(actor=district, area=city.district, day=DAY + dt.timedelta(days=1))
    actions = json.loads(report.content)["actions"]
    assert actions["meeting_day"] == DAY.isoformat()
    rows = {a["text"]: (a["status"], a["late"], a["owner"]["zh-hans"]) for a in actions["items"]}
    assert rows == {
        "协调物资配送车辆": ("dispatched", True, "天元区防控办"),
        "加开两个采样点": ("resolved", False, "嵩山路街道办"),
    }


def test_an_owner_routing_does_not_reach_is_handed_the_order(rd: ReportDesk):
    with clock.frozen_at(EVENING):
        meeting = meeting_create(actor=rd.desk.command, area=rd.city.city, day=DAY)
        action = review_action_add(
            actor=rd.desk.command,
            meeting=meeting,
            text="调拨蔬菜包两千份",
            owner_id=rd.logistics.pk,
            due_at=at(DAY, 24 + 10),
        )
    order = WorkOrder.objects.get(pk=action.work_order_id)
    assert order.responsible_unit_id == rd.logistics.pk
    assert order.events.filter(kind="transferred").exists()


@pytest.mark.parametrize(
    "change",
    [
        {"text": "  "},
        {"text": "x" * 501},
        {"owner_id": 0},
        {"owner_id": "nope"},
        {"due_at": at(DAY, 20)},
        {"due_at": at(DAY, 21) + dt.timedelta(days=61)},
        {"due_at": "tomorrow"},
    ],
    ids=["blank", "too-long", "no-owner", "bad-owner", "past", "too-far", "not-a-time"],
)
def test_a_bad_action_is_refused_and_files_nothing(rd: ReportDesk, change: dict[str, object]):
    with clock.frozen_at(EVENING):
        meeting = meeting_create(actor=rd.desk.district, area=rd.city.district, day=DAY)
        orders = WorkOrder.objects.count()
        good = {"text": "加派志愿者", "owner_id": rd.street_office.pk, "due_at": at(DAY, 30)}
        with pytest.raises(ServiceError) as refused:
            review_action_add(actor=rd.desk.district, meeting=meeting, **{**good, **change})
    assert set(refused.value.fields) <= {"text", "owner_id", "due_at"} and refused.value.fields
    assert WorkOrder.objects.count() == orders and not ReviewAction.objects.exists()


def test_an_owner_outside_the_area_is_refused(rd: ReportDesk, city: SmallCity):
    from lifeline.registry.models import Unit
    from lifeline.testing.factories import make_area

    elsewhere = make_area(parent=city.city, level="district", code="430202", name="荷塘区")
    unit = Unit.objects.create(code="U-HT", name="荷塘区防控办", kind=Unit.Kind.DISTRICT_BUREAU)
    unit.areas.set([elsewhere])
    with clock.frozen_at(EVENING):
        meeting = meeting_create(actor=rd.desk.district, area=city.district, day=DAY)
        with pytest.raises(ServiceError) as refused:
            review_action_add(
                actor=rd.desk.district,
                meeting=meeting,
                text="支援",
                owner_id=unit.pk,
                due_at=at(DAY, 30),
            )
    assert "owner_id" in refused.value.fields


def test_one_meeting_a_day_recorded_by_the_area_responsible(rd: ReportDesk):
    with clock.frozen_at(EVENING):
        meeting = meeting_create(actor=rd.desk.district, area=rd.city.district, day=DAY)
        with pytest.raises(Conflict):
            meeting_create(actor=rd.desk.district, area=rd.city.district, day=DAY)
        with pytest.raises(NotFound):
            meeting_create(actor=rd.street_staff, area=rd.city.district, day=DAY)
        with pytest.raises(NotFound):
            meeting_update(actor=rd.street_staff, meeting=meeting, attendees="", notes="")
        with pytest.raises(ServiceError):
            meeting_update(actor=rd.desk.district, meeting=meeting, attendees="a\x00", notes="")
    assert ReviewMeeting.objects.count() == 1


def test_the_meeting_page_records_the_meeting_and_files_actions(rd: ReportDesk):
    client = client_for(rd.desk.district)
    url = reverse("command:meetings", args=[rd.city.district.pk])
    with clock.frozen_at(EVENING):
        assert client.get(url).status_code == 200
        saved = client.post(
            f"{url}?day=2026-03-09", {"day": "2026-03-09", "attendees": "各街道", "notes": "复盘"}
        )
        assert saved.status_code == 302
        meeting = ReviewMeeting.objects.get()
        action_url = reverse("command:meeting_action", args=[meeting.pk])
        bad = client.post(
            action_url,
            {"text": "", "owner_id": rd.street_office.pk, "due_at": "2026-03-10T09:00"},
        )
        assert bad.status_code == 400 and 'class="errorlist' in bad.content.decode()
        past = client.post(
            action_url,
            {"text": "加开采样点", "owner_id": rd.street_office.pk, "due_at": "2026-03-01T09:00"},
        )
        assert past.status_code == 400 and not ReviewAction.objects.exists()
        filed = client.post(
            action_url,
            {"text": "加开采样点", "owner_id": rd.street_office.pk, "due_at": "2026-03-10T09:00"},
        )
        assert filed.status_code == 302
        page = client.get(f"{url}?day=2026-03-09").content.decode()
    assert "加开采样点" in page and "嵩山路街道办" in page and "各街道" in page
    # the street office's staff do not record the district's meeting
    street = client_for(rd.street_staff)
    assert street.post(url, {"day": "2026-03-09", "notes": "x"}).status_code == 404
    assert street.post(action_url, {"text": "x"}).status_code == 404
    bad_day = client.post(url, {"day": "2099-01-01", "notes": "x"})
    assert bad_day.status_code == 400 and ReviewMeeting.objects.count() == 1
