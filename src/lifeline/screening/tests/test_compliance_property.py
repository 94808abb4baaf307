"""Property on the database path: rows kept by ``compliance_apply``, and by the lab
import that calls it, over random batches of results equal a recomputation from the raw
person results."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifeline.core.clock import frozen_at
from lifeline.screening.models import (
    Compliance,
    PersonResult,
    Policy,
    RecheckTask,
    Sample,
    Tube,
    TubeResult,
)
from lifeline.screening.services.compliance import PersonOutcome, compliance_apply
from lifeline.screening.services.results import ResultRow, results_import
from lifeline.screening.tests.conftest import at

BASE = dt.date(2022, 11, 1)
results = st.tuples(
    st.integers(0, 5),  # which person
    st.integers(0, 40),  # day offset
    st.sampled_from(["negative", "negative", "positive", "invalid"]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    history=st.lists(results, max_size=60),
    cut=st.integers(0, 60),
    rule=st.integers(1, 10).flatmap(lambda d: st.tuples(st.integers(1, d), st.just(d))),
    later=st.integers(0, 10),
)
def test_incremental_rows_equal_recomputation_from_raw_results(city, history, cut, rule, later):
    # given a policy and a random history of results, imported in two batches in any order
    Compliance.objects.all().delete()
    Policy.objects.all().delete()
    n, d = rule
    Policy.objects.create(
        name="p",
        area=city.city,
        area_path=city.city.path,
        starts_on=BASE,
        required_tests=n,
        window_days=d,
    )
    people = city.people_a + city.people_b
    outcomes = [
        PersonOutcome(
            people[i].pk,
            people[i].grid_id,
            people[i].area_path,
            BASE + dt.timedelta(days=o),
            outcome,
        )
        for i, o, outcome in history
    ]
    today = BASE + dt.timedelta(days=40 + later)
    with frozen_at(at(today)):
        compliance_apply(outcomes=outcomes[:cut])
        compliance_apply(outcomes=outcomes[cut:])
    # then each person's row says what the raw results say
    negative_days: dict[int, set[dt.date]] = defaultdict(set)
    for item in outcomes:
        if item.outcome == "negative":
            negative_days[item.person_id].add(item.sampled_on)
    rows = {r.person_id: r for r in Compliance.objects.all()}
    for person in people:
        days = negative_days[person.pk]
        inside = [x for x in days if today - dt.timedelta(days=d) < x <= today]
        row = rows.get(person.pk)
        tested_today = row is not None and row.last_tested_on == today
        compliant = (
            row is not None and row.compliant_until is not None and (row.compliant_until >= today)
        )
        assert tested_today == (today in days)
        assert compliant == (len(inside) >= n)


tubes = st.lists(
    st.tuples(
        st.integers(0, 40),  # day sampled
        st.sampled_from(["negative", "negative", "negative", "positive", "invalid"]),
        st.sets(st.integers(0, 5), min_size=1, max_size=6),  # who is in the tube
    ),
    min_size=1,
    max_size=25,
)
policies = st.lists(
    st.tuples(
        st.integers(1, 10).flatmap(lambda d: st.tuples(st.integers(1, d), st.just(d))),
        st.sets(st.integers(0, 5)) | st.none(),  # the listed people, or everyone
    ),
    max_size=2,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pools=tubes,
    rules=policies,
    cuts=st.lists(st.integers(0, 25), max_size=3),
    later=st.integers(0, 10),
)
def test_the_lab_import_keeps_compliance_equal_to_its_raw_results(
    city, lab, pools, rules, cuts, later
):
    # given pooled tubes of random days and outcomes, under random policies (some for a
    # list of people), imported by the lab in random batches, one batch sent twice
    for model in (PersonResult, RecheckTask, Sample, TubeResult, Tube, Compliance, Policy):
        model.objects.all().delete()
    people = city.people_a + city.people_b
    made = []
    for (n, d), listed in rules:
        policy = Policy.objects.create(
            name="p",
            area=city.city,
            area_path=city.city.path,
            starts_on=BASE,
            required_tests=n,
            window_days=d,
            audience="everyone" if listed is None else "listed",
        )
        policy.people.set([people[i] for i in listed or ()])
        made.append(((n, d), None if listed is None else {people[i].pk for i in listed}))
    rows = []
    for k, (offset, outcome, members) in enumerate(pools):
        day = BASE + dt.timedelta(days=offset)
        tube = Tube.objects.create(
            barcode=f"P{k}",
            area_path=city.community.path,
            status="closed",
            sampled_on=day,
            opened_at=at(day),
            closed_at=at(day),
            members=len(members),
        )
        for i in sorted(members):
            Sample.objects.create(
                client_id=f"{k}-{i}",
                tube=tube,
                person=people[i],
                grid_id=people[i].grid_id,
                area_path=people[i].area_path,
                sampled_at=at(day),
            )
        rows.append(ResultRow(tube.barcode, outcome))
    today = BASE + dt.timedelta(days=40 + later)
    bounds = sorted({0, len(rows), *(min(c, len(rows)) for c in cuts)})
    with frozen_at(at(today, 20)):
        for lo, hi in itertools.pairwise(bounds):
            results_import(actor=lab, rows=rows[lo:hi])
        results_import(actor=lab, rows=rows[: bounds[1]])  # sent again: changes nothing
    # then every member has exactly one result, and each row says what they say
    assert PersonResult.objects.count() == Sample.objects.count()
    negative_days: dict[int, set[dt.date]] = defaultdict(set)
    for person_id, day in PersonResult.objects.filter(outcome="negative").values_list(
        "person_id", "sampled_on"
    ):
        negative_days[person_id].add(day)
    rows_now = {r.person_id: r for r in Compliance.objects.all()}
    for person in people:
        applying = [r for r, listed in made if listed is None or person.pk in listed]
        n, d = max(applying, key=lambda r: (Fraction(*r), r[1]), default=(1, 1))
        days = negative_days[person.pk]
        inside = [x for x in days if today - dt.timedelta(days=d) < x <= today]
        row = rows_now.get(person.pk)
        assert (row is not None) == Sample.objects.filter(person=person).exists()
        assert (row is not None and row.last_tested_on == today) == (today in days)
        compliant = row is not None and row.compliant_until is not None
        assert (compliant and row.compliant_until >= today) == (len(inside) >= n)
        assert row is None or (row.required_tests, row.window_days) == (n, d)
