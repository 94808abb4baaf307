"""The hotline console: the caller's number finds households, people (masked) and their
open orders; the operator files, comments, and sees "call 120 now" when it is needed."""

from __future__ import annotations

from lifeline.api.tests.helpers import client_for
from lifeline.health.services import access_decide, health_status_set
from lifeline.health.tests.conftest import hospitals  # noqa: F401  (fixture)
from lifeline.workorders.models import Channel, EventKind, Priority, WorkOrder
from lifeline.workorders.services import workorder_create

URL = "/workorders/hotline/"


def test_the_callers_number_shows_households_masked_people_and_open_orders(
    city, ladder, categories, hotline_operator, grid_worker_a
):
    # given a household of grid A with an open order
    person = city.people_a[1]
    household = person.household
    open_order = workorder_create(
        actor=grid_worker_a, category_code="other", person=person, description="楼道灯坏了"
    ).order
    # when the operator types the household's number
    response = client_for(hotline_operator).post(URL, {"phone": household.phone})
    # then the people show with masked phones and ID numbers, never the full values
    page = response.content.decode()
    assert response.status_code == 200
    assert person.name in page and open_order.number in page
    assert person.phone not in page and household.phone not in page
    assert person.id_number_masked in page
    assert 'data-testid="access-decision-slot"' in page


def test_an_unknown_or_bad_number_is_said_plainly(city, ladder, categories, hotline_operator):
    client = client_for(hotline_operator)
    assert (
        "No household in your area"
        in client.post(URL, {"phone": "13800000000"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    bad = client.post(URL, {"phone": "12"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200 and "Not a valid phone number" in bad.content.decode()


def test_operator_files_for_the_selected_person_on_the_hotline_channel(
    city, ladder, categories, hotline_operator
):
    person = city.people_a[2]
    client = client_for(hotline_operator)
    client.post(URL, {"phone": person.household.phone})
    response = client.post(
        f"{URL}new/",
        {
            "person": person.pk,
            "category": "medicine",
            "extra.drug": "胰岛素",
            "description": "胰岛素只剩两天",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 201, response.content.decode()[:500]
    order = WorkOrder.objects.get()
    assert order.channel == Channel.HOTLINE and order.person == person
    assert order.contact_phone == person.household.phone
    assert order.number in response.content.decode()
    assert 'data-testid="call-120"' not in response.content.decode()


def test_emergency_words_show_call_120_and_file_a_critical_order(
    city, ladder, categories, hotline_operator
):
    client = client_for(hotline_operator)
    # while typing, the banner appears
    live = client.get("/workorders/emergency/", {"description": "她要生了，羊水破了"})
    assert 'data-testid="call-120"' in live.content.decode()
    assert (
        'data-testid="call-120"'
        not in client.get("/workorders/emergency/", {"description": "要买菜"}).content.decode()
    )
    # and filing gives the banner and a critical medical order
    client.post(URL, {"phone": "13812345678"})
    response = client.post(
        f"{URL}new/",
        {"area": city.community.pk, "description": "父亲晕倒了叫不醒"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="call-120"' in response.content.decode()
    order = WorkOrder.objects.get()
    assert order.priority == Priority.CRITICAL and order.category.code == "medical_care"


def test_a_refused_order_shows_the_errors_and_writes_nothing(
    city, ladder, categories, hotline_operator
):
    response = client_for(hotline_operator).post(
        f"{URL}new/",
        {"area": city.community.pk, "category": "gas", "description": "气"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert 'data-testid="create-error"' in response.content.decode()
    assert WorkOrder.objects.count() == 0


def test_comment_on_a_callers_open_order_lands_on_its_timeline(
    city, ladder, categories, hotline_operator, grid_worker_a
):
    order = workorder_create(
        actor=grid_worker_a, category_code="other", area=city.grid_a, description="事"
    ).order
    response = client_for(hotline_operator).post(
        f"{URL}{order.pk}/comment/", {"note": "居民又来电催"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert order.events.filter(kind=EventKind.COMMENTED, note="居民又来电催").exists()


def test_the_console_is_refused_to_roles_without_intake_and_to_outsiders(
    city, ladder, categories, outsider, committee_staff
):
    assert client_for(outsider).get(URL).status_code == 403
    assert client_for(committee_staff).get(URL).status_code == 403
    assert client_for(None).get(URL).status_code == 302  # to the login page


def test_the_selected_persons_access_decision_shows_in_the_slot(
    city,
    ladder,
    categories,
    hotline_operator,
    command_staff,
    hospitals,  # noqa: F811  (the imported fixture)
):
    person = city.people_a[0]
    health_status_set(actor=command_staff, person=person, colour="red")
    access_decide(actor=command_staff, person=person, urgency="necessary")
    client = client_for(hotline_operator)
    client.post(URL, {"phone": person.household.phone})
    response = client.get(URL, {"person": person.pk})
    assert 'data-testid="access-decision"' in response.content.decode()
