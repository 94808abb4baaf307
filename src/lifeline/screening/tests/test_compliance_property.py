"""Property on the database path: rows kept by ``compliance_apply`` over random batches
of results equal a recomputation from the raw person results."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifeline.core.clock import frozen_at
from lifeline.screening.models import Compliance, Policy
from lifeline.screening.services.compliance import PersonOutcome, compliance_apply
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
