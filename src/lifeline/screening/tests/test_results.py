"""Lab results: idempotent re-import, all-or-nothing validation, CSV."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.core.clock import frozen_at
from lifeline.core.errors import ServiceError
from lifeline.screening.models import Compliance, PersonResult, TubeResult
from lifeline.screening.services import results_import_csv
from lifeline.screening.tests.conftest import at, more_people, pool

DAY = dt.date(2022, 11, 7)


def _csv(rows: list[tuple[str, str]]) -> bytes:
    return ("barcode,result\n" + "".join(f"{b},{r}\n" for b, r in rows)).encode()


def test_importing_the_same_results_twice_leaves_no_duplicates(city, sampler, lab):
    # given two closed tubes and their results file
    a = pool(sampler, more_people(city.grid_a, 10), day=DAY)
    b = pool(sampler, more_people(city.grid_b, 5), day=DAY, size=5)
    content = _csv([(a, "negative"), (b, "negative")])
    with frozen_at(at(DAY, 20)):
        first = results_import_csv(actor=lab, content=content)
        masks = list(Compliance.objects.order_by("pk").values_list("day_mask", "last_tested_on"))
        # when the same file is imported again
        second = results_import_csv(actor=lab, content=content)
    # then nothing changes
    assert (first.imported, first.person_results) == (2, 15)
    assert (second.imported, second.unchanged, second.person_results) == (0, 2, 0)
    assert TubeResult.objects.count() == 2
    assert PersonResult.objects.count() == 15
    assert Compliance.objects.count() == 15
    assert (
        list(Compliance.objects.order_by("pk").values_list("day_mask", "last_tested_on")) == masks
    )


def test_one_bad_row_imports_nothing(city, sampler, lab):
    # given one good tube and a file that also names an unknown tube and a bad result
    good = pool(sampler, more_people(city.grid_a, 5), day=DAY, size=5)
    content = _csv([(good, "negative"), ("NOPE", "negative"), (good, "maybe")])
    # when it is imported
    with pytest.raises(ServiceError) as caught:
        results_import_csv(actor=lab, content=content)
    # then every bad row is reported and nothing is written
    assert len(caught.value.fields["rows"]) == 2
    assert TubeResult.objects.count() == 0
    assert PersonResult.objects.count() == 0


def test_a_tube_cannot_change_its_result(city, sampler, lab):
    # given a tube already resulted negative
    tube = pool(sampler, more_people(city.grid_a, 5), day=DAY, size=5)
    results_import_csv(actor=lab, content=_csv([(tube, "negative")]))
    # when a later file says positive
    # then it is refused whole
    with pytest.raises(ServiceError):
        results_import_csv(actor=lab, content=_csv([(tube, "positive")]))
    assert TubeResult.objects.get().outcome == "negative"


def test_a_grid_worker_cannot_import_results(city, sampler, grid_worker_a):
    tube = pool(sampler, more_people(city.grid_a, 5), day=DAY, size=5)
    with pytest.raises(ServiceError) as caught:
        results_import_csv(actor=grid_worker_a, content=_csv([(tube, "negative")]))
    assert caught.value.code == "forbidden"
