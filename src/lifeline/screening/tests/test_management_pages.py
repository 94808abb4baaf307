"""Screening management pages: policies, rounds, sites, sessions, a list opened as a session,
the daily review and the door-to-door list. Status codes, scope of every page taking a pk,
validation messages on the form, and the audit of each change."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lifeline.core.audit import AuditRecord
from lifeline.core.clock import frozen_at
from lifeline.health.models import HealthStatus
from lifeline.registry.models import Facility, VulnerabilityKind
from lifeline.screening.models import Policy, Round, Session, SessionKind, Site, SiteKind, Tube
from lifeline.screening.services import policy_create, round_create, session_create, site_create
from lifeline.screening.tests.conftest import at, pool, result
from lifeline.testing.factories import make_household, make_id_number, make_person

DAY = dt.date(2022, 11, 20)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def plans(city, community_staff):
    """A policy, round, site and session in grid B (the community staff plans both grids)."""
    with frozen_at(at(DAY)):
        policy = policy_create(
            actor=community_staff, area_id=city.grid_b.pk, name="网格二每日", starts_on=DAY
        )
        rnd = round_create(
            actor=community_staff,
            area_id=city.grid_b.pk,
            name="第三轮",
            starts_on=DAY,
            target_date=DAY,
        )
        site = site_create(
            actor=community_staff, area_id=city.grid_b.pk, name="二号点", kind=SiteKind.FIXED
        )
        start = timezone.make_aware(dt.datetime.combine(DAY, dt.time(20)))
        session = session_create(
            actor=community_staff,
            site_id=site.pk,
            kind=SessionKind.NIGHT,
            name="二号点夜场",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            grid_ids=[city.grid_b.pk],
        )
    return {"policy": policy, "round": rnd, "site": site, "session": session}


PK_PAGES = [
    ("screening:policy_edit", "policy"),
    ("screening:round_edit", "round"),
    ("screening:site_edit", "site"),
    ("screening:session_edit", "session"),
]


@pytest.mark.parametrize(("name", "obj"), PK_PAGES)
def test_grid_bs_objects_are_not_found_for_grid_as_worker(
    name, obj, plans, grid_worker_a, grid_worker_b
):
    url = reverse(name, kwargs={"pk": plans[obj].pk})
    # refused (as unknown) to grid A's worker, for reading and for changing
    assert _client(grid_worker_a).get(url).status_code == 404
    assert _client(grid_worker_a).post(url, {"name": "x"}).status_code == 404
    # reached by grid B's own worker (the control)
    assert _client(grid_worker_b).get(url).status_code == 200


def test_other_pages_taking_an_id_are_scoped(city, plans, grid_worker_a, grid_worker_b):
    site_b = plans["site"].pk
    urls = [
        reverse("screening:session_new", kwargs={"site_pk": site_b}),
        reverse("screening:door_to_door", kwargs={"grid_id": city.grid_b.pk}),
        reverse("screening:list", kwargs={"area_id": city.grid_b.pk, "kind": "yellow_code"}),
    ]
    for url in urls:
        assert _client(grid_worker_a).get(url).status_code == 404, url
        assert _client(grid_worker_b).get(url).status_code == 200, url
    end = reverse("screening:policy_end", kwargs={"pk": plans["policy"].pk})
    assert _client(grid_worker_a).post(end, {"last_day": "2022-11-20"}).status_code == 404
    assert Policy.objects.get(pk=plans["policy"].pk).ends_on is None


def test_lists_of_management_pages_show_only_ones_own(
    city, plans, grid_worker_a, grid_worker_b, outsider
):
    for name in ("screening:policies", "screening:rounds", "screening:sites"):
        response = _client(grid_worker_a).get(reverse(name))
        assert response.status_code == 200
        assert plans["site"].name not in response.content.decode()
        assert plans["round"].name not in response.content.decode()
        # a user without any screening permission is refused the page itself
        refused = _client(outsider).get(reverse(name))
        assert refused.status_code == 403
        assert plans["round"].name not in refused.content.decode()
    response = _client(grid_worker_a).get(reverse("screening:sessions"), {"when": "past"})
    assert "二号点夜场" not in response.content.decode()
    # the control: grid B's worker sees grid B's plans
    for name in ("screening:rounds", "screening:sites", "screening:sessions"):
        response = _client(grid_worker_b).get(reverse(name), {"when": "past"})
        assert {"screening:rounds": "第三轮", "screening:sites": "二号点"}.get(
            name, "二号点夜场"
        ) in response.content.decode()


def test_the_policy_form_shows_validation_errors_on_its_fields(city, community_staff):
    response = _client(community_staff).post(
        reverse("screening:policy_new"),
        {
            "name": "五检",
            "area": city.community.pk,
            "starts_on": "2022-11-20",
            "ends_on": "2022-11-10",
            "required_tests": 8,
            "window_days": 7,
            "audience": "everyone",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "ends_on" in form.errors and "required_tests" in form.errors
    assert Policy.objects.count() == 0


def test_an_unknown_person_in_the_list_is_named_by_its_line_and_masked(city, community_staff):
    id_number = make_id_number(serial=777)
    response = _client(community_staff).post(
        reverse("screening:policy_new"),
        {
            "name": "闭环",
            "area": city.community.pk,
            "starts_on": "2022-11-20",
            "required_tests": 5,
            "window_days": 7,
            "audience": "workers",
            "people": f"P{city.people_a[0].pk}\n{id_number}\n",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "people" in response.context["form"].errors
    assert id_number not in body  # echoed masked, never in full
    assert id_number[-4:] in body


def test_a_policy_is_created_edited_and_ended_through_the_pages(city, community_staff):
    client = _client(community_staff)
    enterprise = Facility.objects.create(
        kind=Facility.Kind.ENTERPRISE,
        name="闭环工厂",
        area=city.community,
        area_path=city.community.path,
    )
    with frozen_at(at(DAY)):
        response = client.post(
            reverse("screening:policy_new"),
            {
                "name": "闭环 5/7",
                "area": city.community.pk,
                "starts_on": "2022-11-20",
                "required_tests": 5,
                "window_days": 7,
                "audience": "workers",
                "people": f"P{city.people_a[0].pk}\nP{city.people_a[1].pk}",
                "enterprises": [enterprise.pk],
            },
        )
        assert response.status_code == 302, response.content[:500]
        policy = Policy.objects.get()
        assert set(policy.people.values_list("pk", flat=True)) == {
            city.people_a[0].pk,
            city.people_a[1].pk,
        }
        assert list(policy.enterprises.all()) == [enterprise]
        edit = reverse("screening:policy_edit", kwargs={"pk": policy.pk})
        page = client.get(edit)
        assert page.status_code == 200 and "闭环 5/7" in page.content.decode()
        response = client.post(
            edit,
            {
                "name": "闭环 3/7",
                "starts_on": "2022-11-20",
                "required_tests": 3,
                "window_days": 7,
                "audience": "workers",
                "people": f"P{city.people_a[0].pk}",
            },
        )
        assert response.status_code == 302
        policy.refresh_from_db()
        assert (policy.name, policy.required_tests) == ("闭环 3/7", 3)
        assert list(policy.people.values_list("pk", flat=True)) == [city.people_a[0].pk]
        assert list(policy.enterprises.all()) == []
        end = reverse("screening:policy_end", kwargs={"pk": policy.pk})
        refused = client.post(end, {"last_day": "2022-11-01"})
        assert refused.status_code == 400 and "last_day" in refused.context["end_form"].errors
        assert client.post(end, {"last_day": "2022-11-25"}).status_code == 302
    policy.refresh_from_db()
    assert policy.ends_on == dt.date(2022, 11, 25)
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"screening.policy_create", "screening.policy_update", "screening.policy_end"} <= actions


def test_a_sampler_may_read_but_not_change_a_policy(city, plans, community_staff, sampler):
    edit = reverse("screening:policy_edit", kwargs={"pk": plans["policy"].pk})
    data = {
        "name": "改名",
        "starts_on": "2022-11-20",
        "required_tests": 1,
        "window_days": 1,
        "audience": "everyone",
    }
    response = _client(sampler).post(edit, data)
    assert response.status_code == 403
    assert Policy.objects.get(pk=plans["policy"].pk).name == "网格二每日"


def test_a_round_page_shows_its_progress_and_saves_changes(city, community_staff, sampler, lab):
    result(lab, [pool(sampler, city.people_a[:2], day=DAY)], "negative", day=DAY)
    client = _client(community_staff)
    with frozen_at(at(DAY, 21)):
        response = client.post(
            reverse("screening:round_new"),
            {
                "name": "第五轮",
                "area": city.community.pk,
                "starts_on": "2022-11-20",
                "target_date": "2022-11-21",
            },
        )
        assert response.status_code == 302
        rnd = Round.objects.get(name="第五轮")
        page = client.get(reverse("screening:round_edit", kwargs={"pk": rnd.pk}))
        progress = page.context["progress"]
        assert (progress.total.tested, progress.total.people) == (2, 6)
        assert [c.tested for c in progress.children] == [2, 0]
        listing = client.get(reverse("screening:rounds"))
        assert "第五轮" in listing.content.decode()
        bad = client.post(
            reverse("screening:round_edit", kwargs={"pk": rnd.pk}),
            {"name": "第五轮", "starts_on": "2022-11-22", "target_date": "2022-11-21"},
        )
    assert bad.status_code == 400 and "target_date" in bad.context["form"].errors
    assert Round.objects.get(pk=rnd.pk).starts_on == DAY


def test_sites_and_night_sessions_are_managed_through_the_pages(city, community_staff):
    client = _client(community_staff)
    response = client.post(
        reverse("screening:site_new"),
        {"name": "上门一队", "kind": "door_to_door", "area": city.community.pk, "address": ""},
    )
    assert response.status_code == 302
    site = Site.objects.get(name="上门一队")
    new_session = reverse("screening:session_new", kwargs={"site_pk": site.pk})
    assert client.get(new_session).status_code == 200
    bad = client.post(
        new_session,
        {
            "name": "夜场",
            "kind": "night",
            "starts_at": "2022-11-20T22:00",
            "ends_at": "2022-11-20T20:00",
            "grids": [city.grid_a.pk],
        },
    )
    assert bad.status_code == 400 and "ends_at" in bad.context["form"].errors
    created = client.post(
        new_session,
        {
            "name": "夜场",
            "kind": "night",
            "starts_at": "2022-11-20T20:00",
            "ends_at": "2022-11-20T23:30",
            "grids": [city.grid_a.pk],
        },
    )
    assert created.status_code == 302
    session = Session.objects.get(name="夜场")
    local = timezone.localtime(session.starts_at)
    assert (local.hour, session.kind) == (20, "night")
    assert list(session.grids.all()) == [city.grid_a]
    edited = client.post(
        reverse("screening:session_edit", kwargs={"pk": session.pk}),
        {
            "name": "黄码专场",
            "kind": "yellow_code",
            "starts_at": "2022-11-21T06:00",
            "ends_at": "2022-11-21T08:00",
            "grids": [city.grid_a.pk, city.grid_b.pk],
        },
    )
    assert edited.status_code == 302
    session.refresh_from_db()
    assert session.kind == "yellow_code"
    assert set(session.grids.values_list("pk", flat=True)) == {city.grid_a.pk, city.grid_b.pk}
    renamed = client.post(
        reverse("screening:site_edit", kwargs={"pk": site.pk}),
        {"name": "", "kind": "mobile", "address": "x"},
    )
    assert renamed.status_code == 400 and "name" in renamed.context["form"].errors
    listing = client.get(reverse("screening:sessions"), {"kind": "yellow_code", "when": "past"})
    assert "黄码专场" in listing.content.decode()
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"screening.site_create", "screening.session_update"} <= actions


def test_a_list_becomes_a_session_in_one_action(city, community_staff, sampler, lab):
    result(lab, [pool(sampler, city.people_a[:1], day=DAY)], "negative", day=DAY)
    site = site_create(
        actor=community_staff, area_id=city.community.pk, name="流动", kind=SiteKind.MOBILE
    )
    url = reverse(
        "screening:list_session", kwargs={"area_id": city.grid_a.pk, "kind": "not_tested_today"}
    )
    with frozen_at(at(DAY, 18)):
        refused = _client(community_staff).post(
            url, {"site": site.pk, "kind": "night", "starts_at": "2022-11-20T20:00"}
        )
        assert refused.status_code == 400 and "ends_at" in refused.context["session_form"].errors
        response = _client(community_staff).post(
            url,
            {
                "site": site.pk,
                "kind": "night",
                "name": "",
                "starts_at": "2022-11-20T20:00",
                "ends_at": "2022-11-20T23:00",
            },
        )
    assert response.status_code == 302
    session = Session.objects.get()
    assert set(session.invited.values_list("pk", flat=True)) == {p.pk for p in city.people_a[1:]}
    assert list(session.grids.all()) == [city.grid_a]


def test_the_yellow_code_list_counts_and_exports(city, community_staff):
    person = city.people_b[1]
    HealthStatus.objects.create(
        person=person,
        area_path=person.area_path,
        colour="yellow",
        source="manual",
        valid_from=timezone.make_aware(dt.datetime(2022, 11, 1)),
    )
    client = _client(community_staff)
    with frozen_at(at(DAY)):
        page = client.get(
            reverse("screening:list", kwargs={"area_id": city.community.pk, "kind": "yellow_code"})
        )
        export = client.get(
            reverse("screening:list", kwargs={"area_id": city.community.pk, "kind": "yellow_code"}),
            {"format": "csv"},
        )
    assert page.status_code == 200
    assert [p.pk for p in page.context["people"]] == [person.pk]
    counts = {row["name"]: row["yellow_code"] for row in page.context["counts"]}
    assert counts == {city.community.name: 1, city.grid_a.name: 0, city.grid_b.name: 1}
    assert person.phone not in export.content.decode()
    assert person.phone_masked in export.content.decode()


def test_an_unknown_list_is_not_found(city, community_staff):
    url = reverse("screening:list", kwargs={"area_id": city.community.pk, "kind": "everyone"})
    assert _client(community_staff).get(url).status_code == 404


def test_the_door_to_door_page_lists_households_and_team_visits(city, grid_worker_a, sampler, lab):
    household = make_household(grid=city.grid_a, unit_no="D01")
    building = household.building
    building.lat, building.lng = 27.83, 113.15
    building.save()
    bedridden = make_person(
        household=household, name="卧床老人", vulnerabilities=[VulnerabilityKind.BEDRIDDEN]
    )
    spouse = make_person(
        household=household, name="失能老伴", vulnerabilities=[VulnerabilityKind.DISABLED]
    )
    result(lab, [pool(sampler, [spouse], day=DAY, size=1)], "negative", day=DAY)
    url = reverse("screening:door_to_door", kwargs={"grid_id": city.grid_a.pk})
    client = _client(grid_worker_a)
    with frozen_at(at(DAY, 21)):
        page = client.get(url)
        visits = client.get(url, {"format": "visits"}).json()
        export = client.get(url, {"format": "csv"}).content.decode()
    assert page.status_code == 200 and page.context["to_sample"] == 1
    assert len(visits["visits"]) == 1
    visit = visits["visits"][0]
    assert (visit["size"], visit["skill"], visit["area"]) == (1, "sampling", city.grid_a.path)
    assert visit["id"].endswith(f":{household.pk}")
    assert bedridden.name not in export and str(bedridden.pk) in export


def test_the_daily_review_page_shows_throughput_turnaround_and_backlog(city, sampler, lab):
    done = pool(sampler, city.people_a, day=DAY)
    pool(sampler, city.people_b, day=DAY)
    Tube.objects.filter(barcode=done).update(opened_at=at(DAY, 8))  # first swab at 08:00
    result(lab, [done], "negative", day=DAY)
    with frozen_at(at(DAY, 22)):
        page = _client(lab).get(reverse("screening:review"), {"day": "2022-11-20"})
    assert page.status_code == 200
    assert page.context["per_site"][0]["samples"] == 6
    assert page.context["review"]["backlog"]["closed"] == 1
    assert page.context["review"]["turnaround_minutes"] == 11 * 60.0
    # the first swab was at 08:00, the tube closed at 09:00, the result came at 20:00
    assert page.context["sampled_to_result"] == 12 * 60.0


def test_every_page_answers_and_links_back_to_the_screening_navigation(city, community_staff):
    client = _client(community_staff)
    names = [
        "screening:home",
        "screening:policies",
        "screening:policy_new",
        "screening:rounds",
        "screening:round_new",
        "screening:sites",
        "screening:site_new",
        "screening:sessions",
        "screening:review",
    ]
    for name in names:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert 'id="screening-nav"' in response.content.decode(), name
    listing = client.get(
        reverse("screening:list", kwargs={"area_id": city.community.pk, "kind": "not_compliant"})
    )
    assert reverse("screening:policies") in listing.content.decode()


def test_pages_speak_english_when_asked(city, community_staff):
    client = _client(community_staff)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("screening:policies"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Testing policies" in page.content.decode()


def test_pages_need_a_login(city):
    response = Client().get(reverse("screening:policies"))
    assert response.status_code == 302


def test_a_policy_page_keeps_id_numbers_out_of_the_answer(city, community_staff):
    with frozen_at(at(DAY)):
        policy = policy_create(
            actor=community_staff,
            area_id=city.community.pk,
            name="名单",
            starts_on=DAY,
            audience="listed",
            person_ids=[city.people_a[0].pk],
            required_tests=1,
            window_days=1,
        )
    page = _client(community_staff).get(reverse("screening:policy_edit", kwargs={"pk": policy.pk}))
    body = page.content.decode()
    assert f"P{city.people_a[0].pk}" in body
    assert city.people_a[0].phone not in body
    assert json.dumps(city.people_a[0].name, ensure_ascii=False).strip('"') not in body
