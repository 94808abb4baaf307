"""Alert rules: bad input refused with a translated message and nothing written; an alert
raised once per rule, area and day, told once to the unit's phone, shown until someone
with COMMAND_ALERTS acknowledges it (audited, once)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from lifeline.api.tests.helpers import client_for
from lifeline.command.models import Alert, AlertRule
from lifeline.command.services import (
    alert_acknowledge,
    alert_rule_create,
    alerts_evaluate,
    figures_refresh,
)
from lifeline.command.tests.helpers import Desk, make_desk
from lifeline.core import clock
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db


def _rule(desk: Desk, **changes: Any) -> AlertRule:
    committee = desk.city.units["committee"]
    args: dict[str, Any] = {
        "actor": desk.command,
        "area": desk.city.city,
        "key": "workorders.open",
        "level": "grid",
        "comparison": "above",
        "threshold": 1,
        "unit_id": committee.pk,
    }
    return alert_rule_create(**{**args, **changes})


@pytest.fixture
def desk(city: SmallCity) -> Desk:
    desk = make_desk(city)
    committee = city.units["committee"]
    committee.phone = "13900031234"
    committee.save(update_fields=["phone"])
    return desk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"key": "nothing.here"}, "key"),
        ({"level": "building"}, "level"),
        ({"area": "district", "level": "city"}, "level"),
        ({"comparison": "equal"}, "comparison"),
        ({"threshold": "lots"}, "threshold"),
        ({"threshold": -1}, "threshold"),
        ({"unit_id": 10**9}, "unit_id"),
        ({"unit_id": "x"}, "unit_id"),
    ],
)
def test_a_bad_rule_is_refused_with_a_message_and_writes_nothing(
    desk: Desk, changes: dict[str, Any], field: str
):
    if changes.get("area") == "district":
        changes["area"] = desk.city.district
    before = AlertRule.objects.count(), AuditRecord.objects.count()
    with translation.override("zh-hans"), pytest.raises(ServiceError) as caught:
        _rule(desk, **changes)
    assert field in caught.value.fields
    assert str(caught.value.message) and all(str(m) for m in caught.value.fields[field])
    assert (AlertRule.objects.count(), AuditRecord.objects.count()) == before


def test_a_grid_worker_may_not_set_rules(desk: Desk):
    with pytest.raises(PermissionDenied):
        _rule(desk, actor=desk.worker_a, area=desk.city.grid_a)
    with pytest.raises(NotFound):
        _rule(desk, actor=desk.worker_a, area=desk.city.grid_b)


def test_an_alert_is_raised_once_and_told_once(desk: Desk):
    # given two open orders in grid A and one in grid B, and "more than 1 open" per grid
    rule = _rule(desk)
    figures_refresh(day=clock.today())
    # when the sweep evaluates twice
    assert alerts_evaluate(day=clock.today()) == {"raised": 1}
    assert alerts_evaluate(day=clock.today()) == {"raised": 0}
    # then grid A alone is alerted, and the committee told once, naming the grid with its
    # community
    alerts = list(Alert.objects.filter(rule=rule))
    assert [(a.area_path, a.value) for a in alerts] == [(desk.city.grid_a.path, 2)]
    texts = list(OutboxMessage.objects.filter(object_type="command.alertrule"))
    assert len(texts) == 1 and texts[0].recipient == "13900031234"
    assert "泰山路社区 · 第一网格" in texts[0].body


def test_a_below_rule_counts_a_missing_figure_as_zero(desk: Desk):
    _rule(desk, key="screening.tested", comparison="below", threshold=1)
    figures_refresh(day=clock.today())
    assert alerts_evaluate(day=clock.today()) == {"raised": 2}


def test_a_ratio_threshold_is_a_percent(desk: Desk):
    rule = _rule(desk, key="screening.compliance", comparison="below", threshold="90.5")
    assert rule.threshold == 9050


def test_acknowledging_hides_the_alert_and_is_audited_once(desk: Desk):
    _rule(desk)
    figures_refresh(day=clock.today())
    alerts_evaluate(day=clock.today())
    alert = Alert.objects.get()
    client = client_for(desk.command)
    page = reverse("command:area", args=[desk.city.city.pk])
    assert 'data-testid="alert"' in client.get(page).content.decode()
    # a grid worker sees grid A's alert but may not acknowledge it
    worker = client_for(desk.worker_a)
    url = reverse("command:acknowledge", args=[alert.pk])
    assert worker.post(url).status_code == 403
    before = AuditRecord.objects.count()
    response = client.post(url, {"next": page})
    assert response.status_code == 302 and response.url == page
    alert.refresh_from_db()
    assert alert.acknowledged_by == desk.command
    assert AuditRecord.objects.count() == before + 1
    alert_acknowledge(actor=desk.command, alert=alert)
    assert AuditRecord.objects.count() == before + 1
    assert 'data-testid="alert"' not in client.get(page).content.decode()


def test_the_rules_page_sets_and_retires_a_rule(desk: Desk):
    client = client_for(desk.district)
    url = reverse("command:rules", args=[desk.city.district.pk])
    assert client.get(url).status_code == 200
    body = {
        "key": "workorders.overdue",
        "level": "grid",
        "comparison": "above",
        "threshold": "3",
        "unit_id": desk.city.units["committee"].pk,
    }
    assert client.post(url, {**body, "level": "city"}).status_code == 400
    assert not AlertRule.objects.exists()
    assert client.post(url, body).status_code == 302
    rule = AlertRule.objects.get()
    assert rule.area_path == desk.city.district.path
    assert client.post(reverse("command:rule_retire", args=[rule.pk])).status_code == 302
    rule.refresh_from_db()
    assert not rule.active
