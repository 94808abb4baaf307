"""Medical transfers: a request becomes a top-priority work order carrying the access
decision, and the closed loop's four times (call, dispatch, arrival, hand-over) go on the
order's timeline as they are recorded.

The order is placed at the person's grid and building, with the person as its contact, but
not linked to the household: intake folds a new order into an open one of the same
household and category, and a second patient's transfer (or next week's dialysis trip) must
never disappear into an earlier medical order. Health keeps its own rule instead: one open
transfer request per person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, require
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.outbox import enqueue_sms
from lifeline.core.personal import mask_name
from lifeline.health.models import Decision, DesignatedHospital, MedicalTransfer, StandingNeed
from lifeline.health.services.medical_access import access_decide
from lifeline.health.vocab import (
    TRANSFER_FIELDS,
    Capability,
    How,
    Notify,
    TransferStep,
    Urgency,
    Where,
)
from lifeline.registry.models import Area, Person
from lifeline.workorders.models import OPEN_STATUSES, Channel, Priority, Status
from lifeline.workorders.services import (
    workorder_annotate,
    workorder_create,
    workorder_raise_priority,
)

CATEGORY = "medical_care"
# Who records the closed loop's times: those working or dispatching the order (the crew,
# the hotline), and the staff who request transfers for the people of its place.
RECORDERS = (Perm.WORKORDER_WORK, Perm.WORKORDER_DISPATCH, Perm.HEALTH_REQUEST_TRANSFER)
ORDER_CHANNELS = {"hotline": Channel.HOTLINE, "api": Channel.API}
# A time may be stamped a little ahead of this server's clock by another device.
CLOCK_SKEW = dt.timedelta(minutes=5)
# The 120 call may come before the order is filed, but not days before.
CALL_BEFORE_ORDER = dt.timedelta(hours=24)


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def transfer_order_text(person: Person, decision: Decision, hospital_name: str, what: str) -> str:
    return _("%(what)s for %(name)s to %(hospital)s (%(how)s). %(instructions)s") % {
        "what": what,
        "name": person.name,
        "hospital": hospital_name or Where(decision.where).label,
        "how": How(decision.how).label,
        "instructions": decision.instructions,
    }


def transfer_order_create(
    *,
    actor: Actor,
    person: Person,
    decision: Decision,
    kind: str,
    hospital: DesignatedHospital | None,
    description: str,
    extra_need: str,
    top_priority: bool,
    standing_need: StandingNeed | None = None,
    appointment_at: dt.datetime | None = None,
) -> MedicalTransfer:
    """The order and the transfer row, inside the caller's transaction. The decision is put
    on the order's timeline with its rule version."""
    household = person.household
    hospital_name = hospital.facility.name if hospital else decision.hospital_name
    intake = workorder_create(
        actor=actor,
        description=description,
        category_code=CATEGORY,
        channel=ORDER_CHANNELS.get(decision.channel, Channel.STAFF),
        area=Area.objects.get(pk=person.grid_id),
        contact_name=person.name,
        contact_phone=person.phone or household.phone,
        extra={"need": extra_need, "hospital": hospital_name},
        address=f"{household.building.address} {household.unit_no}".strip(),
    )
    order = intake.order
    if top_priority and order.priority != Priority.CRITICAL:
        # A transfer is top priority whatever the clock policy's steps say; its clocks are
        # those of a critical order from the moment it was filed.
        order = workorder_raise_priority(
            actor=actor,
            order=order,
            priority=Priority.CRITICAL,
            reason=_("Priority raised to critical: medical transfer."),
        )
    transfer = MedicalTransfer.objects.create(
        order=order,
        decision=decision,
        person=person,
        area_path=person.area_path,
        kind=kind,
        standing_need=standing_need,
        appointment_at=appointment_at,
        hospital=hospital,
        hospital_name=hospital_name,
        created_by=_user(actor),
        created_at=clock.now(),
    )
    workorder_annotate(
        actor=actor,
        order=order,
        note=_("Medical-access decision attached: rule “%(rule)s” of table version %(version)d.")
        % {"rule": decision.rule.name, "version": decision.rule_version},
        data={
            "medical_transfer": transfer.pk,
            "decision": decision.pk,
            "rule_version": decision.rule_version,
            "where": decision.where,
            "how": decision.how,
        },
        audit_fields=("medical_transfer",),
    )
    return transfer


def _user(actor: Actor) -> Any:
    """The signed-in person behind ``actor`` (None for the system)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def open_transfer_of(person: Person) -> MedicalTransfer | None:
    return (
        MedicalTransfer.objects.filter(
            person=person,
            kind=MedicalTransfer.Kind.REQUEST,
            handed_over_at__isnull=True,
            order__status__in=OPEN_STATUSES,
        )
        .select_related("order")
        .first()
    )


def medical_transfer_request(
    *,
    actor: Actor,
    person: Person,
    urgency: str = Urgency.NECESSARY,
    needs: Iterable[str] = (),
    note: str = "",
    channel: str = "person_page",
    capabilities: Iterable[str] = (),
) -> MedicalTransfer:
    """File a medical transfer for ``person``: the access decision is made (and logged),
    and a top-priority "medical care or transfer" order is routed with it attached.

    When the receiving hospital is to be told first (always when the case crosses
    districts), an SMS to its duty mobile is queued in the same transaction and the
    transfer records when (``hospital_told_at``), on the order's timeline and in the audit.

    One open transfer request per person: a second one while the first is neither handed
    over nor closed is refused (``transfer_open``) and names the open order. Needs
    ``HEALTH_REQUEST_TRANSFER`` where the person lives.
    """
    require(
        actor,
        Perm.HEALTH_REQUEST_TRANSFER,
        path=person.area_path,
        message=_("You may not request medical transfers for people here."),
    )
    note = (note or "").strip()[:2000]
    with transaction.atomic():
        # Serialises requests for one person: two operators taking the same call file one.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        already = open_transfer_of(person)
        if already is not None:
            raise Conflict(
                _("A transfer for this person is already open: order %(number)s.")
                % {"number": already.order.number},
                code="transfer_open",
            )
        decision = access_decide(
            actor=actor,
            person=person,
            urgency=urgency,
            needs=needs,
            channel=channel,
            capabilities=capabilities,
        )
        description = transfer_order_text(
            person, decision, decision.hospital_name, _("Medical transfer")
        )
        transfer = transfer_order_create(
            actor=actor,
            person=person,
            decision=decision,
            kind=MedicalTransfer.Kind.REQUEST,
            hospital=decision.hospital,
            description=f"{note}\n{description}" if note else description,
            extra_need="transfer",
            top_priority=True,
        )
        audit_log(
            actor=actor,
            action="health.transfer_request",
            obj=transfer,
            fields=["order", "decision", "urgency", "needs"],
        )
        if decision.cross_district or Notify.RECEIVING_HOSPITAL in decision.notify:
            _tell_receiving_hospital(actor=actor, transfer=transfer)
    return transfer


def _notice_text(transfer: MedicalTransfer) -> str:
    """The advance notice, in the city's language: who is coming, from where, needing
    what, and the order to quote. The name is masked: the hospital calls back for more."""
    decision = transfer.decision
    with translation.override(settings.LANGUAGE_CODE):
        needed = "、".join(
            str(Capability(c).label) for c in decision.capabilities if c in Capability.values
        )
        text = _(
            "Lifeline: a patient (%(name)s) from %(place)s is being transferred to you "
            "(%(how)s), needing: %(needed)s. Order %(number)s. Please prepare to receive them."
        ) % {
            "name": mask_name(transfer.person.name),
            "place": transfer.order.address or transfer.area_path,
            "how": How(decision.how).label,
            "needed": needed or "—",
            "number": transfer.order.number,
        }
        if decision.cross_district:
            text = _("Cross-district critical case. %(text)s") % {"text": text}
    return text


def _tell_receiving_hospital(*, actor: Actor, transfer: MedicalTransfer) -> None:
    """Queue the advance notice to the receiving hospital's duty mobile and record it; a
    hospital with no mobile on record is noted on the order for the operator to call."""
    hospital = transfer.hospital
    if hospital is None:
        return
    order = transfer.order
    if not hospital.notice_mobile:
        workorder_annotate(
            actor=actor,
            order=order,
            note=_("Call %(hospital)s before the patient arrives: it has no mobile for notices.")
            % {"hospital": transfer.hospital_name},
            data={"medical_transfer": transfer.pk, "hospital_told": False},
        )
        return
    enqueue_sms(
        recipient=hospital.notice_mobile,
        body=_notice_text(transfer),
        object_type="health.medicaltransfer",
        object_id=str(transfer.pk),
    )
    transfer.hospital_told_at = clock.now()
    transfer.save(update_fields=["hospital_told_at"])
    workorder_annotate(
        actor=actor,
        order=order,
        note=_("%(hospital)s told in advance by SMS to its duty desk.")
        % {"hospital": transfer.hospital_name},
        data={
            "medical_transfer": transfer.pk,
            "hospital_told": True,
            "cross_district": transfer.decision.cross_district,
        },
        audit_fields=("medical_transfer.hospital_told_at",),
    )
    audit_log(
        actor=actor,
        action="health.transfer_hospital_told",
        obj=transfer,
        fields=["hospital", "hospital_told_at"],
    )


def _step_checks(transfer: MedicalTransfer, step: TransferStep, at: dt.datetime) -> None:
    label = TransferStep(step).label
    field = TRANSFER_FIELDS[step]
    recorded = getattr(transfer, field)
    if recorded is not None:
        raise Conflict(
            _("The time “%(step)s” is already recorded (%(at)s); it is not changed.")
            % {"step": label, "at": _local(recorded)},
            code="already_recorded",
        )
    steps = list(TRANSFER_FIELDS)
    index = steps.index(step)
    if index > 0:
        before = steps[index - 1]
        previous = getattr(transfer, TRANSFER_FIELDS[before])
        if previous is None:
            raise ServiceError(
                _("Record “%(before)s” first: the times are recorded in order.")
                % {"before": TransferStep(before).label},
                code="out_of_order",
                fields={"step": [_("An earlier step has no time yet.")]},
            )
        if at < previous:
            raise ServiceError(
                _("“%(step)s” cannot be earlier than “%(before)s” (%(at)s).")
                % {"step": label, "before": TransferStep(before).label, "at": _local(previous)},
                code="out_of_order",
                fields={"at": [_("Earlier than the step before it.")]},
            )
    elif at < transfer.order.created_at - CALL_BEFORE_ORDER:
        raise ServiceError(
            _("The call cannot be more than a day before the order was filed."),
            fields={"at": [_("Too early.")]},
        )


def _require_recorder(actor: Actor, order: Any) -> None:
    place = {"path": order.area_path, "unit_id": order.responsible_unit_id}
    if can(actor, RECORDERS, **place):
        return
    if not can(actor, Perm.ANY, **place):
        raise NotFound(_("No such work order in your area or unit."))
    raise PermissionDenied(_("You may not record the times of this transfer."))


def medical_transfer_record(
    *,
    actor: Actor,
    transfer: MedicalTransfer,
    step: str,
    at: dt.datetime | None = None,
    hospital: DesignatedHospital | None = None,
) -> MedicalTransfer:
    """Record one time of the closed loop (``at``, default now) and put it on the order's
    timeline at that time. Steps go in order (call, dispatch, arrival, hand-over), each
    once, each no earlier than the one before; anything else is refused and nothing is
    written. ``hospital`` on hand-over names the hospital that actually received the person.
    Needs ``RECORDERS`` at the order's place or unit.
    """
    if step not in TransferStep.values:
        raise ServiceError(
            _("Unknown step: choose call, dispatch, arrival or handover."),
            fields={"step": [_("Unknown value.")]},
        )
    kind = TransferStep(step)
    now = clock.now()
    at = at or now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + CLOCK_SKEW:
        raise ServiceError(
            _("A time cannot be in the future."), fields={"at": [_("Must not be later than now.")]}
        )
    if hospital is not None and kind != TransferStep.HANDOVER:
        raise ServiceError(
            _("The receiving hospital is named at hand-over."),
            fields={"hospital": [_("Only with the hand-over time.")]},
        )
    with transaction.atomic():
        locked = (
            MedicalTransfer.objects.select_for_update(of=("self",))
            .select_related("order")
            .filter(pk=transfer.pk)
            .first()
        )
        if locked is None:
            raise NotFound()
        order = locked.order
        _require_recorder(actor, order)
        if order.status == Status.CANCELLED:
            raise Conflict(_("The work order was cancelled."), code="bad_transition")
        _step_checks(locked, kind, at)
        field = TRANSFER_FIELDS[kind]
        setattr(locked, field, at)
        fields = [field]
        if hospital is not None:
            locked.hospital, locked.hospital_name = hospital, hospital.facility.name
            fields += ["hospital", "hospital_name"]
        locked.save(update_fields=fields)
        workorder_annotate(
            actor=actor,
            order=order,
            at=at,
            note=_("%(step)s: %(at)s") % {"step": kind.label, "at": _local(at)},
            data={
                "transfer_step": kind.value,
                "medical_transfer": locked.pk,
                "recorded_at": now.isoformat(),
                **({"hospital": locked.hospital_name} if hospital is not None else {}),
            },
            audit_fields=(f"medical_transfer.{field}",),
        )
    return locked
