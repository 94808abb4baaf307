"""Buildings, households, people and vulnerabilities, written grid by grid in batches.

Each batch (a few grids, about ``batch_people`` residents) is generated in memory and
written in its own transaction, so memory stays bounded at any city size and an
interrupted run leaves whole grids, never half a household.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction

from lifeline.core import clock
from lifeline.core.personal import mask_id_number
from lifeline.demo.generator import names, people
from lifeline.demo.generator.places import CityPlan, PlannedArea
from lifeline.demo.generator.writer import BulkWriter
from lifeline.registry.models import (
    AreaLevel,
    Building,
    Household,
    Person,
    Vulnerability,
    natural_key,
)
from lifeline.registry.vocab import Relation

BUILDINGS_PER_GRID = 25
PEOPLE_PER_BUILDING_MIN = 8

BUILDING_FIELDS = ("id", "grid_id", "area_path", "name", "name_sort", "address", "lat", "lng")
HOUSEHOLD_FIELDS = (
    "id",
    "building_id",
    "grid_id",
    "area_path",
    "unit_no",
    "unit_sort",
    "phone",
    "phone_alt",
    "gas_account",
    "power_account",
    "water_account",
    "created_at",
    "updated_at",
)
PERSON_FIELDS = (
    "id",
    "household_id",
    "grid_id",
    "area_path",
    "name",
    "sex",
    "birth_date",
    "phone",
    "id_number_enc",
    "id_number_hash",
    "id_number_masked",
    "relation",
    "created_at",
    "updated_at",
)
VULNERABILITY_FIELDS = ("id", "person_id", "grid_id", "area_path", "kind", "note", "created_at")

Progress = Callable[[int, int, int, float], None]


@dataclass
class Batch:
    buildings: list[tuple[Any, ...]] = field(default_factory=list)
    households: list[tuple[Any, ...]] = field(default_factory=list)
    people: list[tuple[Any, ...]] = field(default_factory=list)
    vulnerabilities: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class ResidentCounts:
    buildings: int = 0
    households: int = 0
    people: int = 0
    vulnerabilities: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class _IdNumberSealer:
    """``encrypt_value`` and ``lookup_hash`` of core.personal, with the keys read once.

    At millions of rows the per-call settings lookups of the originals cost more than the
    cryptography. The output is the same format (checked by the tests: the stored values
    decrypt with ``decrypt_value`` and match ``lookup_hash``).
    """

    def __init__(self) -> None:
        self._aead = AESGCM(hashlib.sha256(bytes.fromhex(settings.FIELD_ENCRYPTION_KEY)).digest())
        self._hash_key = bytes.fromhex(settings.LOOKUP_HASH_KEY)

    def encrypt(self, plain: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plain.encode(), b"lifeline")

    def lookup_hash(self, value: str) -> str:
        return hmac.digest(self._hash_key, value.encode(), "sha256").hex()


class ResidentGenerator:
    def __init__(self, *, rng: random.Random, writer: BulkWriter, today: dt.date) -> None:
        self.rng = rng
        self.writer = writer
        self.today = today
        self.now = clock.now()
        self.ids = people.IdNumberAllocator(rng)
        self.sealer = _IdNumberSealer()
        self.counts = ResidentCounts()

    def _next(self, model: type) -> int:
        return self.writer.reserve_ids(model, 1)

    def grid_batch(self, grid: PlannedArea, batch: Batch) -> None:
        rng = self.rng
        community = grid.parent
        assert community is not None
        district = grid.district
        households: list[list[people.Member]] = []
        placed = 0
        while placed < grid.people:
            members = people.household_members(rng)[: grid.people - placed]
            households.append(members)
            placed += len(members)
        n_buildings = min(
            BUILDINGS_PER_GRID, max(1, math.ceil(grid.people / PEOPLE_PER_BUILDING_MIN))
        )
        grid_no = int(grid.code[-2:])
        stem = community.name.removesuffix("社区")
        building_ids = []
        for b in range(n_buildings):
            number = (grid_no - 1) * BUILDINGS_PER_GRID + b + 1
            bid = self._next(Building)
            building_ids.append(bid)
            batch.buildings.append(
                (
                    bid,
                    grid.id,
                    grid.path,
                    f"{number}栋",
                    natural_key(f"{number}栋"),
                    f"株洲市{district.name}{stem}小区{number}栋",
                    round(grid.lat + rng.gauss(0, 0.0005), 6),
                    round(grid.lng + rng.gauss(0, 0.0005), 6),
                )
            )
        self.counts.buildings += n_buildings
        per_building: dict[int, int] = {}
        for index, members in enumerate(households):
            building_id = building_ids[index * n_buildings // len(households)]
            slot = per_building.get(building_id, 0)
            per_building[building_id] = slot + 1
            self._household(grid, district.code, building_id, slot, members, batch)

    def _household(
        self,
        grid: PlannedArea,
        district_code: str,
        building_id: int,
        slot: int,
        members: list[people.Member],
        batch: Batch,
    ) -> None:
        rng = self.rng
        self.counts.households += 1
        n = self.counts.households
        hid = self._next(Household)
        family = names.surname(rng)
        phones: list[str] = []
        for member in members:
            pid = self._next(Person)
            birth = people.birth_date(rng, member.age, self.today)
            # Children usually carry the head's surname; a spouse keeps their own.
            surname = (
                family
                if member.relation in (Relation.HEAD, Relation.CHILD, Relation.GRANDCHILD)
                else None
            )
            name = names.full_name(rng, member.sex, birth.year, surname)
            phone = people.mobile_phone(rng) if people.has_phone(rng, member.age) else ""
            if phone:
                phones.append(phone)
            id_number = self.ids.allocate(people.id_region(rng, district_code), birth, member.sex)
            batch.people.append(
                (
                    pid,
                    hid,
                    grid.id,
                    grid.path,
                    name,
                    member.sex,
                    birth,
                    phone,
                    self.sealer.encrypt(id_number),
                    self.sealer.lookup_hash(id_number),
                    mask_id_number(id_number),
                    member.relation,
                    self.now,
                    self.now,
                )
            )
            for kind, note in people.vulnerabilities(rng, member, len(members)):
                batch.vulnerabilities.append(
                    (self._next(Vulnerability), pid, grid.id, grid.path, kind, note, self.now)
                )
                self.counts.by_kind[kind] = self.counts.by_kind.get(kind, 0) + 1
        self.counts.people += len(members)
        phone = phones[0] if phones else f"0731-{rng.randrange(22000000, 28999999)}"
        unit_no = f"{slot // 4 + 1}0{slot % 4 + 1}"
        batch.households.append(
            (
                hid,
                building_id,
                grid.id,
                grid.path,
                unit_no,
                natural_key(unit_no),
                phone,
                phones[1] if len(phones) > 1 else "",
                f"7310{n:07d}" if rng.random() < 0.9 else "",
                f"0731{n:08d}",
                f"W{n:08d}",
                self.now,
                self.now,
            )
        )

    def flush(self, batch: Batch) -> None:
        with transaction.atomic():
            self.writer.write(Building, BUILDING_FIELDS, batch.buildings)
            self.writer.write(Household, HOUSEHOLD_FIELDS, batch.households)
            self.writer.write(Person, PERSON_FIELDS, batch.people)
            self.writer.write(Vulnerability, VULNERABILITY_FIELDS, batch.vulnerabilities)
        self.counts.vulnerabilities += len(batch.vulnerabilities)


def write_residents(
    *,
    rng: random.Random,
    plan: CityPlan,
    writer: BulkWriter,
    batch_people: int = 20_000,
    progress: Progress | None = None,
) -> ResidentCounts:
    generator = ResidentGenerator(rng=rng, writer=writer, today=clock.today())
    grids = plan.of_level(AreaLevel.GRID)
    total = sum(g.people for g in grids)
    started = time.monotonic()
    batch = Batch()
    for i, grid in enumerate(grids):
        generator.grid_batch(grid, batch)
        if len(batch.people) >= batch_people or i == len(grids) - 1:
            generator.flush(batch)
            batch = Batch()
            if progress:
                progress(
                    generator.counts.people, total, writer.rows_written, time.monotonic() - started
                )
    return generator.counts
