"""Reads for the screening management pages, all through ``core.scoping``: round progress,
the policies over an area, door-to-door households as team visits, the yellow-code list,
and the daily review rolled up per site.

Round progress reads the per-person compliance rows (one indexed pass per round), never
the raw results: a negative test inside the round's dates is a bit of the day mask.

Policies, rounds, sites and sessions are read where their models allow (``screening.view``
or ``screening.sample``: a sampler sees where and when it samples); people, and counts of
people, only where the actor holds ``screening.view`` (see ``services.access``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, BigIntegerField, Case, Count, F, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.errors import NotFound
from lifeline.core.personal import mask_name
from lifeline.core.scoping import scope_for, scoped
from lifeline.health.models import HealthStatus
from lifeline.health.vocab import CodeColour
from lifeline.registry.models import Area, AreaLevel, Person
from lifeline.screening.models import (
    Compliance,
    Policy,
    Round,
    Session,
    Site,
    Tube,
    TubeStatus,
)
from lifeline.screening.selectors import REVIEWERS, door_to_door_list
from lifeline.screening.services.access import for_action
from lifeline.screening.window import MASK_DAYS
from lifeline.teams.planner.model import Point, Visit

PAGE_LIST_KINDS = ("not_tested_today", "not_compliant", "pending_recheck", "yellow_code")
_FULL = (1 << MASK_DAYS) - 1
VIEW = Perm.SCREENING_VIEW
# Who reads policies, rounds, sites and sessions (their models' SCOPE_PERMISSION).
PLAN_READERS = (Perm.SCREENING_VIEW, Perm.SCREENING_SAMPLE)


def area_get(*, actor: Any, area_id: int) -> Area:
    """An area whose lists the actor may read (``screening.view`` there)."""
    return for_action(Area.objects.all(), actor, VIEW, pk=area_id, missing=_("No such area."))


def root_areas(*, actor: Any) -> list[Area]:
    """The top areas where the actor holds ``screening.view`` (their lists' entry points)."""
    paths = scope_for(actor).grant(VIEW).area_paths
    return list(Area.objects.filter(path__in=paths).order_by("path"))


# Policies, rounds, sites, sessions ---------------------------------------------------------


def policy_list(*, actor: Any) -> QuerySet[Policy]:
    return scoped(Policy.objects.select_related("area"), actor).order_by("-starts_on", "pk")


def policies_above(*, actor: Any) -> QuerySet[Policy]:
    """Policies set on areas above those where the actor reads policies (a city's rule over
    a grid worker's grid): shown read-only, since they apply to the actor's people too."""
    ancestors: set[str] = set()
    for path in scope_for(actor).grant(PLAN_READERS).area_paths:
        parts = [p for p in path.split("/") if p]
        ancestors.update("/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts)))
    return Policy.objects.filter(area_path__in=sorted(ancestors)).select_related("area")


def policy_get(*, actor: Any, policy_id: int) -> Policy:
    policy = policy_list(actor=actor).filter(pk=policy_id).first()
    if policy is None:
        raise NotFound(_("No such policy."))
    return policy


def round_list(*, actor: Any) -> QuerySet[Round]:
    return scoped(Round.objects.select_related("area", "policy"), actor)


def round_get(*, actor: Any, round_id: int) -> Round:
    rnd = round_list(actor=actor).filter(pk=round_id).first()
    if rnd is None:
        raise NotFound(_("No such round."))
    return rnd


def site_list(*, actor: Any) -> QuerySet[Site]:
    return scoped(Site.objects.select_related("area"), actor)


def site_get(*, actor: Any, site_id: int) -> Site:
    site = site_list(actor=actor).filter(pk=site_id).first()
    if site is None:
        raise NotFound(_("No such site."))
    return site


def session_get(*, actor: Any, session_id: int) -> Session:
    session = (
        scoped(Session.objects.select_related("site", "round"), actor).filter(pk=session_id).first()
    )
    if session is None:
        raise NotFound(_("No such session."))
    return session


# Round progress -----------------------------------------------------------------------------


def _in_area(qs: QuerySet[Any], area: Area) -> QuerySet[Any]:
    # Compliance has grid indexes and no path index: a grid reads its own rows only.
    if area.level == AreaLevel.GRID:
        return qs.filter(grid_id=area.pk)
    return qs.filter(area_path__startswith=area.path)


def _tested_between(start: dt.date, end: dt.date, today: dt.date) -> Case:
    """1+ when the row holds a negative test dated in [start, end], else 0.

    Rows last tested inside the dates qualify outright; rows last tested later qualify
    when a bit of their day mask falls inside the dates (one CASE arm per later day)."""
    span = min((end - start).days + 1, MASK_DAYS)
    whens = [When(last_tested_on__range=(start, end), then=Value(1))]
    for k in range(1, min(MASK_DAYS, (today - end).days + 1)):
        bits = (((1 << span) - 1) << k) & _FULL
        if not bits:
            break
        whens.append(
            When(last_tested_on=end + dt.timedelta(days=k), then=F("day_mask").bitand(bits))
        )
    return Case(*whens, default=Value(0), output_field=BigIntegerField())


@dataclass
class Progress:
    area_id: int
    name: str
    people: int = 0
    tested: int = 0

    @property
    def untested(self) -> int:
        return max(self.people - self.tested, 0)

    @property
    def percent(self) -> float:
        return round(100.0 * self.tested / self.people, 1) if self.people else 0.0


@dataclass
class RoundProgress:
    round: Round
    total: Progress
    today: dt.date
    children: list[Progress] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        """Past its target date with people still untested."""
        return self.today > self.round.target_date and self.total.untested > 0


def round_progress(*, actor: Any, rnd: Round, by_child: bool = False) -> RoundProgress:
    """People of the round's area (where the actor holds ``screening.view``) with a
    negative test between the round's start and its target date (or today, if that comes
    first)."""
    today = clock.today()
    area = rnd.area
    end = min(rnd.target_date, today)
    people: dict[int, int] = dict(
        scoped(Person.objects.filter(area_path__startswith=area.path), actor, VIEW)
        .values_list("grid_id")
        .annotate(n=Count("pk"))
        .values_list("grid_id", "n")
    )
    tested: dict[int, int] = {}
    if rnd.starts_on <= end:
        tested = dict(
            scoped(_in_area(Compliance.objects.all(), area), actor, VIEW)
            .annotate(hit=_tested_between(rnd.starts_on, end, today))
            .filter(hit__gt=0)
            .values_list("grid_id")
            .annotate(n=Count("pk"))
            .values_list("grid_id", "n")
        )
    total = Progress(area.pk, area.name)
    total.people = sum(people.values())
    total.tested = sum(tested.values())
    result = RoundProgress(rnd, total, today)
    if by_child:
        children = list(scoped(Area.objects.filter(parent=area), actor, VIEW).order_by("path"))
        paths = dict(
            Area.objects.filter(pk__in=set(people) | set(tested)).values_list("pk", "path")
        )
        for child in children:
            row = Progress(child.pk, child.name)
            for grid_id, path in paths.items():
                if path.startswith(child.path):
                    row.people += people.get(grid_id, 0)
                    row.tested += tested.get(grid_id, 0)
            result.children.append(row)
    return result


# Yellow code ---------------------------------------------------------------------------------


def _yellow(at: dt.datetime) -> QuerySet[HealthStatus]:
    return HealthStatus.objects.filter(current=True, colour=CodeColour.YELLOW).filter(
        Q(valid_from__lte=at) & (Q(valid_to__isnull=True) | Q(valid_to__gt=at))
    )


def yellow_code_list(*, actor: Any, area_id: int) -> QuerySet[Person]:
    """People of the area whose code in force is yellow: they sample at yellow-code
    sessions, apart from everyone else."""
    area = area_get(actor=actor, area_id=area_id)
    statuses = _yellow(clock.now()).filter(area_path__startswith=area.path)
    return (
        scoped(Person.objects.filter(area_path__startswith=area.path), actor, VIEW)
        .filter(pk__in=statuses.values("person_id"))
        .order_by("household_id", "pk")
    )


def yellow_code_counts(*, actor: Any, area: Area, children: list[dict[str, Any]]) -> None:
    """Add ``yellow_code`` to rows of ``screening_counts`` (the area and its children)."""
    per_grid = dict(
        scoped(_yellow(clock.now()).filter(area_path__startswith=area.path), actor, VIEW)
        .values_list("person__grid_id")
        .annotate(n=Count("pk"))
        .values_list("person__grid_id", "n")
    )
    paths = dict(Area.objects.filter(pk__in=list(per_grid)).values_list("pk", "path"))
    area_paths = dict(
        Area.objects.filter(pk__in=[row["area_id"] for row in children]).values_list("pk", "path")
    )
    for row in children:
        prefix = area_paths.get(row["area_id"], "\0")
        row["yellow_code"] = sum(n for g, n in per_grid.items() if paths[g].startswith(prefix))


# Door to door --------------------------------------------------------------------------------

SAMPLING_SKILL = "sampling"
SERVICE_BASE = 300  # seconds at a door: arrive, gown, leave
SERVICE_PER_PERSON = 180


@dataclass
class DoorStop:
    """One household of bedridden or disabled people to sample at home."""

    household_id: int
    building: str
    address: str
    unit_no: str
    lat: float | None
    lng: float | None
    people: list[tuple[int, str, bool]] = field(default_factory=list)  # pk, masked, tested

    @property
    def to_sample(self) -> int:
        return sum(1 for _pk, _name, tested in self.people if not tested)


def door_to_door_stops(*, actor: Any, grid_id: int, day: dt.date | None = None) -> list[DoorStop]:
    """The grid's door-to-door list by household, each person marked tested on ``day``."""
    day = day or clock.today()
    people = list(door_to_door_list(actor=actor, grid_id=grid_id))
    tested = set(
        Compliance.objects.filter(
            person_id__in=[p.pk for p in people], last_tested_on=day
        ).values_list("person_id", flat=True)
    )
    stops: dict[int, DoorStop] = {}
    for person in people:
        household = person.household
        building = household.building
        stop = stops.setdefault(
            household.pk,
            DoorStop(
                household.pk,
                building.name,
                building.address,
                household.unit_no,
                building.lat,
                building.lng,
            ),
        )
        stop.people.append((person.pk, mask_name(person.name), person.pk in tested))
    return list(stops.values())


def as_team_visits(
    stops: list[DoorStop], *, grid: Area, day: dt.date
) -> tuple[list[Visit], list[DoorStop]]:
    """The households still to sample as the field-team planner's visits (one per door,
    skill "sampling", size = people to swab); those without a map position are returned
    apart, to be placed by hand."""
    visits: list[Visit] = []
    unplaced: list[DoorStop] = []
    for stop in stops:
        if stop.to_sample == 0:
            continue
        if stop.lat is None or stop.lng is None:
            unplaced.append(stop)
            continue
        visits.append(
            Visit(
                id=f"screening-home:{day.isoformat()}:{stop.household_id}",
                location=Point.geo(lat=stop.lat, lng=stop.lng),
                service=SERVICE_BASE + SERVICE_PER_PERSON * stop.to_sample,
                priority=1,
                skill=SAMPLING_SKILL,
                size=stop.to_sample,
                area=grid.path,
                kind="home_sampling",
            )
        )
    return visits, unplaced


# The daily review per site --------------------------------------------------------------------


def sampled_to_result_minutes(*, actor: Any, day: dt.date) -> float | None:
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
