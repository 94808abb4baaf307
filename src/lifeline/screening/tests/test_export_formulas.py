"""Screening CSV exports (a list of an area, the door-to-door list of a grid) write names a
spreadsheet would run as formulas as text."""

from __future__ import annotations

import csv
import io

from django.test import Client
from django.urls import reverse

from lifeline.registry.models import VulnerabilityKind
from lifeline.testing.factories import make_household, make_person

STARTS = ["=", "+", "-", "@", "\t", "\r"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _cells(response) -> list[str]:
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def test_formula_like_names_in_a_screening_list_export_start_with_a_quote(city, community_staff):
    # given people of grid A whose names begin with a formula character
    household = make_household(grid=city.grid_a, unit_no="F1")
    for start in STARTS:
        make_person(household=household, name=f"{start}HYPERLINK(x)")

    # when the list of people not tested today is exported
    url = f"/screening/areas/{city.grid_a.pk}/lists/not_tested_today/?format=csv"
    cells = _cells(_client(community_staff).get(url))

    # then no cell starts with a formula character, and each name is there quoted
    assert not [c for c in cells if c[:1] in STARTS]
    for start in STARTS:
        assert any(c.startswith("'" + start) for c in cells), start


def test_formula_like_names_in_the_door_to_door_export_start_with_a_quote(city, grid_worker_a):
    household = make_household(grid=city.grid_a, unit_no="F2")
    for start in STARTS:
        make_person(
            household=household,
            name=f"{start}HYPERLINK(x)",
            vulnerabilities=(VulnerabilityKind.BEDRIDDEN,),
        )
    url = reverse("screening:door_to_door", kwargs={"grid_id": city.grid_a.pk})
    cells = _cells(_client(grid_worker_a).get(url, {"format": "csv"}))
    assert not [c for c in cells if c[:1] in STARTS]
    for start in STARTS:
        assert any(c.startswith("'" + start) for c in cells), start
