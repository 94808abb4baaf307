"""A positive in a bubble: the loop stops (status suspended), the enterprise's contact and
the district are told, and the bubble's vehicle passes are stopped."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.core import clock
from lifeline.core.actors import Actor, system
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict
from lifeline.enterprises.models import Bubble, Enterprise, LoopStatus, SealedStaff, Vehicle
from lifeline.enterprises.services.common import invalid, require_manage, text
from lifeline.passes.models import ApplicationStatus, MovementPass, PassApplication, PassStatus
from lifeline.passes.services import pass_application_refuse, pass_revoke
from lifeline.registry.tree import unit_of_kind_near
from lifeline.screening.selectors import positives_since

CONTACT_TEXT = gettext_lazy(
    "A positive in the closed loop %(loop)s of %(name)s: the loop is suspended and its "
    "vehicle passes are stopped. Keep everyone in place and wait for the district."
)
DISTRICT_TEXT = gettext_lazy(
    "A positive in the closed loop %(loop)s of %(name)s (%(staff)s): the loop is suspended; "
    "%(stopped)s pass(es) stopped, %(left)s left for the district to revoke."
)


def positive_report(
    *, actor: Actor, bubble: Bubble, staff: SealedStaff | None = None, note: str = ""
) -> Bubble:
    """A positive entered by the liaison or the district (``ENTERPRISES_MANAGE``): see
    ``_suspend``. ``staff``, when named, must be a member of the bubble."""
    require_manage(actor, bubble.area_path)
    note = (note or "").strip()
    fields: dict[str, list[str]] = {}
    if staff is not None and staff.bubble_id != bubble.pk:
        fields["staff"] = [_("This person is not in the loop.")]
    if len(note) > 200:
        fields["note"] = [_("At most 200 characters.")]
    if fields:
        raise invalid(fields)
    return _suspend(
        actor=actor, bubble_id=bubble.pk, staff_ids=[staff.pk] if staff else [], note=note
    )


def bubble_positives_sweep(*, now: dt.datetime | None = None, days: int = 7) -> int:
    """The worker's check: an active bubble with a member whose positive result (from
    screening) was sampled in the last ``days`` days is suspended. Returns how many.

    A reopened bubble counts results sampled from the day it was reopened, and not a
    member whose positive was cleared by the reopening (marked before it)."""
    now = now or clock.now()
    window = timezone.localdate(now) - dt.timedelta(days=days - 1)
    members = SealedStaff.objects.filter(
        active=True, person__isnull=False, bubble__status=LoopStatus.ACTIVE
    ).values_list("pk", "person_id", "bubble_id", "positive_at", "bubble__reopened_at")
    by_since: dict[dt.date, dict[int, list[tuple[int, int]]]] = {}
    for pk, person_id, bubble_id, positive_at, reopened_at in members:
        since = window
        if reopened_at is not None:
            if positive_at is not None and positive_at <= reopened_at:
                continue
            since = max(window, timezone.localdate(reopened_at))
        by_since.setdefault(since, {}).setdefault(person_id, []).append((pk, bubble_id))
    hits: dict[int, list[int]] = {}
    for since, by_person in by_since.items():
        for person_id in positives_since(person_ids=list(by_person), since=since):
            for pk, bubble_id in by_person[person_id]:
                hits.setdefault(bubble_id, []).append(pk)
    actor = system("closed-loop positives sweep")
    done = 0
    for bubble_id, staff_ids in sorted(hits.items()):
        try:
            _suspend(actor=actor, bubble_id=bubble_id, staff_ids=staff_ids, note="")
            done += 1
        except Conflict:
            continue
    return done


def _suspend(*, actor: Actor, bubble_id: int, staff_ids: list[int], note: str) -> Bubble:
    """Suspend the bubble and its enterprise, mark the members positive, tell the contact
    and the district bureau (outbox, same transaction), and stop the vehicles' passes
    (revoked, or their pending applications refused, by the rule)."""
    now = clock.now()
    with transaction.atomic():
        bubble = Bubble.objects.select_for_update().select_related("enterprise").get(pk=bubble_id)
        if bubble.status != LoopStatus.ACTIVE:
            raise Conflict(_("This loop is already suspended or closed."), code="suspended")
        enterprise = Enterprise.objects.select_for_update().get(pk=bubble.enterprise_id)
        bubble.status = LoopStatus.SUSPENDED
        bubble.save(update_fields=["status"])
        enterprise.status = LoopStatus.SUSPENDED
        enterprise.status_reason = (
            note or _("A positive in the loop %(loop)s.") % {"loop": bubble.name}
        )[:200]
        enterprise.status_changed_at = now
        enterprise.save(update_fields=["status", "status_reason", "status_changed_at"])
        SealedStaff.objects.filter(pk__in=staff_ids, positive_at__isnull=True).update(
            positive_at=now
        )
        stopped, left = stop_passes(bubble, now)
        values = {"loop": bubble.name, "name": enterprise.name}
        text(enterprise.contact_phone, CONTACT_TEXT, object_id=enterprise.pk, **values)
        district = unit_of_kind_near("district_bureau", enterprise.area_path)
        if district is not None:
            text(
                district.phone,
                DISTRICT_TEXT,
                object_id=enterprise.pk,
                staff=len(staff_ids),
                stopped=stopped,
                left=", ".join(left) or "0",
                **values,
            )
        audit_log(
            actor=actor,
            action="enterprises.positive",
            obj=bubble,
            area_path=bubble.area_path,
            fields=["status"],
        )
    return bubble


def stop_passes(
    bubble: Bubble, now: dt.datetime, reason: str = "", rule: str = "positive in a closed loop"
) -> tuple[int, list[str]]:
    """Revoke the vehicles' passes and refuse their pending applications: by the rule, so
    the system does it whoever reported the positive (the liaison, the district, the
    sweep); every stop is audited with the reason."""
    vehicles = list(Vehicle.objects.filter(bubble=bubble))
    Vehicle.objects.filter(bubble=bubble, stopped_at__isnull=True).update(stopped_at=now)
    reason = reason or str(_("A positive in the closed loop."))
    system_actor = system(rule)
    stopped = 0
    left: list[str] = []  # none since the rule stops them all; the text keeps the slot
    for vehicle in vehicles:
        if vehicle.pass_application_id is None:
            continue
        application = PassApplication.objects.filter(pk=vehicle.pass_application_id).first()
        if application is None:
            continue
        issued = MovementPass.objects.filter(
            application=application, status=PassStatus.ACTIVE
        ).first()
        if issued is not None:
            pass_revoke(actor=system_actor, pass_id=issued.pass_id, reason=reason)
            stopped += 1
        elif application.status == ApplicationStatus.PENDING:
            pass_application_refuse(
                actor=system_actor, application_id=application.pk, reason=reason
            )
            stopped += 1
    return stopped, left
