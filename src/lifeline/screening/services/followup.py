"""Positive follow-up (追阳): a positive pool's members stay home and are re-sampled singly.

Runs inside the result import's transaction: the flags, the tasks, the outbox messages and
what health makes of them commit with the result that caused them, so no positive tube is
ever left unfollowed. Health is told through its public service: a positive pool's
members become suspected cases awaiting their recheck, a positive single tube's person a
case (``health.services.mark_positive``); a negative recheck that leaves a member with
nothing pending lifts the suspicion (``clear_suspected``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from lifeline.core import clock
from lifeline.core.actors import system
from lifeline.core.models import OutboxMessage
from lifeline.health import services as health
from lifeline.registry.models import Person
from lifeline.screening.models import (
    Compliance,
    Outcome,
    RecheckStatus,
    RecheckTask,
    Tube,
)

SampleRow = tuple[int, int, int, int, str, Any]  # sample, tube, person, grid, path, recheck
# Health statuses that follow from results are set by this rule, not by whoever imported.
RESULT_RULE = system("positive test follow-up")


def followup_results(*, samples: Sequence[SampleRow], outcomes: dict[int, str]) -> int:
    """Apply the consequences of new tube results; returns the number of positive tubes."""
    positive_tubes = {tid for tid, outcome in outcomes.items() if outcome == Outcome.POSITIVE}
    answered = [s for s in samples if s[5] is not None and outcomes[s[1]] != Outcome.INVALID]
    _close_rechecks(answered, outcomes)
    members = [s for s in samples if s[1] in positive_tubes and s[5] is None]
    if members:
        recheck_tasks_for_positive(members=members)
    _positives_to_health(samples, positive_tubes)
    return len(positive_tubes)


def _positives_to_health(samples: Sequence[SampleRow], positive_tubes: set[int]) -> None:
    """The people of positive tubes stay home: a pool's members as suspected cases, the
    person of a single tube (a first test or a recheck) as a case."""
    if not positive_tubes:
        return
    sizes = dict(Tube.objects.filter(pk__in=positive_tubes).values_list("pk", "members"))
    people = [(s[2], sizes.get(s[1], 0) > 1) for s in samples if s[1] in positive_tubes]
    pooled = sorted({pid for pid, in_pool in people if in_pool})
    single = sorted({pid for pid, in_pool in people if not in_pool})
    with translation.override(settings.LANGUAGE_CODE):
        if pooled:
            health.mark_positive(
                actor=RESULT_RULE,
                person_ids=pooled,
                reason=_("Positive pooled test: stays home until a single-tube recheck."),
                pooled=True,
            )
        if single:
            health.mark_positive(
                actor=RESULT_RULE,
                person_ids=single,
                reason=_("Positive single-tube test."),
                pooled=False,
            )


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
    released = [p for p in people if p not in still_open]
    Compliance.objects.filter(person_id__in=released).update(pending_recheck=False)
    if released:
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Negative single-tube recheck.")
        health.clear_suspected(actor=RESULT_RULE, person_ids=released, reason=reason)
