"""The registry's rows of the scope matrix (run by ``tests/test_scope_matrix.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lifeline.core.personal import decrypt_value
from lifeline.registry.models import Building, Facility, Household, Person
from lifeline.testing.factories import SmallCity
from lifeline.testing.scope_matrix import (
    DENIED,
    Case,
    World,
    base_personas,
    call_undone,
    call_widened,
    permissions_consulted,
    unrelated_roles,
)


@dataclass
class RegistryWorld(World):
    person_b: Person
    household_b: Household
    building_b: Building
    facility_a: Facility
    facility_b: Facility


def make_registry_world(city: SmallCity) -> RegistryWorld:
    person_b = city.people_b[1]
    household_b = person_b.household
    facilities = [
        Facility.objects.create(
            kind="pharmacy", name=f"{grid.name}药店", area=grid, area_path=grid.path
        )
        for grid in (city.grid_a, city.grid_b)
    ]
    return RegistryWorld(
        **base_personas(city),
        person_b=person_b,
        household_b=household_b,
        building_b=household_b.building,
        facility_a=facilities[0],
        facility_b=facilities[1],
    )


def _check_search_id(w: RegistryWorld) -> None:
    """Grid B's person by full ID number: found by grid B's worker only; every other
    persona, widened with every role that cannot search by ID, finds nobody (an empty
    answer or a refusal, never the person)."""
    body = {"id_number": decrypt_value(w.person_b.id_number_enc)}
    case = next(c for c in REGISTRY_CASES if c.path == "/api/v1/people/search-id")
    with permissions_consulted() as consulted:
        control = call_undone(w.worker_b, case, w, body=body)
    assert [p["id"] for p in control.json()] == [w.person_b.pk]
    roles = unrelated_roles(consulted)
    for name in ("worker_a", "outsider"):
        for response in (
            call_undone(w.persona(name), case, w, body=body),
            call_widened(w.persona(name), case, w, roles, w.city.city, body=body),
        ):
            assert response.status_code in DENIED or response.json() == [], name


def _person(w: RegistryWorld) -> dict[str, Any]:
    return {"person_id": w.person_b.pk}


def _household(w: RegistryWorld) -> dict[str, Any]:
    return {"household_id": w.household_b.pk}


REGISTRY_CASES = [
    Case(
        "get",
        "/api/v1/areas",
        "list",
        foreign=(lambda w: {"q": w.grid_b.name}, lambda w: {"level": "grid"}),
    ),
    Case("get", "/api/v1/areas/{area_id}", "object", lambda w: {"area_id": w.grid_b.pk}),
    Case("get", "/api/v1/areas/{area_id}/children", "object", lambda w: {"area_id": w.grid_b.pk}),
    Case(
        "get",
        "/api/v1/buildings",
        "list",
        own=lambda w: {"grid": w.grid_a.pk},
        foreign=(lambda w: {"grid": w.grid_b.pk},),
    ),
    Case(
        "post",
        "/api/v1/buildings",
        "create",
        created=Building,
        body=lambda w: {"grid": w.grid_b.pk, "name": "新楼", "address": "第二网格新楼"},
    ),
    Case(
        "get",
        "/api/v1/households",
        "list",
        foreign=(
            lambda w: {"grid": w.grid_b.pk},
            lambda w: {"area": w.grid_b.pk},
            lambda w: {"building": w.building_b.pk},
            lambda w: {"phone": w.household_b.phone},
        ),
    ),
    Case(
        "post",
        "/api/v1/households",
        "create",
        created=Household,
        body=lambda w: {"building": w.building_b.pk, "unit_no": "999"},
    ),
    Case("get", "/api/v1/households/{household_id}", "object", _household),
    Case(
        "patch",
        "/api/v1/households/{household_id}",
        "object",
        _household,
        body=lambda w: {"gas_account": "G-1"},
    ),
    Case(
        "post",
        "/api/v1/households/{household_id}/reveal",
        "object",
        _household,
        body=lambda w: {"field": "phone", "purpose": "核实"},
    ),
    Case(
        "get",
        "/api/v1/people",
        "list",
        foreign=(
            lambda w: {"grid": w.grid_b.pk},
            lambda w: {"area": w.grid_b.pk},
            lambda w: {"household": w.household_b.pk},
        ),
    ),
    Case(
        "get",
        "/api/v1/people/search",
        "list",
        own=lambda w: {"q": "第"},
        foreign=(lambda w: {"q": w.person_b.name}, lambda w: {"q": w.person_b.phone}),
    ),
    Case(
        "post",
        "/api/v1/people/search-id",
        "custom",
        check=lambda w: _check_search_id(w),
    ),
    Case(
        "post",
        "/api/v1/people",
        "create",
        created=Person,
        body=lambda w: {"household": w.household_b.pk, "name": "新居民", "sex": "F"},
    ),
    Case("get", "/api/v1/people/{person_id}", "object", _person),
    Case(
        "patch", "/api/v1/people/{person_id}", "object", _person, body=lambda w: {"relation": "子"}
    ),
    Case(
        "post",
        "/api/v1/people/{person_id}/reveal",
        "object",
        _person,
        body=lambda w: {"field": "id_number", "purpose": "核实"},
    ),
    Case(
        "put",
        "/api/v1/people/{person_id}/vulnerabilities/{kind}",
        "object",
        lambda w: {"person_id": w.person_b.pk, "kind": "disabled"},
        body=lambda w: {"note": ""},
    ),
    Case(
        "delete",
        "/api/v1/people/{person_id}/vulnerabilities/{kind}",
        "object",
        lambda w: {"person_id": w.person_b.pk, "kind": "disabled"},
    ),
    Case("get", "/api/v1/facilities", "list", foreign=(lambda w: {"area": w.grid_b.pk},)),
    Case(
        "post",
        "/api/v1/facilities",
        "create",
        created=Facility,
        body=lambda w: {"area": w.grid_b.pk, "kind": "shop", "name": "新店"},
    ),
    Case("get", "/api/v1/units", "reference"),
]
