"""Permissions bound to memberships: every role pair, every permission, every place."""

from __future__ import annotations

import itertools

import pytest

from lifeline.accounts.models import Membership, Role
from lifeline.accounts.permissions import (
    ALL_PERMISSIONS,
    LABELS,
    ROLE_PERMISSIONS,
    Perm,
    permissions_table_markdown,
)
from lifeline.accounts.scoping import can, can_anywhere, forget_scope, require, scope_for, scoped
from lifeline.core.errors import NotFound, PermissionDenied
from lifeline.registry.models import AreaLevel, Person
from lifeline.testing.factories import SmallCity, make_area, make_user

ROLES = list(ROLE_PERMISSIONS)


def test_every_role_is_declared_and_every_permission_labelled():
    assert set(ROLES) == set(Role.values)
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert granted <= set(LABELS)
    assert ROLE_PERMISSIONS[Role.ADMIN] == ALL_PERMISSIONS


def test_roles_that_do_not_care_for_residents_never_see_people():
    for role in (Role.LAB, Role.CHECKPOINT_STAFF, Role.WAREHOUSE_OFFICER, Role.FIELD_TEAM):
        perms = ROLE_PERMISSIONS[role]
        assert not perms & {Perm.REGISTRY_VIEW, Perm.REVEAL, Perm.REGISTRY_SEARCH_ID}, role


def test_the_docs_table_is_generated_from_the_declaration():
    table = permissions_table_markdown()
    for perm in LABELS:
        assert f"`{perm}`" in table
    with open("docs/security.md", encoding="utf-8") as docs:
        assert table in docs.read(), "run `lifeline permissions --update docs/security.md`"


@pytest.mark.django_db
def test_each_role_of_a_pair_holds_only_inside_its_own_membership(city: SmallCity):
    """Given a user with role r1 over grid A and role r2 over grid B, for every pair of
    roles, then each permission holds in grid A exactly when r1 grants it, in grid B exactly
    when r2 grants it, and nowhere else (not in the community around them)."""
    other = make_area(parent=city.community, level=AreaLevel.GRID, code="matrixc", name="C")
    a, b, c = city.grid_a.path + "x/", city.grid_b.path + "x/", other.path + "x/"
    user = make_user("pair")
    for r1, r2 in itertools.product(ROLES, repeat=2):
        Membership.objects.filter(user=user).delete()
        Membership.objects.create(user=user, role=r1, area=city.grid_a)
        Membership.objects.create(user=user, role=r2, area=city.grid_b)
        forget_scope(user)
        for perm in ALL_PERMISSIONS:
            assert can(user, perm, path=a) == (perm in ROLE_PERMISSIONS[r1]), (r1, r2, perm)
            assert can(user, perm, path=b) == (perm in ROLE_PERMISSIONS[r2]), (r1, r2, perm)
            assert not can(user, perm, path=c), (r1, r2, perm)
            assert not can(user, perm, path=city.community.path), (r1, r2, perm)


@pytest.mark.django_db
def test_a_unit_membership_grants_by_unit_only(city: SmallCity):
    unit = next(iter(city.units.values()))
    user = make_user("unit_and_grid", role=Role.UNIT_STAFF, unit=unit)
    Membership.objects.create(user=user, role=Role.SAMPLER, area=city.grid_b)
    forget_scope(user)
    assert can(user, Perm.WORKORDER_WORK, unit_id=unit.pk)
    assert not can(user, Perm.WORKORDER_WORK, path=city.grid_b.path)
    assert can(user, Perm.SCREENING_SAMPLE, path=city.grid_b.path)
    assert not can(user, Perm.SCREENING_SAMPLE, unit_id=unit.pk)


@pytest.mark.django_db
def test_people_are_read_only_where_a_membership_grants_registry_view(city: SmallCity):
    """A sampler city-wide who is community staff nowhere sees nobody in the registry; as
    grid worker of grid A besides, they see grid A's people only."""
    user = make_user("sampler_city", role=Role.SAMPLER, area=city.city)
    assert not scoped(Person.objects.all(), user).exists()
    assert scoped(Person.objects.all(), user, Perm.SCREENING_SAMPLE).exists()
    Membership.objects.create(user=user, role=Role.GRID_WORKER, area=city.grid_a)
    forget_scope(user)
    seen = set(scoped(Person.objects.all(), user).values_list("area_path", flat=True))
    assert seen and all(p.startswith(city.grid_a.path) for p in seen)


@pytest.mark.django_db
def test_require_says_not_found_outside_every_membership_and_forbidden_inside(
    city: SmallCity,
):
    user = make_user("lab_a", role=Role.LAB, area=city.grid_a)
    with pytest.raises(PermissionDenied):
        require(user, Perm.REGISTRY_VIEW, path=city.grid_a.path)
    with pytest.raises(NotFound):
        require(user, Perm.REGISTRY_VIEW, path=city.grid_b.path)
    require(user, Perm.SCREENING_RESULTS, path=city.grid_a.path)


@pytest.mark.django_db
def test_no_membership_and_inactive_users_fail_closed(city: SmallCity):
    nobody = make_user("nobody")
    assert scope_for(nobody).is_empty
    assert not can_anywhere(nobody, Perm.REGISTRY_VIEW)
    staff = make_user("gone", role=Role.COMMAND_STAFF, area=city.city)
    staff.is_active = False
    assert not scoped(Person.objects.all(), staff).exists()
    assert not can(staff, Perm.REGISTRY_VIEW, path=city.grid_a.path)
