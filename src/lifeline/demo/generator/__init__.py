"""The deterministic synthetic city: Zhuzhou's five urban districts, down to each resident.

``generate_city(people=N, seed=S)`` builds the whole city: areas, units, facilities, one
login per role, buildings, households, people and vulnerabilities. The same seed and size
give the same names, ID numbers and phones (birth dates, and so ID numbers, are relative
to the day of generation; only the random nonces of the encrypted ID numbers differ).

It is a generator, not a user: it writes with bulk inserts (COPY on PostgreSQL) instead of
the per-row services, and writes one audit record, ``demo.generate``, summarising the run.
See ``people`` for the household model and the vulnerability rates.
"""

from __future__ import annotations

import random
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction

from lifeline.core.actors import system
from lifeline.core.audit import audit_log
from lifeline.core.models import AuditRecord
from lifeline.demo.generator import places
from lifeline.demo.generator.residents import Progress, write_residents
from lifeline.demo.generator.users import DemoLogin, read_logins, write_users
from lifeline.demo.generator.writer import BulkWriter
from lifeline.registry.models import Area

DEFAULT_SEED = 20221105  # the first day of the seed newspaper pages
DEFAULT_PEOPLE = 20_000


@dataclass
class GenerationReport:
    people: int
    households: int
    buildings: int
    vulnerabilities: int
    areas: int
    units: int
    facilities: int
    seconds: float
    rows: int
    vulnerabilities_by_kind: dict[str, int] = field(default_factory=dict)
    write_seconds: dict[str, float] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def figures(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("logins")
        data["rows_per_second"] = round(self.rows_per_second)
        data["seconds"] = round(self.seconds, 2)
        return data


def demo_city_exists() -> bool:
    return Area.objects.filter(code=places.CITY_CODE).exists()


def demo_city_complete() -> bool:
    """True once a generation ran to its end (its summary audit record is written last)."""
    return AuditRecord.objects.filter(action="demo.generate").exists()


def generate_city(
    *,
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
    batch_people: int = 20_000,
    progress: Progress | None = None,
) -> GenerationReport:
    """Write the demo city. The caller checks ``demo_city_exists()`` first."""
    if people < 1:
        raise ValueError("people must be at least 1")
    started = time.monotonic()
    rng = random.Random(seed)
    writer = BulkWriter()
    with transaction.atomic():
        plan = places.plan_city(rng, people, writer)
        places.write_areas(plan)
        units = places.write_units(plan)
        facilities = places.write_facilities(rng, plan, units)
        logins = write_users(rng, plan, units)
    counts = write_residents(
        rng=rng, plan=plan, writer=writer, batch_people=batch_people, progress=progress
    )
    writer.finish()
    seconds = time.monotonic() - started
    report = GenerationReport(
        people=counts.people,
        households=counts.households,
        buildings=counts.buildings,
        vulnerabilities=counts.vulnerabilities,
        areas=len(plan.all),
        units=len(units),
        facilities=facilities,
        seconds=seconds,
        rows=writer.rows_written + len(plan.all) + len(units) + facilities,
        vulnerabilities_by_kind=dict(sorted(counts.by_kind.items())),
        logins=logins,
        write_seconds={k: round(v, 2) for k, v in writer.seconds_by_table.items()},
    )
    with transaction.atomic():
        audit_log(
            actor=system("demo build"),
            action="demo.generate",
            object_type="registry.area",
            object_id=plan.city.id,
            area_path=plan.city.path,
            purpose=(
                f"demo city seed={seed} people={report.people} "
                f"households={report.households} buildings={report.buildings} "
                f"vulnerabilities={report.vulnerabilities}"
            ),
            fields=[
                "area",
                "unit",
                "facility",
                "user",
                "building",
                "household",
                "person",
                "vulnerability",
            ],
        )
    return report


__all__ = [
    "DEFAULT_PEOPLE",
    "DEFAULT_SEED",
    "DemoLogin",
    "GenerationReport",
    "demo_city_complete",
    "demo_city_exists",
    "generate_city",
    "read_logins",
]
