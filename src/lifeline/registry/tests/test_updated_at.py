"""``updated_at`` of households and people comes from the one clock (``core.clock``), like
every other time the platform writes: a frozen test clock shows in it, the wall clock not."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lifeline.core import clock
from lifeline.registry import services
from lifeline.registry.importing import import_job_create, import_job_process
from lifeline.registry.models import Household, ImportJob, Person
from lifeline.registry.tests.households_files import rows_csv, valid_rows

FROZEN = timezone.make_aware(dt.datetime(2031, 5, 6, 7, 8, 9))


def test_a_person_edit_sets_updated_at_from_the_clock(city, grid_worker_a):
    person = city.people_a[0]
    with clock.frozen_at(FROZEN):
        services.person_update(actor=grid_worker_a, person=person, name="新名字")
    person.refresh_from_db()
    assert person.updated_at == FROZEN
    assert person.created_at != FROZEN


def test_a_household_edit_sets_updated_at_from_the_clock(city, grid_worker_a):
    household = city.people_a[0].household
    with clock.frozen_at(FROZEN):
        services.household_update(actor=grid_worker_a, household=household, gas_account="G-7")
    household.refresh_from_db()
    assert household.updated_at == FROZEN


def test_an_edit_that_changes_nothing_leaves_updated_at(city, grid_worker_a):
    person = city.people_a[0]
    before = Person.objects.get(pk=person.pk).updated_at
    with clock.frozen_at(FROZEN):
        services.person_update(actor=grid_worker_a, person=person, name=person.name)
    assert Person.objects.get(pk=person.pk).updated_at == before


def test_every_save_stamps_it_unless_update_fields_leave_it_out(city):
    person = Person.objects.get(pk=city.people_a[0].pk)
    before = person.updated_at
    with clock.frozen_at(FROZEN):
        person.name = "又一个名字"
        person.save(
            update_fields=["name"]
        )  # a narrow save leaves it, as the old automatic field did
        assert Person.objects.get(pk=person.pk).updated_at == before
        person.save()  # a full save (the admin's) stamps it
    assert Person.objects.get(pk=person.pk).updated_at == FROZEN


def test_created_rows_and_imported_rows_carry_the_clock(city, grid_worker_a):
    with clock.frozen_at(FROZEN):
        person = services.person_create(
            actor=grid_worker_a, household=city.people_a[0].household, name="新人", sex="F"
        )
        content = rows_csv(valid_rows(4, grid_code=city.grid_a.code))
        job = import_job_create(
            actor=grid_worker_a, file_name="list.csv", content=content, language="en"
        )
        job = import_job_process(job_id=job.pk)
    assert job.status == ImportJob.Status.DONE, job.errors
    person.refresh_from_db()
    assert (person.created_at, person.updated_at) == (FROZEN, FROZEN)
    imported = Person.objects.filter(created_at=FROZEN).exclude(pk=person.pk)
    assert imported.count() == 4
    assert set(imported.values_list("updated_at", flat=True)) == {FROZEN}
    households = Household.objects.filter(created_at=FROZEN)
    assert households.exists()
    assert set(households.values_list("updated_at", flat=True)) == {FROZEN}
