"""Households that did not acknowledge a must-reach notice in time become door-to-door
visits: the grid worker ticks one or several on the list, each gets a work order for the
household (category ``notice_visit``, routed by the work orders' intake), marked on the
row so that it is never filed twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from lifeline.api.tests.helpers import client_for
from lifeline.core import clock
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.notices.models import NoticeHousehold
from lifeline.notices.selectors import reach_list
from lifeline.notices.services import (
    notice_acknowledge,
    notice_approve,
    notice_fanout,
    notice_submit,
    notice_visits_request,
)
from lifeline.notices.tests.helpers import make_notices_city, sampling_notice
from lifeline.notices.tokens import ack_token
from lifeline.testing.factories import SmallCity
from lifeline.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
LATER = dt.timedelta(hours=12, minutes=5)


def _overdue(city: SmallCity):
    w = make_notices_city(city)
    notice = sampling_notice(w)
    notice_submit(actor=w.drafter, notice=notice)
    notice = notice_approve(actor=w.approver, notice=notice)
    notice_fanout(notice_id=notice.pk)
    rows = list(
        NoticeHousehold.objects.filter(notice=notice, area_path=city.grid_a.path).order_by("pk")
    )
    return w, notice, rows


def test_the_worker_turns_households_into_visits_once(city: SmallCity) -> None:
    # Given grid A's households past the notice's 12 hours, one of them acknowledged
    w, notice, rows = _overdue(city)
    notice_acknowledge(token=ack_token(rows[0].pk))
    with clock.frozen_at(clock.now() + LATER):
        # When the worker asks for visits to all three
        done = notice_visits_request(actor=w.worker_a, row_ids=[r.pk for r in rows])
        # Then the two that did not acknowledge get a work order each, for their household
        assert [r.pk for r in done.requested] == [r.pk for r in rows[1:]]
        assert [r.pk for r in done.skipped] == [rows[0].pk]
        orders = WorkOrder.objects.filter(category__code="notice_visit").order_by("pk")
        assert [o.household_id for o in orders] == [r.household_id for r in rows[1:]]
        assert all(notice.title_zh in o.description for o in orders)
        assert all(o.area_path == city.grid_a.path for o in orders)
        marked = NoticeHousehold.objects.get(pk=rows[1].pk)
        assert marked.visit_order == orders[0] and marked.visit_requested_at is not None
        assert AuditRecord.objects.filter(action="notice.visit_requested").count() == 2
        # and they stay on the list with their order until the visit is recorded
        listed = {r.pk: r for r in reach_list(actor=w.worker_a)}
        assert listed[rows[1].pk].visit_order_id == orders[0].pk
        # and asking again files nothing
        again = notice_visits_request(actor=w.worker_a, row_ids=[rows[1].pk, rows[2].pk])
        assert not again.requested and len(again.skipped) == 2
        assert orders.count() == 2


def test_visits_outside_the_workers_grid_or_bad_input_file_nothing(city: SmallCity) -> None:
    w, notice, rows = _overdue(city)
    theirs = NoticeHousehold.objects.filter(notice=notice, area_path=city.grid_b.path).first()
    assert theirs is not None
    with clock.frozen_at(clock.now() + LATER):
        with pytest.raises(NotFound):
            notice_visits_request(actor=w.worker_a, row_ids=[rows[1].pk, theirs.pk])
        with pytest.raises(ServiceError):
            notice_visits_request(actor=w.worker_a, row_ids=[])
        with pytest.raises(ServiceError):
            notice_visits_request(actor=w.worker_a, row_ids=["1"])
    assert not WorkOrder.objects.filter(category__code="notice_visit").exists()
    assert not NoticeHousehold.objects.filter(visit_requested_at__isnull=False).exists()


def test_the_list_page_asks_for_visits_and_shows_them(city: SmallCity) -> None:
    w, _notice, rows = _overdue(city)
    page = Client()
    page.force_login(w.worker_a)
    with clock.frozen_at(clock.now() + LATER):
        listed = page.get("/notices/reach/").content.decode()
        assert listed.count('data-testid="visit-pick"') == len(rows)
        answer = page.post("/notices/reach/visits/", {"row": [rows[0].pk, rows[2].pk]})
        assert answer.status_code == 302
        shown = page.get("/notices/reach/").content.decode()
        assert shown.count('data-testid="visit-pick"') == len(rows) - 2
        number = WorkOrder.objects.filter(category__code="notice_visit").first().number
        assert number and number in shown
        refused = page.post("/notices/reach/visits/", {"row": ["x"]}, follow=True)
        assert refused.status_code == 200
        # the visit recorded in person takes the household off the list, note and all
        page.post(f"/notices/reach/{rows[0].pk}/reached/", {f"note-{rows[0].pk}": "上门告知"})
        assert NoticeHousehold.objects.get(pk=rows[0].pk).reach_note == "上门告知"


def test_the_api_asks_for_visits(city: SmallCity) -> None:
    w, _notice, rows = _overdue(city)
    api = client_for(w.worker_a)
    with clock.frozen_at(clock.now() + LATER):
        answer = api.post(
            "/api/v1/notices/reach/visits",
            {"ids": [rows[1].pk]},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="visit-1",
        )
        assert answer.status_code == 201
        body = answer.json()
        assert [r["id"] for r in body["requested"]] == [rows[1].pk]
        assert body["requested"][0]["visit_order_number"]
        assert body["skipped"] == []
        listed = api.get("/api/v1/notices/reach").json()["items"]
        assert any(r["visit_order_id"] for r in listed)
