"""The demo's command centre: figures for today and yesterday and two rules, set once."""

from __future__ import annotations

import pytest

from lifeline.command.models import AlertRule, AreaFigure
from lifeline.command.tests.helpers import make_desk
from lifeline.core import clock
from lifeline.demo.command import seed_demo_command
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db


def test_seed_demo_command_refreshes_two_days_and_sets_two_rules_once(city: SmallCity):
    desk = make_desk(city)
    first = seed_demo_command(actor=desk.command)
    assert first["rules"] == 2
    assert AreaFigure.objects.filter(day=clock.today()).exists()
    assert seed_demo_command(actor=desk.command)["rules"] == 0
    assert AlertRule.objects.count() == 2
