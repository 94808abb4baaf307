"""Who may do what in screening: a role, and the place inside the actor's scope."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from lifeline.accounts.models import REGISTRY_EDITORS, Role
from lifeline.core.errors import NotFound, PermissionDenied
from lifeline.core.scoping import can_see_path, has_role

SAMPLERS = frozenset({Role.SAMPLER, *REGISTRY_EDITORS})
LABS = frozenset({Role.LAB, Role.COMMAND_STAFF, Role.ADMIN})
PLANNERS = REGISTRY_EDITORS


def require(actor: Any, roles: frozenset[str], path: str) -> None:
    """Unknown place -> 404 (nothing leaks); known place, wrong role -> 403."""
    if not can_see_path(actor, path):
        raise NotFound()
    if not has_role(actor, *roles):
        raise PermissionDenied(_("Your role may not do this."))
