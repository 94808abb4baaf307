"""Who may do what with teams and plans.

- Reading teams and plans: the team's unit (its staff, by unit scope), the command centre
  and district staff (by area scope: the teams and plans lying inside their area).
  Field-team members are not dispatchers: they see the route of the vehicle they ride,
  through ``selectors.route_for_member``.
- Changing teams and plans (dispatching): staff of the team's unit, or an administrator.
- Recording arrival and completion: a member riding the route's vehicle (or, when the
  member rides none, any vehicle of their team), or a dispatcher of the plan.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from lifeline.accounts.models import Role
from lifeline.core.errors import NotFound, PermissionDenied
from lifeline.core.scoping import has_role, scope_for

READERS = (Role.UNIT_STAFF, Role.COMMAND_STAFF, Role.DISTRICT_STAFF, Role.ADMIN)
DISPATCHERS = (Role.UNIT_STAFF, Role.ADMIN)

NO_PLAN = _("No such plan in your unit.")
NO_TEAM = _("No such team in your unit.")


def may_read(actor: Any) -> bool:
    return has_role(actor, *READERS)


def require_reader(actor: Any, message: Any = NO_PLAN) -> None:
    """Readers only; everyone else is told the object does not exist for them."""
    if not may_read(actor):
        raise NotFound(message)


def may_dispatch(actor: Any, *, unit_id: int, area_path: str) -> bool:
    """Staff of the unit (or of a unit above it), or an administrator covering the place."""
    scope = scope_for(actor)
    if has_role(actor, Role.UNIT_STAFF) and unit_id in scope.unit_ids:
        return True
    return has_role(actor, Role.ADMIN) and (
        unit_id in scope.unit_ids or bool(area_path and scope.covers_path(area_path))
    )


def require_dispatcher(actor: Any, *, unit_id: int, area_path: str) -> None:
    if not may_dispatch(actor, unit_id=unit_id, area_path=area_path):
        raise PermissionDenied(_("Only the unit's dispatchers may change its teams and plans."))
