"""Likely duplicates: flagged when the order is written (stored, not recomputed per
view), shown on the queue and both orders' pages with a link, and closed by a merge."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifeline.api.tests.helpers import client_for
from lifeline.core.clock import frozen_at
from lifeline.workorders.models import Status
from lifeline.workorders.services import workorder_create
from lifeline.workorders.services.duplicates import similar_text

T0 = dt.datetime(2022, 11, 5, 9, 0, tzinfo=dt.UTC)


def _file(actor, area, text, *, phone="13911112222", category="medicine", **more):
    return workorder_create(
        actor=actor,
        category_code=category,
        area=area,
        description=text,
        address="3栋2单元",
        contact_phone=phone,
        extra={"drug": "降压药"},
        **more,
    ).order


def test_the_same_call_twice_is_flagged_with_the_first_order(
    city, ladder, categories, hotline_operator
):
    # given an order, then the same need from the same phone ten minutes later
    with frozen_at(T0):
        first = _file(hotline_operator, city.community, "老人需要降压药，家里没有了")
    with frozen_at(T0 + dt.timedelta(minutes=10)):
        second = _file(hotline_operator, city.community, "老人需要降压药,家里没有了!")
    # then the second is flagged as a likely duplicate of the first, and both stay open
    assert second.likely_duplicate_of_id == first.pk and first.likely_duplicate_of_id is None
    assert second.status == Status.DISPATCHED and second.duplicate_of_id is None


def test_other_needs_other_callers_and_old_orders_are_not_flagged(
    city, ladder, categories, hotline_operator
):
    with frozen_at(T0):
        first = _file(hotline_operator, city.community, "老人需要降压药，家里没有了")
        other_words = _file(hotline_operator, city.community, "孩子发烧需要退烧药和体温计")
        other_caller = _file(
            hotline_operator, city.community, "老人需要降压药，家里没有了", phone="13933334444"
        )
    with frozen_at(T0 + dt.timedelta(days=2)):
        later = _file(hotline_operator, city.community, "老人需要降压药，家里没有了")
    assert first.likely_duplicate_of_id is None
    assert other_words.likely_duplicate_of_id is None
    # the same address counts as the same caller
    assert other_caller.likely_duplicate_of_id == first.pk
    assert later.likely_duplicate_of_id is None


def test_texts_alike_after_punctuation_and_spacing():
    assert similar_text("需要 降压药。", "需要降压药")
    assert not similar_text("需要降压药", "燃气没气了，需要充值")
    assert not similar_text("", "需要降压药")


def test_queue_and_pages_flag_both_orders_and_the_copy_can_be_closed_as_duplicate(
    city, ladder, categories, hotline_operator, committee_staff
):
    with frozen_at(T0):
        first = _file(hotline_operator, city.community, "老人需要降压药，家里没有了")
    with frozen_at(T0 + dt.timedelta(minutes=5)):
        second = _file(hotline_operator, city.community, "老人需要降压药，家里没有了")
    client = client_for(hotline_operator)
    # the queue flags both rows and reads the flags in one bounded query
    with CaptureQueriesContext(connection) as queries:
        queue = client.get("/workorders/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert queue.count('data-testid="duplicate-flag"') == 2
    assert len(queries) < 20
    # each order's page links the other; the copy offers to close itself as a duplicate
    page = client.get(f"/workorders/{second.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="/workorders/{first.pk}/"' in page and 'data-testid="merge"' in page
    page = client.get(f"/workorders/{first.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="/workorders/{second.pk}/"' in page
    # when the operator closes the copy as a duplicate
    client.post(f"/workorders/{second.pk}/act/merge/", {"into": str(first.pk)})
    second.refresh_from_db()
    # then it is cancelled and linked, and the first no longer lists it
    assert second.status == Status.CANCELLED and second.duplicate_of_id == first.pk
    page = client.get(f"/workorders/{first.pk}/").content.decode()
    assert 'data-testid="likely-duplicate"' not in page
