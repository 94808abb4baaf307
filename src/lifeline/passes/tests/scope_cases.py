"""The passes' rows of the scope matrix (run by ``tests/test_scope_matrix.py``).

An application is visible by its place (``area_path``), by its approving unit, or to its
applicant; only the approving unit decides it, only the issuing unit revokes its pass, and
only a checkpoint's own staff check passes and hand goods across there. So the world has a
residents' committee per grid (each approves its grid's applications and runs its grid's
checkpoint) with its unit staff and its checkpoint staff, beside the grid workers. Grid B's
pending application, issued pass, checkpoint and relay hand-off are the foreign objects;
grid B's own grid worker is denied the unit's decisions, since applying is not approving,
and the committee's unit staff are denied the checks, since approving is not checking.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module
from typing import Any, ClassVar

from django.apps import apps as django_apps
from django.utils import timezone

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.passes import checkpoints, services
from lifeline.passes.models import (
    Checkpoint,
    MovementPass,
    PassApplication,
    PassCheck,
    PassSigningKey,
    PassType,
    RelayHandoff,
    RevocationChange,
)
from lifeline.registry.models import Area, Person, Unit
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import Case, World, base_personas

APPROVERS_ONLY = ("worker_a", "worker_b", "approver_a", "outsider")
CHECKERS_ONLY = ("worker_a", "worker_b", "approver_a", "approver_b", "checker_a", "outsider")


@dataclass
class PassesWorld(World):
    approver_a: User  # staff of grid A's committee: approves grid A, runs checkpoint A
    approver_b: User
    checker_a: User  # checkpoint staff of grid A's committee: checks at checkpoint A
    checker_b: User
    committee_a: Unit
    committee_b: Unit
    application_a: PassApplication
    application_b: PassApplication  # pending, in committee B's queue
    issued_b: MovementPass
    checkpoint_b: Checkpoint
    relay_b: RelayHandoff

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "approver_a", "outsider")
    controls: ClassVar[tuple[str, ...]] = ("worker_b", "approver_b")
    viewers: ClassVar[tuple[str, ...]] = ("worker_a", "approver_a")

    def may_see(self, viewer: str, row: dict[str, Any]) -> bool:
        found = PassApplication.objects.filter(pk=row["id"]).values_list(
            "area_path", "approver_unit_id"
        )
        path, unit = found.get()
        if viewer.startswith("approver"):
            return bool(unit == self.committee_a.pk)
        return str(path).startswith(self.grid_a.path)

    def snapshot(self) -> Any:
        def rows(model: Any, *fields: str) -> list[Any]:
            return list(model.objects.order_by("pk").values_list("pk", *fields))

        return (
            rows(PassApplication, "status", "approver_unit_id"),
            rows(MovementPass, "status"),
            rows(PassSigningKey, "not_after"),
            rows(RelayHandoff, "status"),
            PassCheck.objects.count(),
            RevocationChange.objects.count(),
        )

    def private_values(self) -> list[str]:
        people = Person.objects.values_list("name", "phone")
        passes = MovementPass.objects.values_list("pass_id", "holder_label")
        return [v for pair in (*people, *passes) for v in pair if v]


def _committee(city: SmallCity, grid: Area, key: str) -> Unit:
    unit = Unit.objects.create(
        code=f"U-PASS-{key}", name=f"{grid.name}居委会", kind=Unit.Kind.COMMUNITY_COMMITTEE
    )
    unit.areas.set([grid])
    return unit


def seed_pass_types() -> None:
    """A flushed database (transactional tests) loses the migration-seeded pass types."""
    if not PassType.objects.exists():
        import_module("lifeline.passes.migrations.0002_seed_pass_types").seed(django_apps, None)


def make_passes_world(city: SmallCity) -> PassesWorld:
    seed_pass_types()
    committee_a = _committee(city, city.grid_a, "A")
    committee_b = _committee(city, city.grid_b, "B")
    bureau = Unit.objects.create(
        code="U-PASS-DIST", name="天元区交通运输局", kind=Unit.Kind.DISTRICT_BUREAU
    )
    bureau.areas.set([city.district])
    personas = base_personas(city)
    approver_a = make_user("matrix_pass_a", role=Role.UNIT_STAFF, unit=committee_a)
    approver_b = make_user("matrix_pass_b", role=Role.UNIT_STAFF, unit=committee_b)
    checker_b = make_user("matrix_check_b", role=Role.CHECKPOINT_STAFF, unit=committee_b)

    def apply(worker: User, person: Person) -> PassApplication:
        start = clock.now() + dt.timedelta(hours=1)
        return services.pass_application_submit(
            actor=worker,
            pass_type_code="phase-move",
            applicant_kind="grid_worker",
            area=person.grid,
            person=person,
            purpose="去二期取药",
            valid_from=start,
            valid_until=start + dt.timedelta(hours=4),
        )

    issued_b = services.pass_application_approve(
        actor=approver_b,
        application_id=apply(personas["worker_b"], city.people_b[2]).pk,
    )
    checkpoint_b = Checkpoint.objects.create(
        code="CP-MATRIX-B",
        name="第二网格卡口",
        area=city.grid_b,
        area_path=city.grid_b.path,
        unit=committee_b,
    )
    relay_b = checkpoints.relay_register(
        actor=checker_b,
        checkpoint_code=checkpoint_b.code,
        goods="降压药两盒",
        from_party="一期药店",
        to_party="二期3栋",
    )
    return PassesWorld(
        **personas,
        approver_a=approver_a,
        approver_b=approver_b,
        checker_a=make_user("matrix_check_a", role=Role.CHECKPOINT_STAFF, unit=committee_a),
        checker_b=checker_b,
        committee_a=committee_a,
        committee_b=committee_b,
        application_a=apply(personas["worker_a"], city.people_a[1]),
        application_b=apply(personas["worker_b"], city.people_b[1]),
        issued_b=issued_b,
        checkpoint_b=checkpoint_b,
        relay_b=relay_b,
    )


def _revoked(w: PassesWorld) -> None:
    """Grid B's pass on the revocation list, so the published list has an entry to leak."""
    services.pass_revoke(actor=w.approver_b, pass_id=w.issued_b.pass_id, reason="居民已转运")


def _window() -> dict[str, str]:
    start = clock.now() + dt.timedelta(hours=1)
    return {
        "valid_from": start.isoformat(),
        "valid_until": (start + dt.timedelta(hours=4)).isoformat(),
    }


def _application_b(w: PassesWorld) -> dict[str, Any]:
    return {"pk": w.application_b.pk}


def _checkpoint_b(w: PassesWorld) -> dict[str, Any]:
    return {"code": w.checkpoint_b.code}


def _check(w: PassesWorld) -> dict[str, Any]:
    return {"client_id": "matrix-check-1", "result": "ok", "checked_at": clock.now().isoformat()}


PASSES_CASES = [
    Case("get", "/api/v1/passes/types", "shared"),
    Case(
        "post",
        "/api/v1/passes/applications",
        "create",
        label="for grid B's resident",
        created=PassApplication,
        body=lambda w: {
            "pass_type": "phase-move",
            "applicant_kind": "grid_worker",
            "person": w.city.people_b[0].pk,
            "purpose": "去二期取药",
            **_window(),
        },
        controls=("worker_b",),
    ),
    Case(
        "post",
        "/api/v1/passes/applications",
        "create",
        label="placed in grid B",
        created=PassApplication,
        body=lambda w: {
            "pass_type": "logistics",
            "applicant_kind": "enterprise",
            "on_behalf_of": "株洲某医疗用品有限公司",
            "area": w.grid_b.pk,
            "holder_label": "湘B12345",
            "route": "园区—湘江一桥—第二网格",
            "purpose": "运送防护服",
            **_window(),
        },
        controls=("worker_b",),
    ),
    Case(
        "get",
        "/api/v1/passes/applications",
        "list",
        foreign=(lambda w: {},),
        controls=("worker_b", "approver_b"),
    ),
    Case(
        "get",
        "/api/v1/passes/queue",
        "list",
        foreign=(lambda w: {},),
        viewers=("approver_a",),
        controls=("approver_b",),
    ),
    Case(
        "post",
        "/api/v1/passes/applications/{pk}/approve",
        "object",
        _application_b,
        denied=APPROVERS_ONLY,
        controls=("approver_b",),
    ),
    Case(
        "post",
        "/api/v1/passes/applications/{pk}/refuse",
        "object",
        _application_b,
        body=lambda w: {"reason": "材料不全"},
        denied=APPROVERS_ONLY,
        controls=("approver_b",),
    ),
    Case(
        "post",
        "/api/v1/passes/{pass_id}/revoke",
        "object",
        lambda w: {"pass_id": w.issued_b.pass_id},
        body=lambda w: {"reason": "居民已转运"},
        denied=APPROVERS_ONLY,
        controls=("approver_b",),
    ),
    Case("get", "/api/v1/passes/keys", "published"),
    Case("get", "/api/v1/passes/revocations", "published", given=_revoked),
    Case(
        "post",
        "/api/v1/passes/keys/rotate",
        "object",
        body=lambda w: {"unit": w.committee_b.code},
        denied=APPROVERS_ONLY,
        controls=("approver_b",),
    ),
    Case(
        "post",
        "/api/v1/passes/checks/verify",
        "object",
        body=lambda w: {
            "checkpoint": w.checkpoint_b.code,
            "text": w.issued_b.text,
            "client_id": "matrix-verify-1",
        },
        denied=CHECKERS_ONLY,
        controls=("checker_b",),
    ),
    Case(
        "post",
        "/api/v1/passes/checks/lookup",
        "object",
        body=lambda w: {
            "checkpoint": w.checkpoint_b.code,
            "pass_id": w.issued_b.pass_id,
            "client_id": "matrix-lookup-1",
        },
        denied=CHECKERS_ONLY,
        controls=("checker_b",),
    ),
    Case(
        "post",
        "/api/v1/passes/checks/upload",
        "object",
        body=lambda w: {"checkpoint": w.checkpoint_b.code, "checks": [_check(w)]},
        denied=CHECKERS_ONLY,
        controls=("checker_b",),
    ),
    Case(
        "get",
        "/api/v1/passes/checkpoints/{code}/crossings",
        "object",
        _checkpoint_b,
        query=lambda w: {"day": timezone.localdate(clock.now()).isoformat()},
    ),
    Case(
        "post",
        "/api/v1/passes/checkpoints/{code}/relays",
        "object",
        _checkpoint_b,
        body=lambda w: {"goods": "胰岛素一盒", "to_party": "二期5栋"},
        denied=CHECKERS_ONLY,
        controls=("checker_b",),
    ),
    Case(
        "post",
        "/api/v1/passes/relays/{pk}/advance",
        "object",
        lambda w: {"pk": w.relay_b.pk},
        body=lambda w: {"status": "disinfected"},
        denied=CHECKERS_ONLY,
        controls=("checker_b",),
    ),
]
