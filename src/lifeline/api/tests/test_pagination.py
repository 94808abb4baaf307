"""Limit/offset pages in a stable order."""

from __future__ import annotations

from lifeline.api.tests.helpers import API, assert_error, client_for
from lifeline.registry.models import Person
from lifeline.testing.factories import make_household, make_person


def test_pages_walk_every_row_once_in_a_stable_order(city, command_staff):
    # given 60 more people in grid A
    household = make_household(grid=city.grid_a, unit_no="601")
    for i in range(60):
        make_person(household=household, name=f"居民{i:02d}")
    client = client_for(command_staff)
    # when walking the list 25 at a time
    seen: list[int] = []
    offset: int | None = 0
    while offset is not None:
        body = client.get(f"{API}/people", {"limit": 25, "offset": offset}).json()
        assert body["count"] == Person.objects.count()
        seen += [p["id"] for p in body["items"]]
        offset = body["next_offset"]
    # then every person appears exactly once, in the same order as a single read
    assert len(seen) == len(set(seen)) == Person.objects.count()
    again = client.get(f"{API}/people", {"limit": 500}).json()
    assert [p["id"] for p in again["items"]] == seen


def test_default_page_is_50_and_the_limit_is_capped_at_500(city, command_staff):
    household = make_household(grid=city.grid_a, unit_no="602")
    for i in range(50):
        make_person(household=household, name=f"居民{i:02d}")
    client = client_for(command_staff)
    body = client.get(f"{API}/people").json()
    assert len(body["items"]) == 50 and body["next_offset"] == 50
    assert_error(client.get(f"{API}/people", {"limit": 501}), 422, "validation")
    assert_error(client.get(f"{API}/people", {"offset": -1}), 422, "validation")
