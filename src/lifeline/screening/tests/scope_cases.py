"""Screening's rows of the scope matrix (run by ``tests/test_scope_matrix.py``).

Samplers and grid workers may sample in their own grid only; the lists, counts, recheck
tasks and door-to-door rounds of grid B are refused to grid A's people. Those lists name
people, so they need ``screening.view``: grid A's own sampler and lab are refused them too
(403), while the daily review, which only counts, follows each of them in grid A. A lab sees
the tubes of the places it is scoped to: a result naming grid B's tube, sent by a lab of
grid A, is answered exactly as a result naming a barcode that does not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from lifeline.accounts.models import Role, User
from lifeline.api.tests.helpers import client_for, post_json
from lifeline.core import clock
from lifeline.registry.models import Person, Vulnerability, VulnerabilityKind
from lifeline.screening.models import RecheckTask, Sample, Session, Site, Tube, TubeResult
from lifeline.screening.services import sample_register, tube_close
from lifeline.screening.services.results import ResultRow, results_import
from lifeline.testing.factories import SmallCity, make_household, make_person, make_user
from lifeline.testing.scope_matrix import Case, World, base_personas

API = "/api/v1/screening"
RESULTS = f"{API}/results"
RESULTS_CSV = f"{API}/results/csv"
UNKNOWN_TUBE = "SCR-X-NOSUCH"


@dataclass
class ScreeningWorld(World):
    sampler_a: User  # a sampler of grid A only
    sampler_b: User
    staff_c: User  # community staff: samples and plans across both grids
    lab_a: User  # a lab scoped to grid A only
    lab_b: User
    person_a: Person
    person_b: Person
    open_b: str  # barcode of grid B's open tube
    closed_b: str  # barcode of grid B's closed tube awaiting its result
    site_b: Site

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "sampler_a", "outsider")
    controls: ClassVar[tuple[str, ...]] = ("worker_b",)
    viewers: ClassVar[tuple[str, ...]] = ("worker_a",)  # who reads grid A's lists of people

    def may_see(self, viewer: str, row: dict[str, Any]) -> bool:
        # Rows name their grid (people, recheck tasks) or are the area itself (counts).
        return bool(row.get("grid_id", row.get("area_id")) == self.grid_a.pk)

    def snapshot(self) -> Any:
        tubes = Tube.objects.order_by("pk").values_list("pk", "status", "members")
        counts = [m.objects.count() for m in (Sample, TubeResult, RecheckTask, Session)]
        return list(tubes), counts


def _pooled(actor: User, barcode: str, people: list[Person], *, close: bool) -> str:
    for person in people:
        sample_register(
            actor=actor, client_id=f"m-{barcode}-{person.pk}", barcode=barcode, person_id=person.pk
        )
    if close:
        tube_close(actor=actor, barcode=barcode)
    return barcode


def make_screening_world(city: SmallCity) -> ScreeningWorld:
    base = base_personas(city)
    staff_c = make_user("matrix_scr_c", role=Role.COMMUNITY_STAFF, area=city.community)
    lab_city = make_user("matrix_scr_lab", role=Role.LAB, area=city.city)
    for grid, person in ((city.grid_a, city.people_a[1]), (city.grid_b, city.people_b[1])):
        Vulnerability.objects.create(
            person=person, grid_id=grid.pk, area_path=grid.path, kind=VulnerabilityKind.BEDRIDDEN
        )
    # A positive pool in each grid gives both grids recheck tasks and compliance rows.
    positive = [
        _pooled(staff_c, "SCR-A-POS", [city.people_a[2]], close=True),
        _pooled(staff_c, "SCR-B-POS", [city.people_b[2]], close=True),
    ]
    results_import(actor=lab_city, rows=[ResultRow(b, "positive") for b in positive])
    _pooled(staff_c, "SCR-A-OPEN", [city.people_a[0]], close=False)
    open_b = _pooled(staff_c, "SCR-B-OPEN", [city.people_b[0]], close=False)
    extra_b = make_person(household=make_household(grid=city.grid_b, unit_no="S901"), name="居民")
    closed_b = _pooled(staff_c, "SCR-B-CLOSED", [extra_b], close=True)
    site_b = Site.objects.create(
        name="第二网格采样点", kind="fixed", area=city.grid_b, area_path=city.grid_b.path
    )
    return ScreeningWorld(
        **base,
        sampler_a=make_user("matrix_scr_sa", role=Role.SAMPLER, area=city.grid_a),
        sampler_b=make_user("matrix_scr_sb", role=Role.SAMPLER, area=city.grid_b),
        staff_c=staff_c,
        lab_a=make_user("matrix_scr_la", role=Role.LAB, area=city.grid_a),
        lab_b=make_user("matrix_scr_lb", role=Role.LAB, area=city.grid_b),
        person_a=city.people_a[1],
        person_b=city.people_b[1],
        open_b=open_b,
        closed_b=closed_b,
        site_b=site_b,
    )


# Results: a foreign tube is an unknown tube ------------------------------------------------


def _results_json(user: User | None, barcode: str) -> Any:
    body = {"lab": "市一医院", "results": [{"barcode": barcode, "result": "negative"}]}
    return post_json(client_for(user), RESULTS, body)


def _results_csv(user: User | None, barcode: str) -> Any:
    file = SimpleUploadedFile(
        "results.csv", f"barcode,result\n{barcode},negative\n".encode(), content_type="text/csv"
    )
    return client_for(user).post(RESULTS_CSV, {"file": file})


def _same_as_unknown(w: ScreeningWorld, send: Any) -> None:
    before = w.snapshot()
    baseline = send(w.lab_a, UNKNOWN_TUBE)
    assert baseline.status_code == 400 and set(baseline.json()) == {"error"}, baseline.content
    probe = send(w.lab_a, w.closed_b)
    assert probe.status_code == baseline.status_code
    # The error names the row's barcode; otherwise the answers are the same.
    assert probe.content.decode().replace(w.closed_b, UNKNOWN_TUBE) == baseline.content.decode()
    # Roles that are not labs, and a user with no membership, are refused outright.
    for user in (w.worker_a, w.worker_b, w.sampler_b, w.outsider):
        answer = send(user, w.closed_b)
        assert 400 <= answer.status_code < 500 and set(answer.json()) == {"error"}
    assert w.snapshot() == before, "a refused import wrote something"
    with transaction.atomic():
        control = send(w.lab_b, w.closed_b)
        transaction.set_rollback(True)
    assert control.status_code == 200 and control.json()["imported"] == 1, control.content


def _check_results(w: ScreeningWorld) -> None:
    _same_as_unknown(w, _results_json)


def _check_results_csv(w: ScreeningWorld) -> None:
    _same_as_unknown(w, _results_csv)


# The daily review: only the tubes and samples of one's own places --------------------------


def _review(user: User) -> dict[str, Any]:
    response = client_for(user).get(f"{API}/review")
    assert response.status_code == 200, response.content[:300]
    answer: dict[str, Any] = response.json()
    return answer


def _samples(review: dict[str, Any]) -> int:
    return sum(s["samples"] for s in review["sessions"])


def _check_review(w: ScreeningWorld) -> None:
    today = clock.today()
    in_a = Sample.objects.filter(area_path__startswith=w.grid_a.path, tube__sampled_on=today)
    for name in ("worker_a", "sampler_a", "lab_a"):
        seen = _review(w.persona(name))
        assert _samples(seen) == in_a.count() > 0, (name, seen)
        assert seen["backlog"] == {"open": 1, "closed": 0, "sent": 0}, (name, seen)
    nothing = _review(w.outsider)
    assert _samples(nothing) == 0 and not any(nothing["backlog"].values()), nothing
    # Control: the community sees both grids' samples and grid B's closed tube.
    everything = _review(w.staff_c)
    assert _samples(everything) == Sample.objects.count() > in_a.count()
    assert everything["backlog"] == {"open": 2, "closed": 1, "sent": 0}, everything


# Lists of people need screening.view, even in one's own grid ------------------------------


def _own_lists_refused(path: str, params: Any) -> Any:
    def check(w: ScreeningWorld) -> None:
        url = path.format(**params(w))
        for user in (w.sampler_a, w.lab_a):
            answer = client_for(user).get(url)
            assert answer.status_code == 403 and set(answer.json()) == {"error"}, url
            assert str(w.person_a.pk) not in answer.content.decode()
        assert client_for(w.worker_a).get(url).status_code == 200, url  # the control

    return check


# The cases -----------------------------------------------------------------------------------


def _grid_b(w: ScreeningWorld) -> dict[str, Any]:
    return {"area_id": w.grid_b.pk}


def _grid_a(w: ScreeningWorld) -> dict[str, Any]:
    return {"area_id": w.grid_a.pk}


def _from_list(area: Any, site: Any) -> Any:
    def body(w: ScreeningWorld) -> dict[str, Any]:
        start = clock.now() + dt.timedelta(hours=1)
        return {
            "area_id": area(w).pk,
            "list_kind": "not_tested_today",
            "site_id": site(w).pk,
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=3)).isoformat(),
        }

    return body


def _list_of(area: Any, kind: str) -> Any:
    def params(w: ScreeningWorld) -> dict[str, Any]:
        return {**area(w), "kind": kind}

    return params


LISTS = f"{API}/areas/{{area_id}}/lists/{{kind}}"
KINDS = ("not_tested_today", "not_compliant", "pending_recheck")

SCREENING_CASES = [
    Case(
        "post",
        f"{API}/samples",
        "create",
        label="grid B's person",
        created=Sample,
        body=lambda w: {"client_id": "m-new-b", "barcode": "SCR-NEW", "person_id": w.person_b.pk},
        controls=("worker_b", "sampler_b"),
    ),
    Case(
        "post",
        f"{API}/samples",
        "object",
        label="into grid B's open tube",
        body=lambda w: {"client_id": "m-into-b", "barcode": w.open_b, "person_id": w.person_a.pk},
        controls=("staff_c",),
    ),
    Case(
        "post",
        f"{API}/samples",
        "object",
        label="replay of grid B's sample",
        body=lambda w: {
            "client_id": f"m-{w.open_b}-{w.city.people_b[0].pk}",
            "barcode": w.open_b,
            "person_id": w.city.people_b[0].pk,
        },
    ),
    Case(
        "post",
        f"{API}/tubes/{{barcode}}/close",
        "object",
        lambda w: {"barcode": w.open_b},
        controls=("worker_b", "sampler_b"),
    ),
    Case("post", RESULTS, "custom", check=_check_results),
    Case("post", RESULTS_CSV, "custom", check=_check_results_csv),
    *[Case("get", LISTS, "object", _list_of(_grid_b, k), label=k) for k in KINDS],
    *[Case("get", LISTS, "list", _list_of(_grid_a, k), label=f"A {k}") for k in KINDS],
    Case("get", f"{API}/areas/{{area_id}}/counts", "object", _grid_b, label="grid B"),
    Case("get", f"{API}/areas/{{area_id}}/counts", "list", _grid_a, label="grid A"),
    Case("get", f"{API}/areas/{{area_id}}/rechecks", "object", _grid_b, label="grid B"),
    Case("get", f"{API}/areas/{{area_id}}/rechecks", "list", _grid_a, label="grid A"),
    Case(
        "get",
        f"{API}/grids/{{grid_id}}/door-to-door",
        "object",
        lambda w: {"grid_id": w.grid_b.pk},
        label="grid B",
    ),
    Case(
        "get",
        f"{API}/grids/{{grid_id}}/door-to-door",
        "list",
        lambda w: {"grid_id": w.grid_a.pk},
        label="grid A",
    ),
    *[
        Case(
            "get",
            path,
            "custom",
            check=_own_lists_refused(path, params),
            label=f"A {label}: sampler and lab",
        )
        for path, params, label in (
            *[(LISTS, _list_of(_grid_a, k), k) for k in KINDS],
            (f"{API}/areas/{{area_id}}/counts", _grid_a, "counts"),
            (f"{API}/areas/{{area_id}}/rechecks", _grid_a, "rechecks"),
            (f"{API}/grids/{{grid_id}}/door-to-door", lambda w: {"grid_id": w.grid_a.pk}, "d2d"),
        )
    ],
    Case("get", f"{API}/review", "custom", check=_check_review),
    Case(
        "post",
        f"{API}/sessions/from-list",
        "object",
        label="grid B's list",
        body=_from_list(lambda w: w.grid_b, lambda w: w.site_b),
    ),
    Case(
        "post",
        f"{API}/sessions/from-list",
        "object",
        label="own list at grid B's site",
        body=_from_list(lambda w: w.grid_a, lambda w: w.site_b),
        denied=("worker_a", "outsider"),
        controls=("staff_c",),
    ),
]
