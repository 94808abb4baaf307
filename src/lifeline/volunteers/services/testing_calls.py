"""Sign-up lists for testing sessions: "we need 10 volunteers for tomorrow's testing".
The coordinator picks one of the sampling sessions planned in their area (read from
screening's public selector) and a head count; the site becomes (or already is) a sampling
post of its area, and the session's hours an open call on it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.registry.tree import area_get
from lifeline.screening.selectors import sessions_to_staff
from lifeline.volunteers.models import Post, PostKind, Shift
from lifeline.volunteers.services.setup import post_create, shift_create

AHEAD = dt.timedelta(days=14)


def testing_sessions(*, actor: Actor) -> list[dict[str, Any]]:
    """The sampling sessions of the next two weeks where the actor deploys volunteers."""
    paths = list(scope_for(actor).grant(Perm.VOLUNTEERS_MANAGE).area_paths)
    now = clock.now()
    return sessions_to_staff(area_paths=paths, since=now, until=now + AHEAD)


def call_for_session(
    *, actor: Actor, session_id: Any, capacity: Any, skills: Any = ()
) -> tuple[Shift, bool]:
    """The open call for a session's hours at its site's sampling post, and whether it was
    made now (False: the same call was already open, and is returned)."""
    try:
        wanted = int(session_id)
    except (TypeError, ValueError):
        raise NotFound(_("That testing session was not found.")) from None
    session = next((s for s in testing_sessions(actor=actor) if s["id"] == wanted), None)
    if session is None:
        raise NotFound(_("That testing session was not found."))
    area = area_get(actor=actor, pk=session["area_id"], perm=Perm.VOLUNTEERS_MANAGE)
    with transaction.atomic():
        post = (
            Post.objects.select_for_update()
            .filter(area=area, name=session["site"][:100], kind=PostKind.SAMPLING, active=True)
            .first()
        )
        if post is None:
            post = post_create(
                actor=actor,
                area=area,
                name=session["site"][:100],
                kind=PostKind.SAMPLING,
                address=session["address"],
            )
        same = Shift.objects.filter(
            post=post,
            starts_at=session["starts_at"],
            ends_at=session["ends_at"],
            cancelled_at__isnull=True,
        ).first()
        if same is not None:
            return same, False
        shift = shift_create(
            actor=actor,
            post=post,
            starts_at=session["starts_at"],
            ends_at=session["ends_at"],
            capacity=capacity,
            skills=skills or (),
            open_call=True,
            note=session["name"][:200],
        )
    return shift, True
