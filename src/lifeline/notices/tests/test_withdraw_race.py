"""An approval and a withdrawal (or an edit) of one waiting notice at the same moment
(PostgreSQL, threads): exactly one of them happens, the other is refused, and the audit
holds only what happened."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections

from lifeline.core.errors import Conflict
from lifeline.core.models import AuditRecord
from lifeline.notices.models import Notice, NoticeStatus
from lifeline.notices.services import notice_approve, notice_edit, notice_submit, notice_withdraw
from lifeline.notices.tests.helpers import make_notices_city, sampling_notice
from lifeline.testing.factories import SmallCity

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("other", ["withdraw", "edit"])
def test_approval_and_a_change_at_once_one_wins(city: SmallCity, other: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("races are tested on PostgreSQL")
    w = make_notices_city(city)
    notice = sampling_notice(w)
    notice_submit(actor=w.drafter, notice=notice)
    gate = threading.Barrier(2)
    actions: dict[str, Any] = {
        "approve": lambda n: notice_approve(actor=w.approver, notice=n),
        "withdraw": lambda n: notice_withdraw(actor=w.drafter, notice=n),
        "edit": lambda n: notice_edit(actor=w.drafter, notice=n, title_en="Testing, new time"),
    }

    def act(name: str) -> str:
        stale = Notice.objects.get(pk=notice.pk)
        gate.wait()
        try:
            actions[name](stale)
            return name
        except Conflict as refused:
            return refused.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        outcomes = set(pool.map(act, ["approve", other]))
    final = Notice.objects.get(pk=notice.pk)
    if "approve" in outcomes:
        assert outcomes == {
            "approve",
            f"not_{'withdrawable' if other == 'withdraw' else 'editable'}",
        }
        assert final.status == NoticeStatus.PUBLISHED
        assert not AuditRecord.objects.filter(action=f"notice.{other}").exists()
    else:
        assert outcomes == {other, "not_submitted"}
        assert final.status in (NoticeStatus.WITHDRAWN, NoticeStatus.DRAFT)
        assert not AuditRecord.objects.filter(action="notice.publish").exists()
