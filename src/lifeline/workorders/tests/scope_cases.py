"""The work orders' rows of the scope matrix (run by ``tests/test_scope_matrix.py``).

An order is visible by its place (``area_path``, area memberships) OR by its responsible
unit (unit memberships, ``SCOPE_UNIT_FIELD``), so the world has both kinds of staff: grid
workers and dispatchers of grids A and B, and staff of the service team of each grid. Grid
B's order ``order_b`` is the foreign object of every case; ``order_a_for_unit_b`` lies in
grid A but is with grid B's team, so the two arms of the scope are told apart.

Grid workers see, file and comment (``WORKORDER_VIEW``, ``WORKORDER_FILE``) but do not work
orders: the controls of the steps are grid B's dispatcher (``WORKORDER_DISPATCH`` by area)
and grid B's team (``WORKORDER_WORK`` by unit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.files.uploadedfile import SimpleUploadedFile

from lifeline.accounts.models import Role, User
from lifeline.api.tests.helpers import client_for
from lifeline.core import clock
from lifeline.core.personal import lookup_hash
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import Case, World, base_personas
from lifeline.workorders.models import RoutingRule, Status, Stop, WorkOrder, WorkOrderEvent
from lifeline.workorders.services import workorder_create, workorder_transfer

CODE = "246810"  # the confirmation code "sent" to grid B's resident


@dataclass
class WorkOrderWorld(World):
    dispatcher_a: User
    dispatcher_b: User
    community_staff: User  # dispatcher over both grids: the control for cross-grid merges
    unit_staff_a: User
    unit_staff_b: User
    unit_a: Unit
    unit_b: Unit
    order_a: WorkOrder
    order_b: WorkOrder
    order_b2: WorkOrder
    order_a_for_unit_b: WorkOrder

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "dispatcher_a", "unit_staff_a", "outsider")
    controls: ClassVar[tuple[str, ...]] = ("dispatcher_b", "unit_staff_b")
    viewers: ClassVar[tuple[str, ...]] = ("worker_a", "dispatcher_a", "unit_staff_a")

    def may_see(self, viewer: str, row: dict[str, Any]) -> bool:
        if viewer.startswith("unit_staff"):
            return bool(row["responsible_unit"] == self.unit_a.pk)
        return str(row["area_path"]).startswith(self.grid_a.path)

    def snapshot(self) -> Any:
        orders = WorkOrder.objects.order_by("pk").values_list(
            "pk", "version", "status", "responsible_unit_id", "claimed_by_id", "duplicate_of_id"
        )
        stops = Stop.objects.order_by("pk").values_list("pk", "state")
        return list(orders), WorkOrderEvent.objects.count(), list(stops)

    def put_b(self, **fields: Any) -> None:
        """Set grid B's order straight into the state a case needs."""
        WorkOrder.objects.filter(pk=self.order_b.pk).update(**fields)
        self.order_b.refresh_from_db()


def make_workorder_world(city: SmallCity) -> WorkOrderWorld:
    committee = city.units["committee"]
    units = {}
    for key, grid in (("a", city.grid_a), ("b", city.grid_b)):
        unit = Unit.objects.create(
            code=f"U-SVC-{key.upper()}",
            name=f"{grid.name}服务队",
            kind=Unit.Kind.UTILITY_TEAM,
            parent=committee,
        )
        unit.areas.set([grid])
        RoutingRule.objects.create(area=grid, area_path=grid.path, unit=unit)
        units[key] = unit
    command = make_user("matrix_command", role=Role.COMMAND_STAFF, area=city.city)

    def order(grid: Any, text: str) -> WorkOrder:
        return workorder_create(
            actor=command, category_code="other", area=grid, description=text
        ).order

    order_a_for_unit_b = order(city.grid_a, "第一网格的事, 第二网格服务队办")
    workorder_transfer(
        actor=command, order=order_a_for_unit_b, unit=units["b"], reason="服务队之间调配"
    )
    order_a_for_unit_b.refresh_from_db()
    return WorkOrderWorld(
        **base_personas(city),
        dispatcher_a=make_user("matrix_disp_a", role=Role.COMMUNITY_STAFF, area=city.grid_a),
        dispatcher_b=make_user("matrix_disp_b", role=Role.COMMUNITY_STAFF, area=city.grid_b),
        community_staff=make_user(
            "matrix_community", role=Role.COMMUNITY_STAFF, area=city.community
        ),
        unit_staff_a=make_user("matrix_unit_a", role=Role.UNIT_STAFF, unit=units["a"]),
        unit_staff_b=make_user("matrix_unit_b", role=Role.UNIT_STAFF, unit=units["b"]),
        unit_a=units["a"],
        unit_b=units["b"],
        order_a=order(city.grid_a, "第一网格居民要买药"),
        order_b=order(city.grid_b, "第二网格居民要买药"),
        order_b2=order(city.grid_b, "第二网格居民又来电"),
        order_a_for_unit_b=order_a_for_unit_b,
    )


# Givens: grid B's order in the state each step starts from --------------------------


def _received(w: WorkOrderWorld) -> None:
    w.put_b(status=Status.RECEIVED)


def _accepted(w: WorkOrderWorld) -> None:
    w.put_b(status=Status.ACCEPTED, responded_at=clock.now())


def _resolved(w: WorkOrderWorld) -> None:
    w.put_b(
        status=Status.RESOLVED,
        responded_at=clock.now(),
        resolved_at=clock.now(),
        confirm_code_hash=lookup_hash(f"{w.order_b.pk}:{CODE}"),
        confirm_code_expires_at=clock.now() + dt.timedelta(hours=1),
    )


def _with_stop(w: WorkOrderWorld) -> None:
    _accepted(w)
    Stop.objects.create(order=w.order_b, seq=1, label="取气卡")


def _order_b(w: WorkOrderWorld) -> dict[str, Any]:
    return {"order_id": w.order_b.pk}


def _step(name: str, given: Any = None, body: Any = None, **kwargs: Any) -> Case:
    """One action on grid B's order."""
    return Case(
        "post",
        f"/api/v1/workorders/{{order_id}}/{name}",
        "object",
        _order_b,
        given=given or (lambda w: None),
        body=body or (lambda w: {}),
        **kwargs,
    )


# Checks that fit no generic kind -----------------------------------------------------


def _check_metrics(w: WorkOrderWorld) -> None:
    url = "/api/v1/workorders/metrics"

    def rows(user: User, by: str) -> list[dict[str, Any]]:
        response = client_for(user).get(url, {"by": by})
        assert response.status_code == 200, response.content[:300]
        return list(response.json())

    # grid A's worker: only grid A's places, and exactly the orders placed there
    by_area = rows(w.worker_a, "area")
    assert by_area and all(str(r["key"]).startswith(w.grid_a.path) for r in by_area), by_area
    assert sum(r["total"] for r in by_area) == 2  # order_a and order_a_for_unit_b
    # grid A's team: only its own unit, even though grid A holds an order of grid B's team
    assert [r["key"] for r in rows(w.unit_staff_a, "unit")] == [w.unit_a.pk]
    assert rows(w.outsider, "area") == []
    # controls: grid B's worker sees grid B's place, grid B's team its unit
    assert w.grid_b.path in {r["key"] for r in rows(w.worker_b, "area")}
    assert w.unit_b.pk in {r["key"] for r in rows(w.unit_staff_b, "unit")}


def _check_list_import(w: WorkOrderWorld) -> None:
    """A list row naming grid B's household is refused exactly like an unknown household."""
    url = "/api/v1/workorders/lists"
    household_b = w.city.people_b[1].household

    def upload(user: User, household_id: int) -> Any:
        content = f"household_id,description\n{household_id},送菜\n".encode()
        file = SimpleUploadedFile("list.csv", content, content_type="text/csv")
        return client_for(user).post(url, {"category": "other", "file": file})

    before = WorkOrder.objects.count()
    unknown = upload(w.worker_a, 987654321)
    assert unknown.status_code == 400, unknown.content[:300]
    for user in (w.worker_a, w.dispatcher_a, w.unit_staff_a, w.outsider):
        refused = upload(user, household_b.pk)
        assert (refused.status_code, refused.json()) == (unknown.status_code, unknown.json())
    assert WorkOrder.objects.count() == before
    assert upload(w.worker_b, household_b.pk).status_code == 201


# Controls of the reads and comments: grid B's worker (by area) and team (by unit).
SEERS = ("worker_b", "unit_staff_b")

WORKORDER_CASES = [
    Case("get", "/api/v1/workorders/categories", "shared"),
    Case(
        "get",
        "/api/v1/workorders",
        "list",
        label="by place",
        foreign=(
            lambda w: {"area": w.grid_b.pk},
            lambda w: {"unit": w.unit_b.pk},
            lambda w: {"q": w.order_b.number},
            lambda w: {"status": "dispatched"},
        ),
        controls=("worker_b",),
    ),
    Case(
        "get",
        "/api/v1/workorders",
        "list",
        label="by unit",
        foreign=(lambda w: {"unit": w.unit_b.pk}, lambda w: {"q": w.order_b.number}),
        controls=("worker_b", "unit_staff_b"),
    ),
    Case(
        "get",
        "/api/v1/workorders/queue",
        "list",
        foreign=(lambda w: {},),
        viewers=("unit_staff_a",),
        controls=("unit_staff_b",),
    ),
    Case("get", "/api/v1/workorders/metrics", "custom", check=_check_metrics),
    Case(
        "post",
        "/api/v1/workorders",
        "create",
        label="in grid B",
        created=WorkOrder,
        body=lambda w: {"description": "要买菜", "category": "other", "area": w.grid_b.pk},
        controls=("worker_b",),
    ),
    Case(
        "post",
        "/api/v1/workorders",
        "create",
        label="for grid B's household",
        created=WorkOrder,
        body=lambda w: {
            "description": "要买菜",
            "category": "other",
            "household": w.city.people_b[2].household_id,
        },
        controls=("worker_b",),
    ),
    Case(
        "post",
        "/api/v1/workorders",
        "create",
        label="for grid B's resident",
        created=WorkOrder,
        body=lambda w: {
            "description": "要买菜",
            "category": "other",
            "person": w.city.people_b[2].pk,
        },
        controls=("worker_b",),
    ),
    Case("post", "/api/v1/workorders/lists", "custom", check=_check_list_import),
    Case(
        "post",
        "/api/v1/workorders/confirm",
        "public",
        given=_resolved,
        body=lambda w: {"number": w.order_b.number, "code": CODE, "satisfaction": 5},
        foreign=(
            lambda w: {"number": "202211059999999", "code": CODE},  # no such order
            lambda w: {"number": w.order_b.number, "code": "135790"},  # wrong code
            lambda w: {"number": w.order_b2.number, "code": CODE},  # not awaiting confirmation
            lambda w: {"number": w.order_a.number, "code": CODE},  # another grid's open order
        ),
    ),
    Case("get", "/api/v1/workorders/{order_id}", "object", _order_b, controls=SEERS),
    Case("get", "/api/v1/workorders/{order_id}/events", "object", _order_b, controls=SEERS),
    Case(
        "get",
        "/api/v1/workorders/{order_id}/stops",
        "object",
        _order_b,
        given=_with_stop,
        controls=SEERS,
    ),
    _step("dispatch", given=_received, body=lambda w: {"note": "重派"}, controls=("dispatcher_b",)),
    _step("accept"),
    _step("start"),
    _step("resolve", given=_accepted, body=lambda w: {"note": "已送达"}),
    _step("close", given=_resolved, body=lambda w: {"satisfaction": 5, "note": "回访满意"}),
    _step("reopen", given=_resolved, body=lambda w: {"reason": "居民说没送到"}),
    _step("cancel", body=lambda w: {"reason": "居民已自行解决"}),
    _step(
        "transfer",
        body=lambda w: {"unit": w.city.units["committee"].pk, "reason": "需要社区协调"},
    ),
    _step("return", body=lambda w: {"reason": "不归服务队管"}),
    # Those who file for grid B's residents add to its orders, like its handlers.
    _step("comment", body=lambda w: {"note": "已电话联系"}, controls=SEERS),
    _step("claim"),
    # Handed to a colleague of grid B's team (a grid worker does not work orders).
    _step(
        "handover",
        body=lambda w: {"to_user": w.unit_staff_b.pk, "note": "交班"},
        controls=("dispatcher_b",),
    ),
    _step("merge", body=lambda w: {"into": w.order_b2.pk}, controls=("dispatcher_b",)),
    # The order to merge is one's own; the order merged into is grid B's.
    Case(
        "post",
        "/api/v1/workorders/{order_id}/merge",
        "object",
        lambda w: {"order_id": w.order_a.pk},
        label="into grid B's order",
        body=lambda w: {"into": w.order_b.pk},
        denied=("dispatcher_a",),
        controls=("community_staff",),
    ),
    Case(
        "post",
        "/api/v1/workorders/{order_id}/stops/{seq}/complete",
        "object",
        lambda w: {"order_id": w.order_b.pk, "seq": 1},
        given=_with_stop,
        body=lambda w: {"note": "气卡已取"},
    ),
]
