"""The command API: an area's figures with yesterday's, its children's, one figure's
series; alerts listed and acknowledged; rules created once per Idempotency-Key."""

from __future__ import annotations

import pytest

from lifeline.api.tests.helpers import assert_error, client_for, post_json
from lifeline.command.models import AlertRule
from lifeline.command.tests.scope_cases import make_command_world, rule_body
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db
API = "/api/v1/command"


def test_figures_children_and_series_of_an_area(city: SmallCity):
    w = make_command_world(city)
    client = client_for(w.command)
    answer = client.get(f"{API}/areas/{city.community.pk}/figures").json()
    people = next(f for f in answer["figures"] if f["key"] == "registry.people")
    assert people["value"] == 6 and people["yesterday"] == 0 and people["delta"] == 6
    assert answer["area"]["title"] == "嵩山路街道 · 泰山路社区"
    children = client.get(
        f"{API}/areas/{city.community.pk}/children", {"figure": "registry.people"}
    ).json()
    assert [c["area"]["title"] for c in children["children"]] == [
        "泰山路社区 · 第一网格",
        "泰山路社区 · 第二网格",
    ]
    assert [c["value"] for c in children["children"]] == [3, 3]
    series = client.get(f"{API}/areas/{city.grid_a.pk}/series", {"figure": "registry.people"})
    points = series.json()["points"]
    assert len(points) == 14 and points[-1]["value"] == 3 and points[0]["value"] == 0


def test_bad_figure_or_day_is_a_clear_error(city: SmallCity):
    w = make_command_world(city)
    client = client_for(w.command)
    bad = client.get(f"{API}/areas/{city.city.pk}/children", {"figure": "nope"})
    assert_error(bad, 400)
    future = client.get(f"{API}/areas/{city.city.pk}/figures", {"day": "2999-01-01"})
    assert_error(future, 400)


def test_alerts_listed_and_acknowledged(city: SmallCity):
    w = make_command_world(city)
    client = client_for(w.command)
    listed = client.get(f"{API}/alerts").json()
    assert listed["count"] == 2
    done = post_json(client, f"{API}/alerts/{w.alert_b.pk}/acknowledge", {})
    assert done.status_code == 200 and done.json()["acknowledged_at"]
    assert client.get(f"{API}/alerts").json()["count"] == 1


def test_a_rule_is_created_once_per_idempotency_key(city: SmallCity):
    w = make_command_world(city)
    client = client_for(w.command)
    before = AlertRule.objects.count()
    first = post_json(client, f"{API}/rules", rule_body(w), HTTP_IDEMPOTENCY_KEY="k-1")
    again = post_json(client, f"{API}/rules", rule_body(w), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert AlertRule.objects.count() == before + 1
    bad = post_json(client, f"{API}/rules", {**rule_body(w), "figure": "nope"})
    assert_error(bad, 400)
    assert AlertRule.objects.count() == before + 1
