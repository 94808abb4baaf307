"""Reads are scoped: a coordinator sees the volunteers and shifts of their area only."""

from __future__ import annotations

import pytest

from lifeline.accounts.models import Role
from lifeline.core.errors import NotFound
from lifeline.testing.factories import SmallCity, make_user
from lifeline.volunteers import selectors
from lifeline.volunteers.services import booking_signup
from lifeline.volunteers.tests.helpers import HOUR, make_duty, shift, volunteer

pytestmark = pytest.mark.django_db


def test_a_coordinator_sees_their_area_and_a_volunteer_their_own_shifts(city: SmallCity):
    duty = make_duty(city)
    person = volunteer(duty, 1)
    call = shift(duty, 0, 4, capacity=1)
    booking_signup(volunteer=person, shift=call)
    booking_signup(volunteer=volunteer(duty, 2), shift=call)
    elsewhere = make_user("vol_coord_a", role=Role.VOLUNTEER_COORDINATOR, area=city.grid_a)
    outsider = make_user("vol_nobody")

    assert list(selectors.volunteer_list(actor=duty.coordinator)) != []
    assert list(selectors.volunteer_list(actor=elsewhere)) == []
    assert list(selectors.volunteer_list(actor=outsider)) == []
    assert selectors.volunteer_get(actor=duty.coordinator, pk=person.pk) == person
    with pytest.raises(NotFound):
        selectors.volunteer_get(actor=elsewhere, pk=person.pk)
    with pytest.raises(NotFound):
        selectors.shift_get(actor=elsewhere, pk=call.pk)
    since, until = call.starts_at - HOUR, call.ends_at
    assert list(selectors.shift_list(actor=duty.coordinator, since=since, until=until)) == [call]
    assert list(selectors.shift_list(actor=elsewhere, since=since, until=until)) == []
    assert list(selectors.post_list(actor=duty.coordinator)) == [call.post]
    roll = selectors.shift_roll(
        actor=duty.coordinator, shift=selectors.shift_get(actor=duty.coordinator, pk=call.pk)
    )
    assert [(b.volunteer.name, b.status) for b in roll] == [
        ("志愿者1", "confirmed"),
        ("志愿者2", "waiting"),
    ]
    mine = selectors.bookings_of_volunteer(volunteer=person, since=since)
    assert [b.shift_id for b in mine] == [call.pk]
