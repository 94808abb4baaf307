"""Pass endpoints through the test URLconf (the passes router under /api/v1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from lifeline.accounts.models import User
from lifeline.core import clock
from lifeline.passes.models import Checkpoint, PassApplication, PassCheck
from lifeline.passes.tests.conftest import at
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.urls("lifeline.passes.tests.urls")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def _truck(city: SmallCity) -> dict[str, Any]:
    return {
        "pass_type": "logistics",
        "applicant_kind": "enterprise",
        "on_behalf_of": "株洲某医疗用品有限公司",
        "area": city.street.pk,
        "holder_label": "湘B12345",
        "route": "园区—湘江一桥—市中心医院",
        "purpose": "运送防护服",
        "valid_from": at(13).isoformat(),
        "valid_until": at(20).isoformat(),
    }


def test_application_with_an_idempotency_key_is_created_once_and_queued_for_approval(
    city: SmallCity, ladder: dict[str, Unit], park_service: User, district_approver: User
) -> None:
    applicant = _client(park_service)
    # given/when: the same application posted twice with one key
    with clock.frozen_at(at(10)):
        first = _post(
            applicant, "/api/v1/passes/applications", _truck(city), **{"Idempotency-Key": "truck-1"}
        )
        again = _post(
            applicant, "/api/v1/passes/applications", _truck(city), **{"Idempotency-Key": "truck-1"}
        )
    # then: one application, due 13:00, in the district queue; approval yields a pass
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert PassApplication.objects.count() == 1
    approver = _client(district_approver)
    queue = approver.get("/api/v1/passes/queue").json()
    assert [row["id"] for row in queue] == [first.json()["id"]]
    with clock.frozen_at(at(11)):
        issued = _post(approver, f"/api/v1/passes/applications/{queue[0]['id']}/approve", {})
    assert issued.status_code == 200 and issued.json()["text"].startswith("LL1:")


def test_outsider_cannot_approve_and_gets_the_error_shape(
    city: SmallCity, ladder: dict[str, Unit], park_service: User, outsider: User
) -> None:
    with clock.frozen_at(at(10)):
        created = _post(_client(park_service), "/api/v1/passes/applications", _truck(city))
    response = _post(
        _client(outsider), f"/api/v1/passes/applications/{created.json()['id']}/approve", {}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_key_list_and_revocations_are_public_and_revocations_come_as_deltas(
    city: SmallCity, ladder: dict[str, Unit], park_service: User, district_approver: User
) -> None:
    with clock.frozen_at(at(10)):
        created = _post(_client(park_service), "/api/v1/passes/applications", _truck(city))
        issued = _post(
            _client(district_approver),
            f"/api/v1/passes/applications/{created.json()['id']}/approve",
            {},
        ).json()
    anonymous = Client()
    keys = anonymous.get("/api/v1/passes/keys").json()
    full = anonymous.get("/api/v1/passes/revocations").json()
    assert [k["unit"] for k in keys["keys"]] == ["U-DIST"]
    assert full["full"] is True and full["added"] == []
    with clock.frozen_at(at(12)):
        _post(
            _client(district_approver),
            f"/api/v1/passes/{issued['pass_id']}/revoke",
            {"reason": "改派"},
        )
    delta = anonymous.get(f"/api/v1/passes/revocations?since={full['sequence'] or 0}").json()
    assert len(delta["added"]) == 1 and delta["sequence"] == full["sequence"] + 1


def test_offline_checks_uploaded_twice_are_stored_once(
    city: SmallCity, checkpoint: Checkpoint, checkpoint_staff: User
) -> None:
    staff = _client(checkpoint_staff)
    batch = {
        "checkpoint": checkpoint.code,
        "checks": [
            {
                "client_id": f"device-1-{i:04d}",
                "pass_id": "ABCDEFGHJKLMNPQR",
                "result": "ok",
                "checked_at": at(9, i).isoformat(),
            }
            for i in range(3)
        ],
    }
    with clock.frozen_at(at(10)):
        first = _post(staff, "/api/v1/passes/checks/upload", batch).json()
        second = _post(staff, "/api/v1/passes/checks/upload", batch).json()
    assert first == {"received": 3, "stored": 3, "duplicates": 0}
    assert second == {"received": 3, "stored": 0, "duplicates": 3}
    assert PassCheck.objects.filter(offline=True).count() == 3
    crossings = staff.get(
        f"/api/v1/passes/checkpoints/{checkpoint.code}/crossings?day=2026-11-05"
    ).json()
    assert [(c["total"], c["ok"]) for c in crossings] == [(3, 3)]


def test_relay_hand_off_runs_its_steps_in_order(
    city: SmallCity, checkpoint: Checkpoint, checkpoint_staff: User
) -> None:
    staff = _client(checkpoint_staff)
    relay = _post(
        staff,
        f"/api/v1/passes/checkpoints/{checkpoint.code}/relays",
        {"goods": "降压药 2 盒", "from_party": "河西药房", "to_party": "泰山路社区 王*"},
    )
    assert relay.status_code == 201
    rid = relay.json()["id"]
    skipped = _post(staff, f"/api/v1/passes/relays/{rid}/advance", {"status": "signed"})
    assert skipped.status_code == 409
    for step, extra in (("disinfected", {}), ("signed", {"signed_by_name": "王*"}), ("closed", {})):
        done = _post(staff, f"/api/v1/passes/relays/{rid}/advance", {"status": step, **extra})
        assert done.status_code == 200, done.content
    assert done.json()["logbook_returned_at"] is not None


def test_online_check_logs_the_scan_and_reports_a_revoked_pass_as_revoked(
    city: SmallCity,
    ladder: dict[str, Unit],
    park_service: User,
    district_approver: User,
    checkpoint: Checkpoint,
    checkpoint_staff: User,
) -> None:
    # given: an issued pass, revoked after issue
    with clock.frozen_at(at(10)):
        created = _post(_client(park_service), "/api/v1/passes/applications", _truck(city))
        issued = _post(
            _client(district_approver),
            f"/api/v1/passes/applications/{created.json()['id']}/approve",
            {},
        ).json()
    staff = _client(checkpoint_staff)
    body = {"checkpoint": checkpoint.code, "text": issued["text"], "client_id": "scan-0001"}
    with clock.frozen_at(at(14)):
        before = _post(staff, "/api/v1/passes/checks/verify", body).json()
        _post(
            _client(district_approver),
            f"/api/v1/passes/{issued['pass_id']}/revoke",
            {"reason": "改派"},
        )
        after = _post(staff, "/api/v1/passes/checks/verify", {**body, "client_id": "scan-0002"})
    # then: ok, then revoked; both checks logged against the pass and the checkpoint
    assert before["status"] == "ok" and before["holder"] == "湘B12345"
    assert after.json()["status"] == "revoked"
    logged = PassCheck.objects.filter(
        checkpoint=checkpoint, movement_pass__pass_id=issued["pass_id"]
    )
    assert sorted(logged.values_list("result", flat=True)) == ["ok", "revoked"]


def test_garbage_pass_text_is_a_logged_refusal_not_an_error(
    city: SmallCity, checkpoint: Checkpoint, checkpoint_staff: User
) -> None:
    response = _post(
        _client(checkpoint_staff),
        "/api/v1/passes/checks/verify",
        {"checkpoint": checkpoint.code, "text": "LL1:not a pass", "client_id": "scan-0003"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "invalid_format"


def test_only_the_units_own_staff_rotate_its_key_and_the_list_keeps_the_old_one(
    city: SmallCity, ladder: dict[str, Unit], district_approver: User, park_service: User
) -> None:
    with clock.frozen_at(at(10)):
        refused = _post(_client(park_service), "/api/v1/passes/keys/rotate", {"unit": "U-DIST"})
        first = _post(_client(district_approver), "/api/v1/passes/keys/rotate", {"unit": "U-DIST"})
    with clock.frozen_at(at(11)):
        second = _post(_client(district_approver), "/api/v1/passes/keys/rotate", {"unit": "U-DIST"})
    assert refused.status_code == 403
    assert first.status_code == 201 and second.status_code == 201
    listed = {k["kid"]: k for k in Client().get("/api/v1/passes/keys").json()["keys"]}
    assert len(listed) == 2
    assert sorted(k["not_after"] is None for k in listed.values()) == [False, True]


def test_offline_check_dated_ahead_of_the_server_is_kept_at_the_upload_time(
    city: SmallCity, checkpoint: Checkpoint, checkpoint_staff: User
) -> None:
    # given: a device whose clock runs an hour fast
    batch = {
        "checkpoint": checkpoint.code,
        "checks": [{"client_id": "fast-clock-1", "result": "ok", "checked_at": at(11).isoformat()}],
    }
    # when: it uploads at 10:00
    with clock.frozen_at(at(10)):
        response = _post(_client(checkpoint_staff), "/api/v1/passes/checks/upload", batch)
    # then: the check is stored (the queue is not blocked), dated at the upload
    assert response.json()["stored"] == 1
    assert PassCheck.objects.get().checked_at == at(10)


def test_openapi_schema_lists_every_pass_operation(db: None) -> None:
    from lifeline.passes.tests.urls import api

    paths = [p for p in api.get_openapi_schema()["paths"] if p.startswith("/api/v1/passes/")]
    assert "/api/v1/passes/revocations" in paths and "/api/v1/passes/checks/upload" in paths
    assert len(paths) == 15
