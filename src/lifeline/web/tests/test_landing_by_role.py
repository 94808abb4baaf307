"""Every role lands, after signing in, on the first page of its own work, and its top bar
offers only pages it may open: both follow from one declaration (``web.main_nav.PAGES``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lifeline.accounts.models import Role, User
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity, make_user
from lifeline.web.main_nav import landing_url, nav_items

pytestmark = pytest.mark.django_db

# Roles whose permissions open no page yet (none now: volunteer coordinators have theirs).
NO_PAGE_YET: set[str] = set()


def _place(city: SmallCity, role: str) -> dict[str, Any]:
    """Where a membership in ``role`` sits, as the demo city seats its logins."""
    unit = Unit.objects.create(code=f"U-{role}", name=f"{role} unit", kind=Unit.Kind.UTILITY)
    unit.areas.set([city.grid_a])
    by_unit = {Role.UNIT_STAFF, Role.FIELD_TEAM}
    by_both = {Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF}
    by_both |= {Role.COMMAND_STAFF, Role.LAB, Role.VOLUNTEER_COORDINATOR}
    by_both |= {Role.WAREHOUSE_OFFICER, Role.UTILITY_STAFF, Role.COUNSELLING_SUPERVISOR}
    by_unit |= {Role.COUNSELLOR}
    if role in by_unit:
        return {"unit": unit}
    if role in by_both:
        return {"unit": unit, "area": city.community}
    return {"area": city.community}


def _user_in(city: SmallCity, role: str) -> User:
    return make_user(f"landing_{role}", role=role, **_place(city, role))


@pytest.mark.parametrize("role", Role.values)
def test_each_role_lands_on_a_page_it_may_open(city: SmallCity, role: str) -> None:
    # Given a user holding one membership in the role
    user = _user_in(city, role)
    client = Client()
    client.force_login(user)
    # When they open the start page
    response = client.get("/")
    # Then they are sent to a page of their own work, which answers 200
    assert response.status_code == 302
    target = response["Location"]
    assert target == landing_url(user)
    # (the dashboard's start page sends on to the user's own area)
    assert client.get(target, follow=True).status_code == 200, target


@pytest.mark.parametrize("role", Role.values)
def test_every_link_in_the_top_bar_opens(city: SmallCity, role: str) -> None:
    user = _user_in(city, role)
    client = Client()
    client.force_login(user)
    links = [url for url, _label in nav_items(user)]
    if role not in NO_PAGE_YET:
        assert links, role
    for url in links:
        assert client.get(url, follow=True).status_code == 200, (role, url)


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.FIELD_TEAM, "/teams/my/"),
        (Role.UNIT_STAFF, "/workorders/"),
        (Role.GRID_WORKER, "/command/"),
        (Role.COMMAND_STAFF, "/command/"),
        (Role.WAREHOUSE_OFFICER, "/supplies/"),
        (Role.BUILDING_HEAD, "/supplies/picklists/"),
        (Role.VOLUNTEER_COORDINATOR, "/volunteers/"),
        (Role.UTILITY_STAFF, "/continuity/"),
        (Role.ENTERPRISE_LIAISON, "/enterprises/"),
        (Role.COUNSELLOR, "/counselling/desk/"),
        (Role.COUNSELLING_SUPERVISOR, "/counselling/desk/"),
    ],
)
def test_crews_and_unit_staff_land_on_their_work(city: SmallCity, role: str, landing: str) -> None:
    user = _user_in(city, role)
    assert landing_url(user) == landing


def test_a_user_without_membership_lands_on_a_page_saying_so(city: SmallCity) -> None:
    user = make_user("landing_nobody")
    client = Client()
    client.force_login(user)
    target = client.get("/")["Location"]
    assert client.get(target).status_code == 200
