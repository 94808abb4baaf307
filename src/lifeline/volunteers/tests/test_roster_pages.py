"""The roster pages: ask for a roster, see it proposed with its gaps and hours, edit it
(a broken rule shown as a translated message), publish it; and the coverage by post and
hour. Refusals are messages on the page; nothing is written by bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import client_for
from lifeline.core import clock
from lifeline.testing.factories import SmallCity, make_user
from lifeline.volunteers.models import Booking, Roster, RosterStatus
from lifeline.volunteers.services.rosters import roster_run
from lifeline.volunteers.tests.helpers import Duty, make_duty, shift, volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(city: SmallCity) -> Duty:
    return make_duty(city)


def _ask(duty: Duty) -> Roster:
    client = client_for(duty.coordinator)
    first = (timezone.localdate(clock.now()) + dt.timedelta(days=1)).isoformat()
    made = client.post(
        "/volunteers/rosters/",
        {"area": duty.city.community.pk, "starts_on": first, "days": 7, "time_limit": 5},
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    return Roster.objects.get()


def test_a_coordinator_asks_for_a_roster_edits_it_and_publishes_it(duty):
    morning = shift(duty, 0, 4, capacity=2, open_call=False)
    shift(duty, 13, 4, capacity=3, open_call=False)
    volunteer(duty, 1)
    volunteer(duty, 2)
    client = client_for(duty.coordinator)
    assert "泰山路社区" in client.get("/volunteers/rosters/").content.decode()

    roster = _ask(duty)
    waiting = client.get(f"/volunteers/rosters/{roster.pk}/").content.decode()
    assert 'data-testid="roster-progress"' in waiting
    progress = client.get(f"/volunteers/rosters/{roster.pk}/progress/", HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in progress
    roster_run(roster_id=roster.pk)
    done = client.get(f"/volunteers/rosters/{roster.pk}/progress/", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"

    page = client.get(f"/volunteers/rosters/{roster.pk}/").content.decode()
    # 2 people for 5 places: 4 filled (each on both shifts), one gap with its reason
    assert "志愿者1" in page and "志愿者2" in page
    assert "4 / 5" in page
    assert 'data-testid="gap"' in page and "缺 1 人" in page
    assert "roster-hours" in page

    # Adding someone already on the shift is refused with the rule, on the page
    person = Roster.objects.get().assignments[0][1]
    again = client.post(
        f"/volunteers/rosters/{roster.pk}/add/",
        {"shift": morning.pk, "volunteer": person},
        follow=True,
    ).content.decode()
    assert 'role="alert"' in again or "message error" in again
    assert Roster.objects.get().figures["filled"] == 4
    bad = client.post(f"/volunteers/rosters/{roster.pk}/add/", {"shift": "x", "volunteer": ""})
    assert bad.status_code == 302 and Roster.objects.get().figures["filled"] == 4
    assert client.post(f"/volunteers/rosters/{roster.pk}/nonsense/").status_code == 404

    published = client.post(f"/volunteers/rosters/{roster.pk}/publish/", follow=True)
    assert published.status_code == 200
    assert Roster.objects.get().status == RosterStatus.PUBLISHING
    roster_run(roster_id=roster.pk)
    assert Booking.objects.filter(source="roster").count() == 4
    final = client.get(f"/volunteers/rosters/{roster.pk}/").content.decode()
    assert 'data-testid="publish"' not in final


def test_someone_elses_roster_is_not_found_and_a_viewer_cannot_ask(duty):
    shift(duty, 0, 4, open_call=False)
    volunteer(duty, 1)
    roster = _ask(duty)
    stranger = make_user("vol_coord_b", role=Role.VOLUNTEER_COORDINATOR, area=duty.city.grid_b)
    client = client_for(stranger)
    assert client.get(f"/volunteers/rosters/{roster.pk}/").status_code == 404
    assert client.post(f"/volunteers/rosters/{roster.pk}/discard/").status_code == 404
    first = (timezone.localdate(clock.now()) + dt.timedelta(days=1)).isoformat()
    refused = client.post(
        "/volunteers/rosters/",
        {"area": duty.city.community.pk, "starts_on": first, "days": 7, "time_limit": 5},
    )
    assert refused.status_code == 400  # the form again, with the error
    assert Roster.objects.count() == 1


def test_a_bad_roster_request_is_shown_on_the_form_and_writes_nothing(duty):
    client = client_for(duty.coordinator)
    page = client.post(
        "/volunteers/rosters/",
        {"area": duty.city.community.pk, "starts_on": "2020-01-01", "days": 7, "time_limit": 5},
    )
    assert page.status_code == 400
    assert "过去" in page.content.decode()
    too_long = client.post(
        "/volunteers/rosters/",
        {"area": duty.city.community.pk, "starts_on": "2020-01-01", "days": 99, "time_limit": 5},
    )
    assert too_long.status_code == 400
    assert not Roster.objects.exists()


def test_coverage_by_post_and_hour_shows_short_hours(duty):
    call = shift(duty, 0, 4, capacity=2)
    client = client_for(duty.coordinator)
    day = timezone.localtime(call.starts_at).date().isoformat()
    page = client.get(f"/volunteers/coverage/?day={day}").content.decode()
    assert "核酸采样点" in page
    assert page.count('class="cover-short"') == 5  # 07:30-11:30 touches 07 to 11
    assert client.get("/volunteers/coverage/?day=garbage").status_code == 200
