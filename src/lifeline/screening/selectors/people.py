"""One person as screening finds them: behind a scanned code, and how often they tested."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.scoping import scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.core.personal import id_number_is_valid, lookup_hash, normalise_id_number
from lifeline.registry.models import Person
from lifeline.screening.models import Compliance
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
