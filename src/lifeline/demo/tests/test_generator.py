from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from lifeline.accounts.models import Membership, Role
from lifeline.core.personal import decrypt_value, id_number_is_valid, lookup_hash, mask_id_number
from lifeline.demo.generator import generate_city, people, places
from lifeline.demo.generator.residents import PERSON_FIELDS, write_residents
from lifeline.demo.generator.writer import BulkWriter
from lifeline.registry.models import Area, AreaLevel, Facility, Household, Person, Unit

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


class CapturingWriter(BulkWriter):
    """Keeps the rows instead of writing them, so one database can hold two runs."""

    def __init__(self) -> None:
        super().__init__(use_copy=False)
        self.rows: dict[str, list[tuple[Any, ...]]] = {}

    def write(self, model: Any, fields: Any, rows: Any) -> None:
        self.rows.setdefault(model.__name__, []).extend(rows)


def _residents(seed: int, size: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    writer = CapturingWriter()
    plan = places.plan_city(rng, size, writer)
    write_residents(rng=rng, plan=plan, writer=writer)
    name, enc, phone = (PERSON_FIELDS.index(f) for f in ("name", "id_number_enc", "phone"))
    return [(row[name], decrypt_value(row[enc]), row[phone]) for row in writer.rows["Person"]]


def test_same_seed_gives_the_same_names_id_numbers_and_phones(db: None) -> None:
    # given two generations with one seed, and one with another
    first, second = _residents(7, 600), _residents(7, 600)
    other = _residents(8, 600)
    # then the first two are identical person by person, and the third is not
    assert len(first) == 600
    assert first == second
    assert first != other


def test_generated_id_numbers_are_valid_unique_and_stored_consistently(db: None) -> None:
    # given a generated city
    generate_city(people=1500, seed=3)
    # when every stored ID number is decrypted
    rows = list(
        Person.objects.values_list(
            "id_number_enc", "id_number_hash", "id_number_masked", "birth_date", "sex"
        )
    )
    numbers = [decrypt_value(enc) for enc, *_ in rows]
    # then each passes the checksum, none repeats, and hash, mask, birth date and sex agree
    assert len(rows) == 1500
    assert all(id_number_is_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    for number, (_enc, digest, masked, birth, sex) in zip(numbers, rows, strict=True):
        assert digest == lookup_hash(number)
        assert masked == mask_id_number(number)
        assert number[6:14] == f"{birth:%Y%m%d}"
        assert int(number[16]) % 2 == (1 if sex == "M" else 0)
        assert number[:6] in {"430202", "430203", "430204", "430211", "430212"}


def test_every_resident_row_sits_in_its_grid(db: None) -> None:
    # given a generated city
    generate_city(people=1200, seed=4)
    grid_paths = dict(Area.objects.filter(level=AreaLevel.GRID).values_list("id", "path"))
    # then people, households and their buildings carry their grid's path
    for grid_id, path, household_path in Person.objects.values_list(
        "grid_id", "area_path", "household__area_path"
    ):
        assert path == grid_paths[grid_id] == household_path
    for grid_id, path, building_grid in Household.objects.values_list(
        "grid_id", "area_path", "building__grid_id"
    ):
        assert path == grid_paths[grid_id] and grid_id == building_grid
    # and every area's path is its parent's path plus its code
    for area in Area.objects.select_related("parent"):
        expected = f"{area.parent.path if area.parent else '/'}{area.code}/"
        assert area.path == expected


def test_the_city_has_five_districts_grids_of_eight_and_its_facilities(db: None) -> None:
    # given a generated city
    generate_city(people=800, seed=5)
    # then its shape follows Zhuzhou and the seeds
    districts = Area.objects.filter(level=AreaLevel.DISTRICT)
    assert sorted(districts.values_list("name", flat=True)) == sorted(
        ["荷塘区", "芦淞区", "石峰区", "天元区", "渌口区"]
    )
    for community in Area.objects.filter(level=AreaLevel.COMMUNITY):
        assert community.children.count() == 8
        assert Unit.objects.filter(kind=Unit.Kind.COMMUNITY_COMMITTEE, areas=community).count() == 1
    assert Unit.objects.filter(kind=Unit.Kind.UTILITY_TEAM, parent__code="GAS").count() == 17
    designated = Facility.objects.filter(kind=Facility.Kind.DESIGNATED_HOSPITAL)
    assert designated.values("area").distinct().count() == 5
    assert designated.filter(name="株洲市中心医院").exists()
    assert (
        Facility.objects.filter(kind=Facility.Kind.SAMPLING_SITE).count()
        == Area.objects.filter(level=AreaLevel.COMMUNITY).count()
    )


def test_every_role_has_a_demo_login_with_a_membership(db: None) -> None:
    # given a generated city
    report = generate_city(people=300, seed=6)
    # then each role has exactly one user, who can log in with the printed password
    memberships = Membership.objects.select_related("user")
    assert sorted(m.role for m in memberships) == sorted(r.value for r in Role)
    printed = {login.username: login.password for login in report.logins}
    for m in memberships:
        assert m.area_id or m.unit_id
        assert m.user.check_password(printed[m.user.username])
    admin = memberships.get(role=Role.ADMIN).user
    assert admin.is_superuser


def test_vulnerability_rates_fall_in_the_documented_bands(db: None) -> None:
    # given a city of 5,000 people
    report = generate_city(people=5000, seed=20221105)
    # then each kind's share of all people lies in its documented band
    assert report.people == 5000
    kinds = Counter(report.vulnerabilities_by_kind)
    for kind, (low, high) in people.RATE_BANDS.items():
        assert low <= kinds[kind] / 5000 <= high, kind
    # and households hold 1 to 5 people, about 2.6 on average
    sizes = Counter(Person.objects.values_list("household_id", flat=True)).values()
    assert min(sizes) >= 1 and max(sizes) <= 5
    assert 2.2 <= 5000 / len(sizes) <= 3.0
