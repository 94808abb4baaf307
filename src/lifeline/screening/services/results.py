"""Lab results: tube results in, person results and compliance out, all or nothing.

Re-importing a file changes nothing: a tube already resulted with the same outcome is
skipped; with another outcome it is an error row and nothing of the file is written.

On PostgreSQL the writes are set-based: after validation, one statement inserts the tube
results, marks the tubes resulted, writes every member's person result and folds them
into compliance (``compliance.FOLD_SQL``); follow-up then touches only positive tubes'
members and answered rechecks. Elsewhere the same steps run through the ORM.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import Grant, scope_for
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.dates import EARLIEST, LATEST
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.screening.models import (
    Outcome,
    PersonResult,
    Policy,
    Sample,
    Tube,
    TubeResult,
    TubeStatus,
)
from lifeline.screening.services.compliance import (
    FOLD_SQL,
    PersonOutcome,
    PolicyRules,
    compliance_apply,
    fold_rules,
    pg_array,
)
from lifeline.screening.services.followup import followup_results

MAX_ROWS = 200_000
CSV_COLUMNS = ("barcode", "result")


@dataclass(frozen=True)
class ResultRow:
    barcode: str
    outcome: str
    lab: str = ""
    reported_at: dt.datetime | None = None


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    imported: int
    unchanged: int
    person_results: int
    positives: int


def results_import_csv(*, actor: Actor, content: bytes, lab: str = "") -> ImportSummary:
    """CSV with header ``barcode,result[,reported_at]``; result negative|positive|invalid."""
    _results_grant(actor)  # refused before the file is read
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError(_("The file is not UTF-8 text."), code="bad_file") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ServiceError(
            _("The file lacks the columns: %(cols)s.") % {"cols": ", ".join(missing)},
            code="bad_file",
        )
    rows: list[ResultRow] = []
    errors: list[str] = []
    for line, raw in enumerate(reader, start=2):
        when = (raw.get("reported_at") or "").strip()
        reported = _reported_at(when) if when else None
        if when and reported is None:
            errors.append(str(_("Row %(n)d: unreadable time.") % {"n": line}))
        rows.append(
            ResultRow(
                barcode=(raw.get("barcode") or "").strip(),
                outcome=(raw.get("result") or "").strip().lower(),
                lab=lab,
                reported_at=reported,
            )
        )
    if errors:
        raise ServiceError(_("The file has errors; nothing was imported."), fields={"rows": errors})
    return results_import(actor=actor, rows=rows)


def _reported_at(text: str) -> dt.datetime | None:
    """The time in a CSV cell; None when it is not one (``2026-13-45T00:00`` matches the
    pattern but is no date) or lies outside the years a result can have."""
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    if moment is None or not EARLIEST <= moment.date() <= LATEST:
        return None
    return moment


def results_import(*, actor: Actor, rows: Sequence[ResultRow]) -> ImportSummary:
    """Validate every row, then write tube results, person results, compliance and
    positive follow-up in one transaction. Any bad row: nothing is written."""
    grant = _results_grant(actor)
    if len(rows) > MAX_ROWS:
        raise ServiceError(_("Too many rows in one import."), code="too_many_rows")
    with transaction.atomic():
        fresh = _validated(rows, grant.covers_path)
        if not fresh:
            person_results, positives = 0, 0
        elif connection.vendor == "postgresql":
            person_results, positives = _write_postgres(fresh)
        else:
            person_results, positives = _write_orm(fresh)
        digest = hashlib.sha256("|".join(r.barcode for r in rows).encode()).hexdigest()[:32]
        audit_log(
            actor=actor,
            action="screening.results_import",
            object_type="screening.tuberesult",
            object_id=digest,
            fields=["outcome"],
        )
    return ImportSummary(
        rows=len(rows),
        imported=len(fresh),
        unchanged=len(rows) - len(fresh),
        person_results=person_results,
        positives=positives,
    )


def _results_grant(actor: Actor) -> Grant:
    """Where the actor may import results: a tube outside it is an unknown tube."""
    grant = scope_for(actor).grant(Perm.SCREENING_RESULTS)
    if grant.is_empty:
        raise PermissionDenied(_("Your role may not import results."))
    return grant


# A tube as validation reads it: id, area path, status, outcome already stored (or None).
TubeState = tuple[int, str, str, str | None]
# A new tube result: the tube's id and area path, and the row that reports it.
Fresh = tuple[int, str, ResultRow]


def _locked_tubes(barcodes: list[str]) -> dict[str, TubeState]:
    """The named tubes, locked in primary-key order, with any result they already have."""
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute(
                "SELECT t.barcode, t.id, t.area_path, t.status, r.outcome "
                "FROM screening_tube t LEFT JOIN screening_tuberesult r ON r.tube_id = t.id "
                "WHERE t.barcode = ANY(%s::text[]) ORDER BY t.id FOR UPDATE OF t",
                [barcodes],
            )
            return {b: (tid, path, status, outcome) for b, tid, path, status, outcome in c}
    return {
        b: (tid, path, status, outcome)
        for b, tid, path, status, outcome in Tube.objects.select_for_update(of=("self",))
        .filter(barcode__in=barcodes)
        .order_by("pk")
        .values_list("barcode", "pk", "area_path", "status", "result__outcome")
    }


def _validated(rows: Sequence[ResultRow], visible: Any) -> list[Fresh]:
    errors: list[str] = []
    seen: dict[str, str] = {}
    tubes = _locked_tubes(sorted({r.barcode for r in rows}))
    fresh: dict[str, Fresh] = {}  # duplicates of a barcode are folded
    valid = set(Outcome.values)
    for n, row in enumerate(rows, start=1):
        tube = tubes.get(row.barcode)
        if row.outcome not in valid:
            errors.append(str(_("Row %(n)d: unknown result %(r)r.") % {"n": n, "r": row.outcome}))
        elif tube is None or not visible(tube[1]):
            errors.append(str(_("Row %(n)d: unknown tube %(b)r.") % {"n": n, "b": row.barcode}))
        elif seen.setdefault(row.barcode, row.outcome) != row.outcome:
            errors.append(str(_("Row %(n)d: tube listed twice with two results.") % {"n": n}))
        elif tube[2] == TubeStatus.OPEN:
            errors.append(str(_("Row %(n)d: the tube is still open.") % {"n": n}))
        elif tube[3] is not None:
            if tube[3] != row.outcome:
                errors.append(str(_("Row %(n)d: the tube already has another result.") % {"n": n}))
        elif row.barcode not in fresh:
            fresh[row.barcode] = (tube[0], tube[1], row)
    if errors:
        raise ServiceError(
            _("The results have errors; nothing was imported."), fields={"rows": errors[:200]}
        )
    return list(fresh.values())


def _write_postgres(fresh: list[Fresh]) -> tuple[int, int]:
    """Everything in one statement after the rules: tube results, tubes resulted, the
    tubes' samples (``src``) written as person results and folded into compliance; it
    returns the samples follow-up needs (positive tubes' members, single tubes answering
    a recheck)."""
    now = clock.now()
    tube_ids = [tid for tid, _path, _row in fresh]
    reported = []
    for _tid, _path, row in fresh:
        when = row.reported_at or now
        when = timezone.make_aware(when) if timezone.is_naive(when) else when
        reported.append(when.isoformat())
    params = _fold_rules_for_tubes(tube_ids)
    params.update(
        tubes=pg_array(tube_ids),
        paths=[path for _tid, path, _row in fresh],
        outcomes=[row.outcome for _tid, _path, row in fresh],
        labs=[row.lab[:100] for _tid, _path, row in fresh],
        reported=reported,
        now=now,
    )
    with connection.cursor() as c:
        # The planner cannot see how few samples a tube holds; on its estimate it would
        # spend longer compiling the statement with JIT than running it. Its sorts of a
        # batch's person results fit in memory rather than in temporary files.
        c.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
        c.execute(_INGEST_SQL, params)
        person_results, followup = c.fetchone()
    outcomes = {tid: row.outcome for tid, _path, row in fresh}
    samples = [tuple(s) for s in followup]
    return int(person_results), followup_results(samples=samples, outcomes=outcomes)


def _fold_rules_for_tubes(tube_ids: list[int]) -> dict[str, Any]:
    """The rule parameters of ``FOLD_SQL`` for the people sampled into these tubes."""
    rules = PolicyRules(today=clock.today())
    ids = pg_array(tube_ids)
    with connection.cursor() as c:
        c.execute(
            "SELECT DISTINCT area_path FROM screening_sample WHERE tube_id = ANY(%s::bigint[])",
            [ids],
        )
        paths = [path for (path,) in c.fetchall()]
        listed: list[tuple[int, str, int]] = []
        if rules.listed_ids:
            c.execute(_LISTED_SQL, [ids, pg_array(rules.listed_ids)])
            listed = list(c.fetchall())
    return fold_rules(rules, paths=paths, listed=listed)


_LISTED_SQL = f"""
SELECT DISTINCT s.person_id, s.area_path, pp.policy_id FROM screening_sample s
JOIN {Policy.people.through._meta.db_table} pp ON pp.person_id = s.person_id
WHERE s.tube_id = ANY(%s::bigint[]) AND pp.policy_id = ANY(%s::bigint[])
"""  # noqa: S608  (the table name is the model's)

_INGEST_SQL = f"""
WITH tube_results AS (
    INSERT INTO screening_tuberesult (tube_id, area_path, outcome, lab, reported_at, imported_at)
    SELECT v.*, %(now)s FROM unnest(%(tubes)s::bigint[], %(paths)s::text[],
        %(outcomes)s::text[], %(labs)s::text[], %(reported)s::timestamptz[])
        AS v(tube_id, area_path, outcome, lab, reported_at)
    RETURNING tube_id, outcome
), tubes AS (
    UPDATE screening_tube SET status = '{TubeStatus.RESULTED}', resulted_at = %(now)s
    WHERE id = ANY(%(tubes)s::bigint[])
    RETURNING id, sampled_on, members > 1 AS pooled
), src AS (
    SELECT s.id, s.tube_id, s.person_id, s.grid_id, s.area_path, s.recheck_id, r.outcome,
        t.sampled_on, t.pooled
    FROM tubes t JOIN tube_results r ON r.tube_id = t.id
    JOIN screening_sample s ON s.tube_id = t.id
), person_results AS (
    INSERT INTO screening_personresult (sample_id, person_id, grid_id, area_path, outcome,
        sampled_on, pooled)
    SELECT id, person_id, grid_id, area_path, outcome, sampled_on, pooled FROM src
), folded AS ({FOLD_SQL})
SELECT (SELECT count(*) FROM src), (
    SELECT coalesce(json_agg(json_build_array(id, tube_id, person_id, grid_id, area_path,
        recheck_id)), '[]')
    FROM src WHERE outcome = '{Outcome.POSITIVE}' OR recheck_id IS NOT NULL)
"""  # noqa: S608  (only constants are interpolated)


def _write_orm(fresh: list[Fresh]) -> tuple[int, int]:
    now = clock.now()
    TubeResult.objects.bulk_create(
        [
            TubeResult(
                tube_id=tube_id,
                area_path=path,
                outcome=row.outcome,
                lab=row.lab[:100],
                reported_at=row.reported_at or now,
                imported_at=now,
            )
            for tube_id, path, row in fresh
        ],
        batch_size=5000,
    )
    tube_ids = [tid for tid, _path, _row in fresh]
    Tube.objects.filter(pk__in=tube_ids).update(status=TubeStatus.RESULTED, resulted_at=now)
    created = _person_results_orm(tube_ids)
    compliance_apply(outcomes=[PersonOutcome(*row) for row in created])
    outcomes = {tid: row.outcome for tid, _path, row in fresh}
    # Follow-up needs only positive tubes' members and single tubes answering a recheck.
    positive = [tid for tid, outcome in outcomes.items() if outcome == Outcome.POSITIVE]
    samples = list(
        Sample.objects.filter(Q(tube_id__in=positive) | Q(recheck__isnull=False))
        .filter(tube_id__in=tube_ids)
        .values_list("id", "tube_id", "person_id", "grid_id", "area_path", "recheck_id")
    )
    return len(created), followup_results(samples=samples, outcomes=outcomes)


def _person_results_orm(tube_ids: list[int]) -> list[tuple[Any, ...]]:
    """Every member's result from their tube's: (person, grid, path, day, outcome) each."""
    tubes = {t.pk: t for t in Tube.objects.filter(pk__in=tube_ids).select_related("result")}
    rows = [
        PersonResult(
            sample_id=sid,
            person_id=pid,
            grid_id=gid,
            area_path=path,
            outcome=tubes[tid].result.outcome,
            sampled_on=tubes[tid].sampled_on,
            pooled=tubes[tid].members > 1,
        )
        for sid, tid, pid, gid, path in Sample.objects.filter(tube_id__in=tube_ids).values_list(
            "id", "tube_id", "person_id", "grid_id", "area_path"
        )
    ]
    PersonResult.objects.bulk_create(rows, batch_size=2000)
    return [(r.person_id, r.grid_id, r.area_path, r.sampled_on, r.outcome) for r in rows]
