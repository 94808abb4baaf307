"""The system as an actor (``core.actors``): audited as "system" with its reason, and
holding no membership, so scoping gives it nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere, require, scope_for, scoped
from lifeline.core.actors import SYSTEM_LABEL, actor_label, is_system, reason_of, system
from lifeline.core.audit import AuditEntry, audit_log, audit_log_many, audit_verify
from lifeline.core.errors import NotFound
from lifeline.core.models import AuditRecord
from lifeline.registry.models import Area, Household, Person


def test_a_system_write_is_audited_as_system_with_its_reason(db):
    record = audit_log(actor=system("escalation sweep"), action="test.escalate", object_id=7)
    record.refresh_from_db()
    assert (record.actor_id, record.actor_label, record.purpose) == (
        None,
        SYSTEM_LABEL,
        "escalation sweep",
    )
    assert audit_verify() == []


def test_a_stated_purpose_wins_over_the_reason(db):
    records = audit_log_many(
        actor=system("import worker"),
        entries=[AuditEntry("test.a", purpose="import #3"), AuditEntry("test.b")],
    )
    assert [(r.actor_label, r.purpose) for r in records] == [
        (SYSTEM_LABEL, "import #3"),
        (SYSTEM_LABEL, "import worker"),
    ]


def test_none_is_still_the_system_without_a_reason(db):
    record = audit_log(actor=None, action="test.write")
    assert (record.actor_id, record.actor_label, record.purpose) == (None, SYSTEM_LABEL, "")
    assert is_system(None) and reason_of(None) == "" and actor_label(None) == SYSTEM_LABEL


def test_a_person_is_audited_by_name_without_a_purpose_made_up(city, grid_worker_a):
    record = audit_log(actor=grid_worker_a, action="test.write")
    assert (record.actor_id, record.actor_label, record.purpose) == (
        grid_worker_a.pk,
        grid_worker_a.username,
        "",
    )
    assert not is_system(grid_worker_a) and actor_label(grid_worker_a) == grid_worker_a.username


def test_scoping_gives_a_system_actor_nothing(city):
    actor = system("policy sweep")
    assert scope_for(actor).is_empty
    assert not scoped(Person.objects.all(), actor).exists()
    assert not scoped(Household.objects.all(), actor, Perm.REGISTRY_VIEW).exists()
    assert not scoped(Area.objects.all(), actor).exists()
    assert Person.objects.exists(), "control: there are people to see"
    for perm in (Perm.REGISTRY_VIEW, Perm.REGISTRY_EDIT, Perm.ACCOUNTS_MANAGE):
        assert not can(actor, perm, path=city.city.path)
        assert not can_anywhere(actor, perm)
    with pytest.raises(NotFound):
        require(actor, Perm.REGISTRY_VIEW, path=city.grid_a.path)


def test_the_token_command_writes_as_the_system_with_its_reason(city, grid_worker_a, capsys):
    call_command("token", "create", grid_worker_a.username, "--name", "nightly export")
    record = AuditRecord.objects.get(action="token.create")
    assert (record.actor_id, record.actor_label, record.purpose) == (
        None,
        SYSTEM_LABEL,
        "token create command",
    )
