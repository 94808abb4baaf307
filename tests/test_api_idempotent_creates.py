"""Every create of the API takes an ``Idempotency-Key``, and a retry creates nothing new.

Which operations create is read from the OpenAPI document, not from a list: a POST that
declares a 201 answer (or that declares the header) is a create. For each one:

- the operation declares the ``Idempotency-Key`` header parameter (``api.creates``);
- ``EXAMPLES`` below holds a valid request for it: a world of the scope matrix (each app's
  ``tests/scope_cases.py``, on the small city of ``lifeline.testing``), a persona allowed
  to create there, a body, and the model a create adds a row to. An operation without an
  example fails ``test_every_create_has_an_example``, so a new create cannot be forgotten;
- the example, posted twice with one key, gets the same status and body back both times
  and adds exactly one row.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lifeline.api.creates import HEADER
from lifeline.api.router import api
from lifeline.api.tests.helpers import client_for
from lifeline.command.tests import idempotent_examples as command
from lifeline.continuity.tests import idempotent_examples as continuity
from lifeline.core import clock
from lifeline.core.idempotency import MAX_KEY_LENGTH
from lifeline.counselling.tests import idempotent_examples as counselling
from lifeline.enterprises.tests import idempotent_examples as enterprises
from lifeline.health.models import Decision, HealthStatus, MedicalTransfer, StandingNeed
from lifeline.health.tests.scope_cases import make_health_world
from lifeline.keyusers.tests import idempotent_examples as keyusers
from lifeline.notices.tests import idempotent_examples as notices
from lifeline.passes.models import PassApplication, PassSigningKey, RelayHandoff
from lifeline.passes.tests.scope_cases import make_passes_world
from lifeline.registry.models import Building, Facility, Household, Person
from lifeline.registry.tests.scope_cases import make_registry_world
from lifeline.screening.models import Sample, Session
from lifeline.screening.tests.scope_cases import make_screening_world
from lifeline.supplies.tests import idempotent_examples_catalogue as supplies_catalogue
from lifeline.supplies.tests import idempotent_examples_donations as supplies_donations
from lifeline.supplies.tests import idempotent_examples_needs as supplies_needs
from lifeline.supplies.tests import idempotent_examples_packages as supplies_packages
from lifeline.supplies.tests import idempotent_examples_shipments as supplies_shipments
from lifeline.supplies.tests import idempotent_examples_stock as supplies_stock
from lifeline.teams.models import Appointment, Delivery, Plan, Team, Vehicle
from lifeline.teams.tests.scope_cases import make_teams_world
from lifeline.testing.factories import SmallCity
from lifeline.testing.idempotent import Body, Example, text
from lifeline.volunteers.tests import idempotent_examples as volunteers
from lifeline.workorders.models import WorkOrder, WorkOrderEvent
from lifeline.workorders.tests.scope_cases import make_workorder_world

API = "/api/v1"


def _schema() -> dict[str, Any]:
    return api.get_openapi_schema()


def _declares_header(operation: dict[str, Any]) -> bool:
    return any(
        p.get("in") == "header" and p.get("name") == HEADER for p in operation.get("parameters", [])
    )


def create_operations() -> list[str]:
    """``"POST /api/v1/..."`` of every operation that declares a 201 answer or the header."""
    found = []
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            declares_201 = "201" in {str(status) for status in operation["responses"]}
            if method == "post" and (declares_201 or _declares_header(operation)):
                found.append(f"POST {path}")
    return sorted(found)


CREATES = create_operations()


# Examples ------------------------------------------------------------------------------


def other_file(body: Body) -> Body:
    name, content = body["file"]
    return {**body, "file": (name, content + "再送一份\n".encode())}


def _window() -> dict[str, str]:
    start = clock.now() + dt.timedelta(hours=1)
    return {
        "valid_from": start.isoformat(),
        "valid_until": (start + dt.timedelta(hours=4)).isoformat(),
    }


def _session_from_list(w: Any) -> dict[str, Any]:
    start = clock.now() + dt.timedelta(hours=1)
    return {
        "area_id": w.grid_b.pk,
        "list_kind": "not_tested_today",
        "site_id": w.site_b.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=3)).isoformat(),
    }


def _order_list(w: Any) -> dict[str, Any]:
    household = w.city.people_b[1].household
    content = f"household_id,description\n{household.pk},送菜\n".encode()
    return {"category": "other", "file": ("list.csv", content)}


REGISTRY = make_registry_world
WORKORDERS = make_workorder_world
HEALTH = make_health_world
PASSES = make_passes_world
SCREENING = make_screening_world
TEAMS = make_teams_world

EXAMPLES: dict[str, Example] = {
    # Registry
    f"POST {API}/buildings": Example(
        REGISTRY,
        "worker_b",
        Building,
        lambda w: {"grid": w.grid_b.pk, "name": "新楼", "address": "第二网格新楼"},
        vary=text("name"),
    ),
    f"POST {API}/households": Example(
        REGISTRY,
        "worker_b",
        Household,
        lambda w: {"building": w.building_b.pk, "unit_no": "999"},
        vary=text("unit_no"),
    ),
    f"POST {API}/people": Example(
        REGISTRY,
        "worker_b",
        Person,
        lambda w: {"household": w.household_b.pk, "name": "新居民", "sex": "F"},
        vary=text("name"),
    ),
    f"POST {API}/facilities": Example(
        REGISTRY,
        "worker_b",
        Facility,
        lambda w: {"area": w.grid_b.pk, "kind": "shop", "name": "新店"},
        vary=text("name"),
    ),
    # Work orders
    f"POST {API}/workorders": Example(
        WORKORDERS,
        "worker_b",
        WorkOrder,
        lambda w: {"description": "要买菜", "category": "other", "area": w.grid_b.pk},
        vary=text("description"),
    ),
    f"POST {API}/workorders/lists": Example(
        WORKORDERS, "worker_b", WorkOrder, _order_list, vary=other_file, upload=True
    ),
    f"POST {API}/workorders/{{order_id}}/comment": Example(
        WORKORDERS,
        "worker_b",
        WorkOrderEvent,
        lambda w: {"note": "已电话联系"},
        vary=text("note"),
        path_params=lambda w: {"order_id": w.order_b.pk},
    ),
    # Health
    f"POST {API}/health/people/{{person_id}}/status": Example(
        HEALTH,
        "editor_b",
        HealthStatus,
        lambda w: {"colour": "red", "reason": "复核阳性"},
        vary=text("reason"),
        path_params=lambda w: {"person_id": w.person_b.pk},
    ),
    f"POST {API}/health/status/bulk": Example(
        HEALTH,
        "editor_b",
        HealthStatus,
        lambda w: {"items": [{"person_id": w.person_b.pk, "colour": "red"}]},
        vary=lambda body: {"items": [{**body["items"][0], "reason": "复核"}]},
    ),
    f"POST {API}/health/access/decide": Example(
        HEALTH,
        "worker_b",
        Decision,
        lambda w: {"urgency": "routine", "person_id": w.person_b.pk},
        vary=text("urgency"),
    ),
    f"POST {API}/health/transfers": Example(
        HEALTH,
        "worker_b",
        MedicalTransfer,
        lambda w: {"person_id": w.city.people_b[2].pk, "urgency": "necessary"},
        vary=text("urgency"),
    ),
    f"POST {API}/health/standing-needs": Example(
        HEALTH,
        "worker_b",
        StandingNeed,
        lambda w: {
            "person_id": w.person_b.pk,
            "kind": "chemo",
            "dates": ["2030-01-02"],
            "time": "14:30",
        },
        vary=text("kind"),
    ),
    # Passes
    f"POST {API}/passes/applications": Example(
        PASSES,
        "worker_b",
        PassApplication,
        lambda w: {
            "pass_type": "phase-move",
            "applicant_kind": "grid_worker",
            "person": w.city.people_b[0].pk,
            "purpose": "去二期取药",
            **_window(),
        },
        vary=text("purpose"),
    ),
    f"POST {API}/passes/keys/rotate": Example(
        PASSES,
        "approver_b",
        PassSigningKey,
        lambda w: {"unit": w.committee_b.code},
        vary=text("unit"),
    ),
    f"POST {API}/passes/checkpoints/{{code}}/relays": Example(
        PASSES,
        "checker_b",
        RelayHandoff,
        lambda w: {"goods": "胰岛素一盒", "to_party": "二期5栋"},
        vary=text("goods"),
        path_params=lambda w: {"code": w.checkpoint_b.code},
    ),
    # Screening
    f"POST {API}/screening/samples": Example(
        SCREENING,
        "worker_b",
        Sample,
        lambda w: {"client_id": "m-new-b", "barcode": "SCR-NEW", "person_id": w.person_b.pk},
        vary=text("client_id"),
    ),
    f"POST {API}/screening/sessions/from-list": Example(
        SCREENING, "worker_b", Session, _session_from_list, vary=text("list_kind")
    ),
    # Teams
    f"POST {API}/teams/plans": Example(
        TEAMS,
        "dispatcher_b",
        Plan,
        lambda w: {"team_id": w.fleet.teams["B"].pk, "day": w.day.isoformat(), "time_limit": 0.2},
        vary=lambda body: {**body, "time_limit": 0.3},
    ),
    f"POST {API}/teams/appointments": Example(
        TEAMS,
        "dispatcher_b",
        Appointment,
        lambda w: {
            "work_order_id": w.order_b.pk,
            "day": w.day.isoformat(),
            "start": "09:00",
            "end": "10:00",
        },
        vary=lambda body: {**body, "start": "09:30"},
    ),
    f"POST {API}/teams/deliveries": Example(
        TEAMS,
        "worker_b",
        Delivery,
        lambda w: {
            "household_id": w.household_b.pk,
            "unit_id": w.fleet.units["B"].pk,
            "day": w.day.isoformat(),
            "what": "物资包",
        },
        vary=text("what"),
    ),
    f"POST {API}/teams": Example(
        TEAMS,
        "dispatcher_b",
        Team,
        lambda w: {"unit_id": w.fleet.units["B"].pk, "name": "新增组", "area_ids": [w.grid_b.pk]},
        vary=text("name"),
    ),
    f"POST {API}/teams/{{team_id}}/vehicles": Example(
        TEAMS,
        "dispatcher_b",
        Vehicle,
        lambda w: {"name": "B-9", "depot_lat": 27.85, "depot_lng": 113.17},
        vary=text("name"),
        path_params=lambda w: {"team_id": w.fleet.teams["B"].pk},
    ),
}

# Supplies keeps its examples beside its code, one module per part.
for _part in (
    supplies_catalogue,
    supplies_stock,
    supplies_donations,
    supplies_needs,
    supplies_shipments,
    supplies_packages,
    volunteers,
    keyusers,
    counselling,
    continuity,
    enterprises,
    command,
    notices,
):
    EXAMPLES.update(_part.EXAMPLES)


def _post(client: Any, url: str, body: dict[str, Any], example: Example, key: str) -> Any:
    headers = {HEADER: key}
    if example.upload:
        name, content = body["file"]
        form = {**body, "file": SimpleUploadedFile(name, content, content_type="text/csv")}
        return client.post(url, form, headers=headers)
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


# The tests -----------------------------------------------------------------------------


def test_creates_are_read_from_the_document() -> None:
    # The rule finds the creates of every app (a rule that matched nothing would pass all).
    for expected in ("/buildings", "/workorders", "/health/transfers", "/passes/applications"):
        assert f"POST {API}{expected}" in CREATES
    assert {c.split("/")[3] for c in CREATES} >= {
        "buildings",
        "workorders",
        "health",
        "passes",
        "screening",
        "teams",
    }


def test_every_create_has_an_example() -> None:
    missing = sorted(set(CREATES) - set(EXAMPLES))
    assert not missing, f"add a valid request for each new create to EXAMPLES: {missing}"
    stale = sorted(set(EXAMPLES) - set(CREATES))
    assert not stale, f"examples for operations that are not creates (any more): {stale}"


@pytest.mark.parametrize("create", CREATES)
def test_every_create_declares_the_idempotency_key(create: str) -> None:
    _method, path = create.split(" ", 1)
    operation = _schema()["paths"][path]["post"]
    (header,) = [p for p in operation.get("parameters", []) if p.get("name") == HEADER]
    assert header["in"] == "header" and not header.get("required", False), header
    assert header["schema"].get("maxLength") == MAX_KEY_LENGTH or any(
        option.get("maxLength") == MAX_KEY_LENGTH for option in header["schema"].get("anyOf", [])
    ), header


@pytest.mark.parametrize("create", CREATES)
def test_a_retried_create_returns_the_first_answer_and_creates_once(
    city: SmallCity, create: str
) -> None:
    example = EXAMPLES.get(create)
    if example is None:
        pytest.fail(f"{create} has no example in EXAMPLES")
    # given the world of the operation's app and a persona who may create there
    w = example.make_world(city)
    client = client_for(w.persona(example.persona))
    url = create.split(" ", 1)[1].format(**example.path_params(w))
    body = example.body(w)
    model = example.created._default_manager
    before = model.count()
    # when the same request is sent twice with one key
    first = _post(client, url, body, example, key="retry-of-one-create")
    created = model.count()
    again = _post(client, url, body, example, key="retry-of-one-create")
    # then the first created one row, and the retry got the same answer and created nothing
    assert first.status_code in (200, 201), (create, first.content[:300])
    assert created == before + 1, create
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert model.count() == created, create
    # and the same key with another request of the caller is refused
    other = _post(client, url, example.vary(body), example, key="retry-of-one-create")
    assert other.status_code == 409, (create, other.content[:300])
    assert other.json()["error"]["code"] == "idempotency_conflict"
    assert model.count() == created, create
