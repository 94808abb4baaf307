"""Sampling registration: a person joins the open tube, the tube closes when full or asked.

The console may send the same registration several times (offline queue, retries): the
``client_id`` it generates makes the second and later sends return the first answer.

Every action needs ``screening.sample`` where the person, the session and the tube are
(``screening.permissions``); a replay is answered only to a user who may sample where it was.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, get_for
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, ServiceError
from lifeline.registry.models import Person
from lifeline.screening.models import (
    POOL_SIZES,
    RecheckStatus,
    RecheckTask,
    Sample,
    Session,
    Tube,
    TubeStatus,
)
from lifeline.screening.permissions import DENIED


def sample_register(
    *,
    actor: Actor,
    client_id: str,
    barcode: str,
    person_id: int,
    pool_size: int = 10,
    per_household: bool = False,
    session_id: int | None = None,
    sampled_at: dt.datetime | None = None,
) -> tuple[Sample, bool]:
    """Register one swab; returns (sample, created). Idempotent by ``client_id``.

    Opens the tube on its first sample and closes it when it reaches its pool size. A person
    awaiting a recheck can only go into a single tube, which then answers their task.
    """
    client_id, barcode = (client_id or "").strip(), (barcode or "").strip()
    _validate(client_id=client_id, barcode=barcode, pool_size=pool_size)
    existing = Sample.objects.filter(client_id=client_id).select_related("tube").first()
    if existing is not None:
        return _replayed(existing, actor=actor, barcode=barcode, person_id=person_id)
    person = get_for(
        Person.objects.all(),
        actor,
        Perm.SCREENING_SAMPLE,
        pk=person_id,
        missing=_("No such person in your area."),
        denied=DENIED,
    )
    session = None
    if session_id is not None:
        session = get_for(
            Session.objects.all(),
            actor,
            Perm.SCREENING_SAMPLE,
            pk=session_id,
            missing=_("No such sampling session."),
            denied=DENIED,
        )
        _require_served(session, person)
    moment = sampled_at or clock.now()
    try:
        with transaction.atomic():
            sample = _register(
                actor=actor,
                client_id=client_id,
                barcode=barcode,
                person=person,
                pool_size=pool_size,
                per_household=per_household,
                session=session,
                moment=moment,
            )
    except IntegrityError:
        # A concurrent send of the same client_id won the race: answer as a replay.
        existing = Sample.objects.filter(client_id=client_id).select_related("tube").first()
        if existing is None:
            raise Conflict(_("This person is already in this tube."), code="duplicate") from None
        return _replayed(existing, actor=actor, barcode=barcode, person_id=person_id)
    return sample, True


def _require_served(session: Session, person: Person) -> None:
    """A session that names its grids samples their people only (a wrong-area refusal)."""
    grids = set(session.grids.values_list("pk", flat=True))
    if grids and person.grid_id not in grids:
        raise Conflict(
            _("This person lives outside the grids this session serves."), code="wrong_area"
        )


def _validate(*, client_id: str, barcode: str, pool_size: int) -> None:
    fields: dict[str, list[str]] = {}
    if not client_id or len(client_id) > 64:
        fields["client_id"] = [str(_("Between 1 and 64 characters."))]
    if not barcode or len(barcode) > 40:
        fields["barcode"] = [str(_("Between 1 and 40 characters."))]
    if pool_size not in POOL_SIZES:
        fields["pool_size"] = [str(_("Pool size must be 1, 5, 10 or 20."))]
    if fields:
        raise ServiceError(_("The registration is incomplete."), fields=fields)


def _replayed(sample: Sample, *, actor: Actor, barcode: str, person_id: int) -> tuple[Sample, bool]:
    # Someone else's sample is not replayed to a user who may not sample there.
    if not can(actor, Perm.SCREENING_SAMPLE, path=sample.area_path):
        raise NotFound(_("No such person in your area."))
    if sample.person_id != person_id or sample.tube.barcode != barcode:
        raise Conflict(
            _("This registration id was already used for another sample."),
            code="idempotency_mismatch",
        )
    return sample, False


def _register(
    *,
    actor: Actor,
    client_id: str,
    barcode: str,
    person: Person,
    pool_size: int,
    per_household: bool,
    session: Session | None,
    moment: dt.datetime,
) -> Sample:
    Tube.objects.get_or_create(
        barcode=barcode,
        defaults={
            "session": session,
            "area_path": session.area_path if session else person.area_path,
            "pool_size": pool_size,
            "per_household": per_household,
            "sampled_on": timezone.localdate(moment),
            "opened_at": moment,
        },
    )
    tube = Tube.objects.select_for_update().get(barcode=barcode)
    if not can(actor, Perm.SCREENING_SAMPLE, path=tube.area_path):
        # Another place's tube: answered as tube_close answers it, its state unsaid.
        raise NotFound(_("No such tube."))
    if session is not None and tube.session_id not in (None, session.pk):
        raise Conflict(_("This tube belongs to another session."), code="tube_other_session")
    if tube.status != TubeStatus.OPEN:
        raise Conflict(_("This tube is closed; start a new tube."), code="tube_closed")
    if tube.members >= tube.pool_size:
        raise Conflict(_("This tube is full."), code="tube_full")
    if tube.per_household and tube.members:
        first = tube.samples.select_related("person").first()
        if first is not None and first.person.household_id != person.household_id:
            raise Conflict(_("This tube holds another household."), code="tube_other_household")
    recheck = (
        RecheckTask.objects.select_for_update()
        .filter(person=person, status=RecheckStatus.OPEN)
        .first()
    )
    if (
        recheck is None
        and session is not None
        and Sample.objects.filter(person=person, tube__session=session).exists()
    ):
        raise Conflict(
            _("This person was already sampled in this session."), code="already_sampled"
        )
    if recheck is not None and tube.pool_size != 1:
        raise Conflict(
            _("This person awaits a recheck and must be sampled in a single tube."),
            code="recheck_single_tube",
        )
    sample = Sample.objects.create(
        client_id=client_id,
        tube=tube,
        person=person,
        grid_id=person.grid_id,
        area_path=person.area_path,
        sampled_at=moment,
        recheck=recheck,
    )
    if recheck is not None:
        recheck.status = RecheckStatus.SAMPLED
        recheck.save(update_fields=["status"])
    tube.members += 1
    if tube.members >= tube.pool_size:
        tube.status, tube.closed_at = TubeStatus.CLOSED, clock.now()
    tube.save(update_fields=["members", "status", "closed_at"])
    audit_log(actor=actor, action="screening.sample_register", obj=sample, fields=["person"])
    return sample


def tube_close(*, actor: Actor, barcode: str) -> Tube:
    """Close an open tube (a pool may close below its size). Closing twice is a no-op."""
    with transaction.atomic():
        found = get_for(
            Tube.objects.all(),
            actor,
            Perm.SCREENING_SAMPLE,
            barcode=barcode,
            missing=_("No such tube."),
            denied=DENIED,
        )
        tube = Tube.objects.select_for_update().get(pk=found.pk)
        if tube.status != TubeStatus.OPEN:
            return tube
        if not tube.members:
            raise Conflict(_("An empty tube cannot be closed."), code="tube_empty")
        tube.status, tube.closed_at = TubeStatus.CLOSED, clock.now()
        tube.save(update_fields=["status", "closed_at"])
        audit_log(actor=actor, action="screening.tube_close", obj=tube, fields=["status"])
    return tube
