"""No response carries a full ID number or mobile number, except an audited reveal.

The session-wide guard is the ``lifeline.testing.response_capture`` plugin (it scans every
response of every test). This module walks every GET endpoint and page as command-centre
staff, who see the whole city, and proves that the scanner catches a planted leak.
"""

from __future__ import annotations

import datetime as dt
import types
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, get_resolver, path, reverse

from lifeline.accounts.models import Role, User
from lifeline.api.router import api
from lifeline.api.tests.helpers import client_for, post_json
from lifeline.command.tests.report_world import report_walk_params
from lifeline.core import clock
from lifeline.enterprises.tests.scope_cases import walk_params as enterprises_walk_params
from lifeline.health.services import (
    access_decide,
    health_status_set,
    medical_transfer_request,
    standing_need_create,
)
from lifeline.keyusers.tests.scope_cases import walk_params as keyusers_walk_params
from lifeline.notices.tests.scope_cases import walk_params as notices_walk_params
from lifeline.passes import checkpoints
from lifeline.passes import services as passes
from lifeline.passes.models import Checkpoint
from lifeline.passes.tests.scope_cases import seed_pass_types
from lifeline.registry.models import Facility, Person, Vulnerability, VulnerabilityKind
from lifeline.teams.tests.helpers import walk_params
from lifeline.testing.factories import SmallCity, make_id_number, make_phone, make_user
from lifeline.testing.response_capture import (
    COLLECTOR,
    Finding,
    LeakCollector,
    allow_pii,
    find_pii,
)
from lifeline.volunteers.tests.scope_cases import walk_params as volunteers_walk_params
from lifeline.workorders.services import workorder_create

PLANTED_ID = make_id_number(serial=123)
PLANTED_PHONE = "13812345678"


def _leaky_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"<p>{PLANTED_ID} / {PLANTED_PHONE}</p>")


urlpatterns = [path("leak/", _leaky_view), path("people/1/reveal/", _leaky_view)]


def _full_values(city: SmallCity) -> list[str]:
    values: list[str] = []
    for person in Person.objects.all():
        values.append(person.phone)
        values.append(person.household.phone)
    return [v for v in values if v]


def _object_for(name: str, city: SmallCity) -> Any:
    person = city.people_a[0]
    for keyword, obj in (
        ("person", person),
        ("people", person),
        ("household", person.household),
        ("building", person.household.building),
        ("grid", city.grid_a),
        ("area", city.grid_a),
    ):
        if keyword in name:
            return obj
    return None


def _health_and_passes(city: SmallCity, actor: User) -> dict[str, Any]:
    """Grid A's resident with a red code, an access decision, an issued pass, a checkpoint
    with a relay hand-off: the path parameters of the health and pass endpoints and pages."""
    person = city.people_a[1]
    health_status_set(actor=actor, person=person, colour="red", reason="复核阳性", source="api")
    decision = access_decide(actor=actor, person=person, urgency="necessary")
    transfer = medical_transfer_request(actor=actor, person=person)
    need = standing_need_create(
        actor=actor, person=person, kind="dialysis", weekdays=[1], time=dt.time(8)
    )
    seed_pass_types()
    committee = city.units["committee"]
    approver = make_user("pii_pass_approver", role=Role.UNIT_STAFF, unit=committee)
    worker = make_user("pii_pass_worker", role=Role.GRID_WORKER, area=city.grid_a)
    start = clock.now() + dt.timedelta(hours=1)
    application = passes.pass_application_submit(
        actor=worker,
        pass_type_code="phase-move",
        applicant_kind="grid_worker",
        area=city.grid_a,
        person=city.people_a[2],
        purpose="取药",
        valid_from=start,
        valid_until=start + dt.timedelta(hours=4),
    )
    issued = passes.pass_application_approve(actor=approver, application_id=application.pk)
    checkpoint = Checkpoint.objects.create(
        code="CP-PII-1",
        name="卡口",
        area=city.grid_a,
        area_path=city.grid_a.path,
        unit=committee,
    )
    checkpoint_staff = make_user("pii_checkpoint", role=Role.CHECKPOINT_STAFF, area=city.grid_a)
    checkpoints.relay_register(
        actor=checkpoint_staff,
        checkpoint_code=checkpoint.code,
        goods="药品",
        from_party="药店",
        to_party="二期3栋",
    )
    return {
        "decision_id": decision.pk,
        "transfer_id": transfer.pk,
        "need_id": need.pk,
        "code": checkpoint.code,
        "pass_id": issued.pass_id,
    }


def _page_urls(city: SmallCity, params: dict[str, Any]) -> list[str]:
    """Every named page outside the admin and the API that a GET can reach."""
    urls: list[str] = []
    for namespace, (_prefix, sub) in get_resolver().namespace_dict.items():
        if namespace in {"admin", "api"}:
            continue
        for pattern in sub.url_patterns:
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            if "reveal" in pattern.name or "logout" in pattern.name:
                continue
            converters = set(pattern.pattern.converters)
            name = f"{namespace}:{pattern.name}"
            if not converters:
                urls.append(reverse(name))
            elif converters == {"pk"} and (obj := _object_for(pattern.name, city)) is not None:
                urls.append(reverse(name, kwargs={"pk": obj.pk}))
            elif converters <= {"code", "pass_id"}:
                urls.append(reverse(name, kwargs={c: params[c] for c in converters}))
    return urls


def _api_urls(city: SmallCity, actor: User, extra: dict[str, Any]) -> list[str]:
    person = city.people_a[0]
    # A work order whose contact phone is the household's: its pages must show it masked.
    order = workorder_create(
        actor=actor,
        category_code="other",
        household=person.household,
        description="需要帮助",
        stops=[{"label": "送药"}],
    ).order
    params = {
        "area_id": city.community.pk,
        "household_id": person.household_id,
        "person_id": person.pk,
        "kind": "elderly_alone",
        "order_id": order.pk,
        **extra,
    }
    # Screening names its lists by kind, not a vulnerability kind.
    screening = {**params, "kind": "not_tested_today", "grid_id": city.grid_a.pk}
    urls = []
    for route, ops in api.get_openapi_schema()["paths"].items():
        if "get" in ops:
            if "/supplies/" in route and "{" in route:
                # Supplies' lists are walked here; its single objects are not (this city
                # holds none), and each part's own tests check their pages mask phones.
                continue
            urls.append(route.format(**(screening if "/screening/" in route else params)))
    return urls


def test_command_staff_walk_of_every_get_endpoint_and_page_shows_no_full_value(
    city: SmallCity, command_staff: User
):
    # given the whole city visible to command-centre staff, with a facility phone too
    Facility.objects.create(
        kind="pharmacy",
        name="药店",
        area=city.grid_a,
        area_path=city.grid_a.path,
        phone=make_phone(77),
    )
    # and a bedridden resident on grid A's door-to-door round (its rows carry phones)
    bedridden = city.people_a[1]
    Vulnerability.objects.create(
        person=bedridden,
        grid_id=bedridden.grid_id,
        area_path=bedridden.area_path,
        kind=VulnerabilityKind.BEDRIDDEN,
    )
    client = client_for(command_staff)
    full_values = _full_values(city)
    params = {
        **_health_and_passes(city, command_staff),
        **walk_params(city),
        **volunteers_walk_params(city),
        **enterprises_walk_params(city),
        **keyusers_walk_params(city),
        **notices_walk_params(city),
        **report_walk_params(city),
    }
    crossings = f"/api/v1/passes/checkpoints/{params['code']}/crossings"
    queries: dict[str, dict[str, Any]] = {
        "/api/v1/buildings": {"grid": city.grid_a.pk},
        "/api/v1/people/search": {"q": "第"},
        crossings: {"day": clock.today().isoformat()},
    }
    # when every GET endpoint and page is fetched
    urls = _api_urls(city, command_staff, params) + _page_urls(city, params)
    assert len(urls) >= 10
    assert {crossings, f"/api/v1/health/access/decisions/{params['decision_id']}"} <= set(urls)
    screening_list = f"/api/v1/screening/areas/{city.community.pk}/lists/not_tested_today"
    assert {screening_list, f"/api/v1/screening/grids/{city.grid_a.pk}/door-to-door"} <= set(urls)
    assert {f"/passes/p/{params['pass_id']}/", f"/passes/checkpoints/{params['code']}/"} <= set(
        urls
    )
    for url in urls:
        response = client.get(url, queries.get(url, {"q": "第"} if "search" in url else {}))
        assert response.status_code < (300 if url.startswith("/api/") else 500), url
        body = response.content.decode("utf-8", "replace")
        # then no full ID number or mobile number appears anywhere
        assert find_pii(body) == [], url
        assert not [v for v in full_values if v in body], url


def test_scanner_catches_a_planted_leak(client, settings):
    # given a view that leaks a full ID number and phone
    settings.ROOT_URLCONF = __name__
    # when it is fetched through the test client
    with COLLECTOR.diverted() as found:
        client.get("/leak/")
    # then both values are found, masked in the report, with the URL
    assert {f.kind for f in found} == {"id_number", "phone"}
    assert all(f.url == "/leak/" for f in found)
    assert PLANTED_ID not in " ".join(str(f) for f in found)


def test_reveals_and_allow_pii_are_exempt(client, settings):
    settings.ROOT_URLCONF = __name__
    with COLLECTOR.diverted() as found:
        client.post("/people/1/reveal/")
        with allow_pii():
            client.get("/leak/")
        client.get("/people/1/reveal/")  # a GET is not a reveal
    assert [f.url for f in found] == ["/people/1/reveal/", "/people/1/reveal/"]


def test_api_reveal_is_exempt_but_its_value_is_full(city, grid_worker_a):
    person = city.people_a[0]
    with COLLECTOR.diverted() as found:
        response = post_json(
            client_for(grid_worker_a),
            f"/api/v1/people/{person.pk}/reveal",
            {"field": "phone", "purpose": "核实"},
        )
    assert response.json()["value"] == person.phone and found == []


@pytest.mark.parametrize(
    "text,expected",
    [
        (f"id {PLANTED_ID}.", ["id_number"]),
        (f"id {PLANTED_ID[:-1]}{'0' if PLANTED_ID[-1] != '0' else '1'}", []),  # bad checksum
        (f"x{PLANTED_PHONE}y", ["phone"]),
        (f"9{PLANTED_PHONE}", []),  # part of a longer number
        ("138****5678 4302**********123X", []),  # masked forms
        ("12812345678", []),  # not a mobile prefix
    ],
)
def test_scanner_patterns(text: str, expected: list[str]):
    assert [kind for kind, _masked in find_pii(text)] == expected


def test_a_finding_fails_the_session_and_names_the_url(capsys):
    # given a collector holding one leak
    collector = LeakCollector()
    collector.findings.append(Finding("/api/v1/people/7", "phone", "138****5678", "t::x"))
    lines: list[str] = []
    reporter = types.SimpleNamespace(write_line=lambda line, **kw: lines.append(line))
    config = types.SimpleNamespace(
        pluginmanager=types.SimpleNamespace(get_plugin=lambda name: reporter)
    )
    session = types.SimpleNamespace(exitstatus=0, config=config)
    # when the session finishes
    collector.finish(session)
    # then the run fails and the URL is printed
    assert session.exitstatus == pytest.ExitCode.TESTS_FAILED
    assert any("/api/v1/people/7" in line for line in lines)
