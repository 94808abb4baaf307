"""Registry endpoints: scoped reads, writes through services, masked values, audited reveal."""

from __future__ import annotations

import pytest

from lifeline.api.tests.helpers import API, assert_error, client_for, patch_json, post_json
from lifeline.core.models import AuditRecord
from lifeline.registry.models import Building, Facility, Household, Person, Vulnerability
from lifeline.testing.factories import make_id_number, make_phone
from lifeline.testing.response_capture import allow_pii


def test_area_list_shows_only_the_workers_grid(city, grid_worker_a):
    # given a grid worker of grid A
    client = client_for(grid_worker_a)
    # when listing areas
    body = client.get(f"{API}/areas").json()
    # then only grid A is visible
    assert [a["id"] for a in body["items"]] == [city.grid_a.pk]
    assert body["count"] == 1 and body["next_offset"] is None


def test_area_list_filters_by_level_and_name(city, command_staff):
    client = client_for(command_staff)
    grids = client.get(f"{API}/areas", {"level": "grid"}).json()
    assert {a["code"] for a in grids["items"]} == {city.grid_a.code, city.grid_b.code}
    named = client.get(f"{API}/areas", {"q": "第二"}).json()
    assert [a["id"] for a in named["items"]] == [city.grid_b.pk]
    children = client.get(f"{API}/areas", {"parent": city.community.pk}).json()
    assert children["count"] == 2


def test_area_children_carry_people_household_and_vulnerable_counts(city, community_staff):
    client = client_for(community_staff)
    body = client.get(f"{API}/areas/{city.community.pk}/children").json()
    by_code = {row["area"]["code"]: row for row in body["items"]}
    assert by_code[city.grid_a.code]["people"] == 3
    assert by_code[city.grid_a.code]["households"] == 3
    assert by_code[city.grid_a.code]["vulnerable"] == 1


def test_person_detail_carries_only_masked_phone_and_id(city, grid_worker_a):
    # given a person of grid A
    person = city.people_a[0]
    # when the grid worker opens the person
    response = client_for(grid_worker_a).get(f"{API}/people/{person.pk}")
    # then masked values appear, full values never
    body = response.json()
    assert body["phone_masked"] == person.phone_masked
    assert body["id_number_masked"] == person.id_number_masked
    assert person.phone not in response.content.decode()
    assert body["vulnerabilities"][0]["kind"] == "elderly_alone"
    assert body["household"]["id"] == person.household_id


def test_person_in_another_grid_is_not_found(city, grid_worker_a):
    response = client_for(grid_worker_a).get(f"{API}/people/{city.people_b[0].pk}")
    assert_error(response, 404, "not_found")


def test_people_list_filters_by_vulnerability(city, community_staff):
    client = client_for(community_staff)
    body = client.get(f"{API}/people", {"vulnerability": "elderly_alone"}).json()
    assert {p["id"] for p in body["items"]} == {city.people_a[0].pk, city.people_b[0].pk}
    only_a = client.get(f"{API}/people", {"grid": city.grid_a.pk}).json()
    assert {p["id"] for p in only_a["items"]} == {p.pk for p in city.people_a}


def test_people_search_finds_by_exact_id_number_phone_and_name(city, grid_worker_a):
    # given a person with a known ID number and phone
    id_number, phone = make_id_number(serial=777), make_phone(4242)
    person = city.people_a[1]
    with allow_pii():  # the setup itself writes through the API
        response = patch_json(
            client_for(grid_worker_a),
            f"{API}/people/{person.pk}",
            {"id_number": id_number, "phone": phone},
        )
    assert response.status_code == 200
    client = client_for(grid_worker_a)
    # when searching by phone or name, then the person is found
    for q in (phone, person.name[:3]):
        body = client.get(f"{API}/people/search", {"q": q}).json()
        assert person.pk in [p["id"] for p in body["items"]], q
    # and a full ID number is searched by POST, counted and audited
    assert_error(client.get(f"{API}/people/search", {"q": id_number}), 400, "use_id_search")
    found = post_json(client, f"{API}/people/search-id", {"id_number": id_number}).json()
    assert [p["id"] for p in found] == [person.pk]


def test_households_search_by_phone_is_scoped(city, grid_worker_a):
    household_b = city.people_b[0].household
    client = client_for(grid_worker_a)
    body = client.get(f"{API}/households", {"phone": household_b.phone}).json()
    assert body["count"] == 0
    household_a = city.people_a[0].household
    body = client.get(f"{API}/households", {"phone": household_a.phone}).json()
    assert [h["id"] for h in body["items"]] == [household_a.pk]


def test_create_household_and_person_then_patch(city, grid_worker_a):
    client = client_for(grid_worker_a)
    building = Building.objects.get(grid=city.grid_a)
    # when creating a household with a phone
    response = post_json(
        client,
        f"{API}/households",
        {"building": building.pk, "unit_no": "902", "phone": make_phone(9001)},
    )
    # then it is created and answered with the masked phone only
    assert response.status_code == 201, response.content
    household = Household.objects.get(pk=response.json()["id"])
    assert response.json()["phone_masked"] == household.phone_masked
    response = post_json(
        client,
        f"{API}/people",
        {
            "household": household.pk,
            "name": "李四",
            "sex": "F",
            "id_number": make_id_number(serial=901),
            "birth_date": "1950-02-03",
        },
    )
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["id"])
    assert response.json()["id_number_masked"] == person.id_number_masked
    response = patch_json(client, f"{API}/people/{person.pk}", {"relation": "母亲"})
    assert (
        response.status_code == 200 and response.json()["relation"] == "parent"
    )  # stored as the vocabulary code
    response = patch_json(client, f"{API}/households/{household.pk}", {"unit_no": "903"})
    assert response.json()["unit_no"] == "903"
    assert (
        AuditRecord.objects.filter(
            action__in=["household.create", "person.create", "person.update", "household.update"]
        ).count()
        == 4
    )


def test_service_refusal_is_answered_with_its_fields(city, grid_worker_a):
    household = city.people_a[0].household
    response = post_json(
        client_for(grid_worker_a),
        f"{API}/people",
        {"household": household.pk, "name": "王五", "sex": "X"},
    )
    error = assert_error(response, 400)
    assert "sex" in error["fields"]
    response = patch_json(
        client_for(grid_worker_a), f"{API}/households/{household.pk}", {"phone": "12345"}
    )
    assert "phone" in assert_error(response, 400)["fields"]


def test_hotline_operator_may_read_but_not_edit(city, hotline_operator):
    client = client_for(hotline_operator)
    person = city.people_a[0]
    assert client.get(f"{API}/people/{person.pk}").status_code == 200
    response = patch_json(client, f"{API}/people/{person.pk}", {"name": "改名"})
    assert_error(response, 403, "forbidden")


def test_reveal_returns_full_value_and_is_audited(city, grid_worker_a):
    person = city.people_a[0]
    client = client_for(grid_worker_a)
    # when revealing the phone with a purpose
    response = post_json(
        client,
        f"{API}/people/{person.pk}/reveal",
        {"field": "phone", "reason": "care", "purpose": "送药联系"},
    )
    # then the full value is returned and the reveal is recorded, with its reason and
    # words but without the value
    assert response.json() == {"field": "phone", "value": person.phone}
    record = AuditRecord.objects.get(action="sensitive.reveal", object_id=str(person.pk))
    assert record.purpose == "care: 送药联系" and record.fields == ["phone"]
    household = person.household
    response = post_json(
        client, f"{API}/households/{household.pk}/reveal", {"field": "phone", "purpose": "上门核实"}
    )
    assert response.json()["value"] == household.phone


def test_reveal_without_purpose_is_refused_and_not_audited(city, grid_worker_a):
    person = city.people_a[0]
    response = post_json(
        client_for(grid_worker_a),
        f"{API}/people/{person.pk}/reveal",
        {"field": "id_number", "purpose": ""},
    )
    assert "purpose" in assert_error(response, 422, "validation")["fields"]
    response = post_json(
        client_for(grid_worker_a),
        f"{API}/people/{person.pk}/reveal",
        {"field": "name_en", "purpose": "核实"},
    )
    assert_error(response, 400)
    assert not AuditRecord.objects.filter(action="sensitive.reveal").exists()


def test_vulnerability_set_and_remove(city, grid_worker_a):
    person = city.people_a[1]
    client = client_for(grid_worker_a)
    url = f"{API}/people/{person.pk}/vulnerabilities/dialysis"
    response = client.put(url, data='{"note": "周二周五透析"}', content_type="application/json")
    assert response.status_code == 200 and response.json()["kind"] == "dialysis"
    assert Vulnerability.objects.filter(person=person, kind="dialysis").exists()
    assert client.delete(url).status_code == 204
    assert not Vulnerability.objects.filter(person=person, kind="dialysis").exists()
    response = client.put(
        f"{API}/people/{person.pk}/vulnerabilities/unknown",
        data="{}",
        content_type="application/json",
    )
    assert_error(response, 422, "validation")


def test_buildings_listed_by_grid_and_created(city, grid_worker_a):
    client = client_for(grid_worker_a)
    body = client.get(f"{API}/buildings", {"grid": city.grid_a.pk}).json()
    assert body["items"][0]["household_count"] == 3
    response = post_json(
        client, f"{API}/buildings", {"grid": city.grid_a.pk, "name": "2栋", "address": "泰山路2号"}
    )
    assert response.status_code == 201
    assert Building.objects.filter(grid=city.grid_a, name="2栋").exists()
    duplicate = post_json(
        client, f"{API}/buildings", {"grid": city.grid_a.pk, "name": "2栋", "address": "泰山路2号"}
    )
    assert_error(duplicate, 400, "duplicate")


def test_facilities_created_and_listed_units_listed(city, command_staff, outsider):
    client = client_for(command_staff)
    response = post_json(
        client,
        f"{API}/facilities",
        {
            "area": city.district.pk,
            "kind": "designated_hospital",
            "name": "市中心医院",
            "phone": "13900001111",
            "unit": city.units["committee"].pk,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["phone_masked"] == "139****1111"
    listed = client.get(f"{API}/facilities", {"kind": "designated_hospital"}).json()
    assert [f["name"] for f in listed["items"]] == ["市中心医院"]
    assert Facility.objects.count() == 1
    assert client.get(f"{API}/units").json()["count"] == 1
    assert client_for(outsider).get(f"{API}/units").json()["count"] == 0


@pytest.mark.parametrize("language,expected", [("en", "Not found."), ("zh-hans", "未找到。")])
def test_error_messages_follow_accept_language(city, grid_worker_a, language, expected):
    response = client_for(grid_worker_a).get(
        f"{API}/people/{city.people_b[0].pk}", HTTP_ACCEPT_LANGUAGE=language
    )
    assert assert_error(response, 404)["message"] == expected
