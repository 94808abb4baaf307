"""Who is responsible (routing rules, the ladder up) and by when (clock policies)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lifeline.core import config_cache
from lifeline.core.errors import ServiceError
from lifeline.registry import tree
from lifeline.registry.models import Unit
from lifeline.workorders.models import Category, Priority, RoutingRule, SlaPolicyVersion, SlaTarget

# Used only when the active policy has no target for a category and priority.
PRIORITY_FACTORS = {1: 0.25, 2: 0.5, 3: 1.0, 4: 2.0}


# The name under which the tables below are cached per process (lifeline.core.config_cache);
# workorders/apps.py bumps it when any of them changes.
CONFIG_NAME = "workorders.routing"


@dataclass
class RoutingConfig:
    """Active categories, the active clock policy with its targets, the active routing
    rules, and answers already worked out from them; one per process until a change."""

    categories: list[Category]
    policy: SlaPolicyVersion | None
    targets: dict[tuple[int, int], SlaTarget]
    rules: dict[str, list[RoutingRule]]
    # Every unit, and the units serving each area path (kind, id), for routing up the tree
    # without a query (a city has thousands of units, not millions).
    units: dict[int, Unit] = field(default_factory=dict)
    serving: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    routes: dict[tuple[int, str], Unit] = field(default_factory=dict)

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)


def _build_config() -> RoutingConfig:
    policy = SlaPolicyVersion.objects.filter(active=True).first()
    targets = (
        {(t.category_id, t.priority): t for t in SlaTarget.objects.filter(version=policy)}
        if policy
        else {}
    )
    rules: dict[str, list[RoutingRule]] = {}
    for rule in RoutingRule.objects.filter(active=True).select_related("unit"):
        rules.setdefault(rule.area_path, []).append(rule)
    serving: dict[str, list[tuple[str, int]]] = {}
    for unit_id, kind, path in Unit.areas.through.objects.values_list(
        "unit_id", "unit__kind", "area__path"
    ):
        serving.setdefault(path, []).append((kind, unit_id))
    return RoutingConfig(
        categories=list(Category.objects.filter(active=True)),
        policy=policy,
        targets=targets,
        rules=rules,
        units=Unit.objects.in_bulk(),
        serving=serving,
    )


def config() -> RoutingConfig:
    """The routing configuration as of now (one single-row read when nothing changed)."""
    return config_cache.cached(CONFIG_NAME, _build_config)


def unit_of_kind_near(
    kind: str, area_path: str, *, exclude: int | None = None, conf: RoutingConfig | None = None
) -> Unit | None:
    """The unit of ``kind`` serving the deepest area on the way up from ``area_path`` (the
    lowest id among several at the same depth)."""
    conf = conf or config()
    for path in tree.ancestor_paths(area_path, deepest_first=True):
        found = [pk for k, pk in conf.serving.get(path, ()) if k == kind and pk != exclude]
        if found:
            return conf.units[min(found)]
    return None


def route(*, category: Category, area_path: str, conf: RoutingConfig | None = None) -> Unit:
    """The responsible unit: the deepest matching rule (a category rule beats an
    any-category rule at the same area), else the category's handler kind up the tree,
    else the nearest community committee (or higher) up the tree."""
    conf = conf or config()
    key = (category.pk, area_path)
    if key not in conf.routes:
        conf.routes[key] = _route(category, area_path, conf)
    return conf.routes[key]


def _route(category: Category, area_path: str, conf: RoutingConfig) -> Unit:
    for path in tree.ancestor_paths(area_path, deepest_first=True):
        rules = [r for r in conf.rules.get(path, []) if r.category_id in (category.pk, None)]
        if rules:
            rules.sort(key=lambda r: r.category_id is None)
            return rules[0].unit
    kinds = [category.handler_kind] if category.handler_kind else []
    for kind in [*kinds, *tree.LADDER]:
        unit = unit_of_kind_near(kind, area_path, conf=conf)
        if unit is not None:
            return unit
    raise ServiceError(
        _(
            "No unit is responsible for this kind of request here; ask the command centre to "
            "add a routing rule."
        ),
        code="no_route",
    )


def next_unit_up(unit: Unit, area_path: str) -> Unit | None:
    """The unit one step up the ladder for an order at ``area_path`` (registry.tree), found
    in the cached routing tables."""
    return tree.next_unit_up(unit, area_path, near=unit_of_kind_near)


@dataclass(frozen=True)
class ClockTarget:
    version: SlaPolicyVersion | None
    response_minutes: int
    resolution_minutes: int
    warning_percent: int = 80
    pause_statuses: tuple[str, ...] = field(default=("resolved",))

    def due(self, start: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
        """Response due, resolution due, and the moment the warning fires."""
        response = start + dt.timedelta(minutes=self.response_minutes)
        resolution = start + dt.timedelta(minutes=self.resolution_minutes)
        warn = start + dt.timedelta(minutes=self.resolution_minutes * self.warning_percent / 100)
        return response, resolution, warn


def active_policy() -> SlaPolicyVersion | None:
    return config().policy


def clock_target(
    *, category: Category, priority: int, conf: RoutingConfig | None = None
) -> ClockTarget:
    conf = conf or config()
    version = conf.policy
    target = conf.targets.get((category.pk, priority))
    if target is not None:
        return ClockTarget(
            version,
            target.response_minutes,
            target.resolution_minutes,
            target.warning_percent,
            tuple(target.pause_statuses or ()),
        )
    factor = PRIORITY_FACTORS.get(priority, 1.0)
    return ClockTarget(
        version,
        max(5, round(category.response_minutes * factor)),
        max(30, round(category.resolution_minutes * factor)),
    )


def raised_priority(
    *, base: int, vulnerable: bool, medical: bool, conf: RoutingConfig | None = None
) -> int:
    version = (conf or config()).policy
    steps = 0
    if vulnerable:
        steps += version.vulnerable_steps if version else 1
    if medical:
        steps += version.medical_steps if version else 1
    return max(int(Priority.CRITICAL), base - steps)
