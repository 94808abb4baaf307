"""A volunteer's calendar feed: made from the phone page (POST only, audited), read by a
calendar app with the token alone (the confirmed shifts of the window, post and times,
nothing personal), replaced or stopped at will; an unknown, blank or stopped token is a
404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from icalendar import Calendar

from lifeline.core import clock
from lifeline.core.errors import Conflict
from lifeline.core.models import AuditRecord
from lifeline.testing.factories import SmallCity
from lifeline.volunteers.models import Volunteer, VolunteerStatus
from lifeline.volunteers.services import booking_cancel, booking_signup
from lifeline.volunteers.services.feed import (
    volunteer_by_feed_token,
    volunteer_feed_token_make,
    volunteer_feed_token_revoke,
)
from lifeline.volunteers.tests.helpers import HOUR, Duty, make_duty, shift, volunteer
from lifeline.volunteers.tests.test_pages import phone_client

# Until volunteers/urls.py includes pages.feed.urlpatterns.
pytestmark = pytest.mark.django_db

PHONE = "13900000001"


@pytest.fixture
def duty(city: SmallCity) -> Duty:
    duty = make_duty(city)
    duty.post.address = "泰山路1号"
    duty.post.save(update_fields=["address"])
    return duty


def _feed(client: Client, token: str) -> Calendar:
    response = client.get(f"/volunteers/feed/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    return Calendar.from_ical(response.content)


def test_a_volunteer_makes_the_link_on_their_phone_and_the_feed_shows_their_shifts(duty):
    # given a volunteer on two shifts, waiting on a third, and a cancelled fourth
    person = volunteer(duty, 1)
    morning, evening = shift(duty, 0, 4), shift(duty, 48, 2)
    full = shift(duty, 24, 2, capacity=1)
    booking_signup(volunteer=volunteer(duty, 2), shift=full)
    for day in (morning, evening, full):
        booking_signup(volunteer=person, shift=day)
    booking_cancel(booking=booking_signup(volunteer=person, shift=shift(duty, 72, 2)))
    phone = phone_client(PHONE)

    # when they open the calendar page, then make the link
    before = phone.get("/volunteers/v/calendar/")
    made = phone.post("/volunteers/v/calendar/make/", {"volunteer": person.pk})
    page = phone.get("/volunteers/v/calendar/").content.decode()

    # then the page offered to make one (making nothing on GET), and now shows it
    assert before.status_code == 200 and 'data-testid="make"' in before.content.decode()
    assert made.status_code == 302 and made["Location"] == "/volunteers/v/calendar/"
    token = Volunteer.objects.get(pk=person.pk).feed_token
    assert len(token) == 43
    assert f"http://testserver/volunteers/feed/{token}.ics" in page
    assert f"webcal://testserver/volunteers/feed/{token}.ics" in page
    assert AuditRecord.objects.filter(action="volunteers.feed_token").count() == 1

    # and a calendar app reads the two confirmed shifts, with the post and its address only
    calendar = _feed(Client(), token)
    assert str(calendar["x-published-ttl"]) == "PT1H"
    events = calendar.walk("VEVENT")
    assert [e.decoded("dtstart") for e in events] == [morning.starts_at, evening.starts_at]
    assert [e.decoded("dtend") for e in events] == [morning.ends_at, evening.ends_at]
    assert {str(e["summary"]) for e in events} == {"核酸采样点"}
    assert {str(e["location"]) for e in events} == {"泰山路1号"}
    text = Client().get(f"/volunteers/feed/{token}.ics").content.decode()
    assert "志愿者1" not in text and PHONE not in text


def test_the_feed_holds_a_week_back_and_sixty_days_ahead(duty):
    person = volunteer(duty, 1, max_week_hours=168)
    days = [shift(duty, 0, 2), shift(duty, 24 * 20, 2), shift(duty, 24 * 40, 2)]
    for day in days:
        booking_signup(volunteer=person, shift=day)
    token = volunteer_feed_token_make(volunteer=Volunteer.objects.get(pk=person.pk))
    later = days[0].ends_at + dt.timedelta(days=7) - HOUR  # the first still inside the week
    with clock.frozen_at(later):
        starts = [e.decoded("dtstart") for e in _feed(Client(), token).walk("VEVENT")]
    assert starts == [d.starts_at for d in days]
    with clock.frozen_at(later + 2 * HOUR):
        starts = [e.decoded("dtstart") for e in _feed(Client(), token).walk("VEVENT")]
    assert starts == [d.starts_at for d in days[1:]]
    with clock.frozen_at(days[0].starts_at - dt.timedelta(days=30)):
        starts = [e.decoded("dtstart") for e in _feed(Client(), token).walk("VEVENT")]
    assert starts == [d.starts_at for d in days[:2]]


def test_unknown_blank_and_malformed_tokens_are_404(duty):
    volunteer(duty, 1)  # no feed: feed_token is blank
    client = Client()
    assert client.get(f"/volunteers/feed/{'A' * 43}.ics").status_code == 404
    assert client.get("/volunteers/feed/short.ics").status_code == 404
    assert client.post(f"/volunteers/feed/{'A' * 43}.ics").status_code == 405
    assert client.get(f"/volunteers/feed/{'A' * 44}.ics").status_code == 404
    assert volunteer_by_feed_token(token="") is None


def test_renewing_replaces_the_link_and_stopping_ends_it(duty):
    person = volunteer(duty, 1)
    phone = phone_client(PHONE)
    phone.post("/volunteers/v/calendar/make/", {"volunteer": person.pk})
    first = Volunteer.objects.get(pk=person.pk).feed_token
    phone.post("/volunteers/v/calendar/make/", {"volunteer": person.pk})
    assert Volunteer.objects.get(pk=person.pk).feed_token == first  # a second tap: same

    phone.post("/volunteers/v/calendar/renew/", {"volunteer": person.pk})
    second = Volunteer.objects.get(pk=person.pk).feed_token
    assert second != first
    assert Client().get(f"/volunteers/feed/{first}.ics").status_code == 404
    assert Client().get(f"/volunteers/feed/{second}.ics").status_code == 200

    phone.post("/volunteers/v/calendar/stop/", {"volunteer": person.pk})
    assert Volunteer.objects.get(pk=person.pk).feed_token == ""
    assert Client().get(f"/volunteers/feed/{second}.ics").status_code == 404
    assert 'data-testid="make"' in phone.get("/volunteers/v/calendar/").content.decode()
    assert volunteer_feed_token_revoke(volunteer=person) is False
    actions = list(AuditRecord.objects.filter(action__startswith="volunteers.feed_token"))
    assert len(actions) == 3  # made, renewed, stopped: the second tap wrote nothing


def test_someone_elses_volunteer_and_bad_actions_change_nothing(duty):
    mine, theirs = volunteer(duty, 1), volunteer(duty, 2)
    phone = phone_client(PHONE)
    other = phone.post("/volunteers/v/calendar/make/", {"volunteer": theirs.pk}, follow=True)
    assert other.status_code == 200 and 'class="message error"' in other.content.decode()
    assert Volunteer.objects.get(pk=theirs.pk).feed_token == ""
    assert phone.post("/volunteers/v/calendar/make/", {"volunteer": "x"}).status_code == 302
    assert phone.post("/volunteers/v/calendar/explode/", {"volunteer": mine.pk}).status_code == 302
    assert phone.get("/volunteers/v/calendar/make/").status_code == 405
    assert not Volunteer.objects.exclude(feed_token="").exists()


def test_without_a_proven_phone_the_page_asks_for_one(duty):
    response = Client().get("/volunteers/v/calendar/")
    assert response.status_code == 302 and response["Location"].startswith("/r/?next=")
    made = Client().post("/volunteers/v/calendar/make/", {"volunteer": volunteer(duty, 1).pk})
    assert made.status_code == 302 and not Volunteer.objects.exclude(feed_token="").exists()


def test_a_suspended_volunteer_has_no_feed(duty):
    person = volunteer(duty, 1)
    token = volunteer_feed_token_make(volunteer=person)
    Volunteer.objects.filter(pk=person.pk).update(status=VolunteerStatus.SUSPENDED)
    assert Client().get(f"/volunteers/feed/{token}.ics").status_code == 404
    with pytest.raises(Conflict):
        volunteer_feed_token_make(volunteer=person, renew=True)
    page = phone_client(PHONE).get("/volunteers/v/calendar/").content.decode()
    assert 'data-testid="no-feed"' in page
