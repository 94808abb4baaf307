"""Background work of the notices app, run by ``lifeline worker``."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from lifeline.notices.services.fanout import notice_fanout, notices_fanout_pending


@task()
def fan_out_notice(notice_id: int) -> int:
    """Queue a just-published notice's texts (the sweep finishes whatever this leaves)."""
    return notice_fanout(notice_id=notice_id)["households"]


def run_periodic(now: dt.datetime | None = None) -> dict[str, int]:
    """One beat: continue the texts of every published notice not yet fully queued."""
    return notices_fanout_pending(budget_seconds=30.0)
