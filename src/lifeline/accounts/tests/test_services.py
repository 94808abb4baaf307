"""Token and membership services: permission checks, audit, and effect on scope."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from lifeline.accounts.models import ApiToken, Membership, Role
from lifeline.accounts.scoping import scope_for
from lifeline.accounts.services import (
    membership_grant,
    membership_revoke,
    token_authenticate,
    token_create,
    token_revoke,
)
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.testing.factories import make_user


def test_token_create_is_audited_and_authenticates(city, grid_worker_a):
    token, plain = token_create(actor=grid_worker_a, user=grid_worker_a, name="tablet")
    assert token_authenticate(plain=plain) == grid_worker_a
    record = AuditRecord.objects.get(action="token.create")
    assert record.object_id == str(token.pk) and plain not in str(record.fields)


def test_a_user_may_not_create_a_token_for_someone_else(city, grid_worker_a, grid_worker_b):
    with pytest.raises(PermissionDenied):
        token_create(actor=grid_worker_a, user=grid_worker_b, name="stolen")
    assert not ApiToken.objects.exists()


def test_token_revoke_refuses_someone_elses_token(city, grid_worker_a, grid_worker_b):
    token, plain = token_create(actor=grid_worker_b, user=grid_worker_b, name="b")
    with pytest.raises(NotFound):
        token_revoke(actor=grid_worker_a, prefix=token.prefix)
    token_revoke(actor=grid_worker_b, prefix=token.prefix)
    assert token_authenticate(plain=plain) is None
    assert AuditRecord.objects.filter(action="token.revoke").count() == 1


def test_community_staff_grants_a_grid_membership_in_their_subtree(city, community_staff):
    # given a new user without membership
    user = make_user("newcomer")
    assert not scope_for(user).covers_path(city.grid_a.path)
    # when community staff grants grid A
    membership_grant(actor=community_staff, user=user, role=Role.GRID_WORKER, area=city.grid_a)
    # then the user sees grid A, and the grant is audited
    assert scope_for(user).covers_path(city.grid_a.path)
    assert AuditRecord.objects.filter(
        action="membership.grant", area_path=city.grid_a.path
    ).exists()


def test_grid_worker_may_not_grant_and_staff_may_not_grant_outside(
    city, grid_worker_a, community_staff
):
    user = make_user("newcomer")
    with pytest.raises(PermissionDenied):
        membership_grant(actor=grid_worker_a, user=user, role=Role.GRID_WORKER, area=city.grid_a)
    with pytest.raises(NotFound):
        membership_grant(
            actor=community_staff, user=user, role=Role.GRID_WORKER, area=city.district
        )
    with pytest.raises(PermissionDenied):
        membership_grant(actor=community_staff, user=user, role=Role.ADMIN, area=city.grid_a)
    with pytest.raises(ServiceError):
        membership_grant(actor=None, user=user, role="wizard", area=city.grid_a)
    assert not Membership.objects.filter(user=user).exists()


def test_membership_revoke_removes_the_scope(city, community_staff, grid_worker_a):
    membership = Membership.objects.get(user=grid_worker_a)
    membership_revoke(actor=community_staff, membership=membership)
    membership.refresh_from_db()
    assert not membership.active
    grid_worker_a.refresh_from_db()
    assert not scope_for(grid_worker_a).covers_path(city.grid_a.path)
    assert AuditRecord.objects.filter(action="membership.revoke").count() == 1


def test_token_command_prints_the_token_once_and_revokes(city, grid_worker_a, capsys):
    # when creating a token from the command line
    call_command("token", "create", grid_worker_a.username, "--name", "import-script")
    plain = capsys.readouterr().out.strip()
    # then it authenticates, and only its hash is stored
    assert token_authenticate(plain=plain) == grid_worker_a
    assert not ApiToken.objects.filter(token_hash=plain).exists()
    # when revoking it by prefix, then it no longer authenticates
    call_command("token", "revoke", plain[:10])
    assert token_authenticate(plain=plain) is None
    with pytest.raises(CommandError):
        call_command("token", "revoke", plain[:10])
    with pytest.raises(CommandError):
        call_command("token", "create", "nobody", "--name", "x")
