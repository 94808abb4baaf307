"""Open311 reads without a key (public fields only, as GeoReport v2 allows), photos behind
``media_url`` for a key, multi-value attributes, XML discovery, and the grid that holds a
point (its boundary), not the nearest grid centre."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests
from georeport import GeoReport

from lifeline.accounts.models import Role
from lifeline.accounts.services import token_create
from lifeline.testing.factories import make_user
from lifeline.workorders.models import Photo, WorkOrder
from lifeline.workorders.open311 import attributes_of
from lifeline.workorders.services import workorder_create

BASE = "/open311/v2"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PUBLIC_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address_id",
    "zipcode",
    "lat",
    "long",
}


def _square(lng: float, lat: float, half: float) -> dict:
    ring = [
        [lng - half, lat - half],
        [lng + half, lat - half],
        [lng + half, lat + half],
        [lng - half, lat + half],
        [lng - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def _file(city, category: str, description: str, **more) -> WorkOrder:
    worker = make_user(f"grid_worker_{category}", role=Role.GRID_WORKER, area=city.grid_a)
    return workorder_create(
        actor=worker,
        description=description,
        category_code=category,
        area=city.grid_a,
        contact_name="王小明",
        contact_phone="13912345678",
        address="泰山路12号3栋",
        lat=27.8312,
        lng=113.1511,
        **more,
    ).order


@pytest.fixture
def partner_key(city, ladder, categories):
    user = make_user("partner_platform", role=Role.STREET_STAFF, area=city.street)
    return token_create(actor=None, user=user, name="partner")[1]


@pytest.fixture
def filed(city, ladder, categories):
    food = _file(city, "food_supplies", "家里没菜了", extra={"items": "蔬菜", "people": 3})
    medicine = _file(city, "medicine", "降压药没了", extra={"drug": "硝苯地平"})
    Photo.objects.create(
        order=food,
        area_path=food.area_path,
        content_type="image/png",
        size=len(PNG),
        data=PNG,
        uploaded_at=food.created_at,
    )
    return {"food": food, "medicine": medicine}


@pytest.mark.django_db(transaction=True)
def test_georeport_client_without_a_key_reads_public_fields_only(live_server, city, filed):
    # given a 311 client with no api_key, in JSON and in XML
    for fmt in ("json", "xml"):
        client = GeoReport(f"{live_server.url}{BASE}", output_format=fmt)
        # when it lists the requests
        listed = client.get_service_requests()
        if fmt == "xml":
            listed = listed if isinstance(listed, list) else [listed]
        # then the food request is there with public fields only, and the medical one is not
        numbers = [r["service_request_id"] for r in listed]
        assert numbers == [filed["food"].number]
        [record] = listed
        assert record["service_code"] == "food_supplies" and record["status"] == "open"
        for private in ("description", "address", "media_url"):
            assert not record.get(private), (private, record[private])
        shown = {k for k, v in record.items() if v not in (None, "")}
        assert shown <= PUBLIC_FIELDS, shown - PUBLIC_FIELDS
        # and the place is the grid's centre, never the point filed
        assert float(record["lat"]) == city.grid_a.lat
        assert float(record["long"]) == city.grid_a.lng
        # when it asks for one request by its number, the same public record comes back
        one = client.get_service_request(filed["food"].number)
        one = one[0] if isinstance(one, list) else one
        assert one["service_request_id"] == filed["food"].number and not one.get("description")
    body = requests.get(f"{live_server.url}{BASE}/requests.json", timeout=10).text
    for secret in ("家里没菜了", "王小明", "13912345678", "泰山路12号", "降压药", "硝苯地平"):
        assert secret not in body


def test_a_medical_request_is_not_found_without_a_key(client, city, filed):
    response = client.get(f"{BASE}/requests/{filed['medicine'].number}.json")
    assert response.status_code == 404
    listed = client.get(f"{BASE}/requests.json", {"service_code": "medicine"}).json()
    assert listed == []


def test_a_bad_parameter_is_400_with_or_without_a_key(client, city, filed, partner_key):
    for params in ({}, {"api_key": partner_key}, {"api_key": "not-a-key"}):
        for bad in ({"start_date": "soon"}, {"status": "lost"}, {"end_date": "2022-13-01"}):
            response = client.get(f"{BASE}/requests.json", {**params, **bad})
            assert response.status_code == 400, (params, bad, response.content)


def test_a_key_reads_the_full_record_and_its_photo(client, city, filed, partner_key):
    listed = client.get(f"{BASE}/requests.json", {"api_key": partner_key}).json()
    by_number = {r["service_request_id"]: r for r in listed}
    food = by_number[filed["food"].number]
    assert food["description"] == "家里没菜了" and food["lat"] == 27.8312
    assert food["media_url"].endswith(f"{BASE}/media/{filed['food'].photos.get().pk}")
    assert by_number[filed["medicine"].number]["media_url"] is None
    path = food["media_url"].split("testserver", 1)[1]
    # the photo needs the key; without it, or with another area's key, it is not there
    assert client.get(path).status_code == 403
    photo = client.get(path, HTTP_X_API_KEY=partner_key)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert photo.content == PNG and "no-store" in photo["Cache-Control"]
    outsider = make_user("elsewhere", role=Role.GRID_WORKER, area=city.grid_b)
    other_key = token_create(actor=None, user=outsider, name="b")[1]
    assert client.get(path, HTTP_X_API_KEY=other_key).status_code == 404


def test_multi_value_attributes_arrive_as_lists():
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.setlist("attribute[needs][]", ["rice", "oil", " "])
    data["attribute[people]"] = "3"
    data["attribute[odd][x]"] = "dropped"
    data["attribute[]"] = "dropped"
    assert attributes_of(data) == {"needs": ["rice", "oil"], "people": "3"}


def test_discovery_answers_in_json_and_xml(client):
    as_json = client.get(f"{BASE}/discovery.json").json()
    assert as_json["endpoints"][0]["url"].endswith("/open311/v2/")
    as_xml = client.get(f"{BASE}/discovery.xml")
    assert as_xml.status_code == 200 and as_xml["Content-Type"].startswith("text/xml")
    root = ET.fromstring(as_xml.content)
    assert root.tag == "discovery" and root.findtext("endpoints/item/type") == "production"


def test_a_point_lands_in_the_grid_whose_boundary_holds_it(client, city, ladder, partner_key):
    # given grid A drawn as a large square and grid B as a small one beside it, so that a
    # point inside A's square lies nearer B's centre than A's
    city.grid_a.lat, city.grid_a.lng = 27.830, 113.150
    city.grid_a.boundary = _square(113.150, 27.830, 0.010)
    city.grid_a.save()
    city.grid_b.lat, city.grid_b.lng = 27.830, 113.164
    city.grid_b.boundary = _square(113.164, 27.830, 0.004)
    city.grid_b.save()
    point = {"lat": "27.830", "long": "113.159"}  # 9 m-degrees from A, 5 from B
    data = {
        "api_key": partner_key,
        "service_code": "food_supplies",
        "description": "家里没菜了",
        "attribute[items]": "蔬菜",
        "attribute[people]": "2",
        **point,
    }
    response = client.post(f"{BASE}/requests.json", data)
    assert response.status_code == 201, response.content
    order = WorkOrder.objects.get(number=response.json()[0]["service_request_id"])
    assert order.area_id == city.grid_a.pk
    # and a point outside every drawn boundary still goes to the nearest centre
    data.update(lat="27.830", long="113.171", description="又没菜了，另一家")
    response = client.post(f"{BASE}/requests.json", data)
    order = WorkOrder.objects.get(number=response.json()[0]["service_request_id"])
    assert order.area_id == city.grid_b.pk


def test_several_values_for_a_one_value_attribute_are_refused(client, city, partner_key):
    data = {
        "api_key": partner_key,
        "service_code": "food_supplies",
        "description": "家里没菜了",
        "attribute[items][]": ["蔬菜", "米"],
        "attribute[people]": "2",
        "lat": str(city.grid_a.lat),
        "long": str(city.grid_a.lng),
    }
    response = client.post(f"{BASE}/requests.json", data)
    assert response.status_code == 400
    assert "attribute[items]" in response.json()[0]["description"]
    assert not WorkOrder.objects.exists()
