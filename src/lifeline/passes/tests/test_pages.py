"""Pass pages: the holder's pass with its QR, the approval queue, the verifier shell."""

from __future__ import annotations

import pytest
from django.test import Client

from lifeline.accounts.models import User
from lifeline.core import clock
from lifeline.passes import checkpoints, services
from lifeline.passes.models import ApplicationStatus, Checkpoint, PassApplication, RelayHandoff
from lifeline.passes.tests.conftest import at
from lifeline.passes.tests.test_scenarios import _truck
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity


def test_holder_page_shows_the_qr_as_svg_and_the_masked_holder(
    city: SmallCity, ladder: dict[str, Unit], park_service: User, district_approver: User
) -> None:
    # given: an issued pass
    with clock.frozen_at(at(10)):
        issued = services.pass_application_approve(
            actor=district_approver, application_id=_truck(park_service, city)
        )
    # when: the holder opens the pass link (no login)
    response = Client().get(f"/passes/p/{issued.pass_id}/")
    # then: the QR is inline SVG, the plate and validity are shown, printable
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and "湘B12345" in body and "passes/passes.css" in body
    assert issued.text in body


def test_unknown_pass_link_is_a_404(db: None) -> None:
    assert Client().get("/passes/p/NOPE/").status_code == 404


def test_approver_refuses_from_the_queue_page_and_the_reason_is_kept(
    city: SmallCity, ladder: dict[str, Unit], park_service: User, district_approver: User
) -> None:
    with clock.frozen_at(at(10)):
        pk = _truck(park_service, city)
    client = Client()
    client.force_login(district_approver)
    page = client.get("/passes/queue/")
    assert page.status_code == 200 and "湘B12345" in page.content.decode()
    with clock.frozen_at(at(11)):
        client.post(
            f"/passes/applications/{pk}/decide/", {"decision": "refuse", "reason": "材料不全"}
        )
    refused = PassApplication.objects.get(pk=pk)
    assert refused.status == ApplicationStatus.REFUSED and refused.refusal_reason == "材料不全"


def test_refusing_without_a_reason_shows_an_error_and_changes_nothing(
    city: SmallCity, ladder: dict[str, Unit], park_service: User, district_approver: User
) -> None:
    with clock.frozen_at(at(10)):
        pk = _truck(park_service, city)
    client = Client()
    client.force_login(district_approver)
    response = client.post(f"/passes/applications/{pk}/decide/", {"decision": "refuse"})
    assert response.status_code == 400
    assert PassApplication.objects.get(pk=pk).status == ApplicationStatus.PENDING


@pytest.mark.parametrize("path", ["/passes/checkpoint/sw.js", "/passes/checkpoint/verifier.js"])
def test_verifier_scripts_are_served_as_javascript_within_the_worker_scope(
    db: None, path: str
) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")


def test_verifier_page_needs_a_login(db: None) -> None:
    assert Client().get("/passes/checkpoint/").status_code == 302


def test_checkpoint_page_shows_crossings_per_hour_and_walks_a_relay_through_its_steps(
    city: SmallCity, checkpoint: Checkpoint, checkpoint_staff: User
) -> None:
    # given: three checks logged at the bridge between 09:00 and 10:00
    with clock.frozen_at(at(10)):
        checkpoints.pass_checks_upload(
            actor=checkpoint_staff,
            checkpoint_code=checkpoint.code,
            checks=[
                {"client_id": f"dev-{i:04d}", "pass_id": "", "result": r, "checked_at": at(9, i)}
                for i, r in enumerate(["ok", "ok", "revoked"])
            ],
        )
    client = Client()
    client.force_login(checkpoint_staff)
    url = f"/passes/checkpoints/{checkpoint.code}/"

    # when: staff open the page, register medicine for across the bridge and walk it through
    with clock.frozen_at(at(11)):
        page = client.get(url).content.decode()
        client.post(f"{url}relays/", {"goods": "胰岛素 1 盒", "to_party": "泰山路社区 李*"})
        relay = RelayHandoff.objects.get()
        for step in ("disinfected", "signed", "closed"):
            client.post(
                f"/passes/relays/{relay.pk}/advance/", {"status": step, "signed_by_name": "李*"}
            )

    # then: the 09:00 row counts 3 checks, 2 let through, 1 refused; the logbook is back
    assert "<td>09:00</td><td>3</td><td>2</td><td>1</td>" in page.replace("\n", "")
    relay.refresh_from_db()
    assert relay.status == "closed" and relay.logbook_returned_at is not None
    assert relay.signed_by_name == "李*"


def test_other_units_staff_cannot_open_the_checkpoint_page(
    city: SmallCity, checkpoint: Checkpoint, grid_worker_b: User
) -> None:
    client = Client()
    client.force_login(grid_worker_b)
    assert client.get(f"/passes/checkpoints/{checkpoint.code}/").status_code == 404
