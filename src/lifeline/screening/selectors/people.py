"""One person as screening finds them: behind a scanned code, and how often they tested."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.scoping import scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.core.personal import id_number_is_valid, lookup_hash, normalise_id_number
from lifeline.registry.models import Person
from lifeline.registry.tree import ancestor_paths
from lifeline.screening.models import Compliance, Outcome, PersonResult, Policy, PolicyAudience
from lifeline.screening.window import MASK_DAYS, DayWindow


def person_by_code(*, actor: Actor, code: str, perm: str) -> Person:
    """The person behind a scanned code: ``P<id>`` (the registry card) or an ID number,
    among the people where the actor holds ``perm`` (``screening.sample`` at the console,
    ``screening.plan`` for a policy's list). Never 403: a code cannot tell that someone
    exists elsewhere."""
    code = (code or "").strip()
    people = scoped(Person.objects.all(), actor, perm)
    person = None
    if code[:1] in "Pp" and code[1:].isdigit():
        person = people.filter(pk=int(code[1:])).first()
    else:
        candidate = normalise_id_number(code)
        if len(candidate) == 18 and id_number_is_valid(candidate):
            person = people.filter(id_number_hash=lookup_hash(candidate)).first()
    if person is None:
        raise NotFound(_("No person with this code in your area."))
    return person


def tests_in_window(*, person_id: int, days: int, at: dt.datetime) -> int:
    """Distinct days with a negative test in the ``days`` days up to ``at`` (local date).

    Read from the person's compliance row (one primary-key lookup, never the history).
    Other apps (passes) call it to check a testing rule; it is not scoped because it
    returns a count, and the caller has already scoped the person.
    """
    row = (
        Compliance.objects.filter(person_id=person_id)
        .values_list("last_tested_on", "day_mask")
        .first()
    )
    if row is None:
        return 0
    today = timezone.localdate(at)
    return DayWindow(row[0], row[1] & ((1 << MASK_DAYS) - 1)).tests_within(today=today, days=days)


def tests_in_window_for(*, person_ids: list[int], days: int, at: dt.datetime) -> dict[int, int]:
    """``tests_in_window`` for many people at once: distinct days with a negative test in
    the ``days`` days up to ``at``, by person id (0 for anyone never tested). Unscoped like
    ``tests_in_window``: counts only, for people the caller has already scoped."""
    today = timezone.localdate(at)
    counts = dict.fromkeys(person_ids, 0)
    rows = Compliance.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "last_tested_on", "day_mask"
    )
    for person_id, last, mask in rows:
        window = DayWindow(last, mask & ((1 << MASK_DAYS) - 1))
        counts[person_id] = window.tests_within(today=today, days=days)
    return counts


def positives_since(*, person_ids: list[int], since: dt.date) -> set[int]:
    """Which of these people had a positive result sampled on or after ``since``."""
    return set(
        PersonResult.objects.filter(
            person_id__in=person_ids, outcome=Outcome.POSITIVE, sampled_on__gte=since
        ).values_list("person_id", flat=True)
    )


def workers_policy_at(*, area_path: str, on: dt.date) -> tuple[int, int] | None:
    """The testing rule (tests, days) for closed-loop workers in force at ``area_path`` on
    ``on``: the policy for workers set on the nearest area at or above it, or None."""
    policies = Policy.objects.filter(
        audience=PolicyAudience.WORKERS,
        area_path__in=ancestor_paths(area_path),
        starts_on__lte=on,
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    found = policies.order_by("-area_path", "-starts_on").first()
    return (found.required_tests, found.window_days) if found is not None else None
