"""Registry reads. Every selector takes the actor and reads through ``scoped``."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for, scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.personal import (
    id_number_is_valid,
    mask_name,
    mask_phone,
    normalise_id_number,
    normalise_phone,
)
from lifeline.core.replica import reads_replica
from lifeline.registry.models import (
    Area,
    AreaLevel,
    Building,
    Facility,
    Household,
    Person,
    Unit,
    Vulnerability,
    VulnerabilityKind,
)

M = TypeVar("M", bound=Model)


def _get(qs: QuerySet[M], actor: Actor, **lookup: Any) -> M:
    obj = scoped(qs, actor).filter(**lookup).first()
    if obj is None:
        raise NotFound()
    return obj


def area_list(
    *, actor: Actor, parent: Area | None = None, level: str = "", q: str = ""
) -> QuerySet[Area]:
    qs = scoped(Area.objects.all(), actor)
    if parent is not None:
        qs = qs.filter(parent=parent)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(code__istartswith=q)
    return qs.order_by("path")


def area_roots_for(*, actor: Actor) -> list[Area]:
    """The top areas the actor may see: one per membership subtree."""
    scope = scope_for(actor)
    return list(Area.objects.filter(path__in=scope.area_paths).order_by("path"))


def area_children_with_counts(*, actor: Actor, area: Area) -> list[dict[str, Any]]:
    """Children of ``area`` visible to the actor, with people, household and vulnerable counts.

    One grouped query per table on the grid column, rolled up in Python: the cost is one
    index scan of the subtree however deep the tree is.
    """
    children = list(area_list(actor=actor, parent=area))
    if not children:
        return []
    by_grid: dict[int, dict[str, int]] = {}
    for model, key in (
        (Person, "people"),
        (Household, "households"),
        (Vulnerability, "vulnerable"),
    ):
        rows = (
            scoped(model.objects.all(), actor)
            .filter(area_path__startswith=area.path)
            .values("grid_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            by_grid.setdefault(row["grid_id"], {})[key] = row["n"]
    grid_paths = dict(
        Area.objects.filter(id__in=list(by_grid), level=AreaLevel.GRID).values_list("id", "path")
    )
    result = []
    for child in children:
        totals = {"people": 0, "households": 0, "vulnerable": 0}
        for grid_id, counts in by_grid.items():
            if grid_paths.get(grid_id, "").startswith(child.path):
                for key, n in counts.items():
                    totals[key] += n
        result.append({"area": child, **totals})
    return result


def building_list(*, actor: Actor, grid: Area) -> QuerySet[Building]:
    return (
        scoped(Building.objects.all(), actor)
        .filter(grid=grid)
        .annotate(household_count=Count("households"))
        .order_by("name_sort", "name")
    )


@reads_replica
def household_list(
    *,
    actor: Actor,
    grid: Area | None = None,
    building: Building | None = None,
    area: Area | None = None,
) -> QuerySet[Household]:
    qs = scoped(Household.objects.select_related("building"), actor)
    if grid is not None:
        qs = qs.filter(grid=grid)
    if building is not None:
        qs = qs.filter(building=building)
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    return qs.order_by("building__name_sort", "building__name", "unit_sort", "unit_no")


def household_get(*, actor: Actor, pk: int) -> Household:
    return _get(Household.objects.select_related("building", "grid"), actor, pk=pk)


@reads_replica
def person_list(
    *,
    actor: Actor,
    grid: Area | None = None,
    area: Area | None = None,
    household: Household | None = None,
    vulnerability: str = "",
) -> QuerySet[Person]:
    qs = scoped(Person.objects.select_related("household__building"), actor)
    if grid is not None:
        qs = qs.filter(grid=grid)
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    if household is not None:
        qs = qs.filter(household=household)
    if vulnerability:
        qs = qs.filter(vulnerabilities__kind=vulnerability)
    return qs.order_by(*PERSON_ORDER)


# People listed by where they live, in natural order (1栋 before 10栋), then as registered.
PERSON_ORDER = (
    "household__building__name_sort",
    "household__building__name",
    "household__unit_sort",
    "household__unit_no",
    "household_id",
    "id",
)


def person_get(*, actor: Actor, pk: int) -> Person:
    return _get(
        Person.objects.select_related("household__building", "grid"),
        actor,
        pk=pk,
    )


@reads_replica
def vulnerable_list(
    *, actor: Actor, grid: Area | None = None, area: Area | None = None, kind: str = ""
) -> QuerySet[Vulnerability]:
    qs = scoped(Vulnerability.objects.select_related("person__household__building"), actor)
    if grid is not None:
        qs = qs.filter(grid=grid)
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by(*(f"person__{key}" for key in PERSON_ORDER), "kind")


_PHONE_LIKE = re.compile(r"^[\d\s+()-]{7,}$")
_LAST_FOUR = re.compile(r"^\d{4}$")


def looks_like_id_number(q: str) -> bool:
    candidate = normalise_id_number(q or "")
    return len(candidate) == 18 and id_number_is_valid(candidate)


def person_search(*, actor: Actor, q: str) -> QuerySet[Person]:
    """Search, within the actor's scope, by:

    - a whole phone (the person's own or the household's);
    - the last four digits of a phone (person's, household's or second), through the
      stored suffix columns, so the whole number is never typed into a URL;
    - a name prefix, or words of the address (building address or name, and a unit
      number: "幸福路12号 3-201").

    A full ID number is refused: finding by it is counted and audited
    (``sensitive.person_find_by_id_number``) and travels in a POST body, never in a URL."""
    q = (q or "").strip()
    qs = scoped(Person.objects.select_related("household__building"), actor)
    if not q:
        return qs.none()
    if looks_like_id_number(q):
        raise ServiceError(
            _("To find someone by ID number, use the ID-number search."),
            code="use_id_search",
            fields={"q": [_("An ID number is searched on its own form.")]},
        )
    if _LAST_FOUR.match(q):
        households = scoped(Household.objects.all(), actor).filter(
            Q(phone_last4=q) | Q(phone_alt_last4=q)
        )
        return qs.filter(Q(phone_last4=q) | Q(household_id__in=households.values("id"))).order_by(
            *PERSON_ORDER
        )
    if _PHONE_LIKE.match(q):
        phone = normalise_phone(q)
        by_household = Household.objects.filter(phone=phone).values("id")
        return (
            (qs.filter(phone=phone) | qs.filter(household_id__in=by_household))
            .distinct()
            .order_by("name", "id")
        )
    return qs.filter(Q(name__startswith=q) | _address_q(q)).order_by(*PERSON_ORDER)


def person_matching(*, name: str, phone: str) -> Person | None:
    """The one resident whose own whole phone and name are exactly ``phone`` and ``name``,
    anywhere in the city, or None (nobody, or more than one). For a caller who already
    holds both (an enterprise's roster of its sealed staff) and only needs the link: it
    reveals nothing the caller did not give, so it is not scoped; the caller audits it."""
    name = (name or "").strip()
    phone = normalise_phone(phone or "")
    if not name or not phone:
        return None
    found = list(Person.objects.filter(phone=phone, name=name).order_by("id")[:2])
    return found[0] if len(found) == 1 else None


def _address_q(q: str) -> Q:
    """People whose building's address or name holds ``q``; with a last word, that word may
    instead be the unit number ("幸福路12号 3-201")."""
    match = Q(household__building__address__icontains=q) | Q(household__building__name__icontains=q)
    place, _sep, unit = q.rpartition(" ")
    place = place.strip()
    if place and unit:
        match |= (
            Q(household__building__address__icontains=place)
            | Q(household__building__name__icontains=place)
        ) & Q(household__unit_no__iexact=unit)
    return match


def households_by_phone(*, actor: Actor, phone: str) -> QuerySet[Household]:
    phone = normalise_phone(phone)
    qs = scoped(Household.objects.select_related("building"), actor)
    by_person = Person.objects.filter(phone=phone).values("household_id")
    return (
        qs.filter(phone=phone) | qs.filter(phone_alt=phone) | qs.filter(id__in=by_person)
    ).distinct()


def facility_list(*, actor: Actor, kind: str = "", area: Area | None = None) -> QuerySet[Facility]:
    qs = scoped(Facility.objects.all(), actor)
    if kind:
        qs = qs.filter(kind=kind)
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    return qs


def unit_list(*, actor: Actor, kind: str = "") -> QuerySet[Unit]:
    qs = scoped(Unit.objects.all(), actor)
    return qs.filter(kind=kind) if kind else qs


def building_care_list(
    *, building_id: int, actor: Actor | None = None
) -> list[dict[str, Any]] | None:
    """A building's residents marked as needing care, for its head's task sheet: one row
    per person with the masked name, the unit and the needs' labels, at most 500. With
    ``actor``, None unless they may see the registry there; without one, the caller has
    proven that the reader is the head a coordinator made of this building."""
    qs = Vulnerability.objects.filter(person__household__building_id=building_id)
    if actor is not None:
        building = Building.objects.filter(pk=building_id).only("area_path").first()
        if building is None or not scope_for(actor).can(
            Perm.REGISTRY_VIEW, path=building.area_path
        ):
            return None
        qs = scoped(qs, actor)
    labels = dict(VulnerabilityKind.choices)
    people: dict[int, dict[str, Any]] = {}
    rows = qs.select_related("person__household").order_by("person__household__unit_no", "pk")
    for row in rows[:500]:
        person = people.setdefault(
            row.person_id,
            {
                "name": mask_name(row.person.name),
                "unit_no": row.person.household.unit_no,
                "needs": [],
            },
        )
        person["needs"].append(str(labels.get(row.kind, "")))
    return list(people.values())


def buildings_public(*, area_path: str) -> QuerySet[Building]:
    """The buildings under an area with their grid, for naming a building's head (楼栋长):
    the names and addresses of places are reference data; nothing of the people in them."""
    if not area_path:
        return Building.objects.none()
    return (
        Building.objects.filter(area_path__startswith=area_path)
        .select_related("grid__parent")
        .only(
            "id",
            "name",
            "address",
            "area_path",
            "grid__name",
            "grid__name_en",
            "grid__parent__name",
            "grid__parent__name_en",
        )
        .order_by("area_path", "name_sort", "name")
    )


def communities_public() -> QuerySet[Area]:
    """Every community of the city, with its street, for a resident to choose one (where to
    serve as a volunteer). Area names are public reference data: no scope is needed."""
    return (
        Area.objects.filter(level=AreaLevel.COMMUNITY)
        .select_related("parent")
        .only("id", "name", "name_en", "path", "parent__name", "parent__name_en")
        .order_by("path")
    )


# Needs that make a household depend on power or water at home (key users' outages).
SUPPLY_DEPENDENT_NEEDS = (
    VulnerabilityKind.HOME_OXYGEN,
    VulnerabilityKind.LIFE_SUPPORT,
    VulnerabilityKind.DIALYSIS,
    VulnerabilityKind.BEDRIDDEN,
    VulnerabilityKind.ELDERLY_ALONE,
    VulnerabilityKind.DISABLED,
)


def supply_dependent_households(
    *, building_ids: list[int], kinds: tuple[str, ...] = SUPPLY_DEPENDENT_NEEDS
) -> list[dict[str, Any]]:
    """The households of these buildings with someone whose need (``kinds``) depends on
    supply, one row each: household and building ids, the building's name, the unit number
    masked, the need labels, ``phone`` in full (to text them a notice, never to show) and
    ``phone_masked``. No actor: the caller (an outage service) has proven the reader may see
    who an interruption of these buildings affects, and shows only the masked values."""
    if not building_ids:
        return []
    labels = dict(VulnerabilityKind.choices)
    rows = (
        Vulnerability.objects.filter(
            person__household__building_id__in=building_ids, kind__in=kinds
        )
        .values_list(
            "person__household_id",
            "person__household__building_id",
            "person__household__building__name",
            "person__household__unit_no",
            "person__household__phone",
            "person__phone",
            "area_path",
            "kind",
        )
        .order_by("person__household__building_id", "person__household_id", "kind")
    )
    found: dict[int, dict[str, Any]] = {}
    for household, building, name, unit_no, phone, person_phone, path, kind in rows:
        row = found.get(household)
        if row is None:
            number = phone or person_phone or ""
            row = found[household] = {
                "household_id": household,
                "building_id": building,
                "building": name,
                "unit_no_masked": mask_name(unit_no or ""),
                "area_path": path,
                "phone": number,
                "phone_masked": mask_phone(number),
                "needs": [],
            }
        label = str(labels.get(kind, ""))
        if label not in row["needs"]:
            row["needs"].append(label)
    return list(found.values())
