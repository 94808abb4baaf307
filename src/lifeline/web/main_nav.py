"""The main navigation: the pages each role works in, as links in the top bar."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.models import Role
from lifeline.core.scoping import scope_for

AREA_STAFF = {
    Role.GRID_WORKER,
    Role.COMMUNITY_STAFF,
    Role.STREET_STAFF,
    Role.DISTRICT_STAFF,
    Role.COMMAND_STAFF,
    Role.ADMIN,
}
# (url name, label, roles that see the link)
ITEMS: list[tuple[str, Any, set[str]]] = [
    ("registry:area_tree", _("Areas"), AREA_STAFF | {Role.HOTLINE_OPERATOR}),
    ("workorders:queue", _("Work orders"), AREA_STAFF | {Role.UNIT_STAFF, Role.HOTLINE_OPERATOR}),
    ("workorders:mine", _("My tasks"), {Role.FIELD_TEAM, Role.UNIT_STAFF}),
    (
        "workorders:hotline",
        _("Hotline"),
        {Role.HOTLINE_OPERATOR, Role.COMMUNITY_STAFF, Role.COMMAND_STAFF, Role.ADMIN},
    ),
    ("health:transfers", _("Medical transfers"), AREA_STAFF | {Role.HOTLINE_OPERATOR}),
    ("screening:home", _("Testing"), AREA_STAFF | {Role.SAMPLER, Role.LAB}),
    ("passes:queue", _("Passes"), AREA_STAFF | {Role.UNIT_STAFF}),
    ("passes:checkpoint", _("Checkpoint"), {Role.CHECKPOINT_STAFF}),
    (
        "teams:home",
        _("Teams and routes"),
        {Role.UNIT_STAFF, Role.DISTRICT_STAFF, Role.COMMAND_STAFF, Role.ADMIN},
    ),
    ("teams:my_route", _("My route"), {Role.FIELD_TEAM}),
]


def main_nav(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``main_nav`` lists (url, label, current) for the signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"main_nav": []}
    roles = scope_for(user).roles
    items = []
    for name, label, allowed in ITEMS:
        if not roles & allowed:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # an app not installed in this deployment
            continue
        items.append((url, label, request.path.startswith(url)))
    return {"main_nav": items}
