"""Two counsellors finishing one callback at once on PostgreSQL: one wins, the other is
told it is done, and the number is erased once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from lifeline.core.errors import Conflict
from lifeline.core.models import AuditRecord
from lifeline.counselling.models import Callback, CallbackStatus
from lifeline.counselling.services import callback_complete, callback_request
from lifeline.counselling.tests.helpers import make_counselling
from lifeline.testing.factories import SmallCity

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def test_one_callback_is_completed_once_by_many_at_once(city: SmallCity):
    if connection.vendor != "postgresql":
        pytest.skip("races are tested on PostgreSQL")
    line = make_counselling(city)
    callback = callback_request(actor=line.counsellor_user, line=line.line, phone="13912340077")
    gate = threading.Barrier(THREADS)

    def one(_n: int) -> str:
        gate.wait()
        try:
            callback_complete(
                actor=line.counsellor_user,
                callback=Callback.objects.get(pk=callback.pk),
                reached=True,
            )
            return "ok"
        except Conflict as refused:
            return refused.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(one, range(THREADS)))
    assert sorted(outcomes) == ["done"] * (THREADS - 1) + ["ok"]
    assert Callback.objects.get().status == CallbackStatus.DONE
    assert AuditRecord.objects.filter(action="counselling.callback_complete").count() == 1
