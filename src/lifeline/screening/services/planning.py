"""Policies, rounds, sites and sessions: who must be tested, where and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lifeline.core.audit import audit_log
from lifeline.core.errors import NotFound, ServiceError
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
from lifeline.screening.services.access import PLANNERS, require
from lifeline.screening.services.compliance import compliance_rerule
from lifeline.screening.window import MAX_WINDOW_DAYS


def _area(actor: Any, area_id: int) -> Area:
    area = scoped(Area.objects.all(), actor).filter(pk=area_id).first()
    if area is None:
        raise NotFound(_("No such area."))
    require(actor, PLANNERS, area.path)
    return area


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
    area = _area(actor, area_id)
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
    people = list(scoped(Person.objects.filter(pk__in=list(person_ids)), actor))
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
    area = _area(actor, area_id)
    if target_date < starts_on:
        raise ServiceError(
            _("The round is not valid."),
            fields={"target_date": [str(_("Before the start."))]},
        )
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
    area = _area(actor, area_id)
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
    site = scoped(Site.objects.all(), actor).filter(pk=site_id).first()
    if site is None:
        raise NotFound(_("No such site."))
    require(actor, PLANNERS, site.area_path)
    fields: dict[str, list[str]] = {}
    if kind not in SessionKind.values:
        fields["kind"] = [str(_("Unknown."))]
    if ends_at <= starts_at:
        fields["ends_at"] = [str(_("Ends before it starts."))]
    grids = list(scoped(Area.objects.filter(pk__in=list(grid_ids), level=AreaLevel.GRID), actor))
    if len(grids) != len(set(grid_ids)):
        fields["grid_ids"] = [str(_("Unknown grids."))]
    invited = list(
        scoped(Person.objects.filter(pk__in=list(person_ids)), actor).values_list("pk", flat=True)
    )
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
