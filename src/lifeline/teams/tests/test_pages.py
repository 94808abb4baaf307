"""The dispatcher's plan page, route sheet and map, and the crew's phone page: what they
show, what their buttons do, and who may open them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lifeline.api.tests.helpers import client_for
from lifeline.teams.models import Plan, PlanStop
from lifeline.teams.services import appointment_set, plan_create, plan_publish
from lifeline.teams.tests.helpers import CENTRES, DAY, make_order, make_orders
from lifeline.testing.factories import make_user

FAST = 0.3


def english(user):
    client = client_for(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


@pytest.fixture
def plan(city, fleet):
    make_orders(fleet, city, per_grid=6)
    night = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    import datetime as dt

    appointment_set(
        actor=fleet.dispatchers["A"],
        work_order_id=night.pk,
        day=DAY,
        start=dt.time(22),
        end=dt.time(23),
    )
    return plan_create(
        actor=fleet.company_dispatcher, unit_id=fleet.company.pk, day=DAY, time_limit=FAST
    )


def test_plan_page_shows_routes_unserved_reasons_and_the_comparison(fleet, plan):
    client = english(fleet.company_dispatcher)
    page = client.get(reverse("teams:plan", args=[plan.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    # one summary line per route; the stops only of the route asked for
    assert html.count('data-testid="route"') == 2
    assert 'data-testid="stop"' not in html
    route = plan.routes.filter(vehicle=fleet.vehicles["A"]).get()
    one = client.get(reverse("teams:plan", args=[plan.pk]), {"route": route.pk}).content.decode()
    assert one.count('data-testid="stop"') == route.stops.count() == 6
    for stop in route.stops.all():
        assert stop.address in one
    unserved = html.split('data-testid="unserved"')[1]
    assert plan.unserved.get().label in unserved
    assert "Its time window cannot be reached" in unserved
    comparison = html.split('data-testid="comparison"')[1].split("</section>")[0]
    assert str(plan.baseline_km) in comparison and str(plan.optimised_km) in comparison
    assert str(plan.km_saved) in comparison


def test_plan_page_in_chinese_by_default(fleet, plan):
    html = client_for(fleet.company_dispatcher).get(reverse("teams:plan", args=[plan.pk]))
    assert 'lang="zh-hans"' in html.content.decode()


def test_pages_of_a_plan_are_refused_outside_the_unit(city, fleet, plan, command_staff):
    names = ("plan", "sheet", "map", "map_data")
    for user in (fleet.dispatchers["B"], fleet.members["A"], make_user("nobody")):
        for name in names:
            response = client_for(user).get(reverse(f"teams:{name}", args=[plan.pk]))
            assert response.status_code == 404, (user, name)
    team_plan = plan_create(
        actor=fleet.dispatchers["B"], team_id=fleet.teams["B"].pk, day=DAY, time_limit=FAST
    )
    for name in names:
        own = client_for(fleet.dispatchers["B"]).get(reverse(f"teams:{name}", args=[team_plan.pk]))
        assert own.status_code == 200
        oversight = client_for(command_staff).get(reverse(f"teams:{name}", args=[plan.pk]))
        assert oversight.status_code == 200
    assert client_for(None).get(reverse("teams:plan", args=[plan.pk])).status_code == 302


def test_route_sheet_lists_each_route_in_order_for_printing(fleet, plan):
    client = client_for(fleet.company_dispatcher)
    html = client.get(reverse("teams:sheet", args=[plan.pk])).content.decode()
    assert html.count('data-testid="sheet"') == 2
    assert "teams/teams.css" in html
    route = plan.routes.filter(vehicle=fleet.vehicles["A"]).get()
    one = client.get(reverse("teams:sheet", args=[plan.pk]), {"route": route.pk}).content.decode()
    assert one.count('data-testid="sheet"') == 1
    addresses = [s.address for s in route.stops.order_by("seq")]
    positions = [one.index(a) for a in addresses]
    assert positions == sorted(positions)


def test_map_page_loads_leaflet_and_its_data_answers_only_to_readers(fleet, plan):
    client = english(fleet.company_dispatcher)
    html = client.get(reverse("teams:map", args=[plan.pk])).content.decode()
    assert "vendor/leaflet/leaflet.js" in html and "teams/plan_map.js" in html
    assert 'data-testid="legend"' in html and "A-1" in html and "not served (1)" in html
    data = client.get(reverse("teams:map_data", args=[plan.pk])).json()
    kinds = [f["properties"]["kind"] for f in data["features"]]
    assert kinds.count("route") == 2 and kinds.count("stop") == plan.stops.count()
    assert kinds.count("unserved") == 1 and kinds.count("area") == 2
    assert "http" not in str(data)
    outsider = client_for(fleet.dispatchers["B"]).get(reverse("teams:map_data", args=[plan.pk]))
    assert outsider.status_code == 404


def test_dispatcher_makes_publishes_and_edits_a_plan_from_the_pages(city, fleet):
    make_orders(fleet, city, per_grid=4)
    client = english(fleet.dispatchers["A"])
    home = client.get(reverse("teams:home")).content.decode()
    assert f'value="team:{fleet.teams["A"].pk}"' in home
    plan = plan_create(
        actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST
    )
    act = reverse("teams:act", args=[plan.pk, "publish"])
    client.post(act, {"version": "1"})
    plan.refresh_from_db()
    assert plan.status == "published" and plan.version == 2
    # a second click from the stale page is told, and changes nothing
    stale = client.post(act, {"version": "1"}, follow=True).content.decode()
    assert "it is now version 2; you saw version 1" in stale and "Reload" in stale
    plan.refresh_from_db()
    assert plan.version == 2
    last = plan.stops.order_by("-seq").first()
    client.post(
        reverse("teams:act", args=[plan.pk, "move"]),
        {"version": "2", "stop": last.pk, "vehicle": fleet.vehicles["A"].pk, "position": "1"},
    )
    last.refresh_from_db()
    assert last.seq == 1
    urgent = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    client.post(
        reverse("teams:act", args=[plan.pk, "urgent"]),
        {"version": "3", "visit": f"work_order:{urgent.pk}"},
    )
    assert plan.stops.filter(ref_id=urgent.pk).exists()


def test_bad_form_input_is_a_message_not_a_crash(city, fleet):
    client = client_for(fleet.dispatchers["A"])
    page = client.post(
        reverse("teams:create"),
        {"target": f"team:{fleet.teams['A'].pk}", "day": "someday", "time_limit": "x"},
        follow=True,
    )
    assert page.status_code == 200 and Plan.objects.count() == 0
    assert client.post(reverse("teams:act", args=[1, "nonsense"])).status_code == 404


def test_crew_phone_shows_the_next_stop_and_records_it(city, fleet):
    make_orders(fleet, city, per_grid=3)
    dispatcher = fleet.dispatchers["A"]
    plan = plan_create(actor=dispatcher, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)
    plan_publish(actor=dispatcher, plan=plan, expected_version=1)
    crew = client_for(fleet.members["A"])
    page = crew.get(reverse("teams:my_route")).content.decode()
    first, second = plan.stops.order_by("seq")[:2]
    card = page.split('data-testid="next-stop"')[1].split("</section>")[0]
    assert first.address in card
    # without JavaScript: the form posts and the page comes back
    done = crew.post(reverse("teams:record", args=[first.pk, "arrive"]), {"km": "1.8"})
    assert done.status_code == 302
    first.refresh_from_db()
    assert first.arrived_km == 1.8
    # with htmx: the card is swapped in place and moves on to the next stop
    swapped = crew.post(
        reverse("teams:record", args=[first.pk, "complete"]),
        {"outcome": "done", "note": "已充值"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "<html" not in swapped
    assert second.address in swapped.split('data-testid="next-stop"')[1].split("</section>")[0]
    first.refresh_from_db()
    assert first.outcome == "done" and first.completed_at is not None
    bad = crew.post(
        reverse("teams:record", args=[second.pk, "arrive"]), {"km": "lots"}, follow=True
    )
    assert bad.status_code == 200
    assert PlanStop.objects.get(pk=second.pk).arrived_at is None
    # another team's crew cannot record here
    other = client_for(fleet.members["B"]).post(reverse("teams:record", args=[second.pk, "arrive"]))
    assert other.status_code == 404


def test_phone_page_without_a_route_says_so(fleet):
    page = english(make_user("idle")).get(reverse("teams:my_route"))
    assert page.status_code == 200
    assert "No published route for you today." in page.content.decode()


def test_admin_lists_teams_vehicles_and_plans_read_only(fleet, plan):
    admin = make_user("root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_for(admin)
    for name in ("team", "vehicle", "plan"):
        assert client.get(reverse(f"admin:teams_{name}_changelist")).status_code == 200
    team = fleet.teams["A"]
    assert client.get(reverse("admin:teams_team_change", args=[team.pk])).status_code == 200
    assert client.get(reverse("admin:teams_plan_add")).status_code == 403


def test_plan_page_compares_planned_and_actual_as_the_crew_records(city, fleet):
    import datetime as dt

    from lifeline.core import clock
    from lifeline.teams.services import stop_arrive

    make_orders(fleet, city, per_grid=3)
    dispatcher = fleet.dispatchers["A"]
    plan = plan_create(actor=dispatcher, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)
    plan_publish(actor=dispatcher, plan=plan, expected_version=1)
    first = plan.stops.order_by("seq").first()
    # the crew is 20 minutes behind the planned time at the door
    with clock.frozen_at(first.eta + dt.timedelta(minutes=20)):
        stop_arrive(actor=fleet.members["A"], stop=first, km=first.planned_km + 0.7)
    html = english(dispatcher).get(reverse("teams:plan", args=[plan.pk])).content.decode()
    actual = html.split('data-testid="actual"')[1].split("</span>")[0]
    assert "1 reached" in actual and "20 min against plan" in actual
    assert f"trip meter {first.planned_km + 0.7} km, planned {first.planned_km} km" in actual


def test_district_staff_oversee_the_plans_in_their_district(city, fleet, plan):
    from lifeline.accounts.models import Role

    district = make_user("district", role=Role.DISTRICT_STAFF, area=city.district)
    elsewhere = make_user("elsewhere", role=Role.DISTRICT_STAFF, area=city.grid_b)
    assert client_for(district).get(reverse("teams:plan", args=[plan.pk])).status_code == 200
    assert client_for(elsewhere).get(reverse("teams:plan", args=[plan.pk])).status_code == 404
    refused = client_for(district).post(
        reverse("teams:act", args=[plan.pk, "publish"]), {"version": "1"}
    )
    assert refused.status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT
