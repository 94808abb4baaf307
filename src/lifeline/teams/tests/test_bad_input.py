"""Bad dates and text on the crew's and dispatcher's pages: a 400 with a message, never a
500, and nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lifeline.api.tests.helpers import client_for
from lifeline.teams.models import Plan

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.parametrize("day", ["9999-99-99", "0000-01-01", "9999-12-31", "soon"])
def test_the_crew_phone_refuses_an_unreadable_or_far_off_day(fleet, day):
    response = client_for(fleet.members["A"]).get(f"{reverse('teams:my_route')}?day={day}", **EN)
    assert response.status_code == 400
    assert "Give a date as YYYY-MM-DD" in response.content.decode()


def test_a_plan_form_with_a_direction_override_is_refused_and_nothing_is_planned(fleet):
    response = client_for(fleet.dispatchers["A"]).post(
        reverse("teams:create"),
        {"target": f"team:{fleet.teams['A'].pk}\u202e", "day": "2022-11-05"},
        **EN,
    )
    assert response.status_code == 400
    assert "control characters" in response.content.decode()
    assert Plan.objects.count() == 0
