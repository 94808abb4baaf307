"""Lab results: tube results in, person results and compliance out, all or nothing.

Re-importing a file changes nothing: a tube already resulted with the same outcome is
skipped; with another outcome it is an error row and nothing of the file is written.
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
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from lifeline.core import clock
from lifeline.core.audit import audit_log
from lifeline.core.errors import ServiceError
from lifeline.core.scoping import scope_for
from lifeline.screening.models import (
    Outcome,
    PersonResult,
    Sample,
    Tube,
    TubeResult,
    TubeStatus,
)
from lifeline.screening.services.access import LABS
from lifeline.screening.services.compliance import PersonOutcome, compliance_apply, pg_array
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


def results_import_csv(*, actor: Any, content: bytes, lab: str = "") -> ImportSummary:
    """CSV with header ``barcode,result[,reported_at]``; result negative|positive|invalid."""
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
        reported = parse_datetime(when) if when else None
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


def results_import(*, actor: Any, rows: Sequence[ResultRow]) -> ImportSummary:
    """Validate every row, then write tube results, person results, compliance and
    positive follow-up in one transaction. Any bad row: nothing is written."""
    scope = scope_for(actor)
    if scope.is_empty or not (scope.roles & LABS):
        raise ServiceError(_("Your role may not import results."), code="forbidden")
    if len(rows) > MAX_ROWS:
        raise ServiceError(_("Too many rows in one import."), code="too_many_rows")
    with transaction.atomic():
        tubes, fresh = _validated(rows, scope.covers_path)
        summary = _write(fresh, tubes)
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
        person_results=summary[0],
        positives=summary[1],
    )


def _validated(rows: Sequence[ResultRow], visible: Any) -> tuple[dict[str, Tube], list[ResultRow]]:
    errors: list[str] = []
    seen: dict[str, str] = {}
    barcodes = sorted({r.barcode for r in rows})
    tubes = {
        t.barcode: t
        for t in Tube.objects.select_for_update(of=("self",))
        .filter(barcode__in=barcodes)
        .select_related("result")
        .order_by("pk")
    }
    fresh: list[ResultRow] = []
    valid = set(Outcome.values)
    for n, row in enumerate(rows, start=1):
        tube = tubes.get(row.barcode)
        if row.outcome not in valid:
            errors.append(str(_("Row %(n)d: unknown result %(r)r.") % {"n": n, "r": row.outcome}))
        elif tube is None or not visible(tube.area_path):
            errors.append(str(_("Row %(n)d: unknown tube %(b)r.") % {"n": n, "b": row.barcode}))
        elif seen.setdefault(row.barcode, row.outcome) != row.outcome:
            errors.append(str(_("Row %(n)d: tube listed twice with two results.") % {"n": n}))
        elif tube.status == TubeStatus.OPEN:
            errors.append(str(_("Row %(n)d: the tube is still open.") % {"n": n}))
        elif hasattr(tube, "result"):
            if tube.result.outcome != row.outcome:
                errors.append(str(_("Row %(n)d: the tube already has another result.") % {"n": n}))
        else:
            fresh.append(row)  # duplicates of a barcode are folded below
    if errors:
        raise ServiceError(
            _("The results have errors; nothing was imported."), fields={"rows": errors[:200]}
        )
    unique: dict[str, ResultRow] = {}
    for row in fresh:
        unique.setdefault(row.barcode, row)
    return tubes, list(unique.values())


def _write(fresh: list[ResultRow], tubes: dict[str, Tube]) -> tuple[int, int]:
    if not fresh:
        return 0, 0
    now = clock.now()
    by_tube = {tubes[r.barcode].pk: r for r in fresh}
    TubeResult.objects.bulk_create(
        [
            TubeResult(
                tube_id=tube_id,
                area_path=tubes[row.barcode].area_path,
                outcome=row.outcome,
                lab=row.lab[:100],
                reported_at=row.reported_at or now,
                imported_at=now,
            )
            for tube_id, row in by_tube.items()
        ],
        batch_size=5000,
    )
    Tube.objects.filter(pk__in=list(by_tube)).update(status=TubeStatus.RESULTED, resulted_at=now)
    created = _person_results(sorted(by_tube))
    compliance_apply(outcomes=[PersonOutcome(*row) for row in created])
    outcomes = {tid: r.outcome for tid, r in by_tube.items()}
    # Follow-up needs only positive tubes' members and single tubes answering a recheck.
    positive = [tid for tid, outcome in outcomes.items() if outcome == Outcome.POSITIVE]
    samples = list(
        Sample.objects.filter(Q(tube_id__in=positive) | Q(recheck__isnull=False))
        .filter(tube_id__in=list(by_tube))
        .values_list("id", "tube_id", "person_id", "grid_id", "area_path", "recheck_id")
    )
    positives = followup_results(samples=samples, outcomes=outcomes)
    return len(created), positives


def _person_results(tube_ids: list[int]) -> list[tuple[Any, ...]]:
    """Insert every member's result from their tube's; returns (person, grid, path, day,
    outcome) per result. PostgreSQL does it in one statement per chunk."""
    if connection.vendor != "postgresql":
        return _person_results_orm(tube_ids)
    inserted: list[tuple[Any, ...]] = []
    for start in range(0, len(tube_ids), 5000):
        with connection.cursor() as c:
            c.execute(
                "INSERT INTO screening_personresult (sample_id, person_id, grid_id, area_path, "
                "outcome, sampled_on, pooled) "
                "SELECT s.id, s.person_id, s.grid_id, s.area_path, r.outcome, t.sampled_on, "
                "t.members > 1 FROM screening_sample s "
                "JOIN screening_tube t ON t.id = s.tube_id "
                "JOIN screening_tuberesult r ON r.tube_id = s.tube_id "
                "WHERE s.tube_id = ANY(%s::bigint[]) "
                "RETURNING person_id, grid_id, area_path, sampled_on, outcome",
                [pg_array(tube_ids[start : start + 5000])],
            )
            inserted.extend(c.fetchall())
    return inserted


def _person_results_orm(tube_ids: list[int]) -> list[tuple[Any, ...]]:
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
