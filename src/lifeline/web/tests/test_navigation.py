"""The top bar shows each role the pages it works in, and nothing to the signed-out."""

from __future__ import annotations

import pytest
from django.test import Client

from lifeline.accounts.models import Role
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db


def _nav(client: Client) -> str:
    html = client.get("/areas/", follow=True).content.decode()
    start = html.find('class="mainnav"')
    return html[start : html.find("</nav>", start)] if start >= 0 else ""


def test_each_role_sees_its_own_pages(city: SmallCity) -> None:
    grid = make_user("nav_grid", role=Role.GRID_WORKER, area=city.grid_a)
    checkpoint = make_user("nav_cp", role=Role.CHECKPOINT_STAFF, area=city.community)
    client = Client()
    client.force_login(grid)
    nav = _nav(client)
    assert 'href="/areas/"' in nav and 'href="/workorders/"' in nav
    assert 'href="/screening/"' in nav
    assert 'href="/passes/checkpoint/"' not in nav
    client.force_login(checkpoint)
    nav = _nav(client)
    assert 'href="/passes/checkpoint/"' in nav
    assert 'href="/workorders/"' not in nav


def test_no_navigation_before_signing_in() -> None:
    html = Client().get("/login/").content.decode()
    assert 'class="mainnav"' not in html
