import pytest
from django.test import override_settings

from lifeline.accounts.models import Membership, Role
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError, TooManyRequests
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.core.personal import decrypt_value
from lifeline.registry import sensitive, services
from lifeline.registry.models import Person, Unit, Vulnerability
from lifeline.testing.factories import make_id_number, make_user


def test_person_create_encrypts_hashes_and_masks_id(city, grid_worker_a):
    household = city.people_a[0].household
    number = make_id_number(serial=901)
    person = services.person_create(
        actor=grid_worker_a,
        household=household,
        name="李四",
        sex="M",
        phone="13900001111",
        id_number=number,
    )
    assert decrypt_value(person.id_number_enc) == number
    assert person.id_number_masked == number[:2] + "*" * 16
    assert person.area_path == city.grid_a.path
    record = AuditRecord.objects.get(action="person.create", object_id=str(person.pk))
    assert "id_number" in record.fields
    assert number not in str(record.__dict__)


def test_bad_id_checksum_is_refused_and_nothing_written(city, grid_worker_a):
    household = city.people_a[0].household
    bad = make_id_number(serial=902)[:-1] + "0"
    bad = bad if bad != make_id_number(serial=902) else bad[:-1] + "1"
    before = Person.objects.count()
    with pytest.raises(ServiceError) as err:
        services.person_create(
            actor=grid_worker_a, household=household, name="王五", sex="F", id_number=bad
        )
    assert "id_number" in err.value.fields
    assert Person.objects.count() == before


def test_duplicate_id_number_is_refused(city, grid_worker_a):
    number = make_id_number(serial=903)
    household = city.people_a[0].household
    services.person_create(
        actor=grid_worker_a, household=household, name="甲", sex="M", id_number=number
    )
    with pytest.raises(ServiceError) as err:
        services.person_create(
            actor=grid_worker_a, household=household, name="乙", sex="M", id_number=number
        )
    assert err.value.code == "duplicate"


def test_grid_worker_cannot_write_into_other_grid(city, grid_worker_a):
    household_b = city.people_b[0].household
    with pytest.raises(NotFound):
        services.person_create(actor=grid_worker_a, household=household_b, name="丙", sex="M")


def test_hotline_operator_may_read_but_not_edit(city, hotline_operator):
    with pytest.raises(PermissionDenied):
        services.household_update(
            actor=hotline_operator, household=city.people_a[0].household, phone="13900002222"
        )


def test_reveal_requires_a_reason_and_words_and_is_audited(city, grid_worker_a):
    person = city.people_a[0]
    for reason, purpose in (("callback", ""), ("bogus", "回访核实")):
        with pytest.raises(ServiceError):
            sensitive.sensitive_reveal(
                actor=grid_worker_a, obj=person, field="phone", reason=reason, purpose=purpose
            )
    assert not AuditRecord.objects.filter(action="sensitive.reveal").exists()
    value = sensitive.sensitive_reveal(
        actor=grid_worker_a, obj=person, field="phone", reason="callback", purpose="回访核实"
    )
    assert value == person.phone
    record = AuditRecord.objects.get(action="sensitive.reveal")
    assert record.fields == ["phone"] and record.purpose == "callback: 回访核实"
    assert person.phone not in record.hash + record.purpose + str(record.fields)


def test_reveal_outside_scope_is_not_found(city, grid_worker_a):
    with pytest.raises(NotFound):
        sensitive.sensitive_reveal(
            actor=grid_worker_a, obj=city.people_b[0], field="phone", purpose="x" * 5
        )


@pytest.mark.parametrize("role", [Role.STREET_STAFF, Role.SAMPLER, Role.LAB, Role.CHECKPOINT_STAFF])
def test_roles_without_the_reveal_permission_are_refused(city, role):
    # given staff of a role that does not need full values, over the whole city
    user = make_user(f"no_reveal_{role}", role=role, area=city.city)
    # when they try to reveal, then they are refused and nothing is recorded
    with pytest.raises(PermissionDenied):
        sensitive.sensitive_reveal(
            actor=user, obj=city.people_a[0], field="id_number", purpose="核实身份"
        )
    assert not AuditRecord.objects.filter(action="sensitive.reveal").exists()


def test_reveal_holds_only_where_the_granting_membership_does(city):
    # given a grid worker of grid A who is also a street officer over the whole street
    user = make_user("mixed", role=Role.GRID_WORKER, area=city.grid_a)
    Membership.objects.create(user=user, role=Role.STREET_STAFF, area=city.street)
    # then they reveal in grid A, and are refused in grid B, which the street covers
    sensitive.sensitive_reveal(actor=user, obj=city.people_a[0], field="phone", purpose="回访")
    with pytest.raises(PermissionDenied):
        sensitive.sensitive_reveal(actor=user, obj=city.people_b[0], field="phone", purpose="回访")


@override_settings(
    LIFELINE_REVEALS_PER_HOUR=5, LIFELINE_REVEALS_PER_DAY=50, LIFELINE_REVEAL_ALERT_COUNT=4
)
def test_reveals_past_the_limit_are_refused_and_a_burst_alerts_the_command_centre(
    city, grid_worker_a
):
    Unit.objects.create(
        code="CMD", name="指挥部", kind=Unit.Kind.COMMAND_CENTRE, phone="07310000000"
    )
    person = city.people_a[0]
    for _ in range(5):
        sensitive.sensitive_reveal(actor=grid_worker_a, obj=person, field="phone", purpose="回访")
    with pytest.raises(TooManyRequests):
        sensitive.sensitive_reveal(actor=grid_worker_a, obj=person, field="phone", purpose="回访")
    assert AuditRecord.objects.filter(action="sensitive.reveal").count() == 5
    alerts = AuditRecord.objects.filter(action="sensitive.reveal_alert")
    assert alerts.count() == 1 and alerts.get().object_id == str(grid_worker_a.pk)
    texts = OutboxMessage.objects.filter(recipient="07310000000")
    assert texts.count() == 1 and person.phone not in texts.get().body


def test_birth_date_is_a_revealable_field(city, grid_worker_a):
    person = city.people_a[0]
    value = sensitive.sensitive_reveal(
        actor=grid_worker_a, obj=person, field="birth_date", reason="identity", purpose="核对"
    )
    assert value == person.birth_date.isoformat()


def test_update_audits_field_names_only(city, grid_worker_a):
    household = city.people_a[0].household
    services.household_update(
        actor=grid_worker_a, household=household, gas_account="G-1", phone="13900003333"
    )
    record = AuditRecord.objects.get(action="household.update")
    assert record.fields == ["gas_account", "phone"]


def test_vulnerability_set_twice_updates_note(city, grid_worker_a):
    person = city.people_a[1]
    services.vulnerability_set(actor=grid_worker_a, person=person, kind="dialysis", note="周一三五")
    services.vulnerability_set(actor=grid_worker_a, person=person, kind="dialysis", note="周二四六")
    assert Vulnerability.objects.get(person=person, kind="dialysis").note == "周二四六"
    with pytest.raises(ServiceError):
        services.vulnerability_set(actor=grid_worker_a, person=person, kind="nonsense")


def test_area_levels_must_follow_the_tree(city, command_staff):
    with pytest.raises(ServiceError):
        services.area_create(
            actor=command_staff, parent=city.district, level="grid", code="X1", name="bad"
        )
    area = services.area_create(
        actor=command_staff, parent=city.district, level="street", code="X2", name="新街道"
    )
    assert area.path == city.district.path + "X2/"


def test_outsider_cannot_create_anything(city, outsider):
    with pytest.raises((NotFound, PermissionDenied)):
        services.person_create(
            actor=outsider, household=city.people_a[0].household, name="丁", sex="M"
        )
    make_user("x")
