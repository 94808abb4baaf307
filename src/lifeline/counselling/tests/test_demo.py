"""The demo's counselling line: 50 counsellors, some on duty now, about 100 contacts, a
few callbacks and one high-risk contact for the supervisor."""

from __future__ import annotations

import pytest

from lifeline.accounts.models import Role
from lifeline.counselling import selectors
from lifeline.counselling.models import Callback, Contact, Counsellor
from lifeline.counselling.tests.helpers import make_line
from lifeline.demo.counselling import seed_demo_counselling
from lifeline.demo.supplies import DEMO_EMAIL
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_the_line_once(city: SmallCity):
    line = make_line(city)
    boss = make_user("demo_sup", role=Role.COUNSELLING_SUPERVISOR, unit=line)
    taker = make_user("demo_cou", role=Role.COUNSELLOR, unit=line)
    for user in (boss, taker):
        user.email = f"{user.username}{DEMO_EMAIL}"
        user.save(update_fields=["email"])
    summary = seed_demo_counselling()
    assert "50" in summary
    assert Counsellor.objects.count() == 50
    assert 10 <= len(selectors.on_duty_now()) < 50
    assert Contact.objects.count() == 101
    assert Callback.objects.count() == 4
    assert list(selectors.high_risk_open(actor=boss))
    assert seed_demo_counselling() == ""
