"""A permission holds only inside the membership granting it.

The persona: community staff of grid A who also samples city-wide. Sampling reaches grid B,
but none of the health permissions does: in grid B every health read and write is refused,
while in grid A each works as usual.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lifeline.accounts.models import Membership, Role, User
from lifeline.accounts.services import membership_revoke
from lifeline.api.tests.helpers import client_for
from lifeline.core.clock import frozen_at
from lifeline.core.errors import NotFound, PermissionDenied
from lifeline.health import selectors
from lifeline.health.importing import status_rows_import
from lifeline.health.models import Decision, HealthStatus, MedicalTransfer, RuleTable, StandingNeed
from lifeline.health.services import (
    access_current,
    access_decide,
    area_risk_set,
    health_status_set,
    medical_transfer_record,
    medical_transfer_request,
    rule_table_publish,
    standing_need_create,
    standing_need_end,
    standing_trips_create,
)
from lifeline.health.services.tables import table_specs
from lifeline.registry.models import AreaLevel
from lifeline.testing.factories import SmallCity, make_area, make_user

CST = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2022, 11, 21, 6, 0, tzinfo=CST)


@pytest.fixture
def dual(city: SmallCity) -> User:
    """Community staff of grid A, and a sampler of the whole city."""
    user = make_user("dual", role=Role.COMMUNITY_STAFF, area=city.grid_a)
    Membership.objects.create(user=user, role=Role.SAMPLER, area=city.city)
    return user


@pytest.fixture
def staff_b(city: SmallCity) -> User:
    return make_user("staff_b", role=Role.COMMUNITY_STAFF, area=city.grid_b)


def _dialysis(actor: User, person, **more):
    values = {"kind": "dialysis", "weekdays": [1, 3, 5], "time": dt.time(8), **more}
    with frozen_at(MONDAY):
        return standing_need_create(actor=actor, person=person, active_from=MONDAY.date(), **values)


def test_status_is_set_and_read_only_where_the_staff_membership_holds(city, dual):
    a, b = city.people_a[0], city.people_b[0]
    # in grid A: set and read
    health_status_set(actor=dual, person=a, colour="red")
    assert selectors.status_current(actor=dual, person=a).colour == "red"
    # in grid B, reached by the sampler's membership only: refused, nothing written
    with pytest.raises(PermissionDenied):
        health_status_set(actor=dual, person=b, colour="red")
    with pytest.raises(PermissionDenied):
        selectors.status_current(actor=dual, person=b)
    health_status_set(
        actor=make_user("cmd", role=Role.COMMAND_STAFF, area=city.city), person=b, colour="yellow"
    )
    assert not selectors.status_history(actor=dual, person=b).exists()
    assert {s.person_id for s in selectors.status_list(actor=dual)} == {a.pk}
    assert not HealthStatus.objects.filter(person=b, colour="red").exists()


def test_the_status_list_import_refuses_rows_outside_the_staff_membership(city, dual):
    a, b = city.people_a[1], city.people_b[1]
    rows = [
        (2, {"person_id": str(a.pk), "colour": "红"}),
        (3, {"person_id": str(b.pk), "colour": "红"}),
    ]
    # a list naming a person of grid B is refused whole
    report = status_rows_import(actor=dual, rows=rows)
    assert [(e.row, e.field) for e in report.errors] == [(3, "id_number")]
    assert not HealthStatus.objects.exists()
    # grid A's row alone is written
    assert status_rows_import(actor=dual, rows=rows[:1]).created == 1


def test_a_sampler_membership_alone_imports_nothing(city):
    sampler = make_user("sampler_only", role=Role.SAMPLER, area=city.city)
    with pytest.raises(PermissionDenied):
        status_rows_import(actor=sampler, rows=[(2, {"person_id": str(city.people_a[0].pk)})])


def test_risk_is_declared_only_inside_the_district_membership(city):
    # given district staff of another district, who are also community staff here
    other = make_area(parent=city.city, level=AreaLevel.DISTRICT, code="430203", name="芦淞区")
    user = make_user("two_districts", role=Role.DISTRICT_STAFF, area=other)
    Membership.objects.create(user=user, role=Role.COMMUNITY_STAFF, area=city.community)
    # then the risk of their district may be declared, not that of the community here
    area_risk_set(actor=user, area=other, level="high")
    with pytest.raises(PermissionDenied):
        area_risk_set(actor=user, area=city.community, level="high")
    with pytest.raises(NotFound):
        area_risk_set(actor=user, area=city.district, level="high")


def test_decisions_are_made_and_read_only_inside_the_staff_membership(city, hospitals, dual):
    a, b = city.people_a[0], city.people_b[0]
    mine = access_decide(actor=dual, person=a, urgency="routine")
    assert access_current(actor=dual, person=a).person == a
    access_decide(actor=dual, area=city.grid_a, urgency="routine", colour="yellow")
    before = Decision.objects.count()
    with pytest.raises(PermissionDenied):
        access_decide(actor=dual, person=b, urgency="routine")
    with pytest.raises(PermissionDenied):
        access_decide(actor=dual, area=city.grid_b, urgency="routine", colour="yellow")
    with pytest.raises(PermissionDenied):
        access_current(actor=dual, person=b)
    assert Decision.objects.count() == before
    theirs = access_decide(
        actor=make_user("hotline_b", role=Role.HOTLINE_OPERATOR, area=city.grid_b),
        person=b,
        urgency="routine",
    )
    visible = set(selectors.decision_list(actor=dual).values_list("pk", flat=True))
    assert mine.pk in visible and theirs.pk not in visible


def test_transfers_are_requested_recorded_and_listed_only_inside_the_staff_membership(
    city, hospitals, dual, staff_b
):
    own = medical_transfer_request(actor=dual, person=city.people_a[0])
    theirs = medical_transfer_request(actor=staff_b, person=city.people_b[0])
    with pytest.raises(PermissionDenied):
        medical_transfer_request(actor=dual, person=city.people_b[1])
    assert MedicalTransfer.objects.count() == 2
    medical_transfer_record(actor=dual, transfer=own, step="call")
    with pytest.raises(PermissionDenied):
        medical_transfer_record(actor=dual, transfer=theirs, step="call")
    theirs.refresh_from_db()
    assert theirs.call_at is None
    assert list(selectors.transfer_list(actor=dual)) == [own]


def test_standing_needs_are_arranged_and_ended_only_inside_the_staff_membership(
    city, hospitals, dual, staff_b
):
    own = _dialysis(dual, city.people_a[1])
    theirs = _dialysis(staff_b, city.people_b[1])
    with pytest.raises(PermissionDenied):
        _dialysis(dual, city.people_b[2])
    with pytest.raises(PermissionDenied):
        standing_need_end(actor=dual, need=theirs, reason="转院治疗")
    theirs.refresh_from_db()
    assert theirs.active
    assert list(selectors.standing_need_list(actor=dual)) == [own]
    assert standing_need_end(actor=dual, need=own, reason="转院治疗").active is False


def test_trips_stop_when_the_arranger_keeps_only_an_unrelated_membership(city, hospitals):
    # given a need arranged by community staff who also sample city-wide
    arranger = make_user("arranger", role=Role.COMMUNITY_STAFF, area=city.grid_a)
    Membership.objects.create(user=arranger, role=Role.SAMPLER, area=city.city)
    need = _dialysis(arranger, city.people_a[1])
    # when the staff membership ends (the sampler's still covers the person)
    staff = Membership.objects.get(user=arranger, role=Role.COMMUNITY_STAFF)
    membership_revoke(actor=None, membership=staff)
    with frozen_at(MONDAY + dt.timedelta(days=1, hours=3)):
        result = standing_trips_create()
    # then no trip is filed and the need says why
    assert (result.created, result.failed) == (0, 1)
    need.refresh_from_db()
    assert need.last_error and not MedicalTransfer.objects.exists()


def test_the_rule_table_needs_a_membership_granting_it(city, dual):
    v1 = RuleTable.objects.get(version=1)
    with pytest.raises(PermissionDenied):
        rule_table_publish(actor=dual, rules=table_specs(v1))
    # a command-centre membership anywhere may publish the city's one table
    command = make_user("district_command", role=Role.COMMAND_STAFF, area=city.district)
    assert rule_table_publish(actor=command, rules=table_specs(v1)).version == 2


def test_pages_of_grid_b_are_refused_to_the_sampler_membership(city, hospitals, dual, staff_b):
    person_b = city.people_b[1]
    transfer_b = medical_transfer_request(actor=staff_b, person=city.people_b[2])
    need_b = _dialysis(staff_b, person_b)
    own = medical_transfer_request(actor=dual, person=city.people_a[0])
    client = client_for(dual)
    decisions, transfers = Decision.objects.count(), MedicalTransfer.objects.count()
    for method, url in (
        ("post", reverse("health:person_decide", args=[person_b.pk])),
        ("post", reverse("health:person_transfer", args=[person_b.pk])),
        ("get", reverse("health:standing_needs", args=[person_b.pk])),
        ("post", reverse("health:standing_needs", args=[person_b.pk])),
        ("post", reverse("health:standing_need_end", args=[need_b.pk])),
        ("get", reverse("health:transfer", args=[transfer_b.pk])),
        ("post", reverse("health:transfer_time", args=[transfer_b.pk])),
    ):
        body = {"urgency": "routine", "step": "call", "reason": "出院", "kind": "dialysis"}
        response = getattr(client, method)(url, body)
        assert response.status_code in (403, 404), (url, response.status_code)
    assert (Decision.objects.count(), MedicalTransfer.objects.count()) == (decisions, transfers)
    assert StandingNeed.objects.filter(active=True).count() == 1
    listing = client.get(reverse("health:transfers")).content.decode()
    assert own.order.number in listing and transfer_b.order.number not in listing
    # grid A's pages open
    assert client.get(reverse("health:transfer", args=[own.pk])).status_code == 200
    standing = reverse("health:standing_needs", args=[city.people_a[0].pk])
    assert client.get(standing).status_code == 200
