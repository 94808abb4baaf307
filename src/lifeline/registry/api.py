"""Registry endpoints (S1): areas, buildings, households, people, vulnerabilities,
facilities and units. Reads go through ``registry.selectors`` (scoped, so an id outside the
actor's areas is a 404); writes call ``registry.services``; creates honour Idempotency-Key.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from ninja import Query, Router, Status

from lifeline.accounts.scoping import scoped
from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, Id, IdSearchIn, RevealIn, RevealOut
from lifeline.core.errors import NotFound
from lifeline.registry import selectors, sensitive, services, tree
from lifeline.registry.models import Area, Building, VulnerabilityKind
from lifeline.registry.schemas import (
    AreaChildOut,
    AreaFilter,
    AreaOut,
    BuildingFilter,
    BuildingIn,
    BuildingOut,
    FacilityFilter,
    FacilityIn,
    FacilityOut,
    HouseholdDetailOut,
    HouseholdFilter,
    HouseholdIn,
    HouseholdOut,
    HouseholdPatch,
    PersonDetailOut,
    PersonFilter,
    PersonIn,
    PersonOut,
    PersonPatch,
    PersonSearch,
    UnitFilter,
    UnitOut,
    VulnerabilityIn,
    VulnerabilityOut,
)

router = Router(tags=["registry"])

Page = Query[PageParams]


def _area(request: AuthedRequest, pk: int | None) -> Area | None:
    return tree.area_get(actor=request.auth, pk=pk) if pk else None


def _building(request: AuthedRequest, pk: int) -> Building:
    # registry.selectors has no building_get yet; read through the same scoping.
    found = scoped(Building.objects.all(), request.auth).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


# Areas ---------------------------------------------------------------------------------


@router.get("/areas", response={200: page_of(AreaOut), **ERRORS})
def areas_list(request: AuthedRequest, filters: Query[AreaFilter], page: Page) -> Any:
    parent = _area(request, filters.parent)
    level = filters.level.value if filters.level else ""
    return paginate(
        selectors.area_list(actor=request.auth, parent=parent, level=level, q=filters.q), page
    )


@router.get("/areas/{area_id}", response={200: AreaOut, **ERRORS})
def areas_detail(request: AuthedRequest, area_id: Id) -> Any:
    return tree.area_get(actor=request.auth, pk=area_id)


@router.get("/areas/{area_id}/children", response={200: page_of(AreaChildOut), **ERRORS})
def areas_children(request: AuthedRequest, area_id: Id, page: Page) -> Any:
    area = tree.area_get(actor=request.auth, pk=area_id)
    return paginate(selectors.area_children_with_counts(actor=request.auth, area=area), page)


# Buildings -----------------------------------------------------------------------------


@router.get("/buildings", response={200: page_of(BuildingOut), **ERRORS})
def buildings_list(request: AuthedRequest, filters: Query[BuildingFilter], page: Page) -> Any:
    grid = tree.area_get(actor=request.auth, pk=filters.grid)
    return paginate(selectors.building_list(actor=request.auth, grid=grid), page)


@router.post("/buildings", response={201: BuildingOut, **ERRORS})
def buildings_create(request: AuthedRequest, payload: BuildingIn, key: IdempotencyKey) -> Any:
    def make() -> Model:
        grid = tree.area_get(actor=request.auth, pk=payload.grid)
        data = payload.model_dump(exclude={"grid"})
        return services.building_create(actor=request.auth, grid=grid, **data)

    return create_once(request, key=key, payload=payload, make=make, out=BuildingOut)


# Households ----------------------------------------------------------------------------


@router.get("/households", response={200: page_of(HouseholdOut), **ERRORS})
def households_list(request: AuthedRequest, filters: Query[HouseholdFilter], page: Page) -> Any:
    actor = request.auth
    grid, area = _area(request, filters.grid), _area(request, filters.area)
    building = _building(request, filters.building) if filters.building else None
    if filters.phone:
        qs = selectors.households_by_phone(actor=actor, phone=filters.phone)
        if grid is not None:
            qs = qs.filter(grid=grid)
        if area is not None:
            qs = qs.filter(area_path__startswith=area.path)
        if building is not None:
            qs = qs.filter(building=building)
    else:
        qs = selectors.household_list(actor=actor, grid=grid, area=area, building=building)
    return paginate(qs, page)


@router.get("/households/{household_id}", response={200: HouseholdDetailOut, **ERRORS})
def households_detail(request: AuthedRequest, household_id: Id) -> Any:
    return selectors.household_get(actor=request.auth, pk=household_id)


@router.post("/households", response={201: HouseholdOut, **ERRORS})
def households_create(request: AuthedRequest, payload: HouseholdIn, key: IdempotencyKey) -> Any:
    def make() -> Model:
        building = _building(request, payload.building)
        data = payload.model_dump(exclude={"building"})
        return services.household_create(actor=request.auth, building=building, **data)

    return create_once(request, key=key, payload=payload, make=make, out=HouseholdOut)


@router.patch("/households/{household_id}", response={200: HouseholdOut, **ERRORS})
def households_update(request: AuthedRequest, household_id: Id, payload: HouseholdPatch) -> Any:
    household = selectors.household_get(actor=request.auth, pk=household_id)
    data = payload.model_dump(exclude_unset=True)
    return services.household_update(actor=request.auth, household=household, **data)


@router.post("/households/{household_id}/reveal", response={200: RevealOut, **ERRORS})
def households_reveal(request: AuthedRequest, household_id: Id, payload: RevealIn) -> Any:
    household = selectors.household_get(actor=request.auth, pk=household_id)
    value = sensitive.sensitive_reveal(
        actor=request.auth,
        obj=household,
        field=payload.field,
        reason=payload.reason,
        purpose=payload.purpose,
    )
    return {"field": payload.field, "value": value}


# People --------------------------------------------------------------------------------


@router.get("/people", response={200: page_of(PersonOut), **ERRORS})
def people_list(request: AuthedRequest, filters: Query[PersonFilter], page: Page) -> Any:
    actor = request.auth
    household = (
        selectors.household_get(actor=actor, pk=filters.household) if filters.household else None
    )
    qs = selectors.person_list(
        actor=actor,
        grid=_area(request, filters.grid),
        area=_area(request, filters.area),
        household=household,
        vulnerability=filters.vulnerability.value if filters.vulnerability else "",
    )
    return paginate(qs, page)


@router.get("/people/search", response={200: page_of(PersonOut), **ERRORS})
def people_search(request: AuthedRequest, search: Query[PersonSearch], page: Page) -> Any:
    """By name prefix or phone. A full ID number is refused here (it would sit in URLs and
    logs): ``POST /people/search-id`` takes it, counted and audited."""
    return paginate(selectors.person_search(actor=request.auth, q=search.q), page)


@router.post("/people/search-id", response={200: list[PersonOut], **ERRORS})
def people_search_id(request: AuthedRequest, payload: IdSearchIn) -> Any:
    """The people with this full ID number in the caller's area (limited per user)."""
    return sensitive.person_find_by_id_number(actor=request.auth, id_number=payload.id_number)


@router.get("/people/{person_id}", response={200: PersonDetailOut, **ERRORS})
def people_detail(request: AuthedRequest, person_id: Id) -> Any:
    return selectors.person_get(actor=request.auth, pk=person_id)


@router.post("/people", response={201: PersonOut, **ERRORS})
def people_create(request: AuthedRequest, payload: PersonIn, key: IdempotencyKey) -> Any:
    def make() -> Model:
        household = selectors.household_get(actor=request.auth, pk=payload.household)
        data = payload.model_dump(exclude={"household"})
        return services.person_create(actor=request.auth, household=household, **data)

    return create_once(request, key=key, payload=payload, make=make, out=PersonOut)


@router.patch("/people/{person_id}", response={200: PersonOut, **ERRORS})
def people_update(request: AuthedRequest, person_id: Id, payload: PersonPatch) -> Any:
    person = selectors.person_get(actor=request.auth, pk=person_id)
    data = payload.model_dump(exclude_unset=True)
    return services.person_update(actor=request.auth, person=person, **data)


@router.post("/people/{person_id}/reveal", response={200: RevealOut, **ERRORS})
def people_reveal(request: AuthedRequest, person_id: Id, payload: RevealIn) -> Any:
    person = selectors.person_get(actor=request.auth, pk=person_id)
    value = sensitive.sensitive_reveal(
        actor=request.auth,
        obj=person,
        field=payload.field,
        reason=payload.reason,
        purpose=payload.purpose,
    )
    return {"field": payload.field, "value": value}


@router.put(
    "/people/{person_id}/vulnerabilities/{kind}", response={200: VulnerabilityOut, **ERRORS}
)
def people_vulnerability_set(
    request: AuthedRequest, person_id: Id, kind: VulnerabilityKind, payload: VulnerabilityIn
) -> Any:
    person = selectors.person_get(actor=request.auth, pk=person_id)
    return services.vulnerability_set(
        actor=request.auth, person=person, kind=kind.value, note=payload.note
    )


@router.delete("/people/{person_id}/vulnerabilities/{kind}", response={204: None, **ERRORS})
def people_vulnerability_remove(
    request: AuthedRequest, person_id: Id, kind: VulnerabilityKind
) -> Any:
    person = selectors.person_get(actor=request.auth, pk=person_id)
    services.vulnerability_remove(actor=request.auth, person=person, kind=kind.value)
    return Status(204, None)


# Facilities and units ------------------------------------------------------------------


@router.get("/facilities", response={200: page_of(FacilityOut), **ERRORS})
def facilities_list(request: AuthedRequest, filters: Query[FacilityFilter], page: Page) -> Any:
    kind = filters.kind.value if filters.kind else ""
    area = _area(request, filters.area)
    return paginate(selectors.facility_list(actor=request.auth, kind=kind, area=area), page)


@router.post("/facilities", response={201: FacilityOut, **ERRORS})
def facilities_create(request: AuthedRequest, payload: FacilityIn, key: IdempotencyKey) -> Any:
    def make() -> Model:
        area = tree.area_get(actor=request.auth, pk=payload.area)
        unit = None
        if payload.unit is not None:
            unit = selectors.unit_list(actor=request.auth).filter(pk=payload.unit).first()
            if unit is None:
                raise NotFound()
        data = payload.model_dump(exclude={"area", "kind", "name", "unit"})
        return services.facility_create(
            actor=request.auth,
            area=area,
            kind=payload.kind.value,
            name=payload.name,
            unit=unit,
            **data,
        )

    return create_once(request, key=key, payload=payload, make=make, out=FacilityOut)


@router.get("/units", response={200: page_of(UnitOut), **ERRORS})
def units_list(request: AuthedRequest, filters: Query[UnitFilter], page: Page) -> Any:
    kind = filters.kind.value if filters.kind else ""
    return paginate(selectors.unit_list(actor=request.auth, kind=kind), page)
