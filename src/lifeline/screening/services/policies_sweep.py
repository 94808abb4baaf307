"""Policies that start, end or change, and the daily sweep that keeps compliance true to them.

A person's compliance row stores dates (``last_tested_on``, ``compliant_until``), so the
lists read "tested today" and "compliant today" against today's date: the day rolling over
moves them without a single write. What a row cannot know by itself is which rule
("N tests in D days") is in force: it was chosen from the policies in force when the row
was last written. It goes stale when

- a policy's first day comes (it was created ahead of time) or the day after its last day;
- a policy is edited (its rule, its dates, its audience or its list of people).

Edits re-evaluate at once, in the edit's transaction. Dated transitions are applied by
``run_periodic`` (``lifeline worker``'s beat): each transition, keyed by policy, event and
day, is claimed once in core's idempotency table, so several workers, or a worker that
was down for days, apply each exactly once. Re-evaluation reads the rows' day masks, never
the raw results, and writes only the rows whose rule or ``compliant_until`` changed, in
short transactions that lock their rows in primary-key order like the result import.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.audit import audit_log
from lifeline.core.errors import ServiceError
from lifeline.core.models import IdempotencyRecord
from lifeline.core.scoping import scoped
from lifeline.registry.models import Area, AreaLevel, Facility, Person
from lifeline.screening.models import Compliance, Policy, PolicyAudience
from lifeline.screening.services.access import for_action
from lifeline.screening.services.compliance import rules_for
from lifeline.screening.services.planning import plan_area, planned_people, policy_create
from lifeline.screening.window import MAX_WINDOW_DAYS, DayWindow

log = logging.getLogger(__name__)

BATCH = 5000  # rows locked and re-evaluated per transaction
GRIDS_PER_BATCH = 50
LOOKBACK_DAYS = 7  # transitions missed while no worker ran are still applied this late
LEASE = dt.timedelta(minutes=30)  # a claim older than this was left by a dead worker
OWNER = "screening.sweep"
ENDPOINT = "screening.policy_transition"
START, END = "start", "end"


# Re-evaluation ------------------------------------------------------------------------------


def _rerule_locked(rows_q: Q, *, today: dt.date, after: int = 0) -> tuple[int, int, int]:
    """Lock up to BATCH rows matching ``rows_q`` with pk > ``after`` and re-evaluate them.

    Returns (rows read, rows changed, last pk read)."""
    with transaction.atomic():
        rows = list(
            Compliance.objects.select_for_update()
            .filter(rows_q, pk__gt=after)
            .order_by("pk")
            .values_list(
                "person_id",
                "area_path",
                "last_tested_on",
                "day_mask",
                "required_tests",
                "window_days",
                "compliant_until",
            )[:BATCH]
        )
        if not rows:
            return 0, 0, after
        rules = rules_for({r[0]: r[1] for r in rows}, today=today)
        changed: list[Compliance] = []
        for pid, _path, last, mask, old_n, old_d, old_until in rows:
            n, d = rules[pid]
            until = DayWindow(last, mask).compliant_until(required=n, days=d)
            if (n, d, until) != (old_n, old_d, old_until):
                changed.append(
                    Compliance(
                        person_id=pid, required_tests=n, window_days=d, compliant_until=until
                    )
                )
        if changed:
            Compliance.objects.bulk_update(
                changed, ["required_tests", "window_days", "compliant_until"], batch_size=1000
            )
    return len(rows), len(changed), rows[-1][0]


def rerule_people(*, person_ids: Iterable[int], today: dt.date | None = None) -> int:
    """Re-evaluate these people's rows under the policies in force; returns rows changed."""
    today = today or clock.today()
    ids = sorted(set(person_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        _read, n, _last = _rerule_locked(Q(person_id__in=ids[start : start + BATCH]), today=today)
        changed += n
    return changed


def rerule_area(*, area_path: str, today: dt.date | None = None) -> int:
    """Re-evaluate every row of an area, a few grids at a time (the grid index serves each
    batch; the table has no path index). Returns rows changed."""
    today = today or clock.today()
    grids = list(
        Area.objects.filter(path__startswith=area_path, level=AreaLevel.GRID)
        .order_by("path")
        .values_list("pk", flat=True)
    )
    changed = 0
    for start in range(0, len(grids), GRIDS_PER_BATCH):
        group = Q(grid_id__in=grids[start : start + GRIDS_PER_BATCH])
        last = 0
        while True:
            read, n, last = _rerule_locked(group, today=today, after=last)
            changed += n
            if read < BATCH:
                break
    return changed


@dataclass(frozen=True)
class _Reach:
    """Whose rule a policy can decide: everyone of an area, or the people it lists."""

    area_path: str
    everyone: bool
    people: frozenset[int]


def _reach(policy: Policy) -> _Reach:
    people: frozenset[int] = frozenset()
    if policy.audience != PolicyAudience.EVERYONE:
        people = frozenset(policy.people.values_list("pk", flat=True))
    return _Reach(policy.area_path, policy.audience == PolicyAudience.EVERYONE, people)


def _rerule_reach(*reaches: _Reach, today: dt.date) -> int:
    areas = sorted({r.area_path for r in reaches if r.everyone})
    # An area inside another is covered by it.
    areas = [a for a in areas if not any(a != b and a.startswith(b) for b in areas)]
    changed = sum(rerule_area(area_path=a, today=today) for a in areas)
    people = {p for r in reaches if not r.everyone for p in r.people}
    if people:
        changed += rerule_people(person_ids=people, today=today)
    return changed


def in_force(policy: Policy, day: dt.date) -> bool:
    return policy.starts_on <= day and (policy.ends_on is None or policy.ends_on >= day)


# Transition markers (core's idempotency table: one row per policy, event and day) -------------


def _key(policy_id: int, event: str, day: dt.date) -> str:
    return f"policy:{policy_id}:{event}:{day.isoformat()}"


def _transition_keys(policy: Policy, today: dt.date) -> list[str]:
    """Keys of the policy's transitions dated today or earlier."""
    keys = []
    if policy.starts_on <= today:
        keys.append(_key(policy.pk, START, policy.starts_on))
    if policy.ends_on is not None and policy.ends_on < today:
        keys.append(_key(policy.pk, END, policy.ends_on + dt.timedelta(days=1)))
    return keys


def _mark_applied(keys: Iterable[str], figures: dict[str, Any]) -> None:
    """Inside the caller's transaction: these transitions hold already (re-evaluated now)."""
    for key in keys:
        IdempotencyRecord.objects.update_or_create(
            owner=OWNER,
            key=key,
            defaults={
                "endpoint": ENDPOINT,
                "request_hash": "applied",
                "status_code": 200,
                "response": figures,
            },
        )


def _claim(key: str, now: dt.datetime) -> str | None:
    """Claim a transition for this worker; returns the claim token, or None if it is done
    or another live worker holds it. A claim left by a dead worker is taken over by
    compare-and-set on its token."""
    token = now.isoformat()
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                owner=OWNER, key=key, endpoint=ENDPOINT, request_hash=token
            )
        return token
    except IntegrityError:
        pass
    held = (
        IdempotencyRecord.objects.filter(owner=OWNER, key=key)
        .values_list("status_code", "request_hash")
        .first()
    )
    if held is None or held[0] is not None:
        return None
    claimed_at = parse_datetime(held[1])
    if claimed_at is not None and now - claimed_at < LEASE:
        return None
    taken = IdempotencyRecord.objects.filter(
        owner=OWNER, key=key, status_code__isnull=True, request_hash=held[1]
    ).update(request_hash=token)
    return token if taken == 1 else None


def _finish(key: str, token: str, figures: dict[str, Any]) -> None:
    IdempotencyRecord.objects.filter(
        owner=OWNER, key=key, status_code__isnull=True, request_hash=token
    ).update(status_code=200, response=figures)


def _release(key: str, token: str) -> None:
    IdempotencyRecord.objects.filter(
        owner=OWNER, key=key, status_code__isnull=True, request_hash=token
    ).delete()


# The sweep ----------------------------------------------------------------------------------


def due_transitions(today: dt.date) -> list[tuple[Policy, str, dt.date]]:
    """Starts and ends dated within the look-back window, oldest first, not yet applied."""
    since = today - dt.timedelta(days=LOOKBACK_DAYS)
    found: list[tuple[Policy, str, dt.date]] = []
    for policy in Policy.objects.filter(starts_on__gt=since, starts_on__lte=today):
        found.append((policy, START, policy.starts_on))
    for policy in Policy.objects.filter(ends_on__gte=since, ends_on__lt=today):
        assert policy.ends_on is not None
        found.append((policy, END, policy.ends_on + dt.timedelta(days=1)))
    if not found:
        return []
    done = set(
        IdempotencyRecord.objects.filter(
            owner=OWNER,
            key__in=[_key(p.pk, e, d) for p, e, d in found],
            status_code__isnull=False,
        ).values_list("key", flat=True)
    )
    found = [t for t in found if _key(t[0].pk, t[1], t[2]) not in done]
    return sorted(found, key=lambda t: (t[2], t[0].pk, t[1]))


def policy_transitions_apply(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Apply every due start and end once: re-evaluate the rows the policy can reach."""
    now = now or clock.now()
    today = timezone.localdate(now)
    figures = {"policy_transitions": 0, "compliance_rows_changed": 0}
    for policy, event, day in due_transitions(today):
        key = _key(policy.pk, event, day)
        token = _claim(key, now)
        if token is None:
            continue
        try:
            changed = _rerule_reach(_reach(policy), today=today)
            with transaction.atomic():
                audit_log(
                    actor=None,
                    action=f"screening.policy_{event}",
                    obj=policy,
                    fields=["compliance"],
                )
                _finish(key, token, {"rows_changed": changed, "on": today.isoformat()})
        except Exception:
            _release(key, token)
            raise
        figures["policy_transitions"] += 1
        figures["compliance_rows_changed"] += changed
    return figures


def run_periodic(now: dt.datetime | None = None) -> dict[str, int]:
    """One beat of screening's clock (``settings.LIFELINE_PERIODIC_SWEEPS``)."""
    figures = policy_transitions_apply(now=now or clock.now())
    if any(figures.values()):
        log.info("screening sweep: %s", figures)
    return figures


# Policy changes -----------------------------------------------------------------------------


def policy_for_change(*, actor: Any, policy_id: int) -> Policy:
    return for_action(
        Policy.objects.select_related("area"),
        actor,
        Perm.SCREENING_PLAN,
        pk=policy_id,
        missing=_("No such policy."),
    )


def _validate(
    *,
    actor: Any,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    required_tests: int,
    window_days: int,
    audience: str,
    person_ids: Sequence[int],
    enterprise_ids: Sequence[int],
) -> tuple[list[Person], list[Facility]]:
    fields: dict[str, list[str]] = {}
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        fields["window_days"] = [str(_("Between 1 and 30 days."))]
    if not 1 <= required_tests <= window_days:
        fields["required_tests"] = [str(_("Between 1 and the window's days."))]
    if audience not in PolicyAudience.values:
        fields["audience"] = [str(_("Unknown audience."))]
    if ends_on is not None and ends_on < starts_on:
        fields["ends_on"] = [str(_("Ends before it starts."))]
    if not name.strip():
        fields["name"] = [str(_("Required."))]
    people = list(planned_people(actor, person_ids))
    if len(people) != len(set(person_ids)):
        fields["person_ids"] = [str(_("Unknown people in the list."))]
    if audience != PolicyAudience.EVERYONE and not person_ids and "person_ids" not in fields:
        fields["person_ids"] = [str(_("List the people this policy applies to."))]
    enterprises = list(
        scoped(
            Facility.objects.filter(pk__in=list(enterprise_ids), kind=Facility.Kind.ENTERPRISE),
            actor,
            Perm.SCREENING_PLAN,
        )
    )
    if len(enterprises) != len(set(enterprise_ids)):
        fields["enterprise_ids"] = [str(_("Unknown enterprises."))]
    if fields:
        raise ServiceError(_("The policy is not valid."), fields=fields)
    return people, enterprises


def policy_add(
    *,
    actor: Any,
    area_id: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    required_tests: int = 1,
    window_days: int = 1,
    audience: str = PolicyAudience.EVERYONE,
    person_ids: Sequence[int] = (),
    enterprise_ids: Sequence[int] = (),
) -> Policy:
    """``policy_create`` plus the enterprises, and its start marked as applied when it is
    already in force (``policy_create`` has re-evaluated its area)."""
    plan_area(actor, area_id)  # refused before anything it names is looked at
    _validate(
        actor=actor,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        required_tests=required_tests,
        window_days=window_days,
        audience=audience,
        person_ids=person_ids,
        enterprise_ids=enterprise_ids,
    )
    with transaction.atomic():
        policy = policy_create(
            actor=actor,
            area_id=area_id,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            required_tests=required_tests,
            window_days=window_days,
            audience=audience,
            person_ids=person_ids,
        )
        if enterprise_ids:
            policy.enterprises.set(list(enterprise_ids))
        _mark_applied(_transition_keys(policy, clock.today()), {"applied_by": "create"})
    return policy


def policy_update(
    *,
    actor: Any,
    policy_id: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    required_tests: int,
    window_days: int,
    audience: str,
    person_ids: Sequence[int] = (),
    enterprise_ids: Sequence[int] = (),
) -> Policy:
    """Change a policy (not its area). If it is in force today before or after the change,
    the rows it reaches, before and after, are re-evaluated in the same transaction."""
    policy = policy_for_change(actor=actor, policy_id=policy_id)
    people, enterprises = _validate(
        actor=actor,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        required_tests=required_tests,
        window_days=window_days,
        audience=audience,
        person_ids=person_ids,
        enterprise_ids=enterprise_ids,
    )
    today = clock.today()
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        before = _reach(policy)
        old = (in_force(policy, today), policy.required_tests, policy.window_days)
        new_values = {
            "name": name.strip(),
            "starts_on": starts_on,
            "ends_on": ends_on,
            "required_tests": required_tests,
            "window_days": window_days,
            "audience": audience,
        }
        touched = [f for f, v in new_values.items() if getattr(policy, f) != v]
        for field, value in new_values.items():
            setattr(policy, field, value)
        policy.save()
        # People listed by someone who plans more widely stay listed: an editor cannot drop
        # whom they may not plan for.
        current = set(policy.people.values_list("pk", flat=True))
        mine = scoped(policy.people.all(), actor, Perm.SCREENING_PLAN)
        hidden = current - set(mine.values_list("pk", flat=True))
        wanted = {p.pk for p in people} | hidden
        if wanted != current:
            policy.people.set(sorted(wanted))
            touched.append("people")
        if {e.pk for e in enterprises} != set(policy.enterprises.values_list("pk", flat=True)):
            policy.enterprises.set(enterprises)
            touched.append("enterprises")
        after = _reach(policy)
        new = (in_force(policy, today), policy.required_tests, policy.window_days)
        if (old[0] or new[0]) and (old != new or before != after):
            _rerule_reach(before, after, today=today)
        audit_log(actor=actor, action="screening.policy_update", obj=policy, fields=touched)
        _mark_applied(_transition_keys(policy, today), {"applied_by": "update"})
    return policy


def policy_end(*, actor: Any, policy_id: int, last_day: dt.date | None = None) -> Policy:
    """End a policy after ``last_day`` (today by default; yesterday ends it at once)."""
    policy = policy_for_change(actor=actor, policy_id=policy_id)
    today = clock.today()
    last_day = today if last_day is None else last_day
    if last_day < today - dt.timedelta(days=1):
        raise ServiceError(
            _("The policy cannot be ended in the past."),
            fields={"last_day": [str(_("Yesterday at the earliest."))]},
        )
    if last_day < policy.starts_on:
        raise ServiceError(
            _("The policy has not started: change its dates instead."),
            fields={"last_day": [str(_("Ends before it starts."))]},
        )
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        was = in_force(policy, today)
        policy.ends_on = last_day
        policy.save(update_fields=["ends_on"])
        if was != in_force(policy, today):
            _rerule_reach(_reach(policy), today=today)
        audit_log(actor=actor, action="screening.policy_end", obj=policy, fields=["ends_on"])
        _mark_applied(_transition_keys(policy, today), {"applied_by": "end"})
    return policy
