"""The problem list (问题清单): each problem is a ``lifeline_problem`` work order routed to
the command centre, so its due date, escalation (the work-order sweep) and status are the
work order's. A threshold or a short-staffed role opens at most one problem while one it
opened is still open."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can
from lifeline.continuity.models import SETTLED, CriticalRole, LifelineUnit, Problem, Threshold
from lifeline.continuity.services.common import invalid, require_manage, text
from lifeline.core import clock
from lifeline.core.actors import Actor, system, user_of
from lifeline.core.audit import audit_log
from lifeline.workorders.models import Channel, Status
from lifeline.workorders.services import workorder_accept, workorder_create, workorder_resolve

CATEGORY = "lifeline_problem"
THRESHOLD_CHECK = "lifeline threshold"


def _filer(actor: Actor, unit: LifelineUnit) -> Actor:
    """Who files the work order: the actor where they may file there, else the system (a
    threshold tripped by a unit's report or by the sweep is the system's finding)."""
    if can(actor, Perm.WORKORDER_FILE, path=unit.area_path):
        return actor
    return system(THRESHOLD_CHECK)


def _open(
    *,
    actor: Actor,
    unit: LifelineUnit,
    title: str,
    guidance: str,
    owner: str = "",
    threshold: Threshold | None = None,
    role: CriticalRole | None = None,
) -> Problem:
    """Inside the caller's transaction: the work order, then the problem and its audit."""
    description = _("%(unit)s: %(title)s") % {"unit": unit.unit.name, "title": title}
    if guidance:
        description = f"{description}\n{guidance}"
    order = workorder_create(
        actor=_filer(actor, unit),
        description=description,
        category_code=CATEGORY,
        channel=Channel.STAFF,
        area=unit.area,
        contact_name=unit.unit.name[:50],
        contact_phone=unit.unit.phone,
    ).order
    problem = Problem.objects.create(
        lifeline_unit=unit,
        title=title,
        guidance=guidance,
        owner=owner,
        work_order=order,
        threshold=threshold,
        role=role,
        opened_at=clock.now(),
        opened_by=user_of(actor),
    )
    audit_log(
        actor=actor,
        action="continuity.problem_open",
        obj=problem,
        area_path=unit.area_path,
        fields=["title", "guidance", "owner", "work_order"],
    )
    return problem


def open_once(
    *, actor: Actor, unit: LifelineUnit, threshold: Threshold | None, role: CriticalRole | None
) -> Problem | None:
    """The problem of a tripped threshold or short-staffed role, unless one it opened is
    still open. The threshold's (or role's) row lock makes two reports at once open one."""
    if threshold is not None:
        Threshold.objects.select_for_update().filter(pk=threshold.pk).first()
        mine = Problem.objects.filter(threshold=threshold)
        title, guidance, owner = threshold.title, threshold.guidance, threshold.owner
    elif role is not None:
        CriticalRole.objects.select_for_update().filter(pk=role.pk).first()
        mine = Problem.objects.filter(role=role)
        title = _("Too few on site: %(role)s (at least %(minimum)d)") % {
            "role": role.name,
            "minimum": role.minimum,
        }
        guidance, owner = role.guidance, ""
    else:
        return None
    if mine.exclude(work_order__status__in=SETTLED).exists():
        return None
    return _open(
        actor=actor,
        unit=unit,
        title=title,
        guidance=guidance,
        owner=owner,
        threshold=threshold,
        role=role,
    )


def problem_open(
    *, actor: Actor, lifeline_unit: LifelineUnit, title: str, guidance: str = "", owner: str = ""
) -> Problem:
    """A problem the command centre puts on a unit's list by hand."""
    require_manage(actor, lifeline_unit)
    fields: dict[str, list[str]] = {}
    title = text(title, "title", fields, limit=150, needed=True)
    guidance = text(guidance, "guidance", fields, limit=2000, needed=False)
    owner = text(owner, "owner", fields, limit=100, needed=False)
    if fields:
        raise invalid(fields)
    with transaction.atomic():
        return _open(actor=actor, unit=lifeline_unit, title=title, guidance=guidance, owner=owner)


def problem_update(
    *, actor: Actor, problem: Problem, guidance: str | None = None, owner: str | None = None
) -> Problem:
    """The command centre's guidance on a problem, and who owns it."""
    require_manage(actor, problem.lifeline_unit)
    fields: dict[str, list[str]] = {}
    changed = []
    if guidance is not None:
        problem.guidance = text(guidance, "guidance", fields, limit=2000, needed=False)
        changed.append("guidance")
    if owner is not None:
        problem.owner = text(owner, "owner", fields, limit=100, needed=False)
        changed.append("owner")
    if fields:
        raise invalid(fields)
    with transaction.atomic():
        problem.save(update_fields=changed)
        audit_log(
            actor=actor,
            action="continuity.problem_update",
            obj=problem,
            area_path=problem.lifeline_unit.area_path,
            fields=changed,
        )
    return problem


def problem_resolve(*, actor: Actor, problem: Problem, note: str) -> Problem:
    """Resolve the problem's work order (accepting it first if nobody has), by a handler
    at the command centre; the problem is settled when its order is."""
    require_manage(actor, problem.lifeline_unit)
    with transaction.atomic():
        order = problem.work_order
        if order.status in (Status.DISPATCHED, Status.REOPENED):
            order = workorder_accept(actor=actor, order=order)
        problem.work_order = workorder_resolve(actor=actor, order=order, note=note)
        audit_log(
            actor=actor,
            action="continuity.problem_resolve",
            obj=problem,
            area_path=problem.lifeline_unit.area_path,
        )
    return problem
