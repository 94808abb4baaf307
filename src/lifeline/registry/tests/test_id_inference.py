"""The ID-reconstruction attack, replayed: from everything a list shows, then exact searches.

Before: the mask showed the last four characters and lists the birth date, which left about
nine candidates per person, and the exact-ID search confirmed the right one (30 of 30 IDs in
43 searches). Now what a viewer sees together leaves over a million candidates, the search
is limited per user, counted and audited.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.test import override_settings

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import API, client_for, post_json
from lifeline.core import clock
from lifeline.core.models import AuditRecord
from lifeline.core.personal import id_number_check_digit
from lifeline.testing.factories import (
    SmallCity,
    make_household,
    make_id_number,
    make_person,
    make_user,
)

PEOPLE = 100
REGION = "430202"


def _candidate_count(seen: dict[str, object], today: dt.date) -> int:
    """How many IDs agree with what a viewer sees of one person: the region (taken as
    known from the address), the masked ID's visible characters, the age band and sex."""
    masked = str(seen["id_number_masked"])
    low, _, high = str(seen["age_band"]).partition("\u2013")
    youngest, oldest = int(low), int(high or 120)
    first = dt.date(today.year - oldest - 1, today.month, today.day) + dt.timedelta(days=1)
    last = dt.date(today.year - youngest, today.month, today.day)
    parity = 1 if seen["sex"] == "M" else 0
    shown = {i: ch for i, ch in enumerate(masked) if ch != "*"}
    if all(i < len(REGION) and REGION[i] == ch for i, ch in shown.items()):
        # Nothing shown beyond the region: every date in the band and every sequence number
        # of that sex is a candidate (the check character follows from them).
        return ((last - first).days + 1) * 500
    count = 0
    day = first
    while day <= last:
        for seq in range(parity, 1000, 2):
            first17 = f"{REGION}{day:%Y%m%d}{seq:03d}"
            candidate = first17 + id_number_check_digit(first17)
            if all(candidate[i] == ch for i, ch in shown.items()):
                count += 1
        day += dt.timedelta(days=1)
    return count


@pytest.mark.django_db
@override_settings(LIFELINE_ID_SEARCHES_PER_HOUR=10, LIFELINE_ID_SEARCHES_PER_DAY=30)
def test_ids_cannot_be_rebuilt_from_lists_and_exact_searches(city: SmallCity):
    rng = random.Random(20221125)
    today = clock.today()
    truth: dict[int, str] = {}
    for i in range(PEOPLE):
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 60))
        sex = rng.choice("MF")
        serial = rng.randrange(500) * 2 + (1 if sex == "M" else 0)
        number = make_id_number(region=REGION, birth=birth, serial=serial)
        household = make_household(grid=city.grid_a, unit_no=f"9{i:03d}")
        person = make_person(
            household=household, name=f"居民{i}", sex=sex, birth=birth, id_number=number
        )
        truth[person.pk] = number
    attacker = make_user("attacker", role=Role.GRID_WORKER, area=city.grid_a)
    client = client_for(attacker)

    # Everything the list shows.
    listed: list[dict[str, object]] = []
    offset: int | None = 0
    while offset is not None:
        page = client.get(f"{API}/people", {"grid": city.grid_a.pk, "offset": offset}).json()
        listed += [row for row in page["items"] if row["id"] in truth]
        offset = page["next_offset"]
    assert len(listed) == PEOPLE
    for row in listed:
        assert "birth_date" not in row
        number = truth[int(str(row["id"]))]
        assert number[6:] not in str(row["id_number_masked"])

    # The candidates left for each person.
    for row in listed:
        assert _candidate_count(row, today) >= 1_000_000, row

    # Then exact searches, walking each person's candidates in order (the attacker knows
    # nothing better), as many as the limits allow.
    recovered, tried, refused = 0, 0, 0
    for row in listed:
        low = int(str(row["age_band"]).partition("\u2013")[0])
        start = dt.date(today.year - low - 9, today.month, today.day)
        parity = 1 if row["sex"] == "M" else 0
        for guess_seq in range(3):
            first17 = f"{REGION}{start:%Y%m%d}{parity + 2 * guess_seq:03d}"
            guess = first17 + id_number_check_digit(first17)
            answer = post_json(client, f"{API}/people/search-id", {"id_number": guess})
            tried += 1
            if answer.status_code == 429:
                refused += 1
                continue
            assert answer.status_code == 200, answer.content[:300]
            recovered += sum(1 for p in answer.json() if truth.get(p["id"]) == guess)
        if refused > 5:
            break
    assert recovered == 0
    assert refused > 0, "the per-user limit must stop the searches"
    allowed = tried - refused
    assert allowed <= 10
    records = AuditRecord.objects.filter(action="person.search_id", actor=attacker)
    assert records.count() == allowed
    for record in records:
        assert record.fields == ["id_number"]
        assert all(n not in (record.purpose + record.object_id) for n in truth.values())


@pytest.mark.django_db
def test_exact_id_search_finds_only_inside_the_grant_and_is_not_a_get(city: SmallCity):
    person_b = city.people_b[0]
    from lifeline.core.personal import decrypt_value

    number = decrypt_value(person_b.id_number_enc)
    worker_a = make_user("worker_a", role=Role.GRID_WORKER, area=city.grid_a)
    worker_b = make_user("worker_b", role=Role.GRID_WORKER, area=city.grid_b)
    lab = make_user("lab", role=Role.LAB, area=city.city)
    assert (
        post_json(client_for(worker_a), f"{API}/people/search-id", {"id_number": number}).json()
        == []
    )
    found = post_json(client_for(worker_b), f"{API}/people/search-id", {"id_number": number})
    assert [p["id"] for p in found.json()] == [person_b.pk]
    denied = post_json(client_for(lab), f"{API}/people/search-id", {"id_number": number})
    assert denied.status_code == 403
    # A full ID number in a GET query would sit in URLs and logs: refused, nothing found.
    get = client_for(worker_b).get(f"{API}/people/search", {"q": number})
    assert get.status_code == 400 and get.json()["error"]["code"] == "use_id_search"
    page = client_for(worker_b).get("/search/", {"q": number})
    assert page.status_code == 200 and person_b.name not in page.content.decode()
    shown = client_for(worker_b).post("/search/", {"id_number": number})
    assert shown.status_code == 200 and person_b.name in shown.content.decode()
    assert number not in shown.content.decode()
