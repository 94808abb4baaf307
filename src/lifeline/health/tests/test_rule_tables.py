"""Versioning and validation of the medical-access table."""

from __future__ import annotations

import dataclasses

import pytest

from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.health.models import Rule, RuleTable
from lifeline.health.rules import RuleSpec, validate
from lifeline.health.seed_table import seed_rules
from lifeline.health.services import access_decide, rule_table_publish
from lifeline.health.services.tables import spec_from_mapping, table_specs


def seed_specs() -> list[RuleSpec]:
    return [spec_from_mapping(r) for r in seed_rules()]


def _replace(specs: list[RuleSpec], name: str, **changes) -> list[RuleSpec]:
    return [dataclasses.replace(s, **changes) if s.name == name else s for s in specs]


def test_seeded_table_is_in_force_and_sound(db):
    # given the database after migrations
    table = RuleTable.objects.get(status="active")
    # then version 1 holds the seed rules in order, and it validates clean
    assert table.version == 1
    specs = table_specs(table)
    assert [s.name for s in specs] == [r["name"] for r in seed_rules()]
    assert validate(specs) == []


def test_publishing_creates_a_new_version_and_old_decisions_keep_theirs(city, command_staff):
    # given a decision made under version 1
    person = city.people_a[0]
    before = access_decide(actor=command_staff, person=person, urgency="routine")
    # when the command centre publishes a changed default instruction
    specs = _replace(seed_specs(), "green_default", instructions_en="Go to any hospital.")
    table = rule_table_publish(actor=command_staff, rules=specs, notes="clearer default")
    after = access_decide(actor=command_staff, person=person, urgency="routine")
    # then version 2 is in force, version 1 is retired at that moment, and each decision
    # keeps the version and rule that made it
    v1 = RuleTable.objects.get(version=1)
    assert (table.version, table.status, table.based_on) == (2, "active", v1)
    assert v1.status == "retired" and v1.in_force_to == table.in_force_from
    before.refresh_from_db()
    assert (before.rule_version, before.rule.table_id) == (1, v1.pk)
    assert (after.rule_version, after.rule.table_id) == (2, table.pk)
    assert after.instructions_en == "Go to any hospital."
    assert Rule.objects.filter(table=v1).count() == len(seed_rules())


def test_only_the_command_centre_may_publish(city, grid_worker_a):
    # when a grid worker tries to publish
    # then it is refused and nothing changes
    with pytest.raises(PermissionDenied):
        rule_table_publish(actor=grid_worker_a, rules=seed_specs())
    assert RuleTable.objects.count() == 1


def _refused(actor, specs) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        rule_table_publish(actor=actor, rules=specs)
    assert caught.value.code == "invalid_table"
    assert RuleTable.objects.count() == 1  # nothing written
    assert RuleTable.objects.get().status == "active"
    return caught.value


def test_table_without_a_default_last_is_refused(city, command_staff):
    # given the seed table without its last (catch-all) rule
    specs = seed_specs()[:-1]
    # then publishing is refused with a message that says so
    error = _refused(command_staff, specs)
    assert any("default" in p for p in error.fields["rules"])


def test_rule_shadowed_by_an_earlier_broader_rule_is_refused(city, command_staff):
    # given a rule for red-code dialysis patients placed after the rule for all red codes
    specs = seed_specs()
    narrow = dataclasses.replace(
        specs[1],
        name="late_red_dialysis",
        colours=frozenset({"red"}),
        needs=frozenset({"dialysis"}),
        risks=frozenset(),
    )
    specs.insert(len(specs) - 1, narrow)
    # then publishing is refused, naming the earlier rule that hides it
    error = _refused(command_staff, specs)
    message = " ".join(error.fields["rules"])
    assert "late_red_dialysis" in message and "can never match" in message
    assert "special_needs_red" in message


def test_rule_hidden_by_several_earlier_rules_together_is_refused(city, command_staff):
    # given a rule for red or yellow codes in high-risk areas, after the red-code rule and
    # the yellow-in-risk-area rule, neither of which covers it alone
    specs = seed_specs()
    tail = dataclasses.replace(
        specs[-1],
        name="yellow_never",
        colours=frozenset({"red", "yellow"}),
        risks=frozenset({"high"}),
    )
    specs.insert(len(specs) - 1, tail)
    # then publishing is refused as unreachable
    error = _refused(command_staff, specs)
    assert any("yellow_never" in p and "together" in p for p in error.fields["rules"])


def test_conflicting_outputs_are_refused(city, command_staff):
    # given "wait until green" combined with a 120 transfer
    specs = _replace(
        seed_specs(), "yellow_routine_wait", how="transfer_120", notify=("community_lead",)
    )
    # then publishing is refused
    error = _refused(command_staff, specs)
    assert any("conflicting outputs" in p for p in error.fields["rules"])


def test_table_that_lets_an_emergency_wait_is_refused(city, command_staff):
    # given the emergency rule removed, so a yellow-code emergency would be told to wait
    specs = [s for s in seed_specs() if s.name != "emergency_120"]
    # then publishing is refused: an emergency always gets 120 at once
    error = _refused(command_staff, specs)
    assert any("emergency" in p for p in error.fields["rules"])


def test_unknown_condition_values_are_refused(city, command_staff):
    specs = _replace(seed_specs(), "red_any_need", colours=frozenset({"purple"}))
    error = _refused(command_staff, specs)
    assert any("purple" in p for p in error.fields["rules"])
