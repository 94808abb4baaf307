"""What a bubble asks of other apps: logistics passes for its vehicles (passes), supplies
(supplies' needs) and issues (the ``enterprise_issue`` work orders). Each goes through
that app's public service, which checks the actor's own rights there."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict
from lifeline.enterprises.models import Bubble, BubbleNeed, Enterprise, LoopStatus, Vehicle
from lifeline.enterprises.services.common import invalid, require_manage
from lifeline.passes.models import ApplicantKind, ApplicationStatus, PassApplication
from lifeline.passes.services import pass_application_submit
from lifeline.supplies.models import ForWhom, Item, Need, Priority
from lifeline.supplies.services import need_create
from lifeline.workorders.models import WorkOrder
from lifeline.workorders.services import workorder_create

LOGISTICS = "logistics"
ISSUE_CATEGORY = "enterprise_issue"


def vehicle_pass_apply(
    *,
    actor: Actor,
    vehicle: Vehicle,
    route: str,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    purpose: str,
) -> PassApplication:
    """Apply for the vehicle's logistics pass on the enterprise's behalf (the passes app
    checks ``PASS_APPLY`` and the route, and queues it with the district bureau). Refused
    while the loop is suspended or a live application of the vehicle waits or holds."""
    require_manage(actor, vehicle.area_path)
    with transaction.atomic():
        # The loop's row first (the order a positive takes it in), so a positive either
        # sees this application and stops it, or this one sees the loop suspended.
        bubble = (
            Bubble.objects.select_for_update(of=("self",))
            .select_related("enterprise")
            .get(pk=vehicle.bubble_id)
        )
        enterprise = bubble.enterprise
        if bubble.status != LoopStatus.ACTIVE or enterprise.status != LoopStatus.ACTIVE:
            raise Conflict(_("The enterprise's loop is suspended or closed."), code="suspended")
        locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        # A vehicle stopped by a positive or a suspension applies afresh: its old pass
        # stays revoked and its application is over, whatever the dates say.
        if locked.pass_application_id is not None and locked.stopped_at is None:
            current = PassApplication.objects.filter(pk=locked.pass_application_id).first()
            if (
                current is not None
                and current.status
                in (
                    ApplicationStatus.PENDING,
                    ApplicationStatus.APPROVED,
                )
                and current.valid_until > clock.now()
            ):
                raise Conflict(
                    _("This vehicle already has a pass or an application."), code="duplicate"
                )
        application = pass_application_submit(
            actor=actor,
            pass_type_code=LOGISTICS,
            applicant_kind=ApplicantKind.ENTERPRISE,
            area=enterprise.area,
            valid_from=valid_from,
            valid_until=valid_until,
            purpose=purpose,
            holder_label=locked.plate,
            on_behalf_of=enterprise.name,
            route=route,
            driver_name=locked.driver_name,
            holder_phone=enterprise.contact_phone,
        )
        locked.pass_application_id = application.pk
        locked.stopped_at = None
        locked.save(update_fields=["pass_application_id", "stopped_at"])
        audit_log(actor=actor, action="enterprises.vehicle_pass", obj=locked, fields=["pass"])
    vehicle.pass_application_id = application.pk
    return application


def supply_need_raise(
    *,
    actor: Actor,
    bubble: Bubble,
    item: Item | None,
    quantity: Any,
    needed_by: dt.date | None,
    unit_code: str = "",
    priority: int = Priority.NORMAL,
    canteen: bool = False,
    note: str = "",
) -> Need:
    """A need of the bubble raised through supplies (``SUPPLIES_NEED`` at the enterprise's
    area), for the enterprise or its canteen, with the enterprise's contact; the need's id
    and what was asked are kept with the bubble (one transaction). Refused while the
    enterprise is closed."""
    enterprise = bubble.enterprise
    require_manage(actor, bubble.area_path)
    if enterprise.status == LoopStatus.CLOSED:
        raise Conflict(_("The enterprise is off the whitelist."), code="closed")
    label = f"{enterprise.name} {bubble.name}"[:150]
    with transaction.atomic():
        need = need_create(
            actor=actor,
            area=enterprise.area,
            item=item,
            quantity=quantity,
            unit_code=unit_code,
            needed_by=needed_by,
            priority=priority,
            for_whom=ForWhom.CANTEEN if canteen else ForWhom.UNIT,
            for_label=label,
            contact_name=enterprise.contact_name,
            contact_phone=enterprise.contact_phone,
            note=note,
        )
        kept = BubbleNeed.objects.create(
            bubble=bubble,
            area_path=bubble.area_path,
            need_id=need.pk,
            item_name=need.item.name[:100],
            quantity=need.quantity,
            unit_label=need.item.base_unit.name[:20],
            needed_by=need.needed_by,
            canteen=canteen,
            created_at=clock.now(),
            created_by=user_of(actor),
        )
        audit_log(actor=actor, action="enterprises.supply_need", obj=kept, fields=["need"])
    return need


def issue_raise(*, actor: Actor, enterprise: Enterprise, description: str) -> WorkOrder:
    """An issue blocking the enterprise's work (an ``enterprise_issue`` work order routed
    to the district bureau, on its clock)."""
    require_manage(actor, enterprise.area_path)
    description = (description or "").strip()
    if not description or len(description) > 1000:
        raise invalid({"description": [_("Describe the issue (at most 1,000 characters).")]})
    intake = workorder_create(
        actor=actor,
        description=f"{enterprise.name}: {description}",
        category_code=ISSUE_CATEGORY,
        area=enterprise.area,
        contact_name=enterprise.contact_name,
        contact_phone=enterprise.contact_phone,
    )
    return intake.order
