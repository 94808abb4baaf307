"""Before publication: the author edits a draft or a waiting notice (a waiting one goes back
to the drafts, its submission void), and a draft or waiting notice is withdrawn, kept on
record; both audited. Residents' acknowledgements are audited without personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import client_for
from lifeline.core import clock
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.notices.models import Notice, NoticeHousehold, NoticeStatus
from lifeline.notices.services import (
    notice_acknowledge,
    notice_approve,
    notice_edit,
    notice_fanout,
    notice_submit,
    notice_withdraw,
)
from lifeline.notices.tests.helpers import make_notices_city, sampling_notice
from lifeline.notices.tokens import ack_token
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db


def test_the_author_edits_a_waiting_notice_which_goes_back_to_the_drafts(
    city: SmallCity,
) -> None:
    # Given a notice submitted for approval
    w = make_notices_city(city)
    notice = sampling_notice(w)
    notice_submit(actor=w.drafter, notice=notice)
    # When its author changes the time
    edited = notice_edit(
        actor=w.drafter,
        notice=notice,
        body_zh="明日采样时间 8:00-12:00，地点：社区广场。",
        areas=[w.communities[0], w.communities[1]],
    )
    # Then it is a draft again, with the new text and targets, and the edit is audited
    assert edited.status == NoticeStatus.DRAFT and edited.submitted_at is None
    assert edited.body_zh.startswith("明日采样时间 8:00")
    assert edited.title_zh == notice.title_zh
    assert edited.target_paths == sorted(c.path for c in w.communities[:2])
    assert set(edited.target_areas.all()) == set(w.communities[:2])
    record = AuditRecord.objects.get(action="notice.edit")
    assert record.fields == ["body_zh", "status", "target_paths"]
    # and the second person cannot approve what was approved for submission before
    with pytest.raises(Conflict) as refused:
        notice_approve(actor=w.approver, notice=edited)
    assert refused.value.code == "not_submitted"
    notice_submit(actor=w.drafter, notice=edited)
    assert notice_approve(actor=w.approver, notice=edited).status == NoticeStatus.PUBLISHED


def test_edits_are_refused_to_others_after_publication_and_for_bad_values(
    city: SmallCity,
) -> None:
    w = make_notices_city(city)
    notice = sampling_notice(w)
    colleague = make_user("nt_colleague", role=Role.DISTRICT_STAFF, area=city.district)
    before = Notice.objects.filter(pk=notice.pk).values().get()
    with pytest.raises(PermissionDenied) as refused:
        notice_edit(actor=colleague, notice=notice, title_zh="别人的修改")
    assert refused.value.code == "not_author"
    with pytest.raises(NotFound):
        notice_edit(actor=w.worker_a, notice=notice, title_zh="网格员的修改")
    with pytest.raises(ServiceError) as bad:
        notice_edit(actor=w.drafter, notice=notice, title_zh="  ", reach_hours=0)
    assert set(bad.value.fields) == {"title_zh", "reach_hours"}
    with pytest.raises(ServiceError):
        notice_edit(actor=w.drafter, notice=notice, expires_at=clock.now() - dt.timedelta(days=1))
    assert Notice.objects.filter(pk=notice.pk).values().get() == before
    notice_submit(actor=w.drafter, notice=notice)
    notice_approve(actor=w.approver, notice=notice)
    with pytest.raises(Conflict) as late:
        notice_edit(actor=w.drafter, notice=notice, title_zh="发布后修改")
    assert late.value.code == "not_editable"
    assert not AuditRecord.objects.filter(action="notice.edit").exists()


def test_a_draft_or_waiting_notice_is_withdrawn_and_stays_on_record(city: SmallCity) -> None:
    w = make_notices_city(city)
    draft = sampling_notice(w)
    waiting = sampling_notice(w)
    notice_submit(actor=w.drafter, notice=waiting)
    # the author withdraws the draft, the approver the waiting notice
    withdrawn = notice_withdraw(actor=w.drafter, notice=draft)
    turned_down = notice_withdraw(actor=w.approver, notice=waiting)
    assert withdrawn.status == turned_down.status == NoticeStatus.WITHDRAWN
    assert turned_down.withdrawn_by == w.approver and turned_down.withdrawn_at is not None
    assert Notice.objects.filter(pk__in=[draft.pk, waiting.pk]).count() == 2
    assert AuditRecord.objects.filter(action="notice.withdraw").count() == 2
    # and nothing more happens to them
    with pytest.raises(Conflict):
        notice_submit(actor=w.drafter, notice=withdrawn)
    with pytest.raises(Conflict):
        notice_approve(actor=w.approver, notice=turned_down)
    with pytest.raises(Conflict):
        notice_edit(actor=w.drafter, notice=withdrawn, title_zh="再改")
    with pytest.raises(Conflict) as again:
        notice_withdraw(actor=w.drafter, notice=withdrawn)
    assert again.value.code == "not_withdrawable"


def test_others_may_not_withdraw_and_published_notices_stay(city: SmallCity) -> None:
    w = make_notices_city(city)
    notice = sampling_notice(w)
    colleague = make_user("nt_colleague2", role=Role.STREET_STAFF, area=city.street)
    with pytest.raises(PermissionDenied):
        notice_withdraw(actor=colleague, notice=notice)
    with pytest.raises(NotFound):
        notice_withdraw(actor=w.worker_a, notice=notice)
    notice_submit(actor=w.drafter, notice=notice)
    notice_approve(actor=w.approver, notice=notice)
    with pytest.raises(Conflict):
        notice_withdraw(actor=w.drafter, notice=notice)
    assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.PUBLISHED


def test_pages_edit_and_withdraw(city: SmallCity) -> None:
    w = make_notices_city(city)
    notice = sampling_notice(w)
    notice_submit(actor=w.drafter, notice=notice)
    author, approver = Client(), Client()
    author.force_login(w.drafter)
    approver.force_login(w.approver)
    detail = f"/notices/staff/{notice.pk}/"
    assert 'data-testid="edit"' in author.get(detail).content.decode()
    page = approver.get(detail).content.decode()
    assert 'data-testid="edit"' not in page and 'data-testid="withdraw"' in page
    form = author.get(f"/notices/staff/{notice.pk}/edit/")
    assert form.status_code == 200 and 'data-testid="resubmit"' in form.content.decode()
    data = {
        "areas": [c.pk for c in w.communities],
        "category": "testing",
        "groups": ["households"],
        "title_zh": "核酸检测通知（更正）",
        "title_en": "Testing notice (corrected)",
        "body_zh": notice.body_zh,
        "body_en": notice.body_en,
        "must_reach": "on",
        "reach_hours": 12,
        "expires_days": 2,
    }
    saved = author.post(f"/notices/staff/{notice.pk}/edit/", data)
    assert saved.status_code == 302
    notice.refresh_from_db()
    assert notice.title_zh == "核酸检测通知（更正）" and notice.status == NoticeStatus.DRAFT
    bad = author.post(f"/notices/staff/{notice.pk}/edit/", {**data, "title_zh": ""})
    assert bad.status_code == 400
    assert approver.get(f"/notices/staff/{notice.pk}/edit/").status_code in (400, 403)
    gone = approver.post(f"/notices/staff/{notice.pk}/withdraw/")
    assert gone.status_code == 302
    assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.WITHDRAWN
    assert 'data-testid="withdrawn"' in author.get("/notices/staff/").content.decode()


def test_api_edit_and_withdraw(city: SmallCity) -> None:
    w = make_notices_city(city)
    notice = sampling_notice(w)
    api = client_for(w.drafter)
    url = f"/api/v1/notices/notices/{notice.pk}"
    answer = api.patch(
        url, {"title_en": "Testing notice, new time"}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["title_en"] == "Testing notice, new time"
    bad = api.patch(url, {"category": "nope"}, content_type="application/json")
    assert bad.status_code == 400 and "category" in bad.json()["error"]["fields"]
    other = client_for(w.approver).patch(url, {"title_en": "x"}, content_type="application/json")
    assert other.status_code == 403 and other.json()["error"]["code"] == "not_author"
    gone = api.post(f"{url}/withdraw", {}, content_type="application/json")
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    again = api.post(f"{url}/withdraw", {}, content_type="application/json")
    assert again.status_code == 409


def test_an_acknowledgement_is_audited_once_without_personal_data(city: SmallCity) -> None:
    w = make_notices_city(city)
    notice = sampling_notice(w)
    notice_submit(actor=w.drafter, notice=notice)
    notice_approve(actor=w.approver, notice=notice)
    notice_fanout(notice_id=notice.pk)
    row = NoticeHousehold.objects.filter(notice=notice).first()
    assert row is not None
    notice_acknowledge(token=ack_token(row.pk))
    notice_acknowledge(token=ack_token(row.pk))
    record = AuditRecord.objects.get(action="notice.acknowledge")
    assert record.actor is None and record.actor_label == "system"
    assert record.purpose == "resident's acknowledgement"
    assert record.object_id == str(row.pk) and record.area_path == row.area_path
    assert record.fields == ["acknowledged_at"]
    phone = w.households[0].phone
    assert phone not in str(AuditRecord.objects.filter(pk=record.pk).values().get())
