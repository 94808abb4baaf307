"""Health's rows of the scope matrix (run by ``tests/test_scope_matrix.py``).

Reading a status or a decision needs the person's place in scope; writing a status also
needs an editing role (community staff and above), so the world has community staff of
each grid beside the grid workers. Grid B's resident ``person_b`` and a decision about
them are the foreign objects; the bulk feed and the file import name grid B's resident and
must be answered exactly as for someone who does not exist.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.files.uploadedfile import SimpleUploadedFile

from lifeline.accounts.models import Role, User
from lifeline.api.tests.helpers import client_for
from lifeline.core.personal import decrypt_value
from lifeline.health.models import Decision, HealthStatus, MedicalTransfer, StandingNeed
from lifeline.health.services import access_decide, medical_transfer_request, standing_need_create
from lifeline.registry.models import Person
from lifeline.testing.factories import SmallCity, make_id_number, make_user
from lifeline.testing.scope_matrix import Case, World, base_personas

BULK = "/api/v1/health/status/bulk"
IMPORT = "/api/v1/health/status/import"


@dataclass
class HealthWorld(World):
    editor_a: User  # community staff of grid A: may edit statuses in grid A only
    editor_b: User
    person_b: Person
    decision_b: Decision
    transfer_b: MedicalTransfer
    need_b: StandingNeed

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "editor_a", "outsider")
    controls: ClassVar[tuple[str, ...]] = ("worker_b",)
    viewers: ClassVar[tuple[str, ...]] = ("worker_a", "editor_a")

    def snapshot(self) -> Any:
        statuses = HealthStatus.objects.order_by("pk").values_list(
            "pk", "person_id", "colour", "current"
        )
        transfers = MedicalTransfer.objects.order_by("pk").values_list(
            "pk", "call_at", "dispatched_at", "arrived_at", "handed_over_at"
        )
        needs = StandingNeed.objects.order_by("pk").values_list("pk", "active", "active_to")
        return list(statuses), Decision.objects.count(), list(transfers), list(needs)

    def id_number_b(self) -> str:
        return str(decrypt_value(bytes(self.person_b.id_number_enc or b"")))


def make_health_world(city: SmallCity) -> HealthWorld:
    person_b = city.people_b[1]
    editor_b = make_user("matrix_health_b", role=Role.COMMUNITY_STAFF, area=city.grid_b)
    decision_b = access_decide(actor=editor_b, person=person_b, urgency="routine")
    transfer_b = medical_transfer_request(actor=editor_b, person=person_b)
    need_b = standing_need_create(
        actor=editor_b, person=person_b, kind="dialysis", weekdays=[1, 4], time=dt.time(8)
    )
    return HealthWorld(
        **base_personas(city),
        editor_a=make_user("matrix_health_a", role=Role.COMMUNITY_STAFF, area=city.grid_a),
        editor_b=editor_b,
        person_b=person_b,
        decision_b=decision_b,
        transfer_b=transfer_b,
        need_b=need_b,
    )


def _person_b(w: HealthWorld) -> dict[str, Any]:
    return {"person_id": w.person_b.pk}


# The feeds: a row naming grid B's resident is refused like a row naming nobody ------------


def _bulk(user: User | None, item: dict[str, Any]) -> Any:
    body = json.dumps({"items": [{"colour": "red", **item}]})
    return client_for(user).post(BULK, data=body, content_type="application/json")


def _upload(user: User | None, column: str, value: str) -> Any:
    content = f"{column},colour\n{value},red\n".encode()
    file = SimpleUploadedFile("status.csv", content, content_type="text/csv")
    return client_for(user).post(IMPORT, {"file": file})


def _same_as_unknown(w: HealthWorld, send: Any, unknown: Any, probes: list[Any]) -> None:
    before = w.snapshot()
    baseline = send(w.editor_a, unknown)
    assert baseline.status_code == 422, baseline.content[:300]
    for probe in probes:
        refused = send(w.editor_a, probe)
        assert (refused.status_code, refused.json()) == (baseline.status_code, baseline.json())
        # Roles that may not edit, and a user with no membership, are refused outright.
        for user in (w.worker_a, w.worker_b, w.outsider):
            answer = send(user, probe)
            assert 400 <= answer.status_code < 500 and set(answer.json()) == {"error"}
    assert w.snapshot() == before, "a refused feed wrote something"
    for probe in probes:
        control = send(w.editor_b, probe)
        assert control.status_code == 200 and control.json()["created"] == 1, control.content
        HealthStatus.objects.filter(person=w.person_b).delete()


def _check_bulk(w: HealthWorld) -> None:
    _same_as_unknown(
        w,
        _bulk,
        {"id_number": make_id_number(serial=987)},
        [{"id_number": w.id_number_b()}, {"person_id": w.person_b.pk}],
    )


def _check_import(w: HealthWorld) -> None:
    def send(user: User | None, row: tuple[str, str]) -> Any:
        return _upload(user, *row)

    _same_as_unknown(
        w,
        send,
        ("id_number", make_id_number(serial=987)),
        [("id_number", w.id_number_b()), ("person_id", str(w.person_b.pk))],
    )


HEALTH_CASES = [
    Case("get", "/api/v1/health/people/{person_id}/status", "object", _person_b),
    Case(
        "post",
        "/api/v1/health/people/{person_id}/status",
        "object",
        _person_b,
        body=lambda w: {"colour": "red", "reason": "复核阳性"},
        controls=("editor_b",),
    ),
    Case("post", BULK, "custom", check=_check_bulk),
    Case("post", IMPORT, "custom", check=_check_import),
    Case(
        "post",
        "/api/v1/health/access/decide",
        "object",
        label="for grid B's resident",
        body=lambda w: {"urgency": "routine", "person_id": w.person_b.pk},
    ),
    Case(
        "post",
        "/api/v1/health/access/decide",
        "object",
        label="placed in grid B",
        body=lambda w: {"urgency": "routine", "area_id": w.grid_b.pk, "colour": "yellow"},
    ),
    Case(
        "get",
        "/api/v1/health/access/decisions/{decision_id}",
        "object",
        lambda w: {"decision_id": w.decision_b.pk},
    ),
    # Transfers: grid B's resident (another than transfer_b's, who has one open already).
    Case(
        "post",
        "/api/v1/health/transfers",
        "create",
        body=lambda w: {"person_id": w.city.people_b[2].pk, "urgency": "necessary"},
        created=MedicalTransfer,
    ),
    Case(
        "get",
        "/api/v1/health/transfers/{transfer_id}",
        "object",
        lambda w: {"transfer_id": w.transfer_b.pk},
    ),
    Case(
        "post",
        "/api/v1/health/transfers/{transfer_id}/times",
        "object",
        lambda w: {"transfer_id": w.transfer_b.pk},
        body=lambda w: {"step": "call"},
    ),
    Case(
        "post",
        "/api/v1/health/standing-needs",
        "create",
        body=lambda w: {
            "person_id": w.person_b.pk,
            "kind": "chemo",
            "dates": ["2030-01-02"],
            "time": "14:30",
        },
        created=StandingNeed,
    ),
    Case(
        "get",
        "/api/v1/health/standing-needs/{need_id}",
        "object",
        lambda w: {"need_id": w.need_b.pk},
    ),
    Case(
        "post",
        "/api/v1/health/standing-needs/{need_id}/end",
        "object",
        lambda w: {"need_id": w.need_b.pk},
        body=lambda w: {"reason": "转院治疗"},
    ),
]
