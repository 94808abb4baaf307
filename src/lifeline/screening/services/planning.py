"""Rounds, sites and sessions: where and when people are tested (policies, who must be
tested how often, are in ``policies``).

Each needs ``screening.plan`` at its area (``screening.permissions``); the people, grids and
policies a plan names must lie where the actor plans too (``planned_*``, which policies
use as well)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import get_for, scoped
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import ServiceError
from lifeline.registry.models import Area, AreaLevel, Person
from lifeline.registry.tree import area_get
from lifeline.screening.models import (
    Policy,
    Round,
    Session,
    SessionKind,
    Site,
    SiteKind,
)
from lifeline.screening.permissions import DENIED
from lifeline.screening.selectors import NO_AREA, screening_list


def planned_people(actor: Actor, person_ids: Sequence[int]) -> QuerySet[Person]:
    """The people a plan names, where the actor plans (fewer when some are not)."""
    return scoped(Person.objects.filter(pk__in=list(person_ids)), actor, Perm.SCREENING_PLAN)


def planned_grids(actor: Actor, grid_ids: Sequence[int]) -> list[Area]:
    """The grids a session serves, where the actor plans (fewer when some are not)."""
    grids = Area.objects.filter(pk__in=list(grid_ids), level=AreaLevel.GRID)
    return list(scoped(grids, actor, Perm.SCREENING_PLAN))


def planned_policy_exists(actor: Actor, policy_id: int) -> bool:
    """Whether a round may follow this policy: one set where the actor plans."""
    return scoped(Policy.objects.filter(pk=policy_id), actor, Perm.SCREENING_PLAN).exists()


def round_create(
    *,
    actor: Actor,
    area_id: int,
    name: str,
    starts_on: dt.date,
    target_date: dt.date,
    policy_id: int | None = None,
) -> Round:
    area = area_get(
        actor=actor, pk=area_id, perm=Perm.SCREENING_PLAN, missing=NO_AREA, denied=DENIED
    )
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


def site_create(*, actor: Actor, area_id: int, name: str, kind: str, address: str = "") -> Site:
    area = area_get(
        actor=actor, pk=area_id, perm=Perm.SCREENING_PLAN, missing=NO_AREA, denied=DENIED
    )
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
    actor: Actor,
    site_id: int,
    kind: str,
    name: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    grid_ids: Sequence[int] = (),
    person_ids: Sequence[int] = (),
) -> Session:
    """Hours at a site (night and yellow-code sessions included) and the grids served."""
    site = get_for(
        Site.objects.all(),
        actor,
        Perm.SCREENING_PLAN,
        pk=site_id,
        missing=_("No such site."),
        denied=DENIED,
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
    actor: Actor,
    area_id: int,
    list_kind: str,
    site_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    kind: str = SessionKind.SPECIAL,
) -> Session:
    """One action: a screening list (not tested today, ...) becomes a special session."""
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
