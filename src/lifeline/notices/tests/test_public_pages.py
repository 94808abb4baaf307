"""The resident's pages: the board of a chosen community in the page's language, the
acknowledgement link (GET shows, POST acknowledges once), and nothing personal on them."""

from __future__ import annotations

import pytest
from django.test import Client

from lifeline.notices.models import NoticeHousehold
from lifeline.notices.services import notice_approve, notice_fanout, notice_submit
from lifeline.notices.tests.helpers import make_notices_city, sampling_notice
from lifeline.notices.tokens import ack_token

pytestmark = pytest.mark.django_db


def _published(w):
    notice = sampling_notice(w)
    notice_submit(actor=w.drafter, notice=notice)
    notice = notice_approve(actor=w.approver, notice=notice)
    notice_fanout(notice_id=notice.pk)
    return notice


def test_board_shows_the_communitys_notices_in_the_pages_language(city):
    w = make_notices_city(city)
    _published(w)
    client = Client()
    zh = client.get("/notices/", {"community": w.communities[1].pk}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "核酸检测通知" in zh.content.decode()
    en = Client().get("/notices/", {"community": w.communities[1].pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Testing notice" in en.content.decode() and "7:00-11:00" in en.content.decode()
    # a community outside the targets sees none; a bad choice is no error
    assert client.get("/notices/", {"community": "x"}).status_code == 200


def test_acknowledgement_link_shows_then_acknowledges_once(city):
    w = make_notices_city(city)
    notice = _published(w)
    row = NoticeHousehold.objects.filter(notice=notice).first()
    client = Client(enforce_csrf_checks=False)
    url = f"/notices/a/{ack_token(row.pk)}"
    shown = client.get(url)
    assert shown.status_code == 200 and 'data-testid="ack-button"' in shown.content.decode()
    row.refresh_from_db()
    assert row.acknowledged_at is None  # no write on a GET
    for _ in range(2):
        done = client.post(url)
        assert 'data-testid="ack-done"' in done.content.decode()
    notice.refresh_from_db()
    assert notice.acknowledged_count == 1
    # a forged or altered link is a plain 404 page
    assert client.get(url[:-1] + ("A" if url[-1] != "A" else "B")).status_code == 404
    assert client.post("/notices/a/zz-0000").status_code == 404
    assert client.get("/notices/cap/nothing.xml").status_code == 404


def test_staff_pages_draft_submit_and_approve(city):
    w = make_notices_city(city)
    drafter, approver = Client(), Client()
    drafter.force_login(w.drafter)
    approver.force_login(w.approver)
    form = drafter.get("/notices/staff/new/?template=testing")
    assert form.status_code == 200 and "7:00-11:00" in form.content.decode()
    data = {
        "areas": [c.pk for c in w.communities],
        "category": "testing",
        "groups": ["households"],
        "title_zh": "核酸检测通知",
        "title_en": "Testing notice",
        "body_zh": "明日采样时间 7:00-11:00。",
        "body_en": "Sampling tomorrow 7:00-11:00.",
        "must_reach": "on",
        "reach_hours": "12",
        "expires_days": "2",
    }
    saved = drafter.post("/notices/staff/new/", data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    detail = saved["Location"]
    pk = int(detail.rstrip("/").split("/")[-1])
    assert drafter.post(f"/notices/staff/{pk}/submit/").status_code == 302
    assert 'data-testid="approve"' not in drafter.get(detail).content.decode()
    assert 'data-testid="approve"' in approver.get(detail).content.decode()
    approver.post(f"/notices/staff/{pk}/approve/")
    home = approver.get("/notices/staff/").content.decode()
    assert "核酸检测通知" in home
    bad = drafter.post("/notices/staff/new/", {**data, "title_zh": ""})
    assert bad.status_code == 400 or "error" in bad.content.decode()
