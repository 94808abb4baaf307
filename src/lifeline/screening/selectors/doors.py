"""Door to door: the bedridden and disabled people of a grid, sampled at home, by
household; the households still to sample as visits for a field team's route (the teams
app plans them; screening only says where, how long and for whom).

Needs ``screening.view`` at the grid."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from lifeline.accounts.scoping import scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.personal import mask_name
from lifeline.registry.models import Area, Person, Vulnerability, VulnerabilityKind
from lifeline.registry.tree import area_get
from lifeline.screening.models import Compliance
from lifeline.screening.permissions import DENIED
from lifeline.screening.selectors.lists import NO_AREA, VIEW, within

IMMOBILE = (VulnerabilityKind.BEDRIDDEN, VulnerabilityKind.DISABLED)
SAMPLING_SKILL = "sampling"
SERVICE_BASE = 300  # seconds at a door: arrive, gown, leave
SERVICE_PER_PERSON = 180


def door_to_door_list(*, actor: Actor, grid_id: int) -> QuerySet[Person]:
    """Bedridden and disabled people of a grid: the door-to-door team's round."""
    area = area_get(actor=actor, pk=grid_id, perm=VIEW, missing=NO_AREA, denied=DENIED)
    ids = within(scoped(Vulnerability.objects.filter(kind__in=IMMOBILE), actor, VIEW), area)
    return (
        within(scoped(Person.objects.select_related("household__building"), actor, VIEW), area)
        .filter(pk__in=ids.values("person_id"))
        .order_by("household__building_id", "household_id", "pk")
    )


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


def door_to_door_stops(*, actor: Actor, grid_id: int, day: dt.date | None = None) -> list[DoorStop]:
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


@dataclass(frozen=True)
class HomeVisit:
    """One door to sample at, in the words of a route planner: where, how long (seconds),
    how urgent, the skill it needs, how many people (the load) and the area it lies in."""

    id: str
    lat: float
    lng: float
    service: int
    priority: int
    skill: str
    size: int
    area: str
    kind: str = "home_sampling"


def door_service_seconds(to_sample: int) -> int:
    """How long a door takes: arriving, gowning and leaving, and each swab."""
    return SERVICE_BASE + SERVICE_PER_PERSON * to_sample


def as_team_visits(
    stops: list[DoorStop], *, grid: Area, day: dt.date
) -> tuple[list[HomeVisit], list[DoorStop]]:
    """The households still to sample as visits (one per door, skill "sampling", size =
    people to swab); those without a map position are returned apart, to be placed by
    hand."""
    visits: list[HomeVisit] = []
    unplaced: list[DoorStop] = []
    for stop in stops:
        if stop.to_sample == 0:
            continue
        if stop.lat is None or stop.lng is None:
            unplaced.append(stop)
            continue
        visits.append(
            HomeVisit(
                id=f"screening-home:{day.isoformat()}:{stop.household_id}",
                lat=stop.lat,
                lng=stop.lng,
                service=door_service_seconds(stop.to_sample),
                priority=1,
                skill=SAMPLING_SKILL,
                size=stop.to_sample,
                area=grid.path,
            )
        )
    return visits, unplaced
