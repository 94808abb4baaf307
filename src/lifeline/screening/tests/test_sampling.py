"""Sampling registration: idempotent by client id, pools close when full, scoping."""

from __future__ import annotations

import pytest

from lifeline.core.errors import Conflict, NotFound, ServiceError
from lifeline.screening.models import Sample, Tube, TubeStatus
from lifeline.screening.services import sample_register, tube_close
from lifeline.screening.tests.conftest import more_people


def test_the_same_registration_sent_twice_is_stored_once(city, sampler):
    person = city.people_a[0]
    first, created = sample_register(
        actor=sampler, client_id="abc", barcode="T1", person_id=person.pk
    )
    again, created_again = sample_register(
        actor=sampler, client_id="abc", barcode="T1", person_id=person.pk
    )
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Sample.objects.count() == 1
    assert Tube.objects.get().members == 1


def test_a_client_id_reused_for_another_person_is_a_conflict(city, sampler):
    sample_register(actor=sampler, client_id="abc", barcode="T1", person_id=city.people_a[0].pk)
    with pytest.raises(Conflict):
        sample_register(actor=sampler, client_id="abc", barcode="T1", person_id=city.people_a[1].pk)


def test_a_pool_of_five_closes_itself_at_five(city, sampler):
    people = more_people(city.grid_a, 6)
    for i, person in enumerate(people[:5]):
        sample_register(
            actor=sampler, client_id=f"c{i}", barcode="P5", person_id=person.pk, pool_size=5
        )
    assert Tube.objects.get(barcode="P5").status == TubeStatus.CLOSED
    with pytest.raises(Conflict):
        sample_register(
            actor=sampler, client_id="c9", barcode="P5", person_id=people[5].pk, pool_size=5
        )


def test_a_household_tube_refuses_another_household(city, sampler):
    a, b = more_people(city.grid_a, 2)
    sample_register(actor=sampler, client_id="h1", barcode="H1", person_id=a.pk, per_household=True)
    with pytest.raises(Conflict):
        sample_register(
            actor=sampler, client_id="h2", barcode="H1", person_id=b.pk, per_household=True
        )


def test_an_odd_pool_size_is_refused(city, sampler):
    with pytest.raises(ServiceError):
        sample_register(
            actor=sampler, client_id="z", barcode="Z", person_id=city.people_a[0].pk, pool_size=7
        )


def test_a_grid_worker_cannot_sample_a_person_of_another_grid(city, grid_worker_a):
    with pytest.raises(NotFound):
        sample_register(
            actor=grid_worker_a, client_id="q", barcode="Q", person_id=city.people_b[0].pk
        )
    assert Sample.objects.count() == 0


def test_closing_an_empty_tube_is_refused_and_closing_twice_is_harmless(city, sampler):
    sample_register(actor=sampler, client_id="k", barcode="K", person_id=city.people_a[0].pk)
    tube_close(actor=sampler, barcode="K")
    assert tube_close(actor=sampler, barcode="K").status == TubeStatus.CLOSED
