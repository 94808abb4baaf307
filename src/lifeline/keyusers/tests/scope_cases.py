"""Key-users rows of the scope matrix (run by ``tests/test_scope_matrix.py``), and the
world the key-users API tests and idempotent-create examples share.

Two utilities' duty desks: A over grid A (its unit POWER-A), B over grid B (POWER-B), each
with a feeder; grid B has a key user on its feeder, a second feeder with none (for
outages, which would otherwise file work orders) and a draft interruption two weeks
ahead. Grid B's objects are refused to A's duty desk, to grid workers (no key-users
permission) and to a user with no membership; B's duty desk reaches them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.keyusers.models import Interruption, KeyUser, SupplyPoint
from lifeline.keyusers.services import (
    interruption_plan,
    keyuser_register,
    supply_point_create,
)
from lifeline.registry.models import Area, Unit
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import DENIED, Case, World, base_personas, call

API = "/api/v1/keyusers"
DAY = dt.timedelta(days=1)


@dataclass
class KeyUsersWorld(World):
    duty_a: User
    duty_b: User
    feeder_a: SupplyPoint
    feeder_b: SupplyPoint
    spare_b: SupplyPoint  # no key users on it
    key_user_a: KeyUser
    key_user_b: KeyUser
    draft_b: Interruption

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "worker_b", "outsider", "duty_a")
    controls: ClassVar[tuple[str, ...]] = ("duty_b",)
    viewers: ClassVar[tuple[str, ...]] = ("duty_a",)

    def snapshot(self) -> Any:
        drafts = Interruption.objects.order_by("pk").values_list("pk", "status", "notices_sent")
        return list(drafts), OutboxMessage.objects.count(), AuditRecord.objects.count()


def _desk(city: SmallCity, tag: str, grid: Area) -> tuple[User, Unit]:
    unit = Unit.objects.create(
        code=f"POWER-{tag}", name=f"供电所{tag}", kind=Unit.Kind.UTILITY, phone="95598"
    )
    unit.areas.set([grid])
    return make_user(f"ku_duty_{tag}", role=Role.UTILITY_STAFF, area=grid, unit=unit), unit


def _key_user(duty: User, grid: Area, feeder: SupplyPoint, n: int) -> KeyUser:
    return keyuser_register(
        actor=duty,
        area=grid,
        supply_points=[feeder],
        name=f"第{n}医院",
        kind="hospital",
        contact_name="王主任",
        contact_phone=f"1370002{n:04d}",
        response_minutes=20,
        backup_source="柴油发电机",
    )


def make_keyusers_world(city: SmallCity) -> KeyUsersWorld:
    duty_a, unit_a = _desk(city, "A", city.grid_a)
    duty_b, unit_b = _desk(city, "B", city.grid_b)
    feeder_a = supply_point_create(
        actor=duty_a, utility=unit_a, area=city.grid_a, code="KU-A1", name="一线"
    )
    feeder_b = supply_point_create(
        actor=duty_b, utility=unit_b, area=city.grid_b, code="KU-B1", name="二线"
    )
    spare_b = supply_point_create(
        actor=duty_b, utility=unit_b, area=city.grid_b, code="KU-B2", name="二线备"
    )
    start = clock.now().replace(microsecond=0, second=0) + 14 * DAY
    draft_b = interruption_plan(
        actor=duty_b,
        supply_points=[feeder_b],
        starts_at=start,
        ends_at=start + DAY / 4,
        reason="检修",
    )
    interruption_plan(
        actor=duty_a,
        supply_points=[feeder_a],
        starts_at=start,
        ends_at=start + DAY / 4,
        reason="检修",
    )
    return KeyUsersWorld(
        **base_personas(city),
        duty_a=duty_a,
        duty_b=duty_b,
        feeder_a=feeder_a,
        feeder_b=feeder_b,
        spare_b=spare_b,
        key_user_a=_key_user(duty_a, city.grid_a, feeder_a, 1),
        key_user_b=_key_user(duty_b, city.grid_b, feeder_b, 2),
        draft_b=draft_b,
    )


def key_user_body(w: KeyUsersWorld) -> dict[str, Any]:
    return {
        "area_id": w.grid_b.pk,
        "supply_point_ids": [w.feeder_b.pk],
        "name": "区疾控中心",
        "kind": "epidemic_control",
        "contact_name": "赵科长",
        "contact_phone": "13700039999",
        "response_minutes": 15,
    }


def interruption_body(w: KeyUsersWorld) -> dict[str, Any]:
    start = w.draft_b.starts_at + DAY
    return {
        "supply_point_ids": [w.feeder_b.pk],
        "starts_at": start.isoformat(),
        "ends_at": (start + DAY / 4).isoformat(),
        "reason": "更换开关",
    }


def outage_body(w: KeyUsersWorld) -> dict[str, Any]:
    return {"supply_point_ids": [w.spare_b.pk], "reason": "电缆故障"}


def walk_params(city: SmallCity) -> dict[str, Any]:
    """A key user and an interruption in grid A, for walks of every GET endpoint."""
    duty, unit = _desk(city, "W", city.grid_a)
    feeder = supply_point_create(
        actor=duty, utility=unit, area=city.grid_a, code="KU-W1", name="巡线"
    )
    key_user = _key_user(duty, city.grid_a, feeder, 9)
    start = clock.now().replace(microsecond=0) + 14 * DAY
    draft = interruption_plan(
        actor=duty, supply_points=[feeder], starts_at=start, ends_at=start + DAY, reason="检修"
    )
    return {"key_user_id": key_user.pk, "interruption_id": draft.pk}


def _check_register_export(w: KeyUsersWorld) -> None:
    """Each duty desk's file holds its grid's key users and nobody else's (contacts
    masked); personas without key-users rights get no file and leave no audit record."""
    case = REGISTER_EXPORT
    before = AuditRecord.objects.count()
    for name in ("worker_a", "worker_b", "outsider"):
        response = call(w.persona(name), case, w)
        assert response.status_code in DENIED, (name, response.content[:200])
        assert set(response.json()) == {"error"}
    assert AuditRecord.objects.count() == before, "a refused export was recorded"
    mine = call(w.duty_a, case, w)
    assert mine.status_code == 200, mine.content[:300]
    text = mine.content.decode("utf-8-sig")
    assert w.key_user_a.name in text and w.key_user_b.name not in text
    assert w.key_user_a.contact_phone not in text
    theirs = call(w.duty_b, case, w).content.decode("utf-8-sig")
    assert w.key_user_b.name in theirs and w.key_user_a.name not in theirs
    assert AuditRecord.objects.count() == before + 2


def supply_point_body(w: KeyUsersWorld) -> dict[str, Any]:
    return {
        "utility_id": w.feeder_b.utility_id,
        "area_id": w.grid_b.pk,
        "code": "KU-B9",
        "name": "三线",
        "kind": "feeder",
        "utility_kind": "power",
    }


def _names_on_map(user: User | None, w: KeyUsersWorld) -> set[str]:
    response = call(user, MAP, w)
    assert response.status_code in (200, *DENIED), response.content[:300]
    if response.status_code != 200:
        return set()
    answer = response.json()
    assert answer["type"] == "FeatureCollection"
    return {f["properties"]["name"] for f in answer["features"]}


def _check_map(w: KeyUsersWorld) -> None:
    """Each duty desk's map draws its grid's key users only; those without key-users
    rights get nothing drawn."""
    for name in ("worker_a", "worker_b", "outsider"):
        assert _names_on_map(w.persona(name), w) == set(), name
    assert _names_on_map(w.duty_a, w) == {w.key_user_a.name}
    assert _names_on_map(w.duty_b, w) == {w.key_user_b.name}


MAP = Case("get", f"{API}/key-users/map", "custom", check=lambda w: _check_map(w))

REGISTER_EXPORT = Case(
    "post",
    f"{API}/exports/key-users",
    "custom",
    body=lambda w: {"format": "csv"},
    check=lambda w: _check_register_export(w),
)

KEYUSERS_CASES = [
    Case("get", f"{API}/supply-points", "list"),
    Case("get", f"{API}/key-users", "list"),
    Case(
        "post",
        f"{API}/key-users",
        "create",
        label="grid B",
        created=KeyUser,
        body=key_user_body,
    ),
    Case(
        "get",
        f"{API}/key-users/{{key_user_id}}",
        "object",
        lambda w: {"key_user_id": w.key_user_b.pk},
    ),
    Case(
        "patch",
        f"{API}/key-users/{{key_user_id}}",
        "object",
        lambda w: {"key_user_id": w.key_user_b.pk},
        body=lambda w: {"backup_source": "双回路", "response_minutes": 10},
    ),
    Case(
        "post",
        f"{API}/supply-points",
        "create",
        label="grid B",
        created=SupplyPoint,
        body=supply_point_body,
    ),
    MAP,
    Case("get", f"{API}/interruptions", "list"),
    Case(
        "post",
        f"{API}/interruptions",
        "create",
        label="grid B's feeder",
        created=Interruption,
        body=interruption_body,
    ),
    Case(
        "get",
        f"{API}/interruptions/{{interruption_id}}",
        "object",
        lambda w: {"interruption_id": w.draft_b.pk},
    ),
    Case(
        "post",
        f"{API}/interruptions/{{interruption_id}}/publish",
        "object",
        lambda w: {"interruption_id": w.draft_b.pk},
        body=lambda w: {},
    ),
    Case(
        "post",
        f"{API}/outages",
        "create",
        label="grid B's feeder",
        created=Interruption,
        body=outage_body,
    ),
    REGISTER_EXPORT,
    Case(
        "post",
        f"{API}/interruptions/{{interruption_id}}/export",
        "object",
        lambda w: {"interruption_id": w.draft_b.pk},
        body=lambda w: {"format": "xlsx"},
    ),
]
