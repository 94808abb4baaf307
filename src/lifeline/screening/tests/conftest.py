"""Screening personas and helpers: a sampler of the community, a city lab, pooled tubes."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

import pytest
from django.utils import timezone

from lifeline.accounts.models import Role, User
from lifeline.core.clock import frozen_at
from lifeline.registry.models import Area, Person
from lifeline.screening.services import sample_register, tube_close
from lifeline.screening.services.results import ResultRow, results_import
from lifeline.testing.factories import SmallCity, make_household, make_person, make_user

_codes = itertools.count(1)


@pytest.fixture
def sampler(city: SmallCity) -> User:
    return make_user("sampler", role=Role.SAMPLER, area=city.community)


@pytest.fixture
def lab(city: SmallCity) -> User:
    return make_user("lab", role=Role.LAB, area=city.city)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def more_people(grid: Area, n: int) -> list[Person]:
    return [
        make_person(household=make_household(grid=grid, unit_no=f"S{next(_codes)}"), name="居民")
        for _ in range(n)
    ]


def pool(actor: User, people: Sequence[Person], *, day: dt.date, size: int = 10) -> str:
    """Sample ``people`` into one new tube on ``day`` and close it; returns the barcode."""
    barcode = f"T{next(_codes):08d}"
    with frozen_at(at(day)):
        for person in people:
            sample_register(
                actor=actor,
                client_id=f"c-{barcode}-{person.pk}",
                barcode=barcode,
                person_id=person.pk,
                pool_size=size,
            )
        tube_close(actor=actor, barcode=barcode)
    return barcode


def result(actor: User, barcodes: Sequence[str], outcome: str, *, day: dt.date) -> None:
    with frozen_at(at(day, 20)):
        results_import(actor=actor, rows=[ResultRow(b, outcome) for b in barcodes])
