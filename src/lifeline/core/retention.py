"""Retention: rows kept only for a while are deleted once their time is up.

Each kind of such row is registered once, by the app that owns its table, when the apps
are ready (core knows no table above it): ``register_retention(kind, "app.Model",
field=..., days=...)``. A row is stale when ``field`` is older than the kind's retention,
``settings.LIFELINE_RETENTION_DAYS[kind]`` (the registered default when absent; 0 keeps
the rows for ever). See docs/operations.md for the kinds and their defaults.

:func:`prune` deletes stale rows in batches of ``LIFELINE_PRUNE_BATCH`` (each batch its own
short statement, so no long lock); the worker's sweep runs it at most every
``LIFELINE_PRUNE_EVERY_MINUTES`` with a bounded number of batches, ``lifeline prune``
runs it to the end (``--dry-run`` counts instead). Each kind pruned leaves one audit
record (``retention.prune``: the table, how many, under what rule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Q

from lifeline.core import clock
from lifeline.core.actors import system
from lifeline.core.audit import AuditEntry, audit_log_many

DEFAULT_BATCH = 1000
SWEEP_BATCHES = 20  # per kind and sweep: the rest waits for the next one


@dataclass(frozen=True)
class Retention:
    kind: str
    model: str  # "app_label.ModelName"
    field: str  # the moment a row's retention counts from
    days: int  # the default retention
    # Rows of the table this rule may delete at all (a dead letter is not a sent message).
    where: Q | None = None

    def stale(self, cutoff: dt.datetime) -> Q:
        older = Q(**{f"{self.field}__lt": cutoff})
        return older if self.where is None else self.where & older


_RULES: dict[str, Retention] = {}


def register_retention(
    kind: str, model: str, *, field: str, days: int, where: Q | None = None
) -> None:
    """Declare that rows of ``model`` may be deleted ``days`` (by default) after ``field``;
    called from an AppConfig's ``ready``. Registering a kind again replaces it."""
    _RULES[kind] = Retention(kind, model, field, days, where)


def rules() -> list[Retention]:
    """The registered kinds whose app is installed in this deployment."""
    return [rule for rule in _RULES.values() if _installed(rule.model.split(".")[0])]


def _installed(label: str) -> bool:
    try:
        apps.get_app_config(label)
    except LookupError:
        return False
    return True


def retention_days(rule: Retention) -> int:
    configured: dict[str, Any] = getattr(settings, "LIFELINE_RETENTION_DAYS", {}) or {}
    return int(configured.get(rule.kind, rule.days))


def prune(
    *,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    max_batches: int | None = None,
    only: Callable[[Retention], bool] | None = None,
) -> dict[str, int]:
    """Delete (or with ``dry_run`` count) the stale rows of every registered kind; returns
    the number per kind. ``max_batches`` bounds the batches per kind (None: until done)."""
    moment = now or clock.now()
    batch = int(getattr(settings, "LIFELINE_PRUNE_BATCH", DEFAULT_BATCH)) or DEFAULT_BATCH
    counts: dict[str, int] = {}
    entries: list[AuditEntry] = []
    for rule in rules():
        if only is not None and not only(rule):
            continue
        days = retention_days(rule)
        if days <= 0:
            counts[rule.kind] = 0
            continue
        model = apps.get_model(rule.model)
        stale = model._default_manager.filter(rule.stale(moment - dt.timedelta(days=days)))
        if dry_run:
            counts[rule.kind] = stale.count()
            continue
        deleted = _delete_in_batches(stale, batch=batch, max_batches=max_batches)
        counts[rule.kind] = deleted
        if deleted:
            entries.append(
                AuditEntry(
                    "retention.prune",
                    object_type=model._meta.label_lower,
                    object_id=deleted,
                    purpose=f"{rule.kind}: {rule.field} over {days} days",
                )
            )
    if entries:
        audit_log_many(actor=system("retention"), entries=entries)
    return counts


def _delete_in_batches(stale: Any, *, batch: int, max_batches: int | None) -> int:
    model = stale.model
    deleted = 0
    done = 0
    while max_batches is None or done < max_batches:
        ids = list(stale.order_by().values_list("pk", flat=True)[:batch])
        if not ids:
            break
        _, per_model = model._default_manager.filter(pk__in=ids).delete()
        deleted += int(per_model.get(model._meta.label, 0))
        done += 1
        if len(ids) < batch:
            break
    return deleted


_last_sweep: list[dt.datetime] = []


def run_periodic(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The worker's sweep: prune, at most every ``LIFELINE_PRUNE_EVERY_MINUTES`` in this
    process and at most ``SWEEP_BATCHES`` batches per kind (several workers may prune at
    once: each batch deletes what is still there)."""
    moment = now or clock.now()
    every = dt.timedelta(minutes=int(getattr(settings, "LIFELINE_PRUNE_EVERY_MINUTES", 60)))
    if _last_sweep and moment - _last_sweep[-1] < every:
        return {}
    _last_sweep[:] = [moment]
    return prune(now=moment, max_batches=SWEEP_BATCHES)


def forget_last_sweep() -> None:
    """Let the next sweep run whenever it is called (tests)."""
    _last_sweep.clear()


def register_core_retention() -> None:
    """Core's own kinds, and the task results of django-tasks' database queue."""
    register_retention("idempotency", "core.IdempotencyRecord", field="created_at", days=7)
    register_retention(
        "outbox_sent", "core.OutboxMessage", field="created_at", days=30, where=Q(status="sent")
    )
    register_retention(
        "outbox_failed",
        "core.OutboxMessage",
        field="created_at",
        days=90,
        where=Q(status="failed"),
    )
    register_retention(
        "task_results", "django_tasks_database.DBTaskResult", field="finished_at", days=14
    )
