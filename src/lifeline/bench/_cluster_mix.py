"""The mixed load of ``lifeline bench cluster``: the operations of a day in the city, their
weights, the requests they send through the JSON API, the seed they need, and the client
threads that send them (:func:`drive`).

The seed runs in a child process inside the target database (:data:`SEED_CODE`). It
reuses the intake bench's city when the database has it already (a cluster started by
``lifeline cluster up`` was seeded with it) and adds, once, residents in every grid, a
checkpoint, and users of the right roles; every run makes fresh API tokens, a backlog of
closed tubes for the labs to report on and signed passes for the checkpoint to scan.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import io
import json
import random
import threading
import time
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lifeline.bench.intake import NEEDS

SEED_CODE = (
    "import os, sys, json, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
    "'lifeline.settings'); django.setup(); from lifeline.bench._cluster_mix import seed_mix; "
    "print(json.dumps(seed_mix(**json.loads(sys.argv[1]))))"
)
CITY_CODE = "B430200"  # the intake bench's city (``intake.seed_city``)
CHECKPOINT = "BENCH-CP-1"
POOL_SIZE = 5
RESULTS_PER_REPORT = 2
LIST_KINDS = ("not_tested_today", "not_compliant")
# A day's share of each operation, in per cent.
WEIGHTS: dict[str, int] = {
    "intake": 20,
    "sample_register": 30,
    "results": 10,
    "screening_list": 10,
    "dashboard": 15,
    "pass_check": 15,
}
# Who sends each operation: the role of the user whose token it carries.
ROLES: dict[str, str] = {
    "intake": "command_staff",
    "sample_register": "sampler",
    "results": "lab",
    "screening_list": "grid_worker",
    "dashboard": "command_staff",
    "pass_check": "checkpoint_staff",
}

Request = tuple[str, str, bytes | None, dict[str, str]]  # method, path, body, headers


def seed_mix(*, people_per_grid: int, tubes: int, passes: int) -> dict[str, Any]:
    """Everything the mix needs, in the current database; returns it as JSON-ready data."""
    from lifeline.registry.models import Area, AreaLevel

    city = Area.objects.filter(code=CITY_CODE, level=AreaLevel.CITY).first()
    if city is None:
        from lifeline.bench.intake import seed_city

        with contextlib.redirect_stdout(io.StringIO()):
            seed_city()
        city = Area.objects.get(code=CITY_CODE, level=AreaLevel.CITY)
    inside = Area.objects.filter(path__startswith=city.path)
    grids = list(inside.filter(level=AreaLevel.GRID).order_by("pk").values_list("pk", flat=True))
    upper = [city.pk, *inside.filter(level=AreaLevel.DISTRICT).values_list("pk", flat=True)]
    upper += list(inside.filter(level=AreaLevel.STREET).values_list("pk", flat=True))
    people = _residents(grids, people_per_grid)
    tokens = _tokens(city)
    run = uuid.uuid4().hex[:8]
    return {
        "tokens": tokens,
        "grids": grids,
        "dashboard_areas": upper + grids[:: max(1, len(grids) // 32)],
        "people": people,
        "checkpoint": CHECKPOINT,
        "closed_tubes": _closed_tubes(people, tubes, run),
        "passes": _passes(passes),
        "run": run,
    }


def _residents(grids: list[int], per_grid: int) -> list[int]:
    """``per_grid`` residents in each grid, made on the first run only."""
    from lifeline.registry.models import Area, Person
    from lifeline.testing.factories import make_household, make_id_number, make_person

    have = set(Person.objects.filter(grid_id__in=grids).values_list("grid_id", flat=True))
    for grid in Area.objects.filter(pk__in=set(grids) - have):
        for n in range(per_grid):
            if n % 2 == 0:
                household = make_household(grid=grid)
            i = grid.pk * per_grid + n  # one ID number per resident, across runs too
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=i // 1000)
            number = make_id_number(region="439901", birth=birth, serial=i % 1000)
            make_person(
                household=household, name=f"居民{n}", sex="MF"[n % 2], birth=birth, id_number=number
            )
    return list(
        Person.objects.filter(grid_id__in=grids).order_by("pk").values_list("pk", flat=True)
    )


def _user(username: str, role: str, **where: Any) -> Any:
    from lifeline.accounts.models import Membership, User

    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": username}
    )
    if created:
        Membership.objects.create(user=user, role=role, **where)
    return user


def _tokens(city: Any) -> dict[str, str]:
    """A fresh API token for a user of each role the mix needs (users made once)."""
    from lifeline.accounts.models import Role
    from lifeline.accounts.services import token_create
    from lifeline.core.actors import system
    from lifeline.passes.models import Checkpoint
    from lifeline.registry.models import Unit

    unit = Unit.objects.get(code="B-D0")  # the first district's bureau runs the checkpoint
    district = unit.areas.get()
    Checkpoint.objects.get_or_create(
        code=CHECKPOINT,
        defaults={"name": "基准卡口", "area": district, "area_path": district.path, "unit": unit},
    )
    users = {
        "command_staff": _user("bench_mix_command", Role.COMMAND_STAFF, area=city),
        "sampler": _user("bench_mix_sampler", Role.SAMPLER, area=city),
        "lab": _user("bench_mix_lab", Role.LAB, area=city),
        "grid_worker": _user("bench_mix_grid", Role.GRID_WORKER, area=city),
        "checkpoint_staff": _user("bench_mix_checkpoint", Role.CHECKPOINT_STAFF, unit=unit),
    }
    actor = system("bench set-up")
    return {
        role: token_create(actor=actor, user=u, name="bench mix")[1] for role, u in users.items()
    }


def _closed_tubes(people: list[int], tubes: int, run: str) -> list[str]:
    """Single tubes (one swab each, closed at once) sampled before the load: the labs'
    backlog, reported when no tube the load closed is waiting."""
    from lifeline.accounts.models import User
    from lifeline.screening.services import sample_register

    sampler = User.objects.get(username="bench_mix_sampler")
    rng = random.Random(run)
    barcodes = []
    for t in range(tubes):
        barcode = f"BM{run}-S{t}"
        sample_register(
            actor=sampler,
            client_id=barcode,
            barcode=barcode,
            person_id=rng.choice(people),
            pool_size=1,
        )
        barcodes.append(barcode)
    return barcodes


def _passes(count: int) -> list[str]:
    """Pass texts signed by the checkpoint's district with its issuing key, valid for a
    week (as the passes bench makes them: no application behind them)."""
    from lifeline.core import clock
    from lifeline.passes import key_store
    from lifeline.passes.credential import claims as claims_mod
    from lifeline.passes.credential.verify import issue_pass
    from lifeline.registry.models import Unit

    unit = Unit.objects.get(code="B-D0")
    row, key = key_store.issuing_key(unit)
    now = max(key_store.epoch(clock.now()), row.not_before)
    texts = []
    for i in range(count):
        vehicle = i % 2 == 0
        claims = claims_mod.PassClaims(
            pass_id=claims_mod.new_pass_id(),
            pass_type="VEH" if vehicle else "RES",
            issuer=unit.code,
            valid_from=now - 3600,
            valid_until=now + 7 * 86_400,
            issued_at=now,
            scope="基准路线：仓库至集散中心" if vehicle else ("B4302000",),
            holder=f"湘A·B{i % 100000:05d}" if vehicle else "欧阳*华",
            household_ref=None,
        )
        texts.append(issue_pass(claims, signing_key=key))
    return texts


@dataclass
class _Tube:
    barcode: str
    people: list[int]


@dataclass
class Mix:
    """One target's load: the seeded data, a backlog of closed tubes of its own, and what
    the load leaves behind for later requests (tubes closed by their last sample, waiting
    for their results), shared by the target's client threads."""

    seed: dict[str, Any]
    backlog: list[str]
    closed: deque[str] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.waiting = deque(self.backlog)
        self.reported: deque[str] = deque(maxlen=1000)

    def operations(self, rng: random.Random, count: int) -> list[str]:
        names = list(WEIGHTS)
        return rng.choices(names, weights=[WEIGHTS[n] for n in names], k=count)

    def request(self, op: str, rng: random.Random, client: ClientState) -> Request:
        headers = {
            "Authorization": f"Bearer {self.seed['tokens'][ROLES[op]]}",
            "Content-Type": "application/json",
        }
        body: dict[str, Any] | None
        if op == "intake":
            path, body = "/api/v1/workorders", self._intake(rng, client)
            headers["Idempotency-Key"] = str(uuid.uuid4())
        elif op == "sample_register":
            path, body = "/api/v1/screening/samples", self._sample(rng, client)
            headers["Idempotency-Key"] = str(uuid.uuid4())
        elif op == "results":
            # Results have no Idempotency-Key: re-sending them changes nothing anyway.
            path, body = "/api/v1/screening/results", self._results()
        elif op == "screening_list":
            grid, kind = rng.choice(self.seed["grids"]), rng.choice(LIST_KINDS)
            path, body = f"/api/v1/screening/areas/{grid}/lists/{kind}", None
        elif op == "dashboard":
            area = rng.choice(self.seed["dashboard_areas"])
            path, body = f"/api/v1/command/areas/{area}/figures", None
        else:
            # Pass checks are idempotent by their client_id.
            path = "/api/v1/passes/checks/verify"
            body = {
                "checkpoint": self.seed["checkpoint"],
                "text": rng.choice(self.seed["passes"]),
                "client_id": f"bench-{uuid.uuid4().hex}",
            }
        if body is None:
            return "GET", path, None, {"Authorization": headers["Authorization"]}
        return "POST", path, json.dumps(body, ensure_ascii=False).encode(), headers

    def answered(self, op: str, status: int, data: bytes, client: ClientState) -> dict[str, int]:
        """Keep what an answer tells later requests (a tube closed by its last sample) and
        return what it did beyond its status: passes' verdicts, tubes the lab reported."""
        if not 200 <= status < 300:
            return {}
        if op == "sample_register":
            tube = client.tube
            if tube is not None and not tube.people:
                client.tube = None
                with self.lock:
                    self.closed.append(tube.barcode)
            return {}
        if op not in ("pass_check", "results"):
            return {}
        try:
            body = json.loads(data)
        except ValueError:
            return {"unreadable": 1}
        if op == "pass_check":
            return {f"pass_{body.get('status')}": 1}
        return {
            "tubes_imported": body.get("imported", 0),
            "tubes_unchanged": body.get("unchanged", 0),
        }

    def _intake(self, rng: random.Random, client: ClientState) -> dict[str, Any]:
        code, extra = rng.choice(NEEDS)
        client.count += 1
        return {
            "description": f"基准混合负载 {client.name}-{client.count}：{code}",
            "category": code,
            "channel": "api",
            "area": rng.choice(self.seed["grids"]),
            "address": f"{client.count}号",
            "contact_phone": f"137{rng.randrange(10**8):08d}",
            "extra": extra,
        }

    def _sample(self, rng: random.Random, client: ClientState) -> dict[str, Any]:
        if client.tube is None or not client.tube.people:
            client.count += 1
            barcode = f"BM{self.seed['run']}-{client.name}-{client.count}"
            client.tube = _Tube(barcode, rng.sample(self.seed["people"], POOL_SIZE))
        person = client.tube.people.pop()
        return {
            "client_id": f"{client.tube.barcode}-{len(client.tube.people)}",
            "barcode": client.tube.barcode,
            "person_id": person,
            "pool_size": POOL_SIZE,
        }

    def _results(self) -> dict[str, Any]:
        with self.lock:
            barcodes = [
                self.closed.popleft() for _ in range(min(RESULTS_PER_REPORT, len(self.closed)))
            ]
            if not barcodes and self.waiting:
                barcodes = [self.waiting.popleft()]
            if not barcodes and self.reported:
                barcodes = [self.reported[0]]  # nothing new: a lab re-sends a report
            self.reported.extend(barcodes)
        rows = [{"barcode": b, "result": "negative"} for b in barcodes]
        return {"lab": "bench", "results": rows}


@dataclass
class ClientState:
    """One client thread's own progress: its open tube and a request counter."""

    name: str
    count: int = 0
    tube: _Tube | None = None


@dataclass
class Answers:
    """One round's answers: (status, seconds) per operation, and what they did."""

    statuses: dict[str, list[tuple[int, float]]]
    outcomes: dict[str, Counter[str]]
    examples: dict[str, set[str]]  # a few error answers of each operation


def drive(
    url: str, mix: Mix, *, clients: int, seconds: float, tag: str, seed: int
) -> tuple[float, Answers]:
    """``clients`` threads, each on its own keep-alive connection, sending the mix for
    ``seconds``; returns the wall time and the answers."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    answers: dict[str, list[tuple[int, float]]] = defaultdict(list)
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, set[str]] = defaultdict(set)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(f"{seed}-{tag}-{n}")
        state = ClientState(f"{tag}c{n}")
        conn = http.client.HTTPConnection(host, port, timeout=60)
        while time.monotonic() < deadline:
            op = mix.operations(rng, 1)[0]
            method, path, body, headers = mix.request(op, rng, state)
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                status, data = response.status, response.read()
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
                status, data = 0, str(error).encode()
            elapsed = time.perf_counter() - started
            did = mix.answered(op, status, data, state)
            with lock:
                answers[op].append((status, elapsed))
                outcomes[op].update(did)
                if not 200 <= status < 300 and len(examples[op]) < 3:
                    examples[op].add(f"{status}: {data[:160].decode(errors='replace')}")
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, Answers(answers, outcomes, examples)
