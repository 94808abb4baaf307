"""Policies, rounds, sites and sessions as the management pages and the console read them.

They are read where their models allow (``screening.view`` or ``screening.sample``: a
sampler sees where and when it samples); policies set above the actor's own areas are
shown read-only, since they apply to the actor's people too."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for, scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.registry.tree import ancestor_paths
from lifeline.screening.models import Policy, Round, Session, Site

# Who reads policies, rounds, sites and sessions (their models' SCOPE_PERMISSION).
PLAN_READERS = (Perm.SCREENING_VIEW, Perm.SCREENING_SAMPLE)


def policy_list(*, actor: Actor) -> QuerySet[Policy]:
    return scoped(Policy.objects.select_related("area"), actor).order_by("-starts_on", "pk")


def policies_above(*, actor: Actor) -> QuerySet[Policy]:
    """Policies set on areas above those where the actor reads policies (a city's rule over
    a grid worker's grid): shown read-only, since they apply to the actor's people too."""
    ancestors: set[str] = set()
    for path in scope_for(actor).grant(PLAN_READERS).area_paths:
        ancestors.update(ancestor_paths(path)[:-1])
    return Policy.objects.filter(area_path__in=sorted(ancestors)).select_related("area")


def policy_get(*, actor: Actor, policy_id: int) -> Policy:
    policy = policy_list(actor=actor).filter(pk=policy_id).first()
    if policy is None:
        raise NotFound(_("No such policy."))
    return policy


def round_list(*, actor: Actor) -> QuerySet[Round]:
    return scoped(Round.objects.select_related("area", "policy"), actor)


def round_get(*, actor: Actor, round_id: int) -> Round:
    rnd = round_list(actor=actor).filter(pk=round_id).first()
    if rnd is None:
        raise NotFound(_("No such round."))
    return rnd


def site_list(*, actor: Actor) -> QuerySet[Site]:
    return scoped(Site.objects.select_related("area"), actor)


def site_get(*, actor: Actor, site_id: int) -> Site:
    site = site_list(actor=actor).filter(pk=site_id).first()
    if site is None:
        raise NotFound(_("No such site."))
    return site


def session_list(*, actor: Actor) -> QuerySet[Session]:
    """Sessions where the actor plans or samples (``Session.SCOPE_PERMISSION``)."""
    return scoped(Session.objects.select_related("site"), actor)


def session_get(*, actor: Actor, session_id: int) -> Session:
    session = (
        scoped(Session.objects.select_related("site", "round"), actor).filter(pk=session_id).first()
    )
    if session is None:
        raise NotFound(_("No such session."))
    return session


def sessions_to_staff(
    *, area_paths: list[str], since: dt.datetime, until: dt.datetime
) -> list[dict[str, Any]]:
    """Sampling sessions at sites inside these areas between ``since`` and ``until``, for
    volunteer coordinators to call helpers for them: where and when, no one named (a
    session's hours and its site's address are what residents are told anyway)."""
    if not area_paths:
        return []
    inside = Q()
    for path in area_paths:
        inside |= Q(site__area_path__startswith=path)
    sessions = (
        Session.objects.filter(inside, ends_at__gt=since, starts_at__lt=until)
        .select_related("site")
        .order_by("starts_at", "site__name", "pk")[:200]
    )
    return [
        {
            "id": s.pk,
            "name": s.name,
            "kind": s.get_kind_display(),
            "site": s.site.name,
            "address": s.site.address,
            "area_id": s.site.area_id,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
        }
        for s in sessions
    ]
