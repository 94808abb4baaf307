"""Calls for testing sessions: the coordinator sees the sampling sessions planned in their
area and opens a sign-up list for one at the site's sampling post; asking twice returns
the same list; a session elsewhere or a bad head count is refused, writing nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import client_for
from lifeline.core.errors import NotFound, ServiceError
from lifeline.screening.models import SessionKind, SiteKind
from lifeline.screening.services import session_create, site_create
from lifeline.testing.factories import SmallCity, make_user
from lifeline.volunteers.models import Post, Shift
from lifeline.volunteers.services import testing_calls
from lifeline.volunteers.tests.helpers import Duty, make_duty

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(city: SmallCity) -> Duty:
    return make_duty(city)


def _session(duty: Duty, area_id: int, name: str = "一号点") -> int:
    planner = make_user(f"planner_{name}", role=Role.COMMUNITY_STAFF, area=duty.city.community)
    site = site_create(
        actor=planner, area_id=area_id, name=name, kind=SiteKind.FIXED, address="泰山路1号"
    )
    start = duty.tomorrow
    session = session_create(
        actor=planner,
        site_id=site.pk,
        kind=SessionKind.REGULAR,
        name=f"{name}上午场",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4, minutes=30),
    )
    return int(session.pk)


def test_a_call_is_opened_for_tomorrows_testing_once(duty):
    session = _session(duty, duty.city.grid_a.pk)
    assert [s["site"] for s in testing_calls.testing_sessions(actor=duty.coordinator)] == ["一号点"]
    shift, made = testing_calls.call_for_session(
        actor=duty.coordinator, session_id=session, capacity=10, skills=["sampler"]
    )
    assert made and shift.open_call and shift.capacity == 10
    assert shift.post.kind == "sampling" and shift.post.address == "泰山路1号"
    again, made = testing_calls.call_for_session(
        actor=duty.coordinator, session_id=session, capacity=10
    )
    assert again.pk == shift.pk and not made
    assert Shift.objects.count() == 1


def test_bad_input_and_other_areas_are_refused_and_write_nothing(duty):
    session = _session(duty, duty.city.grid_a.pk)
    posts = Post.objects.count()
    with pytest.raises(ServiceError):
        testing_calls.call_for_session(actor=duty.coordinator, session_id=session, capacity=-1)
    with pytest.raises(NotFound):
        testing_calls.call_for_session(actor=duty.coordinator, session_id="x", capacity=10)
    stranger = make_user("coord_b", role=Role.VOLUNTEER_COORDINATOR, area=duty.city.grid_b)
    with pytest.raises(NotFound):
        testing_calls.call_for_session(actor=stranger, session_id=session, capacity=10)
    assert not Shift.objects.exists() and Post.objects.count() == posts


def test_the_page_lists_sessions_and_opens_the_list(duty):
    session = _session(duty, duty.city.grid_a.pk)
    client = client_for(duty.coordinator)
    page = client.get("/volunteers/calls/testing/").content.decode()
    assert "一号点上午场" in page and "泰山路1号" in page
    made = client.post(
        "/volunteers/calls/testing/", {"session": session, "capacity": "10", "sampler": "on"}
    )
    shift = Shift.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/volunteers/shifts/{shift.pk}/"
    assert shift.skills == ["sampler"]
    refused = client.post("/volunteers/calls/testing/", {"session": session, "capacity": "-3"})
    assert refused.status_code == 302 and Shift.objects.count() == 1
    grid_worker = make_user("gw_plain", role=Role.GRID_WORKER, area=duty.city.grid_a)
    assert client_for(grid_worker).get("/volunteers/calls/testing/").status_code == 404
