"""Policies, rounds, sites and sessions: who must be tested, where and when.

Each needs ``screening.plan`` at its area (``services.access``); the people, grids and
policies a plan names must lie where the actor plans too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.core.audit import audit_log
from lifeline.core.errors import ServiceError
from lifeline.core.scoping import scoped
from lifeline.registry.models import Area, AreaLevel, Person
from lifeline.screening.models import (
    Policy,
    PolicyAudience,
    Round,
    Session,
    SessionKind,
    Site,
    SiteKind,
)
from lifeline.screening.services.access import for_action
from lifeline.screening.services.compliance import compliance_rerule
from lifeline.screening.window import MAX_WINDOW_DAYS


def plan_area(actor: Any, area_id: int) -> Area:
    """The area of a new plan: 404 unless covered, 403 without ``screening.plan`` there."""
    return for_action(
        Area.objects.all(), actor, Perm.SCREENING_PLAN, pk=area_id, missing=_("No such area.")
    )


def planned_people(actor: Any, person_ids: Sequence[int]) -> QuerySet[Person]:
    """The people a plan names, where the actor plans (fewer when some are not)."""
    return scoped(Person.objects.filter(pk__in=list(person_ids)), actor, Perm.SCREENING_PLAN)


def planned_grids(actor: Any, grid_ids: Sequence[int]) -> list[Area]:
    """The grids a session serves, where the actor plans (fewer when some are not)."""
    grids = Area.objects.filter(pk__in=list(grid_ids), level=AreaLevel.GRID)
    return list(scoped(grids, actor, Perm.SCREENING_PLAN))


def planned_policy_exists(actor: Any, policy_id: int) -> bool:
    """Whether a round may follow this policy: one set where the actor plans."""
    return scoped(Policy.objects.filter(pk=policy_id), actor, Perm.SCREENING_PLAN).exists()


def policy_create(
    *,
    actor: Any,
    area_id: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    required_tests: int = 1,
    window_days: int = 1,
    audience: str = PolicyAudience.EVERYONE,
    person_ids: Sequence[int] = (),
) -> Policy:
    """A policy "N tests in D days"; compliance rows of its area are re-evaluated at once."""
    area = plan_area(actor, area_id)
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
    if fields:
        raise ServiceError(_("The policy is not valid."), fields=fields)
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
        audit_log(actor=actor, action="screening.policy_create", obj=policy, fields=["rule"])
        compliance_rerule(area_path=area.path)
    return policy


def round_create(
    *,
    actor: Any,
    area_id: int,
    name: str,
    starts_on: dt.date,
    target_date: dt.date,
    policy_id: int | None = None,
) -> Round:
    area = plan_area(actor, area_id)
    fields: dict[str, list[str]] = {}
    if target_date < starts_on:
        fields["target_date"] = [str(_("Before the start."))]
    if policy_id is not None and not planned_policy_exists(actor, policy_id):
        fields["policy_id"] = [str(_("No such policy."))]
    if fields:
        raise ServiceError(_("The round is not valid."), fields=fields)
    with transaction.atomic():
        rnd = Round.objects.create(
            name=name,
            area=area,
            area_path=area.path,
            starts_on=starts_on,
            target_date=target_date,
            policy_id=policy_id,
        )
        audit_log(actor=actor, action="screening.round_create", obj=rnd, fields=["target_date"])
    return rnd


def site_create(*, actor: Any, area_id: int, name: str, kind: str, address: str = "") -> Site:
    area = plan_area(actor, area_id)
    if kind not in SiteKind.values:
        raise ServiceError(_("The site is not valid."), fields={"kind": [str(_("Unknown."))]})
    with transaction.atomic():
        site = Site.objects.create(
            name=name, kind=kind, area=area, area_path=area.path, address=address
        )
        audit_log(actor=actor, action="screening.site_create", obj=site, fields=["name"])
    return site


def session_create(
    *,
    actor: Any,
    site_id: int,
    kind: str,
    name: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    grid_ids: Sequence[int] = (),
    person_ids: Sequence[int] = (),
) -> Session:
    """Hours at a site (night and yellow-code sessions included) and the grids served."""
    site = for_action(
        Site.objects.all(), actor, Perm.SCREENING_PLAN, pk=site_id, missing=_("No such site.")
    )
    fields: dict[str, list[str]] = {}
    if kind not in SessionKind.values:
        fields["kind"] = [str(_("Unknown."))]
    if ends_at <= starts_at:
        fields["ends_at"] = [str(_("Ends before it starts."))]
    grids = planned_grids(actor, grid_ids)
    if len(grids) != len(set(grid_ids)):
        fields["grid_ids"] = [str(_("Unknown grids."))]
    invited = list(planned_people(actor, person_ids).values_list("pk", flat=True))
    if len(invited) != len(set(person_ids)):
        fields["person_ids"] = [str(_("Unknown people in the list."))]
    if fields:
        raise ServiceError(_("The session is not valid."), fields=fields)
    with transaction.atomic():
        session = Session.objects.create(
            site=site,
            kind=kind,
            name=name,
            area_path=site.area_path,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        session.grids.set(grids)
        if invited:
            session.invited.set(invited)
        audit_log(actor=actor, action="screening.session_create", obj=session, fields=["kind"])
    return session


def session_create_from_list(
    *,
    actor: Any,
    area_id: int,
    list_kind: str,
    site_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    kind: str = SessionKind.SPECIAL,
) -> Session:
    """One action: a screening list (not tested today, ...) becomes a special session."""
    from lifeline.screening.selectors import screening_list

    people = screening_list(actor=actor, area_id=area_id, kind=list_kind)
    rows = list(people.values_list("pk", "grid_id"))
    return session_create(
        actor=actor,
        site_id=site_id,
        kind=kind,
        name=str(_("Special session: %(list)s") % {"list": list_kind}),
        starts_at=starts_at,
        ends_at=ends_at,
        grid_ids=sorted({g for _p, g in rows}),
        person_ids=[p for p, _g in rows],
    )
