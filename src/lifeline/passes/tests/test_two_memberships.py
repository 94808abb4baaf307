"""A permission holds only inside the membership granting it.

Personas with two memberships: a grid worker of grid A who is also unit staff of the street
office (applies in grid A, approves and rotates keys for the street office only); checkpoint
staff of the district who are also unit staff of another district's bureau (check at the
district's checkpoints only); and, as the demo has them, district staff holding the district
and its bureau in one membership (approve the bureau's passes, set up checkpoints in the
district only).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from lifeline.accounts.models import Membership, Role, User
from lifeline.core import clock
from lifeline.core.errors import NotFound, PermissionDenied
from lifeline.passes import checkpoints, key_store, selectors, services
from lifeline.passes.eligibility import Providers
from lifeline.passes.models import (
    ApplicationStatus,
    Checkpoint,
    MovementPass,
    PassApplication,
    PassCheck,
    RelayHandoff,
)
from lifeline.passes.tests.conftest import at
from lifeline.registry.models import Area, AreaLevel, Unit
from lifeline.testing.factories import SmallCity, make_area, make_user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def worker_and_office(city: SmallCity, ladder: dict[str, Unit]) -> User:
    """Grid worker of grid A, and unit staff of the street office."""
    user = make_user("worker_office", role=Role.GRID_WORKER, area=city.grid_a)
    Membership.objects.create(user=user, role=Role.UNIT_STAFF, unit=ladder["street"])
    return user


def _supply_run(actor: User, person, providers: Providers) -> PassApplication:
    return services.pass_application_submit(
        actor=actor,
        pass_type_code="supply-run",
        applicant_kind="grid_worker",
        person=person,
        area=person.grid,
        valid_from=at(9, day=6),
        valid_until=at(12, day=6),
        purpose="采购生活物资",
        providers=providers,
    )


def _duty(actor: User, area: Area) -> PassApplication:
    return services.pass_application_submit(
        actor=actor,
        pass_type_code="duty",
        applicant_kind="unit",
        area=area,
        holder_label="李*",
        valid_from=at(13),
        valid_until=at(20),
        purpose="执勤",
    )


def test_residents_passes_are_applied_for_only_in_the_grid_workers_grid(
    city, worker_and_office, providers
):
    with clock.frozen_at(at(10)):
        mine = _supply_run(worker_and_office, city.people_a[0], providers)
        # grid B is no place of theirs: the unit membership places no resident
        with pytest.raises(NotFound):
            _supply_run(worker_and_office, city.people_b[0], providers)
    assert list(PassApplication.objects.all()) == [mine]


def test_unit_passes_are_placed_only_where_a_pass_membership_holds(city, worker_and_office):
    with clock.frozen_at(at(10)):
        duty = _duty(worker_and_office, city.grid_a)
        with pytest.raises(NotFound):
            _duty(worker_and_office, city.grid_b)
    assert duty.approver_unit.code == "U-STREET"
    # a grid worker without a unit may not apply for a unit at all
    with clock.frozen_at(at(10)), pytest.raises(PermissionDenied):
        _duty(make_user("worker_only", role=Role.GRID_WORKER, area=city.grid_a), city.grid_a)


def test_decisions_and_keys_only_for_the_unit_of_the_unit_membership(
    city, ladder, worker_and_office, grid_worker_a, committee_approver, providers
):
    # given: a duty pass in the street office's queue and a supply run in the committee's
    with clock.frozen_at(at(10)):
        duty = _duty(worker_and_office, city.grid_a)
        supply = _supply_run(grid_worker_a, city.people_a[1], providers)
    # then: the queue is the street office's only
    assert list(selectors.application_queue(actor=worker_and_office)) == [duty]
    with clock.frozen_at(at(11)):
        # the committee's application is not theirs to decide, either way
        with pytest.raises(NotFound):
            services.pass_application_approve(actor=worker_and_office, application_id=supply.pk)
        with pytest.raises(NotFound):
            services.pass_application_refuse(
                actor=worker_and_office, application_id=supply.pk, reason="不符"
            )
        issued = services.pass_application_approve(actor=worker_and_office, application_id=duty.pk)
        theirs = services.pass_application_approve(
            actor=committee_approver, application_id=supply.pk, providers=providers
        )
        # revoking: their unit's pass only
        with pytest.raises(NotFound):
            services.pass_revoke(actor=worker_and_office, pass_id=theirs.pass_id, reason="改派")
        services.pass_revoke(actor=worker_and_office, pass_id=issued.pass_id, reason="改派")
        # keys: their unit's only (units are public, so forbidden rather than not found)
        key_store.signing_key_rotate(actor=worker_and_office, unit=ladder["street"])
        with pytest.raises(PermissionDenied):
            key_store.signing_key_rotate(actor=worker_and_office, unit=ladder["committee"])
    theirs.refresh_from_db()
    assert theirs.status == "active"
    assert MovementPass.objects.get(pk=issued.pk).status == "revoked"


def test_the_queue_page_decides_only_the_units_applications(
    city, worker_and_office, grid_worker_a, providers
):
    with clock.frozen_at(at(10)):
        duty = _duty(worker_and_office, city.grid_a)
        supply = _supply_run(grid_worker_a, city.people_a[1], providers)
    client = _client(worker_and_office)
    page = client.get(reverse("passes:queue")).content.decode()
    assert duty.holder_label in page and supply.holder_label not in page
    with clock.frozen_at(at(11)):
        refused = client.post(reverse("passes:decide", args=[supply.pk]), {"decision": "approve"})
        done = client.post(reverse("passes:decide", args=[duty.pk]), {"decision": "approve"})
    assert refused.status_code == 404 and done.status_code == 302
    supply.refresh_from_db()
    assert supply.status == ApplicationStatus.PENDING


@pytest.fixture
def other_checkpoint(city: SmallCity) -> Checkpoint:
    """A checkpoint of another district, run by that district's bureau."""
    other = make_area(parent=city.city, level=AreaLevel.DISTRICT, code="430203", name="芦淞区")
    bureau = Unit.objects.create(
        code="U-LUSONG", name="芦淞区交通局", kind=Unit.Kind.DISTRICT_BUREAU
    )
    bureau.areas.set([other])
    return Checkpoint.objects.create(
        code="CP-LUSONG", name="芦淞卡口", area=other, area_path=other.path, unit=bureau
    )


@pytest.fixture
def checker(city: SmallCity, other_checkpoint: Checkpoint) -> User:
    """Checkpoint staff of 天元区 (by area, as the demo has them), and unit staff of the
    other district's bureau."""
    user = make_user("checker", role=Role.CHECKPOINT_STAFF, area=city.district)
    Membership.objects.create(user=user, role=Role.UNIT_STAFF, unit=other_checkpoint.unit)
    return user


def _upload(actor: User, checkpoint: Checkpoint, client_id: str) -> dict[str, int]:
    check = {"client_id": client_id, "pass_id": "", "result": "ok", "checked_at": at(9)}
    return checkpoints.pass_checks_upload(
        actor=actor, checkpoint_code=checkpoint.code, checks=[check]
    )


def test_checks_and_relays_only_at_the_checkpoint_staff_memberships_checkpoints(
    city, checkpoint, other_checkpoint, checker
):
    with clock.frozen_at(at(10)):
        assert _upload(checker, checkpoint, "dev-home-0001")["stored"] == 1
        checkpoints.pass_check_online(
            actor=checker, checkpoint_code=checkpoint.code, text="garbage", client_id="live-0001"
        )
        relay = checkpoints.relay_register(
            actor=checker,
            checkpoint_code=checkpoint.code,
            goods="药",
            from_party="",
            to_party="对岸",
        )
        checkpoints.relay_advance(actor=checker, relay_id=relay.pk, to_status="disinfected")
        # the other district's checkpoint is seen through the bureau, but not checked at
        with pytest.raises(PermissionDenied):
            _upload(checker, other_checkpoint, "dev-other-0001")
        with pytest.raises(PermissionDenied):
            checkpoints.pass_check_online(
                actor=checker,
                checkpoint_code=other_checkpoint.code,
                text="garbage",
                client_id="live-other-1",
            )
        with pytest.raises(PermissionDenied):
            checkpoints.relay_register(
                actor=checker,
                checkpoint_code=other_checkpoint.code,
                goods="药",
                from_party="",
                to_party="对岸",
            )
        foreign = RelayHandoff.objects.create(
            checkpoint=other_checkpoint,
            area_path=other_checkpoint.area_path,
            goods="药",
            to_party="对岸",
            registered_at=clock.now(),
            registered_by=checker,
        )
        with pytest.raises(PermissionDenied):
            checkpoints.relay_advance(actor=checker, relay_id=foreign.pk, to_status="disinfected")
    assert not PassCheck.objects.filter(checkpoint=other_checkpoint).exists()
    foreign.refresh_from_db()
    assert foreign.status == "registered"
    # the verifier offers the checkpoints where they check
    page = _client(checker).get(reverse("passes:checkpoint")).content.decode()
    assert checkpoint.code in page and other_checkpoint.code not in page
    refused = _client(checker).post(
        reverse("passes:relay_register", args=[other_checkpoint.code]),
        {"goods": "药", "to_party": "对岸"},
    )
    assert refused.status_code == 403


@pytest.fixture
def district_staff(city: SmallCity, ladder: dict[str, Unit]) -> User:
    """As in the demo: one membership holding the district and its bureau."""
    user = make_user("district_staff", role=Role.DISTRICT_STAFF, area=city.district)
    Membership.objects.filter(user=user).update(unit=ladder["district"])
    return user


def test_district_staff_approve_their_bureaus_passes(city, ladder, park_service, district_staff):
    from lifeline.passes.tests.test_scenarios import _truck

    with clock.frozen_at(at(10)):
        pk = _truck(park_service, city)
    assert [a.pk for a in selectors.application_queue(actor=district_staff)] == [pk]
    with clock.frozen_at(at(11)):
        issued = services.pass_application_approve(actor=district_staff, application_id=pk)
        services.pass_revoke(actor=district_staff, pass_id=issued.pass_id, reason="改派")
    # keys stay with the bureau's own unit staff
    with pytest.raises(PermissionDenied):
        key_store.signing_key_rotate(actor=district_staff, unit=ladder["district"])


def test_checkpoints_are_set_up_only_in_the_district_membership(
    city, ladder, district_staff, other_checkpoint
):
    # given district staff of 天元区 who are also grid workers of the other district
    other = other_checkpoint.area
    grid = make_area(parent=other, level=AreaLevel.GRID, code="430203A", name="网格")
    Membership.objects.create(user=district_staff, role=Role.GRID_WORKER, area=grid)
    made = checkpoints.checkpoint_create(
        actor=district_staff, code="CP-NEW", name="新卡口", area=city.street, unit=ladder["street"]
    )
    assert made.unit == ladder["street"]
    with pytest.raises(PermissionDenied):
        checkpoints.checkpoint_create(
            actor=district_staff, code="CP-X1", name="卡口", area=grid, unit=None
        )
    # nor may a checkpoint here be given to a unit of elsewhere
    with pytest.raises(PermissionDenied):
        checkpoints.checkpoint_create(
            actor=district_staff,
            code="CP-X2",
            name="卡口",
            area=city.street,
            unit=other_checkpoint.unit,
        )
    assert set(Checkpoint.objects.values_list("code", flat=True)) == {"CP-LUSONG", "CP-NEW"}


def test_a_demo_like_checkpoint_membership_checks_at_every_checkpoint_of_its_district(city, ladder):
    staff = make_user("area_checker", role=Role.CHECKPOINT_STAFF, area=city.district)
    gate = Checkpoint.objects.create(
        code="CP-GATE", name="小区门岗", area=city.grid_b, area_path=city.grid_b.path, unit=None
    )
    with clock.frozen_at(at(10)):
        assert _upload(staff, gate, "gate-0001")["stored"] == 1
