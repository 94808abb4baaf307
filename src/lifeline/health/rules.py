"""The decision-table engine, free of the database: matching, first match, validation.

A rule matches when every condition holds; an empty condition set means "any". ``needs`` is
"any of": the person's needs (or ``{"none"}`` when there are none) must meet the rule's set.

The input space is small and finite (3 colours x 4 quarantines x 3 risks x 3 urgencies x
64 sets of needs = 6,912 cases), so validation walks all of it: a rule is unreachable when
no input reaches it first, whether one earlier rule or several together hide it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lifeline.health.vocab import (
    SPECIAL_NEEDS,
    CodeColour,
    How,
    Need,
    Notify,
    Quarantine,
    RiskLevel,
    Urgency,
    Where,
)

DIMENSIONS = ("colours", "quarantines", "risks", "needs", "urgencies")
DOMAIN: dict[str, frozenset[str]] = {
    "colours": frozenset(CodeColour.values),
    "quarantines": frozenset(Quarantine.values),
    "risks": frozenset(RiskLevel.values),
    "needs": frozenset(Need.values),
    "urgencies": frozenset(Urgency.values),
}


@dataclass(frozen=True)
class Inputs:
    colour: str
    quarantine: str
    risk: str
    needs: frozenset[str]
    urgency: str

    @property
    def need_tokens(self) -> frozenset[str]:
        return self.needs or frozenset({Need.NONE.value})

    def as_dict(self) -> dict[str, object]:
        return {
            "colour": self.colour,
            "quarantine": self.quarantine,
            "risk": self.risk,
            "needs": sorted(self.needs),
            "urgency": self.urgency,
        }


@dataclass(frozen=True)
class RuleSpec:
    name: str
    where: str
    how: str
    instructions_zh: str
    instructions_en: str
    colours: frozenset[str] = frozenset()
    quarantines: frozenset[str] = frozenset()
    risks: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    urgencies: frozenset[str] = frozenset()
    special_group: str = ""
    notify: tuple[str, ...] = ()
    source_text: str = ""
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def condition(self, dimension: str) -> frozenset[str]:
        return getattr(self, dimension)  # type: ignore[no-any-return]

    def covers(self, dimension: str) -> frozenset[str]:
        """The values this rule accepts on ``dimension`` (empty condition: all of them)."""
        return self.condition(dimension) or DOMAIN[dimension]

    @property
    def is_catch_all(self) -> bool:
        return all(not self.condition(d) for d in DIMENSIONS)

    def matches(self, inputs: Inputs) -> bool:
        return (
            inputs.colour in self.covers("colours")
            and inputs.quarantine in self.covers("quarantines")
            and inputs.risk in self.covers("risks")
            and bool(inputs.need_tokens & self.covers("needs"))
            and inputs.urgency in self.covers("urgencies")
        )


def first_match(rules: Sequence[RuleSpec], inputs: Inputs) -> int | None:
    """Index of the first rule that matches, or None."""
    for index, rule in enumerate(rules):
        if rule.matches(inputs):
            return index
    return None


def all_inputs() -> Iterable[Inputs]:
    need_sets = [
        frozenset(combo)
        for size in range(len(SPECIAL_NEEDS) + 1)
        for combo in itertools.combinations(SPECIAL_NEEDS, size)
    ]
    for colour, quarantine, risk, urgency in itertools.product(
        CodeColour.values, Quarantine.values, RiskLevel.values, Urgency.values
    ):
        for needs in need_sets:
            yield Inputs(colour, quarantine, risk, needs, urgency)


def _shadowing_rule(rules: Sequence[RuleSpec], index: int) -> int | None:
    rule = rules[index]
    for earlier in range(index):
        other = rules[earlier]
        if all(rule.covers(d) <= other.covers(d) for d in DIMENSIONS):
            return earlier
    return None


def _label(index: int, rule: RuleSpec) -> str:
    return _("Rule %(n)d “%(name)s”") % {"n": index + 1, "name": rule.name}


def _output_problems(index: int, rule: RuleSpec) -> list[str]:
    label = _label(index, rule)
    problems: list[str] = []
    for dimension in DIMENSIONS:
        unknown = rule.condition(dimension) - DOMAIN[dimension]
        if unknown:
            problems.append(
                _("%(rule)s: unknown values %(values)s in %(dimension)s.")
                % {"rule": label, "values": ", ".join(sorted(unknown)), "dimension": dimension}
            )
    if rule.where not in Where.values or rule.how not in How.values:
        problems.append(_("%(rule)s: unknown where or how.") % {"rule": label})
    if any(n not in Notify.values for n in rule.notify) or len(set(rule.notify)) != len(
        rule.notify
    ):
        problems.append(_("%(rule)s: unknown or repeated party to tell.") % {"rule": label})
    if rule.where == Where.SPECIAL and rule.special_group not in SPECIAL_NEEDS:
        problems.append(
            _("%(rule)s: a special hospital needs the group it serves.") % {"rule": label}
        )
    if (rule.where == Where.WAIT_GREEN) != (rule.how == How.NONE) and rule.where != Where.INTERNET:
        problems.append(
            _(
                "%(rule)s: conflicting outputs: “wait until green” goes with no travel, "
                "and only it (or the internet hospital) does."
            )
            % {"rule": label}
        )
    if rule.how == How.TRANSFER_120 and not rule.notify:
        problems.append(_("%(rule)s: a 120 transfer must say who is told first.") % {"rule": label})
    if not rule.instructions_zh.strip() or not rule.instructions_en.strip():
        problems.append(
            _("%(rule)s: instructions are needed in Chinese and in English.") % {"rule": label}
        )
    return problems


def validate(rules: Sequence[RuleSpec]) -> list[str]:
    """Every reason the table cannot be published, as sentences; empty when it is sound."""
    if not rules:
        return [_("The table has no rules.")]
    problems: list[str] = []
    names = [r.name for r in rules]
    for index, rule in enumerate(rules):
        problems += _output_problems(index, rule)
        if names.index(rule.name) != index:
            problems.append(_("%(rule)s: the name is used twice.") % {"rule": _label(index, rule)})
    if not rules[-1].is_catch_all:
        problems.append(
            _("The last rule must be a default that matches everyone (all conditions empty).")
        )
    for index in range(len(rules) - 1):
        if rules[index].is_catch_all:
            problems.append(
                _("%(rule)s matches everyone, so no rule after it can ever match.")
                % {"rule": _label(index, rules[index])}
            )
    problems += _reachability_problems(rules)
    return problems


def _reachability_problems(rules: Sequence[RuleSpec]) -> list[str]:
    problems: list[str] = []
    reached: set[int] = set()
    for inputs in all_inputs():
        index = first_match(rules, inputs)
        if index is None:
            continue
        reached.add(index)
        if inputs.urgency == Urgency.EMERGENCY and rules[index].how != How.TRANSFER_120:
            # National rule: an emergency is never kept waiting, whatever the code or tests.
            problems.append(
                _(
                    "%(rule)s answers an emergency without calling 120: an emergency must "
                    "always get 120 at once."
                )
                % {"rule": _label(index, rules[index])}
            )
            break
    for index, rule in enumerate(rules):
        if index in reached:
            continue
        shadow = _shadowing_rule(rules, index)
        if shadow is not None:
            problems.append(
                _(
                    "%(rule)s can never match: %(earlier)s comes first and covers every case "
                    "it covers."
                )
                % {"rule": _label(index, rule), "earlier": _label(shadow, rules[shadow])}
            )
        else:
            problems.append(
                _(
                    "%(rule)s can never match: the rules before it together cover every case "
                    "it covers."
                )
                % {"rule": _label(index, rule)}
            )
    return problems
