"""The scope matrix: every API operation and every registry page, for grid workers of grids
A and B and for a user with no membership.

- an object of grid B is 404/403 for the worker of grid A and for the outsider, and
  reachable for the worker of grid B (the control that makes each row able to fail);
- a list shows the worker of grid A only grid A's rows; the outsider sees none;
- a create aimed at grid B is refused for A and creates nothing.

The rows are data. ``test_every_api_operation_has_a_scope_case`` fails when an operation in
the OpenAPI schema has no row, so a new endpoint cannot slip past. Registry pages taking a
``pk`` are discovered from the URL resolver and checked the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Model
from django.urls import URLPattern, get_resolver, reverse

from lifeline.accounts.models import Role, User
from lifeline.api.router import api
from lifeline.api.tests.helpers import client_for
from lifeline.registry.models import Area, Building, Facility, Household, Person
from lifeline.testing.factories import SmallCity, make_phone, make_user

DENIED = {403, 404}


@dataclass
class World:
    city: SmallCity
    worker_a: User
    worker_b: User
    outsider: User
    person_b: Person
    household_b: Household
    building_b: Building
    facility_a: Facility
    facility_b: Facility

    @property
    def grid_a(self) -> Area:
        return self.city.grid_a

    @property
    def grid_b(self) -> Area:
        return self.city.grid_b


@pytest.fixture
def world(city: SmallCity) -> World:
    person_b = city.people_b[1]
    household_b = person_b.household
    facilities = [
        Facility.objects.create(
            kind="pharmacy", name=f"{grid.name}药店", area=grid, area_path=grid.path
        )
        for grid in (city.grid_a, city.grid_b)
    ]
    return World(
        city=city,
        worker_a=make_user("matrix_a", role=Role.GRID_WORKER, area=city.grid_a),
        worker_b=make_user("matrix_b", role=Role.GRID_WORKER, area=city.grid_b),
        outsider=make_user("matrix_outsider"),
        person_b=person_b,
        household_b=household_b,
        building_b=household_b.building,
        facility_a=facilities[0],
        facility_b=facilities[1],
    )


Params = Callable[[World], dict[str, Any]]


def _none(w: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Case:
    """One API operation. ``kind``: object (of grid B), list, create (into grid B), reference."""

    method: str
    path: str
    kind: str
    path_params: Params = _none
    own: Params = _none  # list: the query the worker of grid A uses on their own rows
    foreign: tuple[Params, ...] = ()  # list: queries naming grid B's objects
    body: Params = _none
    created: type[Model] | None = None


def _person(w: World) -> dict[str, Any]:
    return {"person_id": w.person_b.pk}


def _household(w: World) -> dict[str, Any]:
    return {"household_id": w.household_b.pk}


CASES = [
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
CASE_IDS = [f"{c.method.upper()} {c.path}" for c in CASES]


def _call(user: User, case: Case, w: World, query: dict[str, Any] | None = None) -> Any:
    client = client_for(user)
    url = case.path.format(**case.path_params(w))
    if case.method == "get":
        return client.get(url, query or {})
    body = case.body(w)
    return client.generic(
        case.method.upper(), url, data=json.dumps(body), content_type="application/json"
    )


def _row_path(item: dict[str, Any]) -> str:
    return str(item.get("area_path") or item["area"]["area_path"])


def test_every_api_operation_has_a_scope_case():
    schema = api.get_openapi_schema()
    operations = {(m, p) for p, ops in schema["paths"].items() for m in ops}
    covered = {(c.method, c.path) for c in CASES}
    assert not operations - covered, f"operations without a scope case: {operations - covered}"
    assert not covered - operations, f"scope cases for missing operations: {covered - operations}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_api_operation_is_scoped(world: World, case: Case):
    w = world
    if case.kind == "object":
        for user in (w.worker_a, w.outsider):
            response = _call(user, case, w)
            assert response.status_code in DENIED, (user, response.content[:200])
            assert set(response.json()) == {"error"}
        control = _call(w.worker_b, case, w)
        assert 200 <= control.status_code < 300, control.content[:300]
    elif case.kind == "list":
        own = _call(w.worker_a, case, w, case.own(w))
        assert own.status_code == 200, own.content[:300]
        items = own.json()["items"]
        assert items, "control: the worker of grid A sees their own rows"
        assert all(_row_path(i).startswith(w.grid_a.path) for i in items), items
        for foreign in case.foreign:
            response = _call(w.worker_a, case, w, foreign(w))
            if response.status_code != 200:
                assert response.status_code in DENIED
            else:
                rows = response.json()["items"]
                assert all(_row_path(i).startswith(w.grid_a.path) for i in rows), rows
            control = _call(w.worker_b, case, w, foreign(w))
            assert control.status_code == 200 and control.json()["count"] > 0, foreign(w)
        nothing = _call(w.outsider, case, w, case.own(w))
        assert nothing.status_code in DENIED or nothing.json()["count"] == 0
    elif case.kind == "create":
        assert case.created is not None
        before = case.created.objects.count()
        for user in (w.worker_a, w.outsider):
            assert _call(user, case, w).status_code in DENIED
        assert case.created.objects.count() == before
        assert _call(w.worker_b, case, w).status_code == 201
    elif case.kind == "reference":
        assert _call(w.worker_a, case, w).json()["count"] > 0
        assert _call(w.outsider, case, w).json()["count"] == 0
    else:  # pragma: no cover - a typo in the table
        pytest.fail(f"unknown case kind {case.kind}")


# Pages ---------------------------------------------------------------------------------

REQUIRED_PAGES = {"area_detail", "grid", "person", "household"}


def registry_pk_pages() -> list[str]:
    """Names of registry URL patterns taking a ``pk``, read from the URL resolver."""
    names: list[str] = []
    resolver = get_resolver()
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        if namespace != "registry":
            continue
        for pattern in sub.url_patterns:
            if (
                isinstance(pattern, URLPattern)
                and pattern.name
                and "pk" in pattern.pattern.converters
            ):
                names.append(pattern.name)
    return sorted(names)


def _page_object(name: str, w: World) -> Model:
    """Grid B's object a page named ``name`` shows; new page names must fit a keyword."""
    for keyword, pick in (
        ("person", w.person_b),
        ("people", w.person_b),
        ("household", w.household_b),
        ("building", w.building_b),
        ("facility", w.facility_b),
        ("grid", w.grid_b),
        ("area", w.grid_b),
    ):
        if keyword in name:
            return pick
    raise AssertionError(f"page {name!r}: add its object kind to _page_object")


def test_registry_pages_are_discovered():
    assert set(registry_pk_pages()) >= REQUIRED_PAGES


@pytest.mark.parametrize("name", registry_pk_pages())
def test_registry_page_is_scoped(world: World, name: str):
    w = world
    url = reverse(f"registry:{name}", kwargs={"pk": _page_object(name, w).pk})
    is_post = name.endswith("reveal")

    def visit(user: User) -> Any:
        client = client_for(user)
        if is_post:
            return client.post(url, {"field": "phone", "purpose": "核实"})
        return client.get(url)

    for user in (w.worker_a, w.outsider):
        assert visit(user).status_code in DENIED, (name, user)
    control = visit(w.worker_b)
    assert control.status_code < 400, (name, control.status_code)


def test_search_page_shows_only_own_grid(world: World):
    w = world
    url = reverse("registry:search")
    # The query is echoed in the search box, so look for the link to the person instead.
    link = reverse("registry:person", kwargs={"pk": w.person_b.pk})
    seen_by_a = client_for(w.worker_a).get(url, {"q": w.person_b.name})
    assert seen_by_a.status_code == 200 and link not in seen_by_a.content.decode()
    seen_by_b = client_for(w.worker_b).get(url, {"q": w.person_b.name})
    assert link in seen_by_b.content.decode()
    nothing = client_for(w.outsider).get(url, {"q": make_phone(1)})
    assert nothing.status_code in {200, *DENIED}
