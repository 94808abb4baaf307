"""Applying on the page (for oneself, for a unit's vehicle), deciding with a confirmation and
an SMS to the holder, looking a pass up by its number, setting up checkpoints."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.passes import checkpoints, services
from lifeline.passes.models import (
    ApplicationStatus,
    Checkpoint,
    MovementPass,
    PassApplication,
    PassCheck,
)
from lifeline.passes.tests.conftest import at
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity, make_user


@pytest.fixture
def volunteer(city: SmallCity) -> User:
    user = make_user("grid_a_worker", role=Role.GRID_WORKER, area=city.grid_a)
    user.display_name, user.phone = "李晓明", "13812341234"
    user.save()
    return user


@pytest.fixture
def gas(city: SmallCity) -> Unit:
    company = Unit.objects.create(code="GAS", name="株洲新奥燃气", kind=Unit.Kind.UTILITY)
    company.areas.set([city.city])
    return company


@pytest.fixture
def gas_staff(gas: Unit) -> User:
    user = make_user("gas_dispatch", role=Role.UNIT_STAFF, unit=gas)
    user.display_name = "王调度"
    user.save()
    return user


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**values: Any) -> dict[str, Any]:
    base = {
        "valid_from": "2026-11-05T13:00",
        "valid_until": "2026-11-05T20:00",
        "purpose": "送液化气",
        "route": "",
        "holder_phone": "",
        "holder_label": "",
        "driver_name": "",
        "unit": "",
    }
    return {**base, **values}


def test_a_volunteer_applies_for_themselves_and_is_told_where_it_went(
    city: SmallCity, ladder: dict[str, Unit], volunteer: User
) -> None:
    # given: a grid worker on the apply page
    client = _logged_in(volunteer)
    assert "李晓明" not in client.get("/passes/apply/").content.decode().split("<main>")[1]
    # when: they apply for a duty pass for themselves in their grid
    with clock.frozen_at(at(10)):
        response = client.post(
            "/passes/apply/",
            _form(applicant_kind="self", pass_type="duty", area=city.grid_a.pk, purpose="入户排查"),
            follow=True,
        )
    # then: the application waits in the street office's queue, held under the masked
    # name, and they will be told on their own phone
    application = PassApplication.objects.get()
    assert application.status == ApplicationStatus.PENDING
    assert application.approver_unit == ladder["street"]
    assert (application.holder_label, application.holder_phone) == ("李*明", "13812341234")
    assert "嵩山路街道办" in response.content.decode()


def test_gas_company_staff_apply_for_a_vehicle_with_its_driver(
    city: SmallCity, ladder: dict[str, Unit], gas: Unit, gas_staff: User
) -> None:
    client = _logged_in(gas_staff)
    with clock.frozen_at(at(10)):
        response = client.post(
            "/passes/apply/",
            _form(
                applicant_kind="unit",
                pass_type="logistics",
                unit=gas.pk,
                area=city.district.pk,
                holder_label="湘b 5a123".replace(" ", ""),
                driver_name="赵师傅",
                holder_phone="13912345678",
                route="新奥储配站—湘江大桥—天元区",
            ),
        )
    assert response.status_code == 302
    application = PassApplication.objects.get()
    assert application.applicant_unit == gas and application.holder_label == "湘B5A123"
    assert application.approver_unit == ladder["district"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"holder_label": ""}, "holder_label", "Give the vehicle&#x27;s plate."),
        ({"route": ""}, "route", "Describe the route"),
        ({"holder_phone": "12345"}, "holder_phone", "Enter a valid mobile number"),
        ({"valid_until": "2026-11-05T12:00"}, "valid_until", "The pass must end after it starts."),
        ({"area": "city"}, "area", "No unit approves this pass type for this area."),
    ],
)
def test_bad_applications_say_what_is_wrong_and_write_nothing(
    city: SmallCity,
    ladder: dict[str, Unit],
    gas: Unit,
    gas_staff: User,
    values: dict[str, Any],
    field: str,
    message: str,
) -> None:
    good = _form(
        applicant_kind="unit",
        pass_type="logistics",
        unit=gas.pk,
        area=city.district.pk,
        holder_label="湘B5A123",
        route="新奥储配站—湘江大桥",
    )
    if values.get("area") == "city":
        values = {"area": city.city.pk}
    with clock.frozen_at(at(10)):
        response = _logged_in(gas_staff).post(
            "/passes/apply/", {**good, **values}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code in (400, 422)
    assert message in response.content.decode()
    assert not PassApplication.objects.exists()


def test_someone_who_may_not_apply_gets_no_form(city: SmallCity, ladder: dict[str, Unit]) -> None:
    staff = make_user("bridge", role=Role.CHECKPOINT_STAFF, unit=ladder["district"])
    assert _logged_in(staff).get("/passes/apply/").status_code == 403


def test_queue_shows_applicant_unit_purpose_and_approving_confirms_and_texts_the_holder(
    city: SmallCity, ladder: dict[str, Unit], gas: Unit, gas_staff: User, district_approver: User
) -> None:
    # given: the gas company's application for a vehicle
    with clock.frozen_at(at(10)):
        application = services.pass_application_submit(
            actor=gas_staff,
            pass_type_code="logistics",
            applicant_kind="unit",
            applicant_unit=gas,
            area=city.district,
            holder_label="湘B5A123",
            driver_name="赵师傅",
            holder_phone="13912345678",
            route="新奥储配站—湘江大桥",
            purpose="送液化气",
            valid_from=at(13),
            valid_until=at(20),
        )
    client = _logged_in(district_approver)
    # when: the district approver opens the queue
    page = client.get("/passes/queue/").content.decode()
    # then: the applicant by name (not login), the unit, the purpose and the route
    main = page.split("<main>")[1]
    for shown in ("王调度", "株洲新奥燃气", "送液化气", "新奥储配站—湘江大桥", "赵*傅"):
        assert shown in main
    assert "gas_dispatch" not in main and "赵师傅" not in main
    # when: they approve
    with clock.frozen_at(at(11)):
        response = client.post(
            f"/passes/applications/{application.pk}/decide/", {"decision": "approve"}, follow=True
        )
    # then: the page confirms with the masked phone, and an SMS with the pass link waits
    issued = MovementPass.objects.get()
    body = response.content.decode()
    assert "139****5678" in body and issued.pass_id in body and "13912345678" not in body
    sms = OutboxMessage.objects.get(object_type="passes.movementpass")
    assert sms.recipient == "13912345678" and f"/passes/p/{issued.pass_id}/" in sms.body


def test_refusing_texts_the_reason(
    city: SmallCity, ladder: dict[str, Unit], volunteer: User, committee_approver: User
) -> None:
    street_approver = make_user("street_approver", role=Role.UNIT_STAFF, unit=ladder["street"])
    with clock.frozen_at(at(10)):
        application = services.pass_application_submit(
            actor=volunteer,
            pass_type_code="duty",
            applicant_kind="self",
            area=city.grid_a,
            purpose="入户排查",
            valid_from=at(13),
            valid_until=at(20),
        )
        response = _logged_in(street_approver).post(
            f"/passes/applications/{application.pk}/decide/",
            {"decision": "refuse", "reason": "今日已有执勤证"},
            follow=True,
        )
    assert "138****1234" in response.content.decode()
    sms = OutboxMessage.objects.get(object_type="passes.passapplication")
    assert sms.recipient == "13812341234" and "今日已有执勤证" in sms.body


def test_checkpoint_staff_look_a_pass_up_by_its_number_and_the_lookup_is_audited(
    city: SmallCity,
    ladder: dict[str, Unit],
    park_service: User,
    district_approver: User,
    checkpoint: Checkpoint,
    checkpoint_staff: User,
) -> None:
    from lifeline.passes.tests.test_scenarios import _truck

    with clock.frozen_at(at(10)):
        issued = services.pass_application_approve(
            actor=district_approver, application_id=_truck(park_service, city)
        )
    with clock.frozen_at(at(14)):
        response = _logged_in(checkpoint_staff).post(
            "/api/v1/passes/checks/lookup",
            {
                "checkpoint": checkpoint.code,
                "pass_id": issued.pass_id.lower(),
                "client_id": "lookup-0001",
            },
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["status"], answer["reason"], answer["holder"]) == (
        "ok",
        "Valid pass",
        "湘B12345",
    )
    check = PassCheck.objects.get()
    assert check.movement_pass == issued and not check.offline
    assert AuditRecord.objects.filter(action="passes.check_by_number").count() == 1
    unknown = _logged_in(checkpoint_staff).post(
        "/api/v1/passes/checks/lookup",
        {"checkpoint": checkpoint.code, "pass_id": "NOPE", "client_id": "lookup-0002"},
        content_type="application/json",
    )
    assert unknown.status_code == 404


def test_district_staff_set_up_a_checkpoint_and_checkpoint_staff_cannot(
    city: SmallCity, ladder: dict[str, Unit]
) -> None:
    district_staff = make_user("district_staff", role=Role.DISTRICT_STAFF, area=city.district)
    client = _logged_in(district_staff)
    assert client.get("/passes/checkpoints/new/").status_code == 200
    response = client.post(
        "/passes/checkpoints/new/",
        {"code": "cp-bridge-2", "name": "建宁大桥西岸卡口", "area": city.district.pk, "unit": ""},
    )
    assert response.status_code == 302
    created = Checkpoint.objects.get()
    assert (created.code, created.area_path) == ("CP-BRIDGE-2", city.district.path)
    staff = make_user("bridge", role=Role.CHECKPOINT_STAFF, unit=ladder["district"])
    assert _logged_in(staff).get("/passes/checkpoints/new/").status_code == 403
    with pytest.raises(Exception):
        checkpoints.checkpoint_create(
            actor=AnonymousUser(), code="X", name="X", area=city.district, unit=None
        )


def test_checkpoints_are_in_the_admin(city: SmallCity, ladder: dict[str, Unit]) -> None:
    admin = User.objects.create_superuser("root", password="pass-word-123")
    client = _logged_in(admin)
    assert client.get("/admin/passes/checkpoint/add/").status_code == 200


def test_the_gas_company_applies_for_a_vehicle_through_the_api_too(
    city: SmallCity, ladder: dict[str, Unit], gas: Unit, gas_staff: User
) -> None:
    from lifeline.accounts.services import token_create

    key = token_create(actor=None, user=gas_staff, name="fleet system")[1]
    body = {
        "pass_type": "logistics",
        "applicant_kind": "unit",
        "applicant_unit": gas.pk,
        "area": city.district.pk,
        "holder_label": "湘B5A123",
        "driver_name": "赵师傅",
        "holder_phone": "13912345678",
        "route": "新奥储配站—湘江大桥",
        "purpose": "送液化气",
        "valid_from": at(13).isoformat(),
        "valid_until": at(20).isoformat(),
    }
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    with clock.frozen_at(at(10)):
        created = client.post("/api/v1/passes/applications", body, content_type="application/json")
        # a unit the key's user is not a member of is refused, and nothing is written
        other = Unit.objects.create(code="WATER", name="株洲自来水", kind=Unit.Kind.UTILITY)
        refused = client.post(
            "/api/v1/passes/applications",
            {**body, "applicant_unit": other.pk},
            content_type="application/json",
        )
    assert created.status_code == 201, created.content
    application = PassApplication.objects.get()
    assert application.applicant_unit == gas and application.driver_name == "赵师傅"
    assert application.holder_phone == "13912345678"
    assert refused.status_code in (400, 422) and PassApplication.objects.count() == 1
