"""Positive follow-up (追阳): a positive pool's members stay home and are re-sampled singly.

Runs inside the result import's transaction: the flags, the tasks and the outbox messages
commit with the result that caused them, so no positive tube is ever left unfollowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from lifeline.core import clock
from lifeline.core.models import OutboxMessage
from lifeline.registry.models import Person
from lifeline.screening.models import (
    Compliance,
    Outcome,
    RecheckStatus,
    RecheckTask,
)

SampleRow = tuple[int, int, int, int, str, Any]  # sample, tube, person, grid, path, recheck


def followup_results(*, samples: Sequence[SampleRow], outcomes: dict[int, str]) -> int:
    """Apply the consequences of new tube results; returns the number of positive tubes."""
    positive_tubes = {tid for tid, outcome in outcomes.items() if outcome == Outcome.POSITIVE}
    answered = [s for s in samples if s[5] is not None and outcomes[s[1]] != Outcome.INVALID]
    _close_rechecks(answered, outcomes)
    members = [s for s in samples if s[1] in positive_tubes and s[5] is None]
    if members:
        recheck_tasks_for_positive(members=members)
    return len(positive_tubes)


def recheck_tasks_for_positive(*, members: Sequence[SampleRow]) -> list[RecheckTask]:
    """Mark every member pending recheck, tell them to stay home, and open one
    single-tube re-sampling task per member in their grid (once per tube and person)."""
    now = clock.now()
    person_ids = sorted({m[2] for m in members})
    Compliance.objects.filter(person_id__in=person_ids).update(pending_recheck=True)
    tasks = RecheckTask.objects.bulk_create(
        [
            RecheckTask(
                person_id=pid, source_tube_id=tid, grid_id=gid, area_path=path, created_at=now
            )
            for _sid, tid, pid, gid, path, _r in members
        ],
        ignore_conflicts=True,
    )
    phones = {
        pid: own or household or ""
        for pid, own, household in Person.objects.filter(pk__in=person_ids).values_list(
            "pk", "phone", "household__phone"
        )
    }
    with translation.override("zh-hans"):
        subject = _("Test follow-up")
        body = _(
            "Your pooled test needs a recheck. Please stay at home; a sampler will come "
            "to take a single sample. Call your grid worker if you need anything."
        )
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                channel="sms" if phones.get(pid) else "grid",
                recipient=phones.get(pid) or f"person:{pid}",
                subject=subject,
                body=body,
                object_type="registry.person",
                object_id=str(pid),
            )
            for pid in person_ids
        ]
    )
    return tasks


def _close_rechecks(answered: Sequence[SampleRow], outcomes: dict[int, str]) -> None:
    """A single-tube result answers the member's recheck task."""
    if not answered:
        return
    now = clock.now()
    confirmed = [s[5] for s in answered if outcomes[s[1]] == Outcome.POSITIVE]
    cleared = [s for s in answered if outcomes[s[1]] != Outcome.POSITIVE]
    if confirmed:
        RecheckTask.objects.filter(pk__in=confirmed).update(
            status=RecheckStatus.CONFIRMED, closed_at=now
        )
    if not cleared:
        return
    RecheckTask.objects.filter(pk__in=[s[5] for s in cleared]).update(
        status=RecheckStatus.CLEARED, closed_at=now
    )
    people = sorted({s[2] for s in cleared})
    still_open = set(
        RecheckTask.objects.filter(
            person_id__in=people,
            status__in=[RecheckStatus.OPEN, RecheckStatus.SAMPLED, RecheckStatus.CONFIRMED],
        ).values_list("person_id", flat=True)
    )
    Compliance.objects.filter(person_id__in=[p for p in people if p not in still_open]).update(
        pending_recheck=False
    )
