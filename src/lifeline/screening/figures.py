"""Screening figures for the command centre's dashboard (see ``registry/figures.py``):
samples taken and positives found on the day, people meeting their testing policy on the
day against people under one (a ratio), and rechecks still open."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifeline.screening.models import (
    Compliance,
    Outcome,
    PersonResult,
    RecheckStatus,
    RecheckTask,
    Sample,
)


def _day(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _by_path(qs: Any) -> dict[str, int]:
    rows = qs.order_by().values("area_path").annotate(n=Count("pk"))
    return {row["area_path"]: row["n"] for row in rows}


def tested(day: dt.date) -> dict[str, int]:
    start, end = _day(day)
    return _by_path(Sample.objects.filter(sampled_at__gte=start, sampled_at__lt=end))


def positives(day: dt.date) -> dict[str, int]:
    return _by_path(PersonResult.objects.filter(sampled_on=day, outcome=Outcome.POSITIVE))


def compliant(day: dt.date) -> dict[str, int]:
    return _by_path(Compliance.objects.filter(compliant_until__gte=day))


def under_policy(day: dt.date) -> dict[str, int]:
    return _by_path(Compliance.objects.all())


def rechecks_open(day: dt.date) -> dict[str, int]:
    waiting = (RecheckStatus.OPEN, RecheckStatus.SAMPLED)
    return _by_path(RecheckTask.objects.filter(status__in=waiting))


def dashboard_figures() -> list[dict[str, Any]]:
    return [
        {
            "key": "screening.tested",
            "label": _("Samples taken"),
            "higher_is_better": True,
            "compute": tested,
        },
        {"key": "screening.positives", "label": _("Positives"), "compute": positives},
        {
            "key": "screening.compliant",
            "label": _("People meeting their testing policy"),
            "higher_is_better": True,
            "compute": compliant,
        },
        {
            "key": "screening.under_policy",
            "label": _("People under a testing policy"),
            "higher_is_better": True,
            "compute": under_policy,
        },
        {
            "key": "screening.compliance",
            "label": _("Testing compliance"),
            "unit": "percent",
            "higher_is_better": True,
            "numerator": "screening.compliant",
            "denominator": "screening.under_policy",
        },
        {"key": "screening.rechecks", "label": _("Rechecks open"), "compute": rechecks_open},
    ]
