"""Issue 18, scenarios (2) and (3): a notice for three communities, approved by two
people, reaches every household's phone once, is in the CAP feed and the Atom index; a
changed time is an Update referencing it; a Cancel takes it out of the active feed; the
households that did not acknowledge within 12 hours are on their grid worker's list."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from lifeline.core import clock
from lifeline.core.errors import Conflict, PermissionDenied
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.notices.cap import CAP_NS, alert_xml, validate
from lifeline.notices.models import MsgType, NoticeHousehold, NoticeStatus, NoticeText
from lifeline.notices.selectors import notices_active, reach_list
from lifeline.notices.services import (
    household_mark_reached,
    notice_acknowledge,
    notice_approve,
    notice_fanout,
    notice_follow_up,
    notice_submit,
)
from lifeline.notices.tests.helpers import make_notices_city, sampling_notice
from lifeline.notices.tokens import ack_token
from lifeline.testing.factories import make_household

pytestmark = pytest.mark.django_db
NS = {"cap": CAP_NS, "a": "http://www.w3.org/2005/Atom"}


def _publish(w, notice):
    notice_submit(actor=w.drafter, notice=notice)
    published = notice_approve(actor=w.approver, notice=notice)
    notice_fanout(notice_id=published.pk)
    published.refresh_from_db()
    return published


def test_notice_for_three_communities_reaches_every_phone_once(city):
    # given three communities, and two households sharing one phone
    w = make_notices_city(city)
    shared = w.households[0].phone
    make_household(grid=w.grids[2], unit_no="999", phone=shared)
    total = len(w.households) + 1
    notice = sampling_notice(w)
    # when the drafter submits and a second officer approves
    notice_submit(actor=w.drafter, notice=notice)
    with pytest.raises(PermissionDenied):
        notice_approve(actor=w.drafter, notice=notice)
    published = _publish_approved(w, notice)
    # then every household has its row, and every distinct phone one text
    assert published.status == NoticeStatus.PUBLISHED
    assert NoticeHousehold.objects.filter(notice=published).count() == total
    assert published.households_count == total
    texts = OutboxMessage.objects.filter(object_id=str(published.pk))
    assert texts.count() == total - 1 == published.texts_count
    assert texts.filter(recipient=shared).count() == 1
    assert NoticeText.objects.filter(notice=published).count() == total - 1
    # running the fan-out again sends nothing more
    notice_fanout(notice_id=published.pk)
    assert texts.count() == total - 1
    assert "/notices/a/" in texts.first().body
    assert AuditRecord.objects.filter(action="notice.publish").count() == 1


def _publish_approved(w, notice):
    published = notice_approve(actor=w.approver, notice=notice)
    notice_fanout(notice_id=published.pk)
    published.refresh_from_db()
    return published


def test_cap_document_and_atom_index_update_and_cancel(city):
    w = make_notices_city(city)
    original = _publish(w, sampling_notice(w))
    client = Client()
    # the CAP document is schema-valid, one info per language, polygons closed
    doc = client.get(f"/notices/cap/{original.identifier}.xml")
    assert doc.status_code == 200 and doc["Content-Type"].startswith("application/cap+xml")
    validate(doc.content)
    root = ET.fromstring(doc.content)
    assert [i.text for i in root.findall("cap:info/cap:language", NS)] == ["zh-CN", "en-US"]
    polygon = root.find("cap:info/cap:area/cap:polygon", NS).text.split()
    assert polygon[0] == polygon[-1] and polygon[0].startswith("27.8")
    feed = client.get("/notices/cap/feed.atom")
    assert original.identifier in feed.content.decode()
    assert len(feed.content) < 100_000
    # a changed time is an Update referencing the original
    update = notice_follow_up(
        actor=w.drafter,
        original=original,
        msg_type=MsgType.UPDATE,
        body_zh="采样时间改为 8:00-12:00，地点：社区广场。",
        body_en="Sampling moved to 8:00-12:00 at the community square.",
    )
    update = _publish(w, update)
    xml = ET.fromstring(alert_xml(update))
    assert xml.find("cap:msgType", NS).text == "Update"
    assert original.identifier in xml.find("cap:references", NS).text
    active = list(notices_active())
    assert update in active and original not in active
    feed = client.get("/notices/cap/feed.atom").content.decode()
    assert update.identifier in feed and original.identifier not in feed
    # a Cancel removes it from the active feed
    cancel = _publish(
        w, notice_follow_up(actor=w.drafter, original=update, msg_type=MsgType.CANCEL)
    )
    validate(alert_xml(cancel))
    assert ET.fromstring(alert_xml(cancel)).find("cap:msgType", NS).text == "Cancel"
    assert not list(notices_active())
    feed = client.get("/notices/cap/feed.atom").content.decode()
    assert update.identifier not in feed and cancel.identifier not in feed
    # the original cannot be updated twice
    with pytest.raises(Conflict):
        notice_follow_up(actor=w.drafter, original=original, msg_type=MsgType.UPDATE)


def test_unacknowledged_households_reach_the_grid_worker_after_12_hours(city):
    w = make_notices_city(city)
    published = _publish(w, sampling_notice(w))
    rows = list(NoticeHousehold.objects.filter(notice=published, area_path=city.grid_a.path))
    # one household of grid A acknowledges from its link (twice: counted once)
    notice_acknowledge(token=ack_token(rows[0].pk))
    notice_acknowledge(token=ack_token(rows[0].pk))
    published.refresh_from_db()
    assert published.acknowledged_count == 1
    # before 12 hours nobody is listed; after, the others of grid A only
    assert not reach_list(actor=w.worker_a).exists()
    later = clock.now() + dt.timedelta(hours=12, minutes=1)
    with clock.frozen_at(later):
        listed = list(reach_list(actor=w.worker_a))
        assert {r.pk for r in listed} == {r.pk for r in rows[1:]}
        # the worker records one reached in person (audited); it leaves the list
        household_mark_reached(actor=w.worker_a, pk=listed[0].pk, note="上门告知")
        assert reach_list(actor=w.worker_a).count() == len(rows) - 2
        with pytest.raises(Conflict):
            household_mark_reached(actor=w.worker_a, pk=listed[0].pk)
    assert AuditRecord.objects.filter(action="notice.reached").count() == 1
    published.refresh_from_db()
    assert published.reached_count == 1
