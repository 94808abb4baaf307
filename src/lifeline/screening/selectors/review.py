"""The daily review: throughput per site and session, tube turnaround and the backlog.

Counts only, no one named: tubes and samples are counted where the actor holds any of
``REVIEWERS``, so a sampler follows its sessions and a lab the tubes it results."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Avg, Count, F

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.screening.models import Sample, Tube, TubeStatus

REVIEWERS = (Perm.SCREENING_VIEW, Perm.SCREENING_SAMPLE, Perm.SCREENING_RESULTS)


def daily_review(*, actor: Actor, day: dt.date | None = None) -> dict[str, Any]:
    """Throughput per site and session, tube turnaround and the backlog, for one day."""
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


def sampled_to_result_minutes(*, actor: Actor, day: dt.date) -> float | None:
    """Mean time from a tube's first swab (its opening) to its result, for the day's
    resulted tubes the actor may see; the review's own figure starts at the closing."""
    mean = (
        scoped(Tube.objects.filter(sampled_on=day, status=TubeStatus.RESULTED), actor, REVIEWERS)
        .exclude(resulted_at=None)
        .aggregate(avg=Avg(F("resulted_at") - F("opened_at")))["avg"]
    )
    return round(mean.total_seconds() / 60, 1) if mean is not None else None


def review_per_site(review: dict[str, Any]) -> list[dict[str, Any]]:
    """The review's sessions added up per site."""
    sites: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"samples": 0, "tubes": 0, "sessions": 0}
    )
    for row in review["sessions"]:
        bucket = sites[row["site"]]
        bucket["samples"] += row["samples"]
        bucket["tubes"] += row["tubes"]
        bucket["sessions"] += 1
    return [{"site": name, **figures} for name, figures in sorted(sites.items())]
