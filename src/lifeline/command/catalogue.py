"""The dashboard's figures, each declared by the app that owns it.

``settings.LIFELINE_DASHBOARD_FIGURES`` lists dotted paths of functions (one per app, in
``<app>/figures.py``) returning a list of plain dicts, so that no app below the command
layer imports anything from it:

- ``key`` ("workorders.open"), ``label`` (lazy translated), ``unit`` ("count",
  "percent" or "days"), ``higher_is_better`` (bool, or None when a change is neither
  good nor bad, as a population's);
- either ``compute``: ``compute(day) -> {area_path: count}``, one grouped query keyed by
  the records' own ``area_path`` (any area of the tree; the refresh adds each count to
  every area above it); "now" figures (open orders) are computed when refreshed,
- or ``numerator`` and ``denominator``: keys of two count figures, shown as a percent
  (kept as basis points, value / 100 %).

A provider that breaks (import error, bad spec) is left out and logged, never the page.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

UNITS = ("count", "percent", "days")
Compute = Callable[[dt.date], Mapping[str, int]]


@dataclass(frozen=True)
class Figure:
    key: str
    label: Any
    unit: str = "count"
    higher_is_better: bool | None = False  # None: neither (a population)
    compute: Compute | None = None
    numerator: str = ""
    denominator: str = ""

    @property
    def is_ratio(self) -> bool:
        return bool(self.numerator and self.denominator)

    @property
    def app(self) -> str:
        return self.key.split(".", 1)[0]

    def show(self, value: int | None) -> str:
        """The value as the page shows it: ratios in percent with one decimal."""
        if value is None:
            return "–"
        if self.is_ratio:
            return f"{value / 100:.1f}%"
        return str(value)


def _better(raw: Any) -> bool | None:
    return None if raw is None else bool(raw)


def _figure(spec: Any) -> Figure:
    if not isinstance(spec, Mapping):
        raise TypeError("a figure is a dict")
    figure = Figure(
        key=str(spec["key"]),
        label=spec.get("label") or spec["key"],
        unit=str(spec.get("unit", "count")),
        higher_is_better=_better(spec.get("higher_is_better", False)),
        compute=spec.get("compute"),
        numerator=str(spec.get("numerator", "")),
        denominator=str(spec.get("denominator", "")),
    )
    if figure.unit not in UNITS or (figure.compute is None) == (not figure.is_ratio):
        raise ValueError(f"figure {figure.key}: a unit of {UNITS} and compute or a ratio")
    return figure


def figures() -> list[Figure]:
    """Every declared figure, in the settings' order (ratios after their parts)."""
    found: dict[str, Figure] = {}
    for path in getattr(settings, "LIFELINE_DASHBOARD_FIGURES", []):
        try:
            for spec in import_string(path)():
                figure = _figure(spec)
                found.setdefault(figure.key, figure)
        except Exception:  # one app's broken figures must not hide the others'
            log.exception("dashboard figures %s failed to load", path)
    ratios = [f for f in found.values() if f.is_ratio]
    for ratio in ratios:
        if ratio.numerator not in found or ratio.denominator not in found:
            log.error("figure %s: its parts are not declared", ratio.key)
            del found[ratio.key]
    return list(found.values())


def figures_by_key() -> dict[str, Figure]:
    return {f.key: f for f in figures()}
