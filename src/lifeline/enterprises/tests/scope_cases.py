"""Enterprises rows of the scope matrix (run by ``tests/test_scope_matrix.py``), and the
world the enterprises' API tests and idempotent-create examples share.

An enterprise liaison for each grid, with an enterprise, a loop and two sealed members in
each. Grid B's objects are refused to grid A's liaison, to grid workers (who hold no
enterprises permission) and to a user with no membership; grid B's liaison reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from lifeline.accounts.models import Role, User
from lifeline.core.models import AuditRecord
from lifeline.enterprises.models import Bubble, Enterprise, SealedStaff
from lifeline.enterprises.services import bubble_create, enterprise_create, staff_add
from lifeline.registry.models import Area
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import DENIED, Case, World, base_personas, call

API = "/api/v1/enterprises"


@dataclass
class EnterprisesWorld(World):
    liaison_a: User
    liaison_b: User
    enterprise_a: Enterprise
    enterprise_b: Enterprise
    bubble_b: Bubble
    staff_b: list[SealedStaff]

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "worker_b", "outsider", "liaison_a")
    controls: ClassVar[tuple[str, ...]] = ("liaison_b",)
    viewers: ClassVar[tuple[str, ...]] = ("liaison_a",)

    def snapshot(self) -> Any:
        enterprises = Enterprise.objects.order_by("pk").values_list("pk", "status")
        bubbles = Bubble.objects.order_by("pk").values_list("pk", "status")
        staff = SealedStaff.objects.order_by("pk").values_list("pk", "positive_at")
        return list(enterprises), list(bubbles), list(staff), AuditRecord.objects.count()


def make_loop(liaison: User, area: Area, tag: str) -> tuple[Enterprise, Bubble, list[SealedStaff]]:
    enterprise = enterprise_create(
        actor=liaison,
        area=area,
        name=f"{tag}机械厂",
        contact_name="张厂长",
        contact_phone="13912340000",
    )
    bubble = bubble_create(
        actor=liaison,
        enterprise=enterprise,
        name="一车间",
        dormitory="厂区宿舍",
        workplace="一车间",
    )
    staff = [
        staff_add(actor=liaison, bubble=bubble, name=f"{tag}工人{n}", phone=f"1380000{n:04d}")
        for n in range(2)
    ]
    return enterprise, bubble, staff


def make_enterprises_world(city: SmallCity) -> EnterprisesWorld:
    liaison_a = make_user("ent_liaison_a", role=Role.ENTERPRISE_LIAISON, area=city.grid_a)
    liaison_b = make_user("ent_liaison_b", role=Role.ENTERPRISE_LIAISON, area=city.grid_b)
    enterprise_a, _bubble_a, _staff_a = make_loop(liaison_a, city.grid_a, "一网格")
    enterprise_b, bubble_b, staff_b = make_loop(liaison_b, city.grid_b, "二网格")
    return EnterprisesWorld(
        **base_personas(city),
        liaison_a=liaison_a,
        liaison_b=liaison_b,
        enterprise_a=enterprise_a,
        enterprise_b=enterprise_b,
        bubble_b=bubble_b,
        staff_b=staff_b,
    )


def walk_params(city: SmallCity) -> dict[str, Any]:
    """An enterprise with a loop in grid A, for walks of every GET endpoint."""
    liaison = make_user("walk_ent_liaison", role=Role.ENTERPRISE_LIAISON, area=city.grid_a)
    enterprise, bubble, _staff = make_loop(liaison, city.grid_a, "巡查")
    return {"enterprise_id": enterprise.pk, "bubble_id": bubble.pk}


def _check_whitelist_export(w: EnterprisesWorld) -> None:
    """Each liaison's file holds its grid's enterprise and nobody else's (contacts
    masked); personas without enterprise rights get no file and leave no audit record."""
    case = WHITELIST_EXPORT
    before = AuditRecord.objects.count()
    for name in ("worker_a", "worker_b", "outsider"):
        response = call(w.persona(name), case, w)
        assert response.status_code in DENIED, (name, response.content[:200])
        assert set(response.json()) == {"error"}
    assert AuditRecord.objects.count() == before, "a refused export was recorded"
    mine = call(w.liaison_a, case, w)
    assert mine.status_code == 200, mine.content[:300]
    text = mine.content.decode("utf-8-sig")
    assert w.enterprise_a.name in text and w.enterprise_b.name not in text
    assert w.enterprise_a.contact_phone not in text
    theirs = call(w.liaison_b, case, w).content.decode("utf-8-sig")
    assert w.enterprise_b.name in theirs and w.enterprise_a.name not in theirs
    assert AuditRecord.objects.count() == before + 2


WHITELIST_EXPORT = Case(
    "post",
    f"{API}/exports/whitelist",
    "custom",
    body=lambda w: {"format": "csv"},
    check=lambda w: _check_whitelist_export(w),
)

ENTERPRISES_CASES = [
    Case("get", API, "list"),
    Case(
        "post",
        API,
        "create",
        label="grid B",
        created=Enterprise,
        body=lambda w: {
            "area_id": w.grid_b.pk,
            "name": "新工地",
            "kind": "construction",
            "contact_name": "李经理",
            "contact_phone": "13912349999",
        },
    ),
    Case(
        "get",
        f"{API}/{{enterprise_id}}/compliance",
        "object",
        lambda w: {"enterprise_id": w.enterprise_b.pk},
    ),
    Case(
        "post",
        f"{API}/loops/{{bubble_id}}/staff",
        "create",
        lambda w: {"bubble_id": w.bubble_b.pk},
        label="grid B's loop",
        created=SealedStaff,
        body=lambda w: {"name": "新工人", "phone": "13800009999"},
    ),
    Case(
        "post",
        f"{API}/loops/{{bubble_id}}/positive",
        "object",
        lambda w: {"bubble_id": w.bubble_b.pk},
        body=lambda w: {"staff_id": w.staff_b[0].pk, "note": "阳性"},
    ),
    WHITELIST_EXPORT,
    Case(
        "post",
        f"{API}/{{enterprise_id}}/compliance/export",
        "object",
        lambda w: {"enterprise_id": w.enterprise_b.pk},
        body=lambda w: {"format": "xlsx"},
    ),
]
