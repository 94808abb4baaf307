"""Several workers on one notice at once (PostgreSQL, threads): ranges of a few households
each, phones shared between households of different ranges. Each range is walked by one
worker at a time, each phone is texted once, the counters add up and the notice is marked
sent once; a second round of workers sends nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from lifeline.core.models import OutboxMessage
from lifeline.notices.models import FanoutStatus, Notice, NoticeFanoutPart, NoticeHousehold
from lifeline.notices.services import fanout, notice_approve, notice_fanout, notice_submit
from lifeline.notices.tests.helpers import make_notices_city, sampling_notice
from lifeline.registry.models import Household
from lifeline.testing.factories import SmallCity, make_household

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 6


def test_workers_at_once_text_every_phone_once(
    city: SmallCity, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("races are tested on PostgreSQL")
    # Given 60 households in ranges of 4 ids, where every tenth shares the phone of the
    # first household of another range
    w = make_notices_city(city, per_grid=20)
    households = list(Household.objects.filter(area_path__startswith=city.street.path))
    for n, household in enumerate(households[:40:10]):
        make_household(grid=w.grids[3], unit_no=f"9{n}", phone=household.phone)
    monkeypatch.setattr(fanout, "PART_IDS", 4)
    monkeypatch.setattr(fanout, "batch_size", lambda: 3)
    notice = sampling_notice(w)
    notice_submit(actor=w.drafter, notice=notice)
    notice_approve(actor=w.approver, notice=notice)
    gate = threading.Barrier(WORKERS)

    def work(_n: int) -> int:
        gate.wait()
        try:
            return notice_fanout(notice_id=notice.pk)["texts"]
        finally:
            connections.close_all()

    # When six workers send it at once
    with ThreadPoolExecutor(WORKERS) as pool:
        sent = list(pool.map(work, range(WORKERS)))
    # Then the ranges were shared out, every phone has one text and the counters agree
    everyone = Household.objects.filter(area_path__startswith=city.street.path)
    phones = set(everyone.values_list("phone", flat=True))
    texts = OutboxMessage.objects.filter(object_id=str(notice.pk))
    published = Notice.objects.get(pk=notice.pk)
    assert sum(1 for s in sent if s) > 1
    assert sum(sent) == texts.count() == len(phones) == published.texts_count
    assert texts.values("recipient").distinct().count() == len(phones)
    assert NoticeHousehold.objects.filter(notice=notice).count() == everyone.count()
    assert published.households_count == everyone.count()
    assert published.fanout_status == FanoutStatus.DONE
    assert not NoticeFanoutPart.objects.filter(notice=notice, done_at__isnull=True).exists()
    # and workers coming again send nothing
    with ThreadPoolExecutor(WORKERS) as pool:
        assert sum(pool.map(work, range(WORKERS))) == 0
    assert texts.count() == len(phones)
