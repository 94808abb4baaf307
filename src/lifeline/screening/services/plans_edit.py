"""Changes to rounds, sites and sessions, and a screening list opened as a session.

The creates live in ``planning``; these are the edits the management pages make. Each
checks scope and role like the creates, validates with translated messages (field by
field, so a form can show them), runs in one transaction and audits the fields it changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lifeline.core.audit import audit_log
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.scoping import scoped
from lifeline.registry.models import Area, AreaLevel
from lifeline.screening.models import Policy, Round, Session, SessionKind, Site, SiteKind
from lifeline.screening.services.access import PLANNERS, require
from lifeline.screening.services.planning import session_create

LIST_SESSION_KINDS = (
    SessionKind.SPECIAL,
    SessionKind.NIGHT,
    SessionKind.YELLOW_CODE,
    SessionKind.DOOR_TO_DOOR,
)


def _changed(obj: Any, values: dict[str, Any]) -> list[str]:
    touched = [f for f, v in values.items() if getattr(obj, f) != v]
    for field, value in values.items():
        setattr(obj, field, value)
    return touched


def round_for_change(*, actor: Any, round_id: int) -> Round:
    rnd = scoped(Round.objects.all(), actor).filter(pk=round_id).first()
    if rnd is None:
        raise NotFound(_("No such round."))
    require(actor, PLANNERS, rnd.area_path)
    return rnd


def round_update(
    *,
    actor: Any,
    round_id: int,
    name: str,
    starts_on: dt.date,
    target_date: dt.date,
    policy_id: int | None = None,
) -> Round:
    rnd = round_for_change(actor=actor, round_id=round_id)
    fields: dict[str, list[str]] = {}
    if not name.strip():
        fields["name"] = [str(_("Required."))]
    if target_date < starts_on:
        fields["target_date"] = [str(_("Before the start."))]
    if policy_id is not None and not scoped(Policy.objects.filter(pk=policy_id), actor).exists():
        fields["policy_id"] = [str(_("No such policy."))]
    if fields:
        raise ServiceError(_("The round is not valid."), fields=fields)
    with transaction.atomic():
        rnd = Round.objects.select_for_update().get(pk=rnd.pk)
        values = {
            "name": name.strip(),
            "starts_on": starts_on,
            "target_date": target_date,
            "policy_id": policy_id,
        }
        touched = _changed(rnd, values)
        rnd.save()
        audit_log(actor=actor, action="screening.round_update", obj=rnd, fields=touched)
    return rnd


def site_for_change(*, actor: Any, site_id: int) -> Site:
    site = scoped(Site.objects.all(), actor).filter(pk=site_id).first()
    if site is None:
        raise NotFound(_("No such site."))
    require(actor, PLANNERS, site.area_path)
    return site


def site_update(*, actor: Any, site_id: int, name: str, kind: str, address: str = "") -> Site:
    """Rename a site, change its kind or address; its area stays (sessions copy it)."""
    site = site_for_change(actor=actor, site_id=site_id)
    fields: dict[str, list[str]] = {}
    if not name.strip():
        fields["name"] = [str(_("Required."))]
    if kind not in SiteKind.values:
        fields["kind"] = [str(_("Unknown."))]
    if fields:
        raise ServiceError(_("The site is not valid."), fields=fields)
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site.pk)
        touched = _changed(site, {"name": name.strip(), "kind": kind, "address": address.strip()})
        site.save()
        audit_log(actor=actor, action="screening.site_update", obj=site, fields=touched)
    return site


def session_for_change(*, actor: Any, session_id: int) -> Session:
    session = scoped(Session.objects.select_related("site"), actor).filter(pk=session_id).first()
    if session is None:
        raise NotFound(_("No such session."))
    require(actor, PLANNERS, session.area_path)
    return session


def session_update(
    *,
    actor: Any,
    session_id: int,
    kind: str,
    name: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    grid_ids: Sequence[int] = (),
) -> Session:
    """Hours, kind, name and grids served. Grids outside the actor's scope that the session
    already serves are kept: an editor cannot drop what they cannot see."""
    session = session_for_change(actor=actor, session_id=session_id)
    fields: dict[str, list[str]] = {}
    if kind not in SessionKind.values:
        fields["kind"] = [str(_("Unknown."))]
    if not name.strip():
        fields["name"] = [str(_("Required."))]
    if ends_at <= starts_at:
        fields["ends_at"] = [str(_("Ends before it starts."))]
    grids = list(scoped(Area.objects.filter(pk__in=list(grid_ids), level=AreaLevel.GRID), actor))
    if len(grids) != len(set(grid_ids)):
        fields["grid_ids"] = [str(_("Unknown grids."))]
    if fields:
        raise ServiceError(_("The session is not valid."), fields=fields)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        values = {"kind": kind, "name": name.strip(), "starts_at": starts_at, "ends_at": ends_at}
        touched = _changed(session, values)
        session.save()
        visible = set(scoped(session.grids.all(), actor).values_list("pk", flat=True))
        hidden = set(session.grids.values_list("pk", flat=True)) - visible
        wanted = {g.pk for g in grids}
        if wanted != visible:
            session.grids.set(sorted(wanted | hidden))
            touched.append("grids")
        audit_log(actor=actor, action="screening.session_update", obj=session, fields=touched)
    return session


def session_open_for_list(
    *,
    actor: Any,
    site_id: int,
    name: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    person_grid_pairs: Sequence[tuple[int, int]],
) -> Session:
    """One action: the people of a screening list (already read through the actor's scope)
    are invited to a new session that serves their grids."""
    if kind not in LIST_SESSION_KINDS:
        raise ServiceError(_("The session is not valid."), fields={"kind": [str(_("Unknown."))]})
    if not person_grid_pairs:
        raise ServiceError(_("Nobody on this list."), code="empty_list")
    return session_create(
        actor=actor,
        site_id=site_id,
        kind=kind,
        name=name.strip() or str(_("Special session")),
        starts_at=starts_at,
        ends_at=ends_at,
        grid_ids=sorted({g for _p, g in person_grid_pairs}),
        person_ids=[p for p, _g in person_grid_pairs],
    )
