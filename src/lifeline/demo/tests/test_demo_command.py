from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lifeline.command.models import DailyReport, ReviewAction
from lifeline.core.models import AuditRecord
from lifeline.registry.models import Area, Person
from lifeline.testing.factories import make_area
from lifeline.volunteers.models import Roster, RosterStatus, Shift, Volunteer

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def test_demo_generates_once_and_skips_when_the_city_exists(db: None) -> None:
    # given an empty database, when the demo command runs twice
    first = _demo("--people", "400", "--json")
    people_after_first = Person.objects.count()
    second = _demo("--people", "400")
    # then the city was generated once, with one audit record, and logins printed each time
    figures = json.loads(first.strip().splitlines()[-1])
    assert figures["people"] == 400 == people_after_first == Person.objects.count()
    assert "demo-command_staff" in first and "demo-command_staff" in second
    assert "--reset" in second
    assert AuditRecord.objects.filter(action="demo.generate").count() == 1
    # and the coordinator's community has volunteers and tomorrow's call, partly filled
    assert Volunteer.objects.count() == 60
    call = Shift.objects.get(post__kind="sampling")
    assert (call.capacity, call.confirmed) == (10, 7)
    # and the east gate's week is proposed by the roster solver, for the coordinator
    roster = Roster.objects.get()
    assert roster.status == RosterStatus.PROPOSED
    assert roster.figures["filled"] > 0 and roster.assignments
    # and yesterday's city report is signed, today's district report drafted, and the
    # district's review meeting filed its two actions as work orders
    assert DailyReport.objects.filter(status="signed", area__level="city").count() == 1
    assert DailyReport.objects.filter(status="draft", area__level="district").count() == 1
    assert ReviewAction.objects.count() == 2


def test_demo_reset_builds_the_city_again(transactional_db: None) -> None:
    # (transactional: PostgreSQL cannot TRUNCATE inside the test's open transaction)
    # given a demo city of 300 people
    _demo("--people", "300")
    # when it is reset with another size
    _demo("--people", "200", "--reset")
    # then only the new city is there
    assert Person.objects.count() == 200
    assert Area.objects.filter(code="430200").count() == 1


def test_demo_reset_refuses_a_database_holding_another_city(db: None) -> None:
    # given a database with a city that is not the demo
    make_area(parent=None, level="city", code="310000", name="上海市")
    # when a reset is asked, then it refuses and leaves the data alone
    with pytest.raises(CommandError):
        _demo("--people", "200", "--reset")
    assert Area.objects.filter(code="310000").exists()


def test_demo_rejects_a_population_below_one(db: None) -> None:
    with pytest.raises(CommandError):
        _demo("--people", "0")


def test_demo_warns_when_an_earlier_generation_was_interrupted(db: None) -> None:
    # given a city whose generation stopped before its summary audit record
    make_area(parent=None, level="city", code="430200", name="株洲市")
    err = StringIO()
    # when the demo command runs
    call_command("demo", "--no-serve", stdout=StringIO(), stderr=err)
    # then it does not generate over it, and says how to rebuild
    assert "--reset" in err.getvalue()
    assert Person.objects.count() == 0
