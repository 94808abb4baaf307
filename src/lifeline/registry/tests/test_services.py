import pytest

from lifeline.core.errors import NotFound, PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.core.personal import decrypt_value
from lifeline.registry import services
from lifeline.registry.models import Person, Vulnerability
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
    assert person.id_number_masked == number[:4] + "*" * 10 + number[-4:]
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


def test_reveal_requires_purpose_and_is_audited(city, grid_worker_a):
    person = city.people_a[0]
    with pytest.raises(ServiceError):
        services.sensitive_reveal(actor=grid_worker_a, obj=person, field="phone", purpose="")
    assert not AuditRecord.objects.filter(action="sensitive.reveal").exists()
    value = services.sensitive_reveal(
        actor=grid_worker_a, obj=person, field="phone", purpose="回访核实"
    )
    assert value == person.phone
    record = AuditRecord.objects.get(action="sensitive.reveal")
    assert record.fields == ["phone"] and record.purpose == "回访核实"
    assert person.phone not in record.hash + record.purpose + str(record.fields)


def test_reveal_outside_scope_is_not_found(city, grid_worker_a):
    with pytest.raises(NotFound):
        services.sensitive_reveal(
            actor=grid_worker_a, obj=city.people_b[0], field="phone", purpose="x" * 5
        )


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
