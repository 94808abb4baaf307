"""A permission holds only inside the membership that grants it.

Two users with two memberships each:

- ``staff_a_sampler_city``: community staff of grid A (plans, reads lists, samples there)
  and a sampler city-wide (samples everywhere, reads where and when sessions are);
- ``lab_b_worker_a``: a lab for grid B (results grid B's tubes) and grid worker of grid A.

Each does each role's things only in that membership's place: nothing of grid B is
planned, listed, counted or changed through the grid A membership, and no tube of grid A
is resulted through the grid B lab.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lifeline.accounts.models import Membership, Role, User
from lifeline.api.tests.helpers import client_for, post_json
from lifeline.core.clock import frozen_at
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError
from lifeline.registry.models import VulnerabilityKind
from lifeline.screening import selectors
from lifeline.screening.models import (
    Policy,
    Round,
    Sample,
    Session,
    SessionKind,
    Site,
    SiteKind,
    TubeResult,
)
from lifeline.screening.services import (
    policy_create,
    policy_end,
    policy_update,
    round_create,
    sample_register,
    session_create,
    session_create_from_list,
    site_create,
    tube_close,
)
from lifeline.screening.services.plans_edit import round_update, session_update, site_update
from lifeline.screening.services.results import ResultRow, results_import
from lifeline.screening.tests.conftest import at, pool
from lifeline.testing.factories import SmallCity, make_household, make_person, make_user

DAY = dt.date(2022, 11, 21)
API = "/api/v1/screening"


def _two_memberships(name: str, first: tuple[str, Any], second: tuple[str, Any]) -> User:
    user = make_user(name, role=first[0], area=first[1])
    Membership.objects.create(user=user, role=second[0], area=second[1])
    return user


@pytest.fixture
def mixed(city: SmallCity) -> User:
    """Community staff of grid A and a sampler of the whole city."""
    return _two_memberships(
        "staff_a_sampler_city",
        (Role.COMMUNITY_STAFF, city.grid_a),
        (Role.SAMPLER, city.city),
    )


@pytest.fixture
def lab_worker(city: SmallCity) -> User:
    """A lab for grid B and a grid worker of grid A."""
    return _two_memberships(
        "lab_b_worker_a", (Role.LAB, city.grid_b), (Role.GRID_WORKER, city.grid_a)
    )


@pytest.fixture
def plans_b(city: SmallCity, command_staff: User) -> dict[str, Any]:
    """Grid B's policy (listing a person of B), round, site and session, by the city."""
    with frozen_at(at(DAY)):
        policy = policy_create(
            actor=command_staff,
            area_id=city.grid_b.pk,
            name="网格二名单",
            starts_on=DAY,
            audience="listed",
            person_ids=[city.people_b[0].pk],
        )
        rnd = round_create(
            actor=command_staff, area_id=city.grid_b.pk, name="二轮", starts_on=DAY, target_date=DAY
        )
        site = site_create(
            actor=command_staff, area_id=city.grid_b.pk, name="二号点", kind=SiteKind.FIXED
        )
        start = timezone.make_aware(dt.datetime.combine(DAY, dt.time(20)))
        session = session_create(
            actor=command_staff,
            site_id=site.pk,
            kind=SessionKind.NIGHT,
            name="二号点夜场",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            grid_ids=[city.grid_b.pk],
        )
    return {"policy": policy, "round": rnd, "site": site, "session": session}


def _hours() -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(DAY, dt.time(20)))
    return start, start + dt.timedelta(hours=3)


# Sampling through the city-wide sampler membership ------------------------------------------


def test_the_city_sampler_membership_samples_in_grid_b(city, mixed):
    # when the user swabs a person of grid B (their staff membership is in grid A)
    sample, created = sample_register(
        actor=mixed, client_id="mx-1", barcode="MX1", person_id=city.people_b[0].pk
    )
    tube = tube_close(actor=mixed, barcode="MX1")
    # then the sampler membership allows it
    assert created and sample.area_path == city.grid_b.path and tube.status == "closed"
    # and the sampler membership finds people of grid B by code, the planning one does not
    code = f"P{city.people_b[0].pk}"
    found = selectors.person_by_code(actor=mixed, code=code, perm="screening.sample")
    assert found == city.people_b[0]
    with pytest.raises(NotFound):
        selectors.person_by_code(actor=mixed, code=code, perm="screening.plan")


# Lists of people: screening.view of grid A only ---------------------------------------------


def test_lists_counts_and_rounds_of_grid_b_are_refused_to_grid_as_staff(city, mixed, plans_b):
    people_b = city.people_b[0]
    make_person(
        household=make_household(grid=city.grid_b, unit_no="D9"),
        name="卧床",
        vulnerabilities=[VulnerabilityKind.BEDRIDDEN],
    )
    refused = [
        lambda: selectors.screening_list(actor=mixed, area_id=city.grid_b.pk, kind="not_compliant"),
        lambda: selectors.screening_counts(actor=mixed, area_id=city.grid_b.pk),
        lambda: selectors.screening_counts(actor=mixed, area_id=city.community.pk),
        lambda: selectors.recheck_list(actor=mixed, area_id=city.grid_b.pk),
        lambda: selectors.door_to_door_list(actor=mixed, grid_id=city.grid_b.pk),
        lambda: selectors.yellow_code_list(actor=mixed, area_id=city.grid_b.pk),
        lambda: selectors.door_to_door_stops(actor=mixed, grid_id=city.grid_b.pk),
    ]
    for read in refused:
        # covered by the sampler membership, which grants no lists: forbidden, not unknown
        with pytest.raises(PermissionDenied):
            read()
    # grid A's list is the user's own
    own = selectors.screening_list(actor=mixed, area_id=city.grid_a.pk, kind="not_compliant")
    assert {p.pk for p in own} == {p.pk for p in city.people_a}
    assert people_b.pk not in {p.pk for p in own}
    # a round of grid B is readable (the sampler sees where to sample), its people are not
    with frozen_at(at(DAY, 21)):
        seen = selectors.round_progress(actor=mixed, rnd=plans_b["round"], by_child=True)
    assert (seen.total.people, seen.total.tested, seen.children) == (0, 0, [])


def test_round_progress_counts_only_the_people_of_grid_a(city, mixed, command_staff):
    rnd = round_create(
        actor=command_staff,
        area_id=city.community.pk,
        name="社区轮",
        starts_on=DAY,
        target_date=DAY,
    )
    with frozen_at(at(DAY, 21)):
        seen = selectors.round_progress(actor=mixed, rnd=rnd, by_child=True)
        whole = selectors.round_progress(actor=command_staff, rnd=rnd, by_child=True)
    assert (seen.total.people, whole.total.people) == (3, 6)
    assert [c.name for c in seen.children] == [city.grid_a.name]


# Planning: screening.plan of grid A only ----------------------------------------------------


def test_plans_of_grid_b_cannot_be_made_or_changed_through_grid_as_staff(city, mixed, plans_b):
    start, end = _hours()
    before = [
        (m.objects.count(), list(m.objects.values_list("name", flat=True)))
        for m in (Policy, Round, Site, Session)
    ]
    attempts = [
        lambda: site_create(actor=mixed, area_id=city.grid_b.pk, name="x", kind=SiteKind.FIXED),
        lambda: round_create(
            actor=mixed, area_id=city.grid_b.pk, name="x", starts_on=DAY, target_date=DAY
        ),
        lambda: policy_create(actor=mixed, area_id=city.grid_b.pk, name="x", starts_on=DAY),
        lambda: session_create(
            actor=mixed,
            site_id=plans_b["site"].pk,
            kind=SessionKind.NIGHT,
            name="x",
            starts_at=start,
            ends_at=end,
        ),
        lambda: site_update(actor=mixed, site_id=plans_b["site"].pk, name="x", kind="fixed"),
        lambda: round_update(
            actor=mixed, round_id=plans_b["round"].pk, name="x", starts_on=DAY, target_date=DAY
        ),
        lambda: policy_update(
            actor=mixed,
            policy_id=plans_b["policy"].pk,
            name="x",
            starts_on=DAY,
            ends_on=None,
            required_tests=1,
            window_days=1,
            audience="everyone",
        ),
        lambda: policy_end(actor=mixed, policy_id=plans_b["policy"].pk, last_day=DAY),
        lambda: session_update(
            actor=mixed,
            session_id=plans_b["session"].pk,
            kind=SessionKind.NIGHT,
            name="x",
            starts_at=start,
            ends_at=end,
        ),
        lambda: session_create_from_list(
            actor=mixed,
            area_id=city.grid_b.pk,
            list_kind="not_tested_today",
            site_id=plans_b["site"].pk,
            starts_at=start,
            ends_at=end,
        ),
    ]
    with frozen_at(at(DAY)):
        for attempt in attempts:
            with pytest.raises(PermissionDenied):
                attempt()
    after = [
        (m.objects.count(), list(m.objects.values_list("name", flat=True)))
        for m in (Policy, Round, Site, Session)
    ]
    assert after == before
    assert Policy.objects.get(pk=plans_b["policy"].pk).ends_on is None


def test_a_plan_of_grid_a_cannot_name_grid_bs_people_grids_or_policies(city, mixed, plans_b):
    start, end = _hours()
    site = site_create(actor=mixed, area_id=city.grid_a.pk, name="一号点", kind=SiteKind.FIXED)
    with pytest.raises(ServiceError) as grids:
        session_create(
            actor=mixed,
            site_id=site.pk,
            kind=SessionKind.NIGHT,
            name="夜场",
            starts_at=start,
            ends_at=end,
            grid_ids=[city.grid_a.pk, city.grid_b.pk],
            person_ids=[city.people_b[0].pk],
        )
    assert {"grid_ids", "person_ids"} <= set(grids.value.fields)
    with pytest.raises(ServiceError) as people, frozen_at(at(DAY)):
        policy_create(
            actor=mixed,
            area_id=city.grid_a.pk,
            name="名单",
            starts_on=DAY,
            audience="listed",
            person_ids=[city.people_b[0].pk],
        )
    assert "person_ids" in people.value.fields
    with pytest.raises(ServiceError) as policy:
        round_create(
            actor=mixed,
            area_id=city.grid_a.pk,
            name="x",
            starts_on=DAY,
            target_date=DAY,
            policy_id=plans_b["policy"].pk,
        )
    assert "policy_id" in policy.value.fields
    assert not Session.objects.filter(site=site).exists()
    assert not Round.objects.filter(area=city.grid_a).exists()


def test_an_edit_in_grid_a_keeps_grid_bs_people_and_grids_it_may_not_plan(
    city, mixed, command_staff
):
    # given grid A's policy and session, naming grid B's person and grid too (by the city)
    start, end = _hours()
    with frozen_at(at(DAY)):
        policy = policy_create(
            actor=command_staff,
            area_id=city.grid_a.pk,
            name="名单",
            starts_on=DAY,
            audience="listed",
            person_ids=[city.people_a[0].pk, city.people_b[0].pk],
        )
        site = site_create(
            actor=command_staff, area_id=city.grid_a.pk, name="一号点", kind=SiteKind.FIXED
        )
        session = session_create(
            actor=command_staff,
            site_id=site.pk,
            kind=SessionKind.NIGHT,
            name="夜场",
            starts_at=start,
            ends_at=end,
            grid_ids=[city.grid_a.pk, city.grid_b.pk],
        )
        # when grid A's staff edit them, naming only what is theirs
        policy_update(
            actor=mixed,
            policy_id=policy.pk,
            name="名单二",
            starts_on=DAY,
            ends_on=None,
            required_tests=1,
            window_days=1,
            audience="listed",
            person_ids=[city.people_a[1].pk],
        )
        session_update(
            actor=mixed,
            session_id=session.pk,
            kind=SessionKind.NIGHT,
            name="夜场二",
            starts_at=start,
            ends_at=end,
            grid_ids=[city.grid_a.pk],
        )
    # then grid B's person and grid stay
    assert set(policy.people.values_list("pk", flat=True)) == {
        city.people_a[1].pk,
        city.people_b[0].pk,
    }
    assert set(session.grids.values_list("pk", flat=True)) == {city.grid_a.pk, city.grid_b.pk}


# Results: the grid B lab results grid B's tubes only -----------------------------------------


def test_the_grid_b_lab_results_grid_b_tubes_only_and_lists_no_one(city, lab_worker, command_staff):
    tube_a = pool(command_staff, city.people_a[:2], day=DAY)
    tube_b = pool(command_staff, city.people_b[:2], day=DAY)
    # a tube of grid A, where the same user is a grid worker, is an unknown tube
    with pytest.raises(ServiceError) as caught, frozen_at(at(DAY, 20)):
        results_import(actor=lab_worker, rows=[ResultRow(tube_a, "negative")])
    assert "rows" in caught.value.fields and not TubeResult.objects.exists()
    # grid B's tube is the lab's
    with frozen_at(at(DAY, 20)):
        summary = results_import(actor=lab_worker, rows=[ResultRow(tube_b, "negative")])
    assert (summary.imported, summary.person_results) == (1, 2)
    # the lab membership gives no list of grid B's people, and no swab there
    with pytest.raises(PermissionDenied):
        selectors.screening_list(actor=lab_worker, area_id=city.grid_b.pk, kind="not_compliant")
    with pytest.raises(PermissionDenied):
        sample_register(
            actor=lab_worker, client_id="lw", barcode="LW", person_id=city.people_b[2].pk
        )
    assert not Sample.objects.filter(client_id="lw").exists()
    # the grid worker membership lists grid A
    assert selectors.screening_list(
        actor=lab_worker, area_id=city.grid_a.pk, kind="not_compliant"
    ).count() == len(city.people_a)
    # the review counts grid A's samples (worker) and grid B's tubes (lab), naming no one
    review = selectors.daily_review(actor=lab_worker, day=DAY)
    assert sum(s["samples"] for s in review["sessions"]) == 4


def test_a_grid_worker_without_a_lab_membership_results_nothing(city, grid_worker_a, sampler):
    tube = pool(sampler, city.people_a[:1], day=DAY)
    with pytest.raises(PermissionDenied):
        results_import(actor=grid_worker_a, rows=[ResultRow(tube, "negative")])
    assert not TubeResult.objects.exists()


# Pages and the API ---------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_of_grid_b_refuse_grid_as_staff_and_forms_offer_grid_a_only(city, mixed, plans_b):
    client = _client(mixed)
    for url in (
        reverse("screening:list", kwargs={"area_id": city.grid_b.pk, "kind": "not_compliant"}),
        reverse("screening:list", kwargs={"area_id": city.grid_b.pk, "kind": "yellow_code"}),
        reverse("screening:door_to_door", kwargs={"grid_id": city.grid_b.pk}),
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.get(
            reverse("screening:list", kwargs={"area_id": city.grid_a.pk, "kind": "not_compliant"})
        ).status_code
        == 200
    )
    # grid B's plans can be read (the sampler's sessions), not changed
    data = {"name": "改", "kind": "fixed", "address": ""}
    site_b = reverse("screening:site_edit", kwargs={"pk": plans_b["site"].pk})
    assert client.get(site_b).status_code == 200
    assert client.post(site_b, data).status_code == 403
    policy_b = reverse("screening:policy_edit", kwargs={"pk": plans_b["policy"].pk})
    page = client.get(policy_b)
    assert page.status_code == 200 and page.context["listed"] == []
    assert page.context["form"].initial["people"] == ""
    edit = {"name": "改", "starts_on": "2022-11-21", "required_tests": 1, "window_days": 1}
    assert client.post(policy_b, {**edit, "audience": "everyone"}).status_code == 403
    assert Site.objects.get(pk=plans_b["site"].pk).name == "二号点"
    # the forms offer grid A only
    form = client.get(reverse("screening:policy_new")).context["form"]
    assert [int(pk) for pk, _ in form.fields["area"].choices] == [city.grid_a.pk]
    created = client.post(
        reverse("screening:site_new"),
        {"name": "越界", "kind": "fixed", "area": city.grid_b.pk, "address": ""},
    )
    assert created.status_code == 400 and not Site.objects.filter(name="越界").exists()
    listing = client.get(
        reverse("screening:list", kwargs={"area_id": city.grid_a.pk, "kind": "not_compliant"})
    )
    sites = [int(pk) for pk, _ in listing.context["session_form"].fields["site"].choices]
    assert plans_b["site"].pk not in sites
    # a list of grid B cannot be opened as a session
    opened = client.post(
        reverse(
            "screening:list_session", kwargs={"area_id": city.grid_b.pk, "kind": "not_compliant"}
        ),
        {
            "site": plans_b["site"].pk,
            "kind": "night",
            "starts_at": "2022-11-21T20:00",
            "ends_at": "2022-11-21T23:00",
        },
    )
    assert opened.status_code == 403
    assert Session.objects.count() == 1
    # the home page offers grid A's lists only
    roots = client.get(reverse("screening:home")).context["roots"]
    assert roots == [city.grid_a]


def test_the_console_syncs_grid_b_through_the_sampler_membership(city, mixed, lab_worker):
    item = {"client_id": "cx", "barcode": "CX", "code": f"P{city.people_b[0].pk}"}
    answer = _client(mixed).post(
        "/screening/console/sync/", data={"items": [item]}, content_type="application/json"
    )
    assert answer.json()["results"][0]["status"] == "created"
    # a lab and grid worker samples in grid A (worker), not in grid B (lab)
    items = [
        {"client_id": "la", "barcode": "LA", "code": f"P{city.people_a[0].pk}"},
        {"client_id": "lb", "barcode": "LB", "code": f"P{city.people_b[1].pk}"},
    ]
    answer = _client(lab_worker).post(
        "/screening/console/sync/", data={"items": items}, content_type="application/json"
    )
    assert [r["status"] for r in answer.json()["results"]] == ["created", "error"]
    assert not Sample.objects.filter(client_id="lb").exists()


def test_pages_without_the_permission_anywhere_are_refused(city):
    lab = make_user("lab_only", role=Role.LAB, area=city.city)
    client = _client(lab)
    for name in ("screening:console", "screening:policies", "screening:policy_new"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("screening:review")).status_code == 200
    sync = client.post(
        "/screening/console/sync/", data={"items": []}, content_type="application/json"
    )
    assert sync.status_code == 403
    # the lab's home and review navigation show no lists, plans or console
    nav = client.get(reverse("screening:review")).content.decode()
    assert reverse("screening:policies") not in nav and reverse("screening:console") not in nav


def test_the_api_follows_each_membership(city, mixed):
    client = client_for(mixed)
    for url in (
        f"{API}/areas/{city.grid_b.pk}/lists/not_compliant",
        f"{API}/areas/{city.grid_b.pk}/counts",
        f"{API}/areas/{city.grid_b.pk}/rechecks",
        f"{API}/grids/{city.grid_b.pk}/door-to-door",
    ):
        answer = client.get(url)
        assert answer.status_code == 403 and set(answer.json()) == {"error"}, url
    own = client.get(f"{API}/areas/{city.grid_a.pk}/lists/not_compliant")
    assert own.status_code == 200 and own.json()["count"] == len(city.people_a)
    body = {"client_id": "api-b", "barcode": "APIB", "person_id": city.people_b[0].pk}
    assert post_json(client, f"{API}/samples", body).status_code == 201
