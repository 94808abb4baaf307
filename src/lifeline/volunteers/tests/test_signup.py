"""Sign-up lists (接龙): the head count is a hard cap, the rest wait in arrival order, a
cancellation promotes the first waiting, a cut moves the latest back to the waiting list,
and nobody is booked on overlapping shifts, without rest, or past their hours."""

from __future__ import annotations

import pytest

from lifeline.accounts.models import Role
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.models import OutboxMessage
from lifeline.testing.factories import SmallCity, make_user
from lifeline.volunteers.models import Booking, BookingStatus, PostKind, Shift, VolunteerStatus
from lifeline.volunteers.services import (
    booking_cancel,
    booking_signup,
    post_create,
    shift_capacity_set,
    shift_create,
    volunteer_approve,
)
from lifeline.volunteers.tests.helpers import HOUR, Duty, make_duty, shift, volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(city: SmallCity) -> Duty:
    return make_duty(city)


def _statuses(s: Shift) -> list[tuple[str, str]]:
    rows = Booking.objects.filter(shift=s).order_by("position")
    return [(b.volunteer.name, b.status) for b in rows.select_related("volunteer")]


def test_the_cap_holds_the_rest_wait_in_order_and_a_cancellation_promotes_the_first(duty):
    call = shift(duty, 0, 4, capacity=2)
    people = [volunteer(duty, n) for n in range(1, 5)]
    bookings = [booking_signup(volunteer=p, shift=call) for p in people]
    assert [b.status for b in bookings] == ["confirmed", "confirmed", "waiting", "waiting"]
    call.refresh_from_db()
    assert (call.confirmed, call.waiting, call.arrivals) == (2, 2, 4)
    texts = OutboxMessage.objects.count()
    # the second confirmed cancels: the first waiting (志愿者3) takes the place and is told
    booking_cancel(booking=bookings[1])
    assert _statuses(call) == [
        ("志愿者1", "confirmed"),
        ("志愿者2", "cancelled"),
        ("志愿者3", "confirmed"),
        ("志愿者4", "waiting"),
    ]
    told = OutboxMessage.objects.order_by("-pk").first()
    assert OutboxMessage.objects.count() == texts + 1
    assert told.recipient == people[2].phone and "核酸采样点" in told.body
    call.refresh_from_db()
    assert (call.confirmed, call.waiting) == (2, 1)


def test_cutting_the_head_count_moves_the_latest_back_to_the_front_of_the_waiting_list(duty):
    call = shift(duty, 0, 4, capacity=3)
    people = [volunteer(duty, n) for n in range(1, 6)]
    for p in people:
        booking_signup(volunteer=p, shift=call)
    shift_capacity_set(actor=duty.coordinator, shift=call, capacity=1)
    assert _statuses(call) == [
        ("志愿者1", "confirmed"),
        ("志愿者2", "waiting"),
        ("志愿者3", "waiting"),
        ("志愿者4", "waiting"),
        ("志愿者5", "waiting"),
    ]
    told = set(OutboxMessage.objects.values_list("recipient", flat=True))
    assert {people[1].phone, people[2].phone} <= told
    # raised again: the waiting list fills the places in arrival order
    raised = shift_capacity_set(actor=duty.coordinator, shift=call, capacity=4)
    assert (raised.confirmed, raised.waiting) == (4, 1)
    assert _statuses(call)[-1] == ("志愿者5", "waiting")


def test_nobody_is_booked_on_overlapping_shifts_without_rest_or_past_their_hours(duty):
    person = volunteer(duty, 1, max_day_hours=12)
    morning = shift(duty, 0, 8)  # 07:30-15:30
    booking_signup(volunteer=person, shift=morning)
    before = Booking.objects.count(), OutboxMessage.objects.count()
    overlapping = shift(duty, 4, 4)  # 11:30-15:30
    too_soon = shift(duty, 10, 4)  # 17:30-21:30: 2 hours of rest (8 needed)
    for other in (overlapping, too_soon):
        with pytest.raises(Conflict) as refused:
            booking_signup(volunteer=person, shift=other)
        assert refused.value.code == "limits"
    tired = volunteer(duty, 2, max_day_hours=10)
    tired.min_rest_minutes = 0
    tired.save()
    booking_signup(volunteer=tired, shift=morning)
    with pytest.raises(Conflict) as refused:  # 8 + 4 hours in one day, 10 allowed
        booking_signup(volunteer=tired, shift=too_soon)
    assert refused.value.code == "limits"
    assert (Booking.objects.count(), OutboxMessage.objects.count()) == (before[0] + 1, before[1])


def test_signing_up_twice_or_for_a_closed_list_is_refused_and_writes_nothing(duty):
    person = volunteer(duty, 1)
    call = shift(duty, 0, 4)
    booking_signup(volunteer=person, shift=call)
    before = Booking.objects.count()
    with pytest.raises(Conflict) as twice:
        booking_signup(volunteer=person, shift=call)
    assert twice.value.code == "already_booked"
    closed = shift(duty, 20, 4, open_call=False)
    with pytest.raises(Conflict) as shut:
        booking_signup(volunteer=person, shift=closed)
    assert shut.value.code == "closed"
    # a coordinator may still book them on it
    assert booking_signup(volunteer=person, shift=closed, actor=duty.coordinator).source == (
        "coordinator"
    )
    suspended = volunteer_approve(
        actor=duty.coordinator, volunteer=volunteer(duty, 2), approve=False
    )
    assert suspended.status == VolunteerStatus.SUSPENDED
    with pytest.raises(Conflict):
        booking_signup(volunteer=suspended, shift=call)
    assert Booking.objects.count() == before + 1


def test_a_volunteer_of_another_area_and_a_coordinator_elsewhere_are_refused(duty):
    city = duty.city
    other_coordinator = make_user("vol_coord_b", role=Role.VOLUNTEER_COORDINATOR, area=city.grid_b)
    call = shift(duty, 0, 4)
    with pytest.raises((PermissionDenied, NotFound)):
        shift_capacity_set(actor=other_coordinator, shift=call, capacity=5)
    outsider = volunteer(duty, 1, area=city.grid_a)  # serves grid A; the post is the community's
    assert booking_signup(volunteer=outsider, shift=call).status == BookingStatus.CONFIRMED
    grid_b_post = post_create(
        actor=duty.coordinator, area=city.grid_b, name="2栋配送", kind=PostKind.BUILDING
    )
    begins = duty.tomorrow + 30 * HOUR
    grid_b_call = shift_create(
        actor=duty.coordinator,
        post=grid_b_post,
        starts_at=begins,
        ends_at=begins + 2 * HOUR,
        capacity=2,
        open_call=True,
    )
    with pytest.raises(NotFound):
        booking_signup(volunteer=outsider, shift=grid_b_call)


@pytest.mark.parametrize(
    ("start", "hours", "capacity", "field"),
    [(0, -2, 5, "ends_at"), (0, 0, 5, "ends_at"), (0, 20, 5, "ends_at"), (0, 4, -1, "capacity")],
)
def test_a_bad_shift_is_refused_naming_the_field_and_writes_nothing(
    duty, start, hours, capacity, field
):
    begins = duty.tomorrow + start * HOUR
    with pytest.raises(ServiceError) as refused:
        shift_create(
            actor=duty.coordinator,
            post=duty.post,
            starts_at=begins,
            ends_at=begins + hours * HOUR,
            capacity=capacity,
        )
    assert field in refused.value.fields
    assert not Shift.objects.exists()
