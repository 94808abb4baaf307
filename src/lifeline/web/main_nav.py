"""The main navigation: the pages each role works in, as links in the top bar, and the
page each user lands on after signing in (the first of their links). Both follow from
``ITEMS`` and the roles' permissions (``accounts.permissions``), so a role never lands on,
or is offered, a page it may not open."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for

# (url name, label, the permission(s) that open the page: the link shows when a
# membership grants one of them somewhere; the page itself checks again). In landing
# order: a user lands on the first page offered to them (a crew on its route, before the
# work orders its role also reads).
ITEMS: list[tuple[str, Any, tuple[str, ...]]] = [
    # Everyone who answers for an area (a grid worker up to the command centre) lands on
    # its dashboard: the area's figures today, its alerts, its children to drill into.
    ("command:index", _("Dashboard"), (Perm.COMMAND_VIEW,)),
    ("registry:area_tree", _("Areas"), (Perm.AREA_VIEW,)),
    ("teams:my_route", _("My route"), (Perm.TEAMS_RIDE,)),
    # Utility desks, enterprise liaisons and counsellors land on their own work, before
    # the work orders they also read.
    ("continuity:home", _("Lifeline units"), (Perm.CONTINUITY_VIEW,)),
    ("keyusers:home", _("Key users"), (Perm.CONTINUITY_KEY_USERS, Perm.CONTINUITY_OUTAGES)),
    ("enterprises:home", _("Enterprises"), (Perm.ENTERPRISES_VIEW,)),
    ("counselling:desk", _("Counselling"), (Perm.COUNSELLING_TAKE, Perm.COUNSELLING_SUPERVISE)),
    ("workorders:queue", _("Work orders"), (Perm.WORKORDER_VIEW,)),
    ("workorders:mine", _("My tasks"), (Perm.WORKORDER_WORK,)),
    ("workorders:hotline", _("Hotline"), (Perm.WORKORDER_FILE,)),
    ("health:transfers", _("Medical transfers"), (Perm.HEALTH_REQUEST_TRANSFER,)),
    (
        "screening:home",
        _("Testing"),
        (Perm.SCREENING_VIEW, Perm.SCREENING_SAMPLE, Perm.SCREENING_RESULTS),
    ),
    ("volunteers:home", _("Volunteers"), (Perm.VOLUNTEERS_MANAGE,)),
    ("passes:queue", _("Passes"), (Perm.PASS_VIEW, Perm.PASS_APPROVE)),
    ("passes:apply", _("Apply for a pass"), (Perm.PASS_APPLY,)),
    ("passes:checkpoint", _("Checkpoint"), (Perm.PASS_CHECK,)),
    ("teams:home", _("Teams and routes"), (Perm.TEAMS_VIEW,)),
    ("supplies:picklists", _("Deliveries tonight"), (Perm.SUPPLIES_DELIVER,)),
    (
        "supplies:home",
        _("Supplies"),
        (
            Perm.SUPPLIES_STOCK,
            Perm.SUPPLIES_DONATIONS,
            Perm.SUPPLIES_ALLOCATE,
            Perm.SUPPLIES_PACKAGES,
            Perm.SUPPLIES_NEED,
        ),
    ),
    ("notices:reach", _("Households to reach"), (Perm.NOTICES_REACH,)),
    ("notices:home", _("Public notices"), (Perm.NOTICES_DRAFT, Perm.NOTICES_APPROVE)),
    ("web:outbox", _("Undelivered texts"), (Perm.OUTBOX_MANAGE,)),
]
# Where a user whose memberships open no page lands: the area tree says so.
NO_WORK = "registry:area_tree"


def nav_items(user: Any) -> list[tuple[str, Any]]:
    """(url, label) of each page the user's memberships make useful, in the bar's order."""
    scope = scope_for(user)
    items = []
    for name, label, perms in ITEMS:
        if not scope.anywhere(perms):
            continue
        try:
            items.append((reverse(name), label))
        except NoReverseMatch:  # an app not installed in this deployment
            continue
    return items


def landing_url(user: Any) -> str:
    """The first page of the user's work: their first link in the bar."""
    items = nav_items(user)
    return items[0][0] if items else reverse(NO_WORK)


def main_nav(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``main_nav`` lists (url, label, current) for the signed-in user;
    ``may_search_people`` shows the people search box to those who may see people."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"main_nav": [], "may_search_people": False}
    items = [(url, label, request.path.startswith(url)) for url, label in nav_items(user)]
    return {
        "main_nav": items,
        "may_search_people": scope_for(user).anywhere(Perm.REGISTRY_VIEW),
    }
