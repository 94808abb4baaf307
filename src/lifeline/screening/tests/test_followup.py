"""Seed scenario: a pooled tube turns positive (双采追阳) and every member is followed up."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.core.errors import Conflict, PermissionDenied
from lifeline.core.models import OutboxMessage
from lifeline.screening.models import Compliance, RecheckStatus, RecheckTask
from lifeline.screening.selectors import screening_list
from lifeline.screening.services import sample_register
from lifeline.screening.tests.conftest import more_people, pool, result

DAY = dt.date(2022, 11, 6)


def test_a_positive_ten_person_tube_puts_all_ten_on_pending_recheck(
    city, sampler, lab, community_staff
):
    # given a tube pooling 6 people of grid A and 4 of grid B
    members = more_people(city.grid_a, 6) + more_people(city.grid_b, 4)
    barcode = pool(sampler, members, day=DAY)
    # when the lab reports it positive
    result(lab, [barcode], "positive", day=DAY)
    # then all 10 are pending recheck, told to stay home, with one task each in their grid
    ids = {p.pk for p in members}
    assert (
        set(Compliance.objects.filter(pending_recheck=True).values_list("person_id", flat=True))
        == ids
    )
    tasks = RecheckTask.objects.filter(source_tube__barcode=barcode)
    assert tasks.count() == 10
    assert {(t.person_id, t.grid_id) for t in tasks} == {(p.pk, p.grid_id) for p in members}
    assert all(t.status == RecheckStatus.OPEN for t in tasks)
    assert OutboxMessage.objects.filter(object_id__in=[str(i) for i in ids]).count() == 10
    pending_b = screening_list(
        actor=community_staff, area_id=city.grid_b.pk, kind="pending_recheck"
    )
    assert set(pending_b.values_list("pk", flat=True)) == {p.pk for p in members[6:]}
    # and the lab, which sees tubes and results but no one by name, may not read the list
    with pytest.raises(PermissionDenied):
        screening_list(actor=lab, area_id=city.grid_b.pk, kind="pending_recheck")


def test_a_member_awaiting_recheck_cannot_go_into_a_pool(city, sampler, lab):
    # given a member of a positive pool
    members = more_people(city.grid_a, 5)
    result(lab, [pool(sampler, members, day=DAY, size=5)], "positive", day=DAY)
    # when a sampler puts them in a pool of 10
    # then it is refused: the recheck must be a single tube
    with pytest.raises(Conflict) as caught:
        sample_register(actor=sampler, client_id="x1", barcode="POOL-X", person_id=members[0].pk)
    assert caught.value.code == "recheck_single_tube"


def test_a_negative_single_tube_recheck_clears_the_member(city, sampler, lab):
    # given a member of a positive pool
    members = more_people(city.grid_a, 5)
    result(lab, [pool(sampler, members, day=DAY, size=5)], "positive", day=DAY)
    person = members[0]
    # when they are re-sampled alone and the single tube is negative
    next_day = DAY + dt.timedelta(days=1)
    result(lab, [pool(sampler, [person], day=next_day, size=1)], "negative", day=next_day)
    # then their task is cleared and they leave the pending list; the others stay
    task = RecheckTask.objects.get(person=person)
    assert task.status == RecheckStatus.CLEARED
    assert Compliance.objects.get(person=person).pending_recheck is False
    assert Compliance.objects.filter(pending_recheck=True).count() == 4
