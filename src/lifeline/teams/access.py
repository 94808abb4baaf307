"""Who may do what with teams and plans, by permission at the team's or plan's place (its
unit, or its area for memberships by area).

- Reading teams and plans (``TEAMS_VIEW``): the team's unit (its staff, by unit), the
  command centre and district staff (by area: the teams and plans lying inside their area).
  Field-team members are not dispatchers: they see the route of the vehicle they ride,
  through ``selectors.route_for_member`` (``TEAMS_RIDE``).
- Changing teams and plans (``TEAMS_DISPATCH``): staff of the team's unit (or of a unit
  above it), or an administrator covering the place.
- Recording arrival and completion: a member riding the route's vehicle (or, when the
  member rides none, any vehicle of their team) where a membership lets them ride for the
  team (``TEAMS_RIDE``), or a dispatcher of the plan.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound, PermissionDenied

NO_PLAN = _("No such plan in your unit.")
NO_TEAM = _("No such team in your unit.")


def may_read(actor: Actor) -> bool:
    """Whether the actor oversees or dispatches teams anywhere (what they see is scoped)."""
    return can_anywhere(actor, Perm.TEAMS_VIEW)


def require_reader(actor: Actor, message: Any = NO_PLAN) -> None:
    """Readers only; everyone else is told the object does not exist for them."""
    if not may_read(actor):
        raise NotFound(message)


def may_dispatch(actor: Actor, *, unit_id: int, area_path: str) -> bool:
    """``TEAMS_DISPATCH`` held for the unit (or a unit above it) or over the place."""
    return can(actor, Perm.TEAMS_DISPATCH, path=area_path, unit_id=unit_id)


def may_plan_anywhere(actor: Actor) -> bool:
    """Whether to offer the plan form at all."""
    return can_anywhere(actor, Perm.TEAMS_DISPATCH)


def require_dispatcher(actor: Actor, *, unit_id: int, area_path: str) -> None:
    if not may_dispatch(actor, unit_id=unit_id, area_path=area_path):
        raise PermissionDenied(_("Only the unit's dispatchers may change its teams and plans."))
