"""Screening policies ("N tests in D days" for an audience): the one way to create, change
and end them.

Each needs ``screening.plan`` at the policy's area; the people and enterprises a policy
names must lie where the actor plans too (``policy_check``, the one validation). A change
that touches who must test how often re-evaluates the compliance rows it reaches in the
same transaction (``reevaluate``), and marks the dated transitions already applied so the
sweep (``policies_sweep``) does not apply them again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import get_for, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import ServiceError
from lifeline.registry.models import Facility, Person
from lifeline.registry.tree import area_get
from lifeline.screening.models import Policy, PolicyAudience
from lifeline.screening.permissions import DENIED
from lifeline.screening.selectors import NO_AREA
from lifeline.screening.services.planning import planned_people
from lifeline.screening.services.policies_sweep import mark_applied, transition_keys
from lifeline.screening.services.reevaluate import in_force, reach, rerule_reach
from lifeline.screening.window import MAX_WINDOW_DAYS


def policy_for_change(*, actor: Actor, policy_id: int) -> Policy:
    return get_for(
        Policy.objects.select_related("area"),
        actor,
        Perm.SCREENING_PLAN,
        pk=policy_id,
        missing=_("No such policy."),
        denied=DENIED,
    )


def policy_check(
    *,
    actor: Actor,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    required_tests: int,
    window_days: int,
    audience: str,
    person_ids: Sequence[int],
    enterprise_ids: Sequence[int],
) -> tuple[list[Person], list[Facility]]:
    """The one check of a policy's values, for creating and changing it alike: the rule,
    the dates, the audience and the people and enterprises it names (where the actor
    plans). Returns those people and enterprises; ServiceError field by field otherwise."""
    fields: dict[str, list[str]] = {}
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        fields["window_days"] = [str(_("Between 1 and 30 days."))]
    if not 1 <= required_tests <= window_days:
        fields["required_tests"] = [str(_("Between 1 and the window's days."))]
    if audience not in PolicyAudience.values:
        fields["audience"] = [str(_("Unknown audience."))]
    if ends_on is not None and ends_on < starts_on:
        fields["ends_on"] = [str(_("Ends before it starts."))]
    if not name.strip():
        fields["name"] = [str(_("Required."))]
    people = list(planned_people(actor, person_ids))
    if len(people) != len(set(person_ids)):
        fields["person_ids"] = [str(_("Unknown people in the list."))]
    if audience != PolicyAudience.EVERYONE and not person_ids and "person_ids" not in fields:
        fields["person_ids"] = [str(_("List the people this policy applies to."))]
    enterprises = list(
        scoped(
            Facility.objects.filter(pk__in=list(enterprise_ids), kind=Facility.Kind.ENTERPRISE),
            actor,
            Perm.SCREENING_PLAN,
        )
    )
    if len(enterprises) != len(set(enterprise_ids)):
        fields["enterprise_ids"] = [str(_("Unknown enterprises."))]
    if fields:
        raise ServiceError(_("The policy is not valid."), fields=fields)
    return people, enterprises


def policy_create(
    *,
    actor: Actor,
    area_id: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    required_tests: int = 1,
    window_days: int = 1,
    audience: str = PolicyAudience.EVERYONE,
    person_ids: Sequence[int] = (),
    enterprise_ids: Sequence[int] = (),
) -> Policy:
    """A policy "N tests in D days" over an area (for everyone there, or for the people
    and enterprises it lists). When it is in force today the rows it reaches are
    re-evaluated at once, and its start is marked as applied."""
    # Refused before anything it names is looked at.
    area = area_get(
        actor=actor, pk=area_id, perm=Perm.SCREENING_PLAN, missing=NO_AREA, denied=DENIED
    )
    people, enterprises = policy_check(
        actor=actor,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        required_tests=required_tests,
        window_days=window_days,
        audience=audience,
        person_ids=person_ids,
        enterprise_ids=enterprise_ids,
    )
    today = clock.today()
    with transaction.atomic():
        policy = Policy.objects.create(
            name=name.strip(),
            area=area,
            area_path=area.path,
            starts_on=starts_on,
            ends_on=ends_on,
            required_tests=required_tests,
            window_days=window_days,
            audience=audience,
        )
        policy.people.set(people)
        if enterprises:
            policy.enterprises.set(enterprises)
        audit_log(actor=actor, action="screening.policy_create", obj=policy, fields=["rule"])
        if in_force(policy, today):
            rerule_reach(reach(policy), today=today)
        mark_applied(transition_keys(policy, today), {"applied_by": "create"})
    return policy


def policy_update(
    *,
    actor: Actor,
    policy_id: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    required_tests: int,
    window_days: int,
    audience: str,
    person_ids: Sequence[int] = (),
    enterprise_ids: Sequence[int] = (),
) -> Policy:
    """Change a policy (not its area). If it is in force today before or after the change,
    the rows it reaches, before and after, are re-evaluated in the same transaction."""
    policy = policy_for_change(actor=actor, policy_id=policy_id)
    people, enterprises = policy_check(
        actor=actor,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        required_tests=required_tests,
        window_days=window_days,
        audience=audience,
        person_ids=person_ids,
        enterprise_ids=enterprise_ids,
    )
    today = clock.today()
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        before = reach(policy)
        old = (in_force(policy, today), policy.required_tests, policy.window_days)
        new_values = {
            "name": name.strip(),
            "starts_on": starts_on,
            "ends_on": ends_on,
            "required_tests": required_tests,
            "window_days": window_days,
            "audience": audience,
        }
        touched = [f for f, v in new_values.items() if getattr(policy, f) != v]
        for field, value in new_values.items():
            setattr(policy, field, value)
        policy.save()
        # People listed by someone who plans more widely stay listed: an editor cannot drop
        # whom they may not plan for.
        current = set(policy.people.values_list("pk", flat=True))
        mine = scoped(policy.people.all(), actor, Perm.SCREENING_PLAN)
        hidden = current - set(mine.values_list("pk", flat=True))
        wanted = {p.pk for p in people} | hidden
        if wanted != current:
            policy.people.set(sorted(wanted))
            touched.append("people")
        if {e.pk for e in enterprises} != set(policy.enterprises.values_list("pk", flat=True)):
            policy.enterprises.set(enterprises)
            touched.append("enterprises")
        after = reach(policy)
        new = (in_force(policy, today), policy.required_tests, policy.window_days)
        if (old[0] or new[0]) and (old != new or before != after):
            rerule_reach(before, after, today=today)
        audit_log(actor=actor, action="screening.policy_update", obj=policy, fields=touched)
        mark_applied(transition_keys(policy, today), {"applied_by": "update"})
    return policy


def policy_end(*, actor: Actor, policy_id: int, last_day: dt.date | None = None) -> Policy:
    """End a policy after ``last_day`` (today by default; yesterday ends it at once)."""
    policy = policy_for_change(actor=actor, policy_id=policy_id)
    today = clock.today()
    last_day = today if last_day is None else last_day
    if last_day < today - dt.timedelta(days=1):
        raise ServiceError(
            _("The policy cannot be ended in the past."),
            fields={"last_day": [str(_("Yesterday at the earliest."))]},
        )
    if last_day < policy.starts_on:
        raise ServiceError(
            _("The policy has not started: change its dates instead."),
            fields={"last_day": [str(_("Ends before it starts."))]},
        )
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        was = in_force(policy, today)
        policy.ends_on = last_day
        policy.save(update_fields=["ends_on"])
        if was != in_force(policy, today):
            rerule_reach(reach(policy), today=today)
        audit_log(actor=actor, action="screening.policy_end", obj=policy, fields=["ends_on"])
        mark_applied(transition_keys(policy, today), {"applied_by": "end"})
    return policy
