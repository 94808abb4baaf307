"""Changes to rounds, sites and sessions, and a screening list opened as a session.

The creates live in ``planning``; these are the edits the management pages make. Each
needs ``screening.plan`` at the object's area like the creates, validates with translated
messages (field by field, so a form can show them), runs in one transaction and audits the
fields it changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import get_for, scoped
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import ServiceError
from lifeline.screening.models import Round, Session, SessionKind, Site, SiteKind
from lifeline.screening.permissions import DENIED
from lifeline.screening.services.planning import (
    planned_grids,
    planned_policy_exists,
    session_create,
)

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


def round_for_change(*, actor: Actor, round_id: int) -> Round:
    return get_for(
        Round.objects.all(),
        actor,
        Perm.SCREENING_PLAN,
        pk=round_id,
        missing=_("No such round."),
        denied=DENIED,
    )


def round_update(
    *,
    actor: Actor,
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
    if policy_id is not None and not planned_policy_exists(actor, policy_id):
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


def site_for_change(*, actor: Actor, site_id: int) -> Site:
    return get_for(
        Site.objects.all(),
        actor,
        Perm.SCREENING_PLAN,
        pk=site_id,
        missing=_("No such site."),
        denied=DENIED,
    )


def site_update(*, actor: Actor, site_id: int, name: str, kind: str, address: str = "") -> Site:
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


def session_for_change(*, actor: Actor, session_id: int) -> Session:
    return get_for(
        Session.objects.select_related("site"),
        actor,
        Perm.SCREENING_PLAN,
        pk=session_id,
        missing=_("No such session."),
        denied=DENIED,
    )


def session_update(
    *,
    actor: Actor,
    session_id: int,
    kind: str,
    name: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    grid_ids: Sequence[int] = (),
) -> Session:
    """Hours, kind, name and grids served. Grids the session already serves outside where
    the actor plans are kept: an editor cannot drop what is not theirs to plan."""
    session = session_for_change(actor=actor, session_id=session_id)
    fields: dict[str, list[str]] = {}
    if kind not in SessionKind.values:
        fields["kind"] = [str(_("Unknown."))]
    if not name.strip():
        fields["name"] = [str(_("Required."))]
    if ends_at <= starts_at:
        fields["ends_at"] = [str(_("Ends before it starts."))]
    grids = planned_grids(actor, grid_ids)
    if len(grids) != len(set(grid_ids)):
        fields["grid_ids"] = [str(_("Unknown grids."))]
    if fields:
        raise ServiceError(_("The session is not valid."), fields=fields)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        values = {"kind": kind, "name": name.strip(), "starts_at": starts_at, "ends_at": ends_at}
        touched = _changed(session, values)
        session.save()
        visible = set(
            scoped(session.grids.all(), actor, Perm.SCREENING_PLAN).values_list("pk", flat=True)
        )
        hidden = set(session.grids.values_list("pk", flat=True)) - visible
        wanted = {g.pk for g in grids}
        if wanted != visible:
            session.grids.set(sorted(wanted | hidden))
            touched.append("grids")
        audit_log(actor=actor, action="screening.session_update", obj=session, fields=touched)
    return session


def session_open_for_list(
    *,
    actor: Actor,
    site_id: int,
    name: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    person_grid_pairs: Sequence[tuple[int, int]],
) -> Session:
    """One action: the people of a screening list (already read where the actor holds
    ``screening.view``) are invited to a new session that serves their grids."""
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
