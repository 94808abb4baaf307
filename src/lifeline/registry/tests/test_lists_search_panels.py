"""Natural order of buildings and units, search by the last four digits of a phone and by
address (scoped), the person page's panels from the apps above, translated relations, and
export names in local time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from lifeline.core.clock import frozen_at
from lifeline.registry import selectors
from lifeline.registry.exporting import households_export
from lifeline.registry.models import Building, Household, natural_key
from lifeline.registry.panels import PanelRow, PersonPanel, person_panels, register_person_panel
from lifeline.registry.vocab import relation_label, relation_parse
from lifeline.testing.factories import make_household, make_person


def test_natural_key_orders_numbers_by_value() -> None:
    names = ["10栋", "2栋", "1栋", "1栋-3-201", "1栋-12-101", "1栋-3-1001"]
    assert sorted(names, key=natural_key) == [
        "1栋",
        "1栋-3-201",
        "1栋-3-1001",
        "1栋-12-101",
        "2栋",
        "10栋",
    ]


def test_buildings_and_units_list_in_natural_order(city, grid_worker_a):
    # given buildings and units whose text order is not their natural order
    for name in ("10栋", "2栋", "1栋"):
        building = Building.objects.create(
            grid=city.grid_a, area_path=city.grid_a.path, name=name, address=f"幸福路{name}"
        )
        for unit in ("1001", "201", "12"):
            make_household(grid=city.grid_a, building=building, unit_no=unit)

    # when the grid's buildings and the 1栋's households are listed
    names = [b.name for b in selectors.building_list(actor=grid_worker_a, grid=city.grid_a)]
    one = Building.objects.get(name="1栋")
    units = [h.unit_no for h in selectors.household_list(actor=grid_worker_a, building=one)]

    # then they come in natural order, sorted by the database
    assert [n for n in names if n.endswith("栋")] == ["1栋", "2栋", "10栋"]
    assert units == ["12", "201", "1001"]


def test_renaming_a_building_keeps_its_sort_key(city):
    building = Building.objects.create(
        grid=city.grid_a, area_path=city.grid_a.path, name="9栋", address="x"
    )
    building.name = "11栋"
    building.save(update_fields=["name"])
    building.refresh_from_db()
    assert building.name_sort == natural_key("11栋")


def test_last_four_digits_of_a_phone_find_the_person_and_their_household_in_scope(
    city, grid_worker_a, grid_worker_b
):
    # given a person with a phone ending 4321 and a household whose phone ends 8765
    person = make_person(
        household=make_household(grid=city.grid_a, phone="13700008765"),
        name="王五",
        phone="13912344321",
    )
    sibling = make_person(household=person.household, name="王六", phone="13800000001")

    # when the grid worker searches the four digits
    by_own = set(selectors.person_search(actor=grid_worker_a, q="4321"))
    by_household = set(selectors.person_search(actor=grid_worker_a, q="8765"))

    # then the person, and everyone of the household, are found; another grid finds nobody
    assert person in by_own
    assert {person, sibling} <= by_household
    assert list(selectors.person_search(actor=grid_worker_b, q="4321")) == []


def test_search_page_by_four_digits_shows_masked_results(client, city, grid_worker_a):
    person = make_person(
        household=make_household(grid=city.grid_a), name="赵七", phone="13912349876"
    )
    client.force_login(grid_worker_a)
    body = client.get(reverse("registry:search"), {"q": "9876"}).content.decode()
    assert person.name in body and person.phone_masked in body
    assert person.phone not in body


def test_address_search_finds_the_building_and_a_unit_within_scope(
    city, grid_worker_a, grid_worker_b
):
    # given a building on 幸福路 with two households
    building = Building.objects.create(
        grid=city.grid_a, area_path=city.grid_a.path, name="7栋", address="幸福路88号7栋"
    )
    upstairs = make_person(
        household=make_household(grid=city.grid_a, building=building, unit_no="3-201"), name="甲"
    )
    downstairs = make_person(
        household=make_household(grid=city.grid_a, building=building, unit_no="1-101"), name="乙"
    )

    # when searched by address, and by address and unit
    street = set(selectors.person_search(actor=grid_worker_a, q="幸福路88号"))
    unit = list(selectors.person_search(actor=grid_worker_a, q="幸福路88号 3-201"))

    # then the building's people, and the unit's person, are found; not from another grid
    assert {upstairs, downstairs} <= street
    assert unit == [upstairs]
    assert list(selectors.person_search(actor=grid_worker_b, q="幸福路88号")) == []


@pytest.fixture
def test_panel():
    def provider(*, actor, person):
        if getattr(actor, "username", "") != "grid_a":
            return None  # fails closed: the provider decides who may see it
        return PersonPanel(
            title="Test panel", rows=[PanelRow("row label", "state", dt.date(2026, 12, 1))]
        )

    register_person_panel("zz-test", provider)
    yield
    from lifeline.registry import panels

    panels._providers.pop("zz-test", None)


def test_person_page_shows_the_registered_panels_to_whom_they_allow(
    client, city, grid_worker_a, test_panel
):
    person = city.people_a[0]
    client.force_login(grid_worker_a)
    body = client.get(reverse("registry:person", args=[person.pk])).content.decode()
    assert "Test panel" in body and "row label" in body and "2026-12-01" in body


def test_screening_and_workorders_panels_follow_their_own_permissions(
    city, grid_worker_a, hotline_operator
):
    person = city.people_a[0]
    with translation.override("en"):
        mine = [p.title for p in person_panels(actor=grid_worker_a, person=person)]
        hotline = [p.title for p in person_panels(actor=hotline_operator, person=person)]
    # the grid worker reads testing and work orders in the grid
    assert "Tests and rechecks" in mine
    assert "Open work orders of the household" in mine
    # the hotline reads work orders, not who was tested
    assert "Tests and rechecks" not in hotline
    assert "Open work orders of the household" in hotline


def test_relations_are_codes_shown_in_the_readers_language():
    assert relation_parse("户主") == "head" and relation_parse("妻子") == "spouse"
    assert relation_parse("Head of household") == "head"
    assert relation_parse("外星人") is None
    with translation.override("en"):
        assert relation_label("head") == "Head of household"
        assert relation_label("子女") == "Child"  # an old row holding the word
        assert relation_label("干亲") == "干亲"  # unknown words read as written


def test_person_page_in_english_shows_no_chinese_relation(client, city, grid_worker_a):
    person = city.people_a[0]
    person.relation = "head"
    person.save(update_fields=["relation"])
    client.force_login(grid_worker_a)
    body = client.get(
        reverse("registry:person", args=[person.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Head of household" in body and "户主" not in body


def test_export_file_name_uses_local_time(city, command_staff):
    # 2026-12-03 23:30 UTC is 2026-12-04 07:30 in Shanghai
    with frozen_at(dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC)):
        export = households_export(actor=command_staff, fmt="csv")
    assert "20261204-0730" in export.file_name


def test_household_phone_suffix_is_kept_by_the_database(city):
    household = make_household(grid=city.grid_a, phone="13512345678")
    assert Household.objects.get(pk=household.pk).phone_last4 == "5678"
