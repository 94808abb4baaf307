"""The crew's card names the door (the household's address from the registry) and offers
the order's callback number masked, revealed for a call only on an audited tap; the
dispatcher inserts an urgent order picked from a searchable list, never by typing an id."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lifeline.api.tests.helpers import client_for
from lifeline.core.models import AuditRecord
from lifeline.registry.models import Building
from lifeline.teams.services import plan_create, plan_publish
from lifeline.teams.tests.helpers import CENTRES, DAY, make_order
from lifeline.teams.tests.test_pages import english
from lifeline.testing.factories import make_household

FAST = 0.3
PHONE = "13812345678"


@pytest.fixture
def door(city, fleet):
    building = Building.objects.create(
        grid=city.grid_a,
        area_path=city.grid_a.path,
        name="3栋",
        address="株洲市天元区泰山路小区3栋",
        lat=CENTRES["A"][0],
        lng=CENTRES["A"][1],
    )
    household = make_household(grid=city.grid_a, unit_no="502", building=building)
    order = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    order.household, order.address, order.contact_phone = household, "", PHONE
    order.save(update_fields=["household", "address", "contact_phone"])
    return order


@pytest.fixture
def published(fleet, door):
    dispatcher = fleet.dispatchers["A"]
    plan = plan_create(actor=dispatcher, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)
    return plan_publish(actor=dispatcher, plan=plan, expected_version=1)


def test_crew_card_shows_the_household_address_and_a_masked_callback(fleet, published):
    html = english(fleet.members["A"]).get(reverse("teams:my_route")).content.decode()
    card = html.split('data-testid="next-stop"')[1].split("</section>")[0]
    assert "株洲市天元区泰山路小区3栋 502" in card
    assert "138****5678" in card and PHONE not in html
    assert "Show the number to call (recorded)" in card


def test_reveal_gives_the_crew_a_number_to_call_and_is_audited(fleet, published):
    stop = published.stops.get()
    url = reverse("teams:reveal_contact", args=[stop.pk])
    page = english(fleet.members["A"]).post(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'href="tel:{PHONE}"' in page and "<html" not in page
    record = AuditRecord.objects.filter(action="teams.stop_contact_reveal").get()
    assert record.fields == ["contact_phone"] and PHONE not in str(record.__dict__)
    # another team's crew is told there is no such stop
    assert client_for(fleet.members["B"]).post(url).status_code == 404
    assert AuditRecord.objects.filter(action="teams.stop_contact_reveal").count() == 1


def test_urgent_picker_finds_open_orders_by_number_or_address(city, fleet, door):
    dispatcher = fleet.dispatchers["A"]
    plan = plan_create(actor=dispatcher, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)
    late = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"], priority=1)
    elsewhere = make_order(grid=city.grid_b, unit=fleet.units["B"], near=CENTRES["B"])
    client = english(dispatcher)
    page = client.get(reverse("teams:plan", args=[plan.pk])).content.decode()
    picker = page.split('data-testid="urgent-choices"')[1].split("</form>")[0]
    assert late.number in picker and elsewhere.number not in picker
    assert door.number not in picker  # already on the route
    assert "ref_id" not in page
    found = client.get(
        reverse("teams:urgent_choices", args=[plan.pk]),
        {"urgent_q": late.number[-4:]},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert found.count('data-testid="urgent-choice"') == 1 and late.number in found
    none = client.get(
        reverse("teams:urgent_choices", args=[plan.pk]),
        {"urgent_q": "没有这个地址"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "No open work order matches." in none
    client.post(
        reverse("teams:act", args=[plan.pk, "urgent"]),
        {"version": "1", "visit": f"work_order:{late.pk}"},
    )
    assert plan.stops.filter(ref_id=late.pk).exists()
    refused = client.post(
        reverse("teams:act", args=[plan.pk, "urgent"]),
        {"version": "2", "visit": "nonsense"},
        follow=True,
    ).content.decode()
    assert "Choose the visit to insert." in refused
    outsider = client_for(fleet.dispatchers["B"])
    assert outsider.get(reverse("teams:urgent_choices", args=[plan.pk])).status_code == 404
