"""Health status history and area risk."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.core import clock
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.health.models import HealthStatus
from lifeline.health.selectors import area_risk_level, status_current, status_history
from lifeline.health.services import area_risk_set, health_status_set

T0 = dt.datetime(2022, 11, 9, 8, 0, tzinfo=dt.UTC)


def test_new_status_becomes_current_and_closes_the_last(city, command_staff):
    # given a yellow code set on day 1
    person = city.people_a[0]
    with clock.frozen_at(T0):
        first = health_status_set(
            actor=command_staff,
            person=person,
            colour="yellow",
            quarantine="home_monitoring",
            reason="时空伴随",
        )
    # when a red code is set on day 2
    with clock.frozen_at(T0 + dt.timedelta(days=1)):
        second = health_status_set(
            actor=command_staff, person=person, colour="red", source="api", reason="阳性"
        )
        now_status = status_current(actor=command_staff, person=person)
    # then the history keeps both, only the red one is current, and the yellow one ended
    first.refresh_from_db()
    assert (first.current, first.valid_to) == (False, second.valid_from)
    assert HealthStatus.objects.filter(person=person, current=True).get() == second
    assert (now_status.colour, now_status.known) == ("red", True)
    assert list(status_history(actor=command_staff, person=person)) == [second, first]
    assert AuditRecord.objects.filter(action="health.status_set").count() == 2


def test_resending_the_same_status_writes_nothing(city, command_staff):
    person = city.people_a[0]
    with clock.frozen_at(T0):
        first = health_status_set(actor=command_staff, person=person, colour="red", valid_from=T0)
        again = health_status_set(actor=command_staff, person=person, colour="red", valid_from=T0)
    assert again == first
    assert HealthStatus.objects.filter(person=person).count() == 1


def test_an_older_status_than_the_current_is_refused(city, command_staff):
    person = city.people_a[0]
    with clock.frozen_at(T0):
        health_status_set(actor=command_staff, person=person, colour="red")
        with pytest.raises(Conflict) as caught:
            health_status_set(
                actor=command_staff,
                person=person,
                colour="green",
                valid_from=T0 - dt.timedelta(hours=1),
            )
    assert caught.value.code == "stale"
    assert HealthStatus.objects.filter(person=person).count() == 1


def test_bad_values_are_refused_with_field_errors(city, command_staff):
    person = city.people_a[0]
    with pytest.raises(ServiceError) as caught:
        health_status_set(actor=command_staff, person=person, colour="purple")
    assert "colour" in caught.value.fields
    with pytest.raises(ServiceError) as caught:
        health_status_set(
            actor=command_staff,
            person=person,
            colour="red",
            valid_from=clock.now(),
            valid_to=clock.now() - dt.timedelta(days=1),
        )
    assert "valid_to" in caught.value.fields
    assert not HealthStatus.objects.exists()


def test_grid_workers_and_outsiders_may_not_set_status(city, grid_worker_a, outsider):
    person = city.people_a[0]
    with pytest.raises(PermissionDenied):
        health_status_set(actor=grid_worker_a, person=person, colour="red")
    with pytest.raises(NotFound):
        health_status_set(actor=outsider, person=person, colour="red")
    with pytest.raises(NotFound):
        status_current(actor=outsider, person=person)
    assert not HealthStatus.objects.exists()


def test_history_is_scoped_to_the_actors_area(city, command_staff, grid_worker_b):
    person = city.people_a[0]
    health_status_set(actor=command_staff, person=person, colour="yellow")
    assert not status_history(actor=grid_worker_b, person=person).exists()


def test_risk_of_a_district_covers_every_area_below_it(city, command_staff):
    # given the community is medium-risk and then the district high-risk
    area_risk_set(actor=command_staff, area=city.community, level="medium")
    assert area_risk_level(path=city.grid_a.path) == "medium"
    area_risk_set(actor=command_staff, area=city.district, level="high")
    # then a grid in it is high-risk (the highest level in force above it)
    assert area_risk_level(path=city.grid_a.path) == "high"


def test_a_new_risk_declaration_ends_the_open_one(city, command_staff):
    with clock.frozen_at(T0):
        high = area_risk_set(actor=command_staff, area=city.community, level="high")
    with clock.frozen_at(T0 + dt.timedelta(days=7)):
        area_risk_set(actor=command_staff, area=city.community, level="low")
        level = area_risk_level(path=city.grid_a.path)
    high.refresh_from_db()
    assert high.valid_to == T0 + dt.timedelta(days=7)
    assert level == "low"


def test_grid_workers_may_not_declare_risk(city, grid_worker_a):
    with pytest.raises(PermissionDenied):
        area_risk_set(actor=grid_worker_a, area=city.grid_a, level="high")
