"""The registry's figures for the command centre's dashboard (listed in
``settings.LIFELINE_DASHBOARD_FIGURES``): each ``compute(day)`` is one grouped query
giving ``{area_path: count}``; the command app rolls them up the area tree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from lifeline.registry.models import Household, Person, Vulnerability


def _by_path(qs: Any, counted: str = "pk") -> dict[str, int]:
    rows = qs.order_by().values("area_path").annotate(n=Count(counted, distinct=counted != "pk"))
    return {row["area_path"]: row["n"] for row in rows}


def people(day: dt.date) -> dict[str, int]:
    return _by_path(Person.objects.all())


def households(day: dt.date) -> dict[str, int]:
    return _by_path(Household.objects.all())


def vulnerable(day: dt.date) -> dict[str, int]:
    return _by_path(Vulnerability.objects.all(), "person")


def dashboard_figures() -> list[dict[str, Any]]:
    return [
        {
            "key": "registry.people",
            "label": _("Residents"),
            "higher_is_better": None,
            "compute": people,
        },
        {
            "key": "registry.households",
            "label": _("Households"),
            "higher_is_better": None,
            "compute": households,
        },
        {
            "key": "registry.vulnerable",
            "label": _("Vulnerable people"),
            "higher_is_better": None,
            "compute": vulnerable,
        },
    ]
