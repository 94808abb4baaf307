"""Two approvers at once (PostgreSQL, threads): the notice is published once, the others
are refused with ``not_submitted``, and the fan-out, run by several workers at once,
texts every phone once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from lifeline.accounts.models import Role
from lifeline.core.errors import Conflict
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.notices.models import Notice, NoticeHousehold
from lifeline.notices.services import notice_approve, notice_fanout, notice_submit
from lifeline.notices.tests.helpers import make_notices_city, sampling_notice
from lifeline.testing.factories import SmallCity, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


def test_two_approvers_at_once_publish_once(city: SmallCity) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("races are tested on PostgreSQL")
    w = make_notices_city(city)
    approvers = [w.approver] + [
        make_user(f"nt_race_{n}", role=Role.DISTRICT_STAFF, area=city.district)
        for n in range(THREADS - 1)
    ]
    notice = sampling_notice(w)
    notice_submit(actor=w.drafter, notice=notice)
    gate = threading.Barrier(THREADS)

    def approve(n: int) -> str:
        gate.wait()
        try:
            stale = Notice.objects.get(pk=notice.pk)
            notice_approve(actor=approvers[n], notice=stale)
            return "ok"
        except Conflict as refused:
            return refused.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(approve, range(THREADS)))
    assert sorted(outcomes) == ["not_submitted"] * (THREADS - 1) + ["ok"]
    assert AuditRecord.objects.filter(action="notice.publish").count() == 1

    def fan_out(_n: int) -> int:
        gate.wait()
        try:
            return notice_fanout(notice_id=notice.pk)["households"]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(fan_out, range(THREADS)))
    households = len(w.households)
    assert NoticeHousehold.objects.filter(notice=notice).count() == households
    assert OutboxMessage.objects.filter(object_id=str(notice.pk)).count() == households
    published = Notice.objects.get(pk=notice.pk)
    assert published.households_count == households == published.texts_count
