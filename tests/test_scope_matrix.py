"""The scope matrix: every API operation and every registry page, for the personas of each
app's world (grid workers of grids A and B, a user with no membership, and whatever staff
the app adds, e.g. the work orders' unit staff).

- an object of grid B is 404/403 for every denied persona and leaves the data as it was,
  and is reachable for each control persona (the control makes each row able to fail);
- a list shows each restricted viewer only the rows they may see; the outsider sees none;
- a create aimed at grid B is refused and creates nothing;
- a public operation answers a probe for someone else's object exactly as for an unknown one.

The rows are data, kept beside each app in ``<app>/tests/scope_cases.py``; the machinery is
``lifeline.testing.scope_matrix``. ``test_every_api_operation_has_a_scope_case`` fails when
an operation in the OpenAPI schema has no row, so a new endpoint cannot slip past. Registry
pages taking a ``pk`` are discovered from the URL resolver and checked the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Model
from django.urls import URLPattern, get_resolver, reverse

from lifeline.accounts.models import Membership, User
from lifeline.accounts.scoping import ANY, forget_scope
from lifeline.api.router import api
from lifeline.api.tests.helpers import client_for
from lifeline.command.tests.scope_cases import COMMAND_CASES, make_command_world
from lifeline.continuity.tests.scope_cases import CONTINUITY_CASES, make_continuity_world
from lifeline.core import clock
from lifeline.counselling.tests.scope_cases import COUNSELLING_CASES, make_counselling_world
from lifeline.enterprises.tests.scope_cases import ENTERPRISES_CASES, make_enterprises_world
from lifeline.health.tests.scope_cases import HEALTH_CASES, make_health_world
from lifeline.keyusers.tests.scope_cases import KEYUSERS_CASES, make_keyusers_world
from lifeline.notices.tests.scope_cases import NOTICES_CASES, make_notices_world
from lifeline.passes.tests.scope_cases import PASSES_CASES, make_passes_world
from lifeline.registry.tests.scope_cases import (
    REGISTRY_CASES,
    RegistryWorld,
    make_registry_world,
)
from lifeline.screening.tests.scope_cases import SCREENING_CASES, make_screening_world
from lifeline.supplies.tests.scope_cases_catalogue import CATALOGUE_CASES, make_catalogue_world
from lifeline.supplies.tests.scope_cases_donations import DONATIONS_CASES, make_donations_world
from lifeline.supplies.tests.scope_cases_needs import NEEDS_CASES, make_needs_world
from lifeline.supplies.tests.scope_cases_packages import PACKAGES_CASES, make_packages_world
from lifeline.supplies.tests.scope_cases_shipments import SHIPMENTS_CASES, make_shipments_world
from lifeline.supplies.tests.scope_cases_stock import STOCK_CASES, make_stock_world
from lifeline.teams.tests.scope_cases import TEAMS_CASES, make_teams_world
from lifeline.testing.factories import SmallCity, make_phone
from lifeline.testing.response_capture import find_pii
from lifeline.testing.scope_matrix import (
    DENIED,
    Case,
    World,
    call,
    call_undone,
    call_widened,
    items_of,
    permissions_consulted,
    unrelated_roles,
)
from lifeline.volunteers.tests.scope_cases import VOLUNTEERS_CASES, make_volunteers_world
from lifeline.workorders.tests.scope_cases import WORKORDER_CASES, make_workorder_world

# Each app's cases with the builder of the world they run in.
SUITES: list[tuple[Callable[[SmallCity], World], list[Case]]] = [
    (make_registry_world, REGISTRY_CASES),
    (make_workorder_world, WORKORDER_CASES),
    (make_health_world, HEALTH_CASES),
    (make_passes_world, PASSES_CASES),
    (make_screening_world, SCREENING_CASES),
    (make_teams_world, TEAMS_CASES),
    (make_catalogue_world, CATALOGUE_CASES),
    (make_stock_world, STOCK_CASES),
    (make_donations_world, DONATIONS_CASES),
    (make_needs_world, NEEDS_CASES),
    (make_shipments_world, SHIPMENTS_CASES),
    (make_packages_world, PACKAGES_CASES),
    (make_volunteers_world, VOLUNTEERS_CASES),
    (make_keyusers_world, KEYUSERS_CASES),
    (make_enterprises_world, ENTERPRISES_CASES),
    (make_continuity_world, CONTINUITY_CASES),
    (make_counselling_world, COUNSELLING_CASES),
    (make_command_world, COMMAND_CASES),
    (make_notices_world, NOTICES_CASES),
]
ALL_CASES = [pytest.param(make, case, id=case.id) for make, cases in SUITES for case in cases]


@pytest.fixture
def world(city: SmallCity) -> RegistryWorld:
    return make_registry_world(city)


def test_every_api_operation_has_a_scope_case():
    schema = api.get_openapi_schema()
    operations = {(m, p) for p, ops in schema["paths"].items() for m in ops}
    covered = {(c.method, c.path) for _make, cases in SUITES for c in cases}
    assert not operations - covered, f"operations without a scope case: {operations - covered}"
    assert not covered - operations, f"scope cases for missing operations: {covered - operations}"


def test_case_ids_are_unique():
    ids = [p.id for p in ALL_CASES]
    assert len(ids) == len(set(ids)), "give cases of one operation a label"


@pytest.mark.parametrize("make_world,case", ALL_CASES)
def test_api_operation_is_scoped(
    city: SmallCity, make_world: Callable[[SmallCity], World], case: Case
):
    w = make_world(city)
    case.given(w)
    check = CHECKS.get(case.kind)
    if check is None:  # pragma: no cover - a typo in a table
        pytest.fail(f"unknown case kind {case.kind}")
    check(w, case)


def _check_object(w: World, case: Case) -> None:
    before = w.snapshot()
    for name in case.denied_in(w):
        response = call(w.persona(name), case, w)
        assert response.status_code in DENIED, (name, response.content[:200])
        assert set(response.json()) == {"error"}
    assert w.snapshot() == before, "a refused call changed something"
    for name in case.controls_in(w):
        control = call_undone(w.persona(name), case, w)
        assert 200 <= control.status_code < 300, (name, control.content[:300])
    _check_widened(w, case, before)


def _consulted(w: World, case: Case) -> set[str]:
    """The permissions the operation checks, recorded during a control's call."""
    with permissions_consulted() as consulted:
        call_undone(w.persona(case.controls_in(w)[0]), case, w)
    assert consulted, f"{case.id}: the control's call checked no permission"
    return consulted


def _check_widened(w: World, case: Case, before: Any) -> None:
    """Each denied persona, given besides their own a city-wide membership in every role
    that grants none of what the operation checks, is still refused and changes nothing:
    a permission holds only where the membership granting it does, whatever else the user
    holds (with roles and areas checked apart, these calls went through)."""
    consulted = _consulted(w, case)
    roles = unrelated_roles(consulted)
    if not consulted - {ANY}:
        # What any membership opens (the area tree): every role opens it, by design, so no
        # role can be added that must leave it shut.
        return
    assert roles, case.id
    for name in case.denied_in(w):
        response = call_widened(w.persona(name), case, w, roles, w.city.city)
        assert response.status_code in DENIED, (name, roles, response.content[:200])
    assert w.snapshot() == before, "a refused widened call changed something"


def _check_list(w: World, case: Case) -> None:
    for viewer in case.viewers_in(w):
        user = w.persona(viewer)
        own = call(user, case, w, case.own(w))
        assert own.status_code == 200, own.content[:300]
        items = items_of(own.json())
        assert items, f"control: {viewer} sees their own rows"
        assert all(w.may_see(viewer, i) for i in items), (viewer, items)
        for foreign in case.foreign:
            response = call(user, case, w, foreign(w))
            if response.status_code != 200:
                assert response.status_code in DENIED, (viewer, foreign(w))
            else:
                rows = items_of(response.json())
                assert all(w.may_see(viewer, i) for i in rows), (viewer, foreign(w), rows)
    for name in case.controls_in(w):
        for foreign in case.foreign:
            control = call(w.persona(name), case, w, foreign(w))
            assert control.status_code == 200 and items_of(control.json()), (name, foreign(w))
    nothing = call(w.outsider, case, w, case.own(w))
    assert nothing.status_code in DENIED or not items_of(nothing.json())
    # Widened viewers (every unrelated role city-wide besides their own) see no more.
    with permissions_consulted() as consulted:
        call(w.persona(case.viewers_in(w)[0]), case, w, case.own(w))
    roles = unrelated_roles(consulted)
    for viewer in case.viewers_in(w):
        for query in (case.own(w), *(foreign(w) for foreign in case.foreign)):
            response = call_widened(w.persona(viewer), case, w, roles, w.city.city, query=query)
            if response.status_code != 200:
                assert response.status_code in DENIED, (viewer, query)
                continue
            rows = items_of(response.json())
            assert all(w.may_see(viewer, i) for i in rows), (viewer, roles, query, rows)


def _check_create(w: World, case: Case) -> None:
    assert case.created is not None
    before = case.created._default_manager.count()
    for name in case.denied_in(w):
        response = call(w.persona(name), case, w)
        assert response.status_code in DENIED, (name, response.content[:200])
    assert case.created._default_manager.count() == before
    for name in case.controls_in(w):
        control = call_undone(w.persona(name), case, w)
        assert control.status_code == 201, (name, control.content[:300])
    roles = unrelated_roles(_consulted(w, case))
    for name in case.denied_in(w):
        response = call_widened(w.persona(name), case, w, roles, w.city.city)
        assert response.status_code in DENIED, (name, roles, response.content[:200])
    assert case.created._default_manager.count() == before


def _check_reference(w: World, case: Case) -> None:
    assert call(w.worker_a, case, w).json()["count"] > 0
    assert call(w.outsider, case, w).json()["count"] == 0


def _check_shared(w: World, case: Case) -> None:
    names = ("outsider", *case.denied_in(w), *case.controls_in(w))
    answers = {name: call(w.persona(name), case, w) for name in names}
    first = answers["outsider"]
    assert first.status_code == 200 and first.json(), first.content[:300]
    for name, response in answers.items():
        assert (response.status_code, response.json()) == (200, first.json()), name


def _check_public(w: World, case: Case) -> None:
    unknown, *probes = case.foreign
    baseline = call(None, case, w, body=unknown(w))
    assert 400 <= baseline.status_code < 500 and set(baseline.json()) == {"error"}
    for probe in probes:
        for user in (None, w.worker_a):
            response = call(user, case, w, body=probe(w))
            answer = (response.status_code, response.json())
            assert answer == (baseline.status_code, baseline.json()), (probe(w), answer)
    control = call(None, case, w)
    assert 200 <= control.status_code < 300, control.content[:300]
    # Nobody logged in: the answers carry nothing personal, the control's included.
    for body in (baseline.content.decode(), control.content.decode()):
        assert find_pii(body) == [], body[:300]
        assert not [v for v in w.private_values() if v and v in body], body[:300]


def _check_published(w: World, case: Case) -> None:
    names = ("outsider", *case.denied_in(w), *case.controls_in(w))
    # One moment for every call: the documents carry their issue time. Each carries a fresh
    # ECDSA signature (randomised), so answers are compared without it.
    with clock.frozen_at(clock.now()):
        anonymous = call(None, case, w)
        answers = {name: call(w.persona(name), case, w) for name in names}
    assert anonymous.status_code == 200 and anonymous.json(), anonymous.content[:300]
    unsigned = {k: v for k, v in anonymous.json().items() if k != "signed"}
    for name, response in answers.items():
        assert response.status_code == 200, name
        assert {k: v for k, v in response.json().items() if k != "signed"} == unsigned, name
    body = anonymous.content.decode()
    assert find_pii(body) == []
    leaked = [v for v in w.private_values() if v and v in body]
    assert not leaked, leaked


def _check_custom(w: World, case: Case) -> None:
    assert case.check is not None
    case.check(w)


CHECKS: dict[str, Callable[[World, Case], None]] = {
    "object": _check_object,
    "list": _check_list,
    "create": _check_create,
    "reference": _check_reference,
    "shared": _check_shared,
    "public": _check_public,
    "published": _check_published,
    "custom": _check_custom,
}


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


def _page_object(name: str, w: RegistryWorld) -> Model:
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
def test_registry_page_is_scoped(world: RegistryWorld, name: str):
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
    with permissions_consulted() as consulted:
        control = visit(w.worker_b)
    assert control.status_code < 400, (name, control.status_code)
    # Every role granting none of what the page checks, city-wide, opens nothing more.
    roles = unrelated_roles(consulted)
    for user in (w.worker_a, w.outsider):
        with transaction.atomic():
            for role in roles:
                Membership.objects.create(user=user, role=role, area=w.city.city)
            forget_scope(user)
            assert visit(user).status_code in DENIED, (name, user, roles)
            transaction.set_rollback(True)
        forget_scope(user)


def test_search_page_shows_only_own_grid(world: RegistryWorld):
    w = world
    url = reverse("registry:search")
    # The query is echoed in the search box, so look for the link to the person instead.
    link = reverse("registry:person", kwargs={"pk": w.person_b.pk})
    seen_by_a = client_for(w.worker_a).get(url, {"q": w.person_b.name})
    assert seen_by_a.status_code == 200 and link not in seen_by_a.content.decode()
    seen_by_b = client_for(w.worker_b).get(url, {"q": w.person_b.name})
    assert link in seen_by_b.content.decode()
    # The outsider (no membership) finds nobody, by the names and phone the workers find.
    people = [*w.city.people_a, *w.city.people_b]
    links = [reverse("registry:person", kwargs={"pk": p.pk}) for p in people]
    person_a = w.city.people_a[1]
    assert reverse("registry:person", kwargs={"pk": person_a.pk}) in (
        client_for(w.worker_a).get(url, {"q": person_a.name}).content.decode()
    ), "control: worker A finds their own person"
    for query in (w.person_b.name, person_a.name, w.person_b.phone or make_phone(1)):
        nothing = client_for(w.outsider).get(url, {"q": query})
        assert nothing.status_code in {200, *DENIED}, query
        body = nothing.content.decode()
        assert not [link for link in links if link in body], (query, "the outsider saw rows")
        if nothing.status_code == 200:
            assert "<tbody>" not in body, query
