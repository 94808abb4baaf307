"""The policies' sweep: dated starts and ends applied once, on the worker's beat.

A policy created ahead of time starts to count on its first day, and stops the day after
its last day; nobody edits anything then, so ``run_periodic`` (``lifeline worker``'s beat,
``settings.LIFELINE_PERIODIC_SWEEPS``) re-evaluates the compliance rows each such
transition reaches (``reevaluate``). Each transition, keyed by policy, event and day, is
claimed once in core's idempotency table, so several workers, or a worker that was down
for days, apply each exactly once. A policy created, edited or ended marks the
transitions it has already applied (``mark_applied``), so the sweep does not redo them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lifeline.core import clock
from lifeline.core.actors import system
from lifeline.core.audit import audit_log
from lifeline.core.models import IdempotencyRecord
from lifeline.screening.models import Policy
from lifeline.screening.services.reevaluate import reach, rerule_reach

log = logging.getLogger(__name__)

LOOKBACK_DAYS = 7  # transitions missed while no worker ran are still applied this late
LEASE = dt.timedelta(minutes=30)  # a claim older than this was left by a dead worker
OWNER = "screening.sweep"
ENDPOINT = "screening.policy_transition"
START, END = "start", "end"
SWEEP = system("policy sweep")


# Transition markers (core's idempotency table: one row per policy, event and day) -------------


def _key(policy_id: int, event: str, day: dt.date) -> str:
    return f"policy:{policy_id}:{event}:{day.isoformat()}"


def transition_keys(policy: Policy, today: dt.date) -> list[str]:
    """Keys of the policy's transitions dated today or earlier."""
    keys = []
    if policy.starts_on <= today:
        keys.append(_key(policy.pk, START, policy.starts_on))
    if policy.ends_on is not None and policy.ends_on < today:
        keys.append(_key(policy.pk, END, policy.ends_on + dt.timedelta(days=1)))
    return keys


def mark_applied(keys: Iterable[str], figures: dict[str, Any]) -> None:
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
            changed = rerule_reach(reach(policy), today=today)
            with transaction.atomic():
                audit_log(
                    actor=SWEEP,
                    purpose=SWEEP.reason,
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
