"""Screening reads, all through ``core.scoping``: lists, roll-up counts, door-to-door, review.

Whatever names or counts people needs ``screening.view`` at the area asked for (404 when
no membership covers it, 403 when one does without it); the daily review counts tubes and
samples for whoever samples, results or views there (see ``services.access``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.scoping import scoped
from lifeline.registry.models import Area, AreaLevel, Person, Vulnerability, VulnerabilityKind
from lifeline.screening.models import Compliance, RecheckTask, Sample, Session, Tube, TubeStatus
from lifeline.screening.services.access import for_action
from lifeline.screening.window import MASK_DAYS, DayWindow

LIST_KINDS = ("not_tested_today", "not_compliant", "pending_recheck")
IMMOBILE = (VulnerabilityKind.BEDRIDDEN, VulnerabilityKind.DISABLED)


VIEW = Perm.SCREENING_VIEW
# The daily review counts tubes and samples (never names anyone) for these.
REVIEWERS = (Perm.SCREENING_VIEW, Perm.SCREENING_SAMPLE, Perm.SCREENING_RESULTS)


def _area(actor: Any, area_id: int) -> Area:
    """The area of a list or count, where the actor holds ``screening.view``."""
    return for_action(Area.objects.all(), actor, VIEW, pk=area_id, missing=_("No such area."))


def _within(qs: QuerySet[Any], area: Area) -> QuerySet[Any]:
    # A grid filter uses the (grid, ...) indexes; higher levels use the path prefix index.
    if area.level == AreaLevel.GRID:
        return qs.filter(grid_id=area.pk)
    return qs.filter(area_path__startswith=area.path)


def screening_list(
    *, actor: Any, area_id: int, kind: str, today: dt.date | None = None
) -> QuerySet[Person]:
    """People of the area on one list: not tested today, not compliant, pending recheck.

    People with no compliance row have never had a negative test, so they are on the first
    two lists. Callers show masked fields only.
    """
    if kind not in LIST_KINDS:
        raise ServiceError(_("Unknown list."), fields={"kind": [str(_("Unknown."))]})
    area = _area(actor, area_id)
    today = today or clock.today()
    people = _within(scoped(Person.objects.all(), actor, VIEW), area)
    rows = _within(Compliance.objects.all(), area)
    if kind == "pending_recheck":
        return people.filter(pk__in=rows.filter(pending_recheck=True).values("person_id"))
    if kind == "not_tested_today":
        ok = rows.filter(last_tested_on=today)
    else:
        ok = rows.filter(compliant_until__gte=today)
    return people.exclude(pk__in=ok.values("person_id")).order_by("household_id", "pk")


def screening_counts(
    *, actor: Any, area_id: int, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """The area and each child area with people, tested today, compliant, pending recheck,
    rolled up the tree from per-grid counts."""
    area = _area(actor, area_id)
    today = today or clock.today()
    people = dict(
        _within(scoped(Person.objects.all(), actor, VIEW), area)
        .values_list("grid_id")
        .annotate(n=Count("pk"))
        .values_list("grid_id", "n")
    )
    per_grid = {
        row["grid_id"]: row
        for row in _within(scoped(Compliance.objects.all(), actor, VIEW), area)
        .values("grid_id")
        .annotate(
            tested=Count("pk", filter=Q(last_tested_on=today)),
            compliant=Count("pk", filter=Q(compliant_until__gte=today)),
            pending=Count("pk", filter=Q(pending_recheck=True)),
        )
    }
    grid_paths = dict(
        Area.objects.filter(pk__in=set(people) | set(per_grid)).values_list("pk", "path")
    )
    children = list(scoped(Area.objects.filter(parent=area), actor, VIEW).order_by("path"))
    buckets: dict[str, dict[str, int]] = defaultdict(
        lambda: {"people": 0, "tested_today": 0, "compliant": 0, "pending_recheck": 0}
    )
    targets = [area.path] + [c.path for c in children]
    for grid_id, path in grid_paths.items():
        counts = per_grid.get(grid_id, {})
        for target in targets:
            if path.startswith(target):
                bucket = buckets[target]
                bucket["people"] += people.get(grid_id, 0)
                bucket["tested_today"] += counts.get("tested", 0)
                bucket["compliant"] += counts.get("compliant", 0)
                bucket["pending_recheck"] += counts.get("pending", 0)
    out = []
    for node in [area, *children]:
        b = buckets[node.path]
        out.append(
            {
                "area_id": node.pk,
                "name": node.name,
                "level": node.level,
                **b,
                "not_tested_today": b["people"] - b["tested_today"],
                "not_compliant": b["people"] - b["compliant"],
            }
        )
    return out


def door_to_door_list(*, actor: Any, grid_id: int) -> QuerySet[Person]:
    """Bedridden and disabled people of a grid: the door-to-door team's round."""
    area = _area(actor, grid_id)
    ids = _within(scoped(Vulnerability.objects.filter(kind__in=IMMOBILE), actor, VIEW), area)
    return (
        _within(scoped(Person.objects.select_related("household__building"), actor, VIEW), area)
        .filter(pk__in=ids.values("person_id"))
        .order_by("household__building_id", "household_id", "pk")
    )


def recheck_list(*, actor: Any, area_id: int, status: str = "") -> QuerySet[RecheckTask]:
    area = _area(actor, area_id)
    qs = scoped(RecheckTask.objects.select_related("person", "source_tube"), actor, VIEW)
    qs = qs.filter(area_path__startswith=area.path)
    return qs.filter(status=status) if status else qs


def daily_review(*, actor: Any, day: dt.date | None = None) -> dict[str, Any]:
    """Throughput per site and session, tube turnaround and the backlog, for one day.

    Counts only, no one named: tubes and samples are counted where the actor holds any of
    ``REVIEWERS``, so a sampler follows its sessions and a lab the tubes it results."""
    day = day or clock.today()
    tubes = scoped(Tube.objects.filter(sampled_on=day), actor, REVIEWERS)
    samples = scoped(Sample.objects.filter(tube__sampled_on=day), actor, REVIEWERS)
    per_session = list(
        samples.values("tube__session_id", "tube__session__name", "tube__session__site__name")
        .annotate(samples=Count("pk"), tubes=Count("tube_id", distinct=True))
        .order_by("tube__session__site__name", "tube__session_id")
    )
    turnaround = tubes.filter(status=TubeStatus.RESULTED).aggregate(
        avg=Avg(F("resulted_at") - F("closed_at"))
    )["avg"]
    backlog = dict(
        tubes.exclude(status=TubeStatus.RESULTED)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "day": day.isoformat(),
        "sessions": [
            {
                "session_id": r["tube__session_id"],
                "session": r["tube__session__name"] or "",
                "site": r["tube__session__site__name"] or "",
                "samples": r["samples"],
                "tubes": r["tubes"],
            }
            for r in per_session
        ],
        "turnaround_minutes": round(turnaround.total_seconds() / 60, 1) if turnaround else None,
        "backlog": {status: backlog.get(status, 0) for status in ("open", "closed", "sent")},
    }


def session_list(*, actor: Any) -> QuerySet[Session]:
    """Sessions where the actor plans or samples (``Session.SCOPE_PERMISSION``)."""
    return scoped(Session.objects.select_related("site"), actor)


def person_by_code(*, actor: Any, code: str, perm: str) -> Person:
    """The person behind a scanned code: ``P<id>`` (the registry card) or an ID number,
    among the people where the actor holds ``perm`` (``screening.sample`` at the console,
    ``screening.plan`` for a policy's list). Never 403: a code cannot tell that someone
    exists elsewhere."""
    from lifeline.core.personal import id_number_is_valid, lookup_hash, normalise_id_number

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
