"""A positive test reaches health: the people concerned stay home and are looked after.

Screening records results and calls ``mark_positive`` in the same transaction:

- each person's status is raised, "set by a rule": a positive pool's members become
  suspected cases (``vocab.SUSPECTED_CASE``: yellow code, home quarantine) awaiting their
  single-tube recheck; a positive single tube makes its person a case
  (``vocab.POSITIVE_CASE``: red code, home quarantine). A status is never lowered by it
  (a pool leaves a red code red, a centralised quarantine centralised), and one already
  as strict is left as it is, so a result imported twice writes nothing twice;
- the decision table then answers them "stay home: call your community and 120, wait for
  the closed-loop transfer" (the quarantined and red-code rules), on the person page, the
  hotline, the resident's own question and their standing needs' trips;
- their households must stay home, and the grid's worker sees them on the grid's
  "Staying home" and "Pending recheck" screening lists (``selectors.staying_home``), from
  which the community brings what the household needs.

``clear_suspected`` lifts a suspected case whose recheck came back negative: the status
the rule replaced is restored (green when there was none), unless someone has set another
status since, which then stands.

Both are system writes when ``actor`` is a ``core.actors.SystemActor`` (allowed by the
screening service calling them); a person acting needs ``HEALTH_SET_STATUS`` where each
person lives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.core import clock
from lifeline.core.actors import Actor, is_system, user_of
from lifeline.core.audit import AuditEntry, audit_log_many
from lifeline.health.models import HealthStatus
from lifeline.health.vocab import (
    COLOUR_ORDER,
    POSITIVE_CASE,
    QUARANTINE_ORDER,
    SUSPECTED_CASE,
    CodeColour,
    Quarantine,
    StatusSource,
)
from lifeline.registry.models import Person

STATUS_FIELDS = ["colour", "quarantine", "reason", "source", "valid_from", "valid_to"]
# A rule's status follows the row it replaces: when that row starts at the same instant
# (a frozen clock, a feed stamped a little ahead), the new one starts just after it.
TICK = dt.timedelta(microseconds=1)

Status = tuple[str, str]


def _stricter(held: Status, wanted: Status) -> Status:
    colour = max(held[0], wanted[0], key=COLOUR_ORDER.index)
    quarantine = max(held[1], wanted[1], key=QUARANTINE_ORDER.index)
    return colour, quarantine


def _in_force(row: HealthStatus | None, at: dt.datetime) -> bool:
    return row is not None and row.valid_from <= at and (row.valid_to is None or row.valid_to > at)


def _locked_people(actor: Actor, person_ids: Iterable[int]) -> list[tuple[int, str]]:
    """(id, area path) of the people, locked in id order (as ``health_status_set`` locks
    one), each checked for the actor unless the system acts."""
    ids = sorted({int(p) for p in person_ids})
    people = list(
        Person.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "area_path")
    )
    if not is_system(actor):
        for _pk, path in people:
            require(
                actor,
                Perm.HEALTH_SET_STATUS,
                path=path,
                message=_("You may not change the health status of people here."),
            )
    return people


def _append(
    *,
    actor: Actor,
    changes: Sequence[tuple[int, str, HealthStatus | None, Status]],
    reason: str,
    at: dt.datetime,
) -> list[HealthStatus]:
    """Close each person's current row and add the new one; one audit record each."""
    closed: list[HealthStatus] = []
    rows: list[HealthStatus] = []
    user = user_of(actor)
    for person_id, path, last, (colour, quarantine) in changes:
        start = at
        if last is not None:
            start = at if last.valid_from < at else last.valid_from + TICK
            last.current = False
            if last.valid_to is None or last.valid_to > start:
                last.valid_to = start
            closed.append(last)
        rows.append(
            HealthStatus(
                person_id=person_id,
                area_path=path,
                colour=colour,
                quarantine=quarantine,
                reason=reason,
                source=StatusSource.RULE,
                valid_from=start,
                valid_to=None,
                current=True,
                set_by=user,
            )
        )
    if not rows:
        return []
    # The old rows stop being current first: one current row per person at all times.
    HealthStatus.objects.bulk_update(closed, ["current", "valid_to"])
    created = HealthStatus.objects.bulk_create(rows)
    audit_log_many(
        actor=actor,
        entries=[
            AuditEntry("health.status_set", obj=row, purpose=reason, fields=STATUS_FIELDS)
            for row in created
        ],
    )
    return created


def mark_positive(
    *, actor: Actor, person_ids: Iterable[int], reason: str, pooled: bool
) -> list[HealthStatus]:
    """The people of a positive test stay home: members of a positive pool (``pooled``)
    as suspected cases awaiting their recheck, the person of a positive single tube as a
    case. Returns the statuses written (none for people already as strict)."""
    reason = (reason or "").strip()[:255]
    wanted = SUSPECTED_CASE if pooled else POSITIVE_CASE
    now = clock.now()
    with transaction.atomic():
        people = _locked_people(actor, person_ids)
        current = {
            row.person_id: row
            for row in HealthStatus.objects.filter(
                person_id__in=[pk for pk, _path in people], current=True
            )
        }
        changes = []
        for person_id, path in people:
            last = current.get(person_id)
            held = (last.colour, last.quarantine) if last and _in_force(last, now) else None
            target = _stricter(held or (CodeColour.GREEN, Quarantine.NONE), wanted)
            if held != target:
                changes.append((person_id, path, last, target))
        return _append(actor=actor, changes=changes, reason=reason, at=now)


def clear_suspected(*, actor: Actor, person_ids: Iterable[int], reason: str) -> list[HealthStatus]:
    """Lift the suspected-case status of these people (their recheck was negative): each
    gets back the status the rule replaced, or green. People whose status in force is
    not the rule's suspected case are left alone. Returns the statuses written."""
    reason = (reason or "").strip()[:255]
    now = clock.now()
    with transaction.atomic():
        people = _locked_people(actor, person_ids)
        current = {
            row.person_id: row
            for row in HealthStatus.objects.filter(
                person_id__in=[pk for pk, _path in people],
                current=True,
                source=StatusSource.RULE,
                colour=SUSPECTED_CASE[0],
                quarantine=SUSPECTED_CASE[1],
            )
        }
        changes = []
        for person_id, path in people:
            last = current.get(person_id)
            if last is None or not _in_force(last, now):
                continue
            before = (
                HealthStatus.objects.filter(
                    person_id=person_id, current=False, valid_to=last.valid_from
                )
                .order_by("-valid_from", "-pk")
                .values_list("colour", "quarantine")
                .first()
            )
            changes.append((person_id, path, last, before or (CodeColour.GREEN, Quarantine.NONE)))
        return _append(actor=actor, changes=changes, reason=reason, at=now)
