"""Publishing versions of the medical-access table.

A published table is never edited: a change is a new version that replaces the one in force
at one instant. Decisions keep pointing at the rule (and so the version) that made them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.health.models import Rule, RuleTable
from lifeline.health.rules import DIMENSIONS, RuleSpec, validate

SPEC_TEXT_FIELDS = (
    "name",
    "where",
    "how",
    "special_group",
    "instructions_zh",
    "instructions_en",
    "source_text",
)


def spec_from_mapping(data: Mapping[str, Any]) -> RuleSpec:
    """A rule from a dict (seed data, API body, admin form), tolerant of ``None``."""
    values: dict[str, Any] = {f: str(data.get(f) or "").strip() for f in SPEC_TEXT_FIELDS}
    for dimension in DIMENSIONS:
        values[dimension] = frozenset(str(v) for v in (data.get(dimension) or ()))
    values["notify"] = tuple(str(v) for v in (data.get("notify") or ()))
    return RuleSpec(**values)


def spec_from_rule(rule: Rule) -> RuleSpec:
    spec = spec_from_mapping(
        {f: getattr(rule, f) for f in (*SPEC_TEXT_FIELDS, *DIMENSIONS, "notify")}
    )
    spec.extra["pk"] = rule.pk
    return spec


def table_specs(table: RuleTable) -> list[RuleSpec]:
    return [spec_from_rule(rule) for rule in table.rules.order_by("order")]


def rule_table_validate(*, rules: Sequence[RuleSpec]) -> list[str]:
    """The reasons ``rules`` cannot be published; empty when the table is sound."""
    return validate(rules)


def may_publish_rules(actor: Actor) -> bool:
    """The table is one for the whole city: a membership granting ``HEALTH_EDIT_RULES``
    anywhere may publish it. Being a Django superuser is not enough (the admin site's
    flag grants no place). ``None`` is the system itself (a data migration, a shell)."""
    return actor is None or can_anywhere(actor, Perm.HEALTH_EDIT_RULES)


def rule_table_publish(
    *,
    actor: Actor,
    rules: Iterable[RuleSpec | Mapping[str, Any]],
    notes: str = "",
    based_on: RuleTable | None = None,
) -> RuleTable:
    """Create the next version from ``rules`` and put it in force now.

    Refuses (``ServiceError`` code ``invalid_table``, every problem in ``fields["rules"]``)
    a table with an unreachable rule, no default last, or conflicting outputs. The version
    in force is retired at the same instant, inside one transaction.
    """
    if not may_publish_rules(actor):
        raise PermissionDenied(_("Only the command centre may change the medical-access rules."))
    specs = [r if isinstance(r, RuleSpec) else spec_from_mapping(r) for r in rules]
    problems = rule_table_validate(rules=specs)
    if problems:
        raise ServiceError(
            _("The rule table was not saved: %(problem)s") % {"problem": problems[0]},
            code="invalid_table",
            fields={"rules": problems},
        )
    now = clock.now()
    with transaction.atomic():
        current = (
            RuleTable.objects.select_for_update().filter(status=RuleTable.Status.ACTIVE).first()
        )
        if current is not None:
            current.status = RuleTable.Status.RETIRED
            current.in_force_to = now
            current.save(update_fields=["status", "in_force_to"])
        version = (RuleTable.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        table = RuleTable.objects.create(
            version=version,
            status=RuleTable.Status.ACTIVE,
            created_by=user_of(actor),
            based_on=based_on or current,
            in_force_from=now,
            notes=notes.strip(),
        )
        Rule.objects.bulk_create(
            Rule(
                table=table,
                order=order,
                **{f: getattr(spec, f) for f in SPEC_TEXT_FIELDS},
                **{d: sorted(spec.condition(d)) for d in DIMENSIONS},
                notify=list(spec.notify),
            )
            for order, spec in enumerate(specs, start=1)
        )
        audit_log(
            actor=actor, action="health.rule_table_publish", obj=table, fields=["version", "rules"]
        )
    return table
