"""The per-process copies of tokens, scopes and areas (core/config_cache.py): used while
nothing changes, dropped by the next request after any change, in this process or another."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lifeline.accounts.models import ApiToken, Membership, Role
from lifeline.accounts.scoping import scope_for
from lifeline.accounts.services import (
    ACCESS_STAMP,
    membership_grant,
    token_authenticate,
    token_create,
    token_revoke,
)
from lifeline.core.errors import NotFound
from lifeline.core.models import ConfigStamp
from lifeline.registry.tree import area_get

pytestmark = pytest.mark.django_db


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_a_known_token_is_answered_from_memory(city, grid_worker_a):
    _, plain = token_create(actor=grid_worker_a, user=grid_worker_a, name="tablet")
    assert token_authenticate(plain=plain) == grid_worker_a
    with CaptureQueriesContext(connection) as queries:
        again = token_authenticate(plain=plain)
    assert again == grid_worker_a
    # one read of the stamps, no token or user row
    assert [q["sql"] for q in queries] == ["SELECT name, value FROM core_configstamp"]
    # each call gets its own user object, so one request's notes never reach another's
    assert again is not token_authenticate(plain=plain)


def test_a_revoked_token_is_refused_at_once_though_it_was_in_memory(city, grid_worker_a):
    token, plain = token_create(actor=grid_worker_a, user=grid_worker_a, name="tablet")
    assert token_authenticate(plain=plain) == grid_worker_a
    token_revoke(actor=grid_worker_a, prefix=token.prefix)
    assert token_authenticate(plain=plain) is None


def test_a_deactivated_user_is_refused_at_once(city, grid_worker_a):
    _, plain = token_create(actor=grid_worker_a, user=grid_worker_a, name="tablet")
    assert token_authenticate(plain=plain) == grid_worker_a
    grid_worker_a.is_active = False
    grid_worker_a.save()
    assert token_authenticate(plain=plain) is None


def test_a_change_made_by_another_process_is_seen_through_its_stamp(city, grid_worker_a):
    token, plain = token_create(actor=grid_worker_a, user=grid_worker_a, name="tablet")
    assert token_authenticate(plain=plain) == grid_worker_a
    # Another server process revoked the token: here only its rows and its new stamp show.
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.created_at)
    assert token_authenticate(plain=plain) == grid_worker_a  # nothing told this process yet
    ConfigStamp.objects.filter(name=ACCESS_STAMP).update(value=42)
    assert token_authenticate(plain=plain) is None


def test_scopes_follow_memberships_granted_and_withdrawn(city, community_staff):
    user = _fresh(community_staff)
    newcomer = type(user).objects.create_user(username="newcomer")
    assert scope_for(_fresh(newcomer)).is_empty
    membership = membership_grant(
        actor=community_staff, user=newcomer, role=Role.GRID_WORKER, area=city.grid_a
    )
    assert scope_for(_fresh(newcomer)).area_paths == (city.grid_a.path,)
    membership.active = False
    membership.save()
    assert scope_for(_fresh(newcomer)).is_empty
    assert Membership.objects.filter(user=newcomer).count() == 1


def test_an_area_in_memory_is_still_refused_outside_the_actors_scope(
    city, grid_worker_a, grid_worker_b
):
    assert area_get(actor=grid_worker_a, pk=city.grid_a.pk) == city.grid_a
    with pytest.raises(NotFound):
        area_get(actor=grid_worker_b, pk=city.grid_a.pk)
    with pytest.raises(NotFound):
        area_get(actor=grid_worker_a, pk=10**9)


def test_a_request_reads_the_stamps_once(city, grid_worker_a):
    _, plain = token_create(actor=grid_worker_a, user=grid_worker_a, name="tablet")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plain}")
    url = f"/api/v1/areas/{city.grid_a.pk}"
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    stamp_reads = [q for q in queries if "core_configstamp" in q["sql"]]
    assert len(stamp_reads) == 1
