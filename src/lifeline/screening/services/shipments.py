"""The sampler's side of a session: opening one on the spot at a site, and sending the
session's closed tubes to a lab.

Both need ``screening.sample`` at the site (``screening.permissions``). A shipment carries
a ``client_id`` made by the console, so a box queued offline and sent twice is one box.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, get_for
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, ServiceError
from lifeline.screening.models import Session, SessionKind, Shipment, Site, Tube, TubeStatus
from lifeline.screening.permissions import DENIED
from lifeline.screening.selectors import lab_units

SESSION_HOURS = 4


def session_start(*, actor: Actor, site_id: int) -> Session:
    """Open a regular session at a site from now for ``SESSION_HOURS`` hours, serving
    anyone the sampler may sample (no grids named). Audited."""
    site = get_for(
        Site.objects.all(),
        actor,
        Perm.SCREENING_SAMPLE,
        pk=site_id,
        missing=_("No such site."),
        denied=DENIED,
    )
    now = clock.now()
    local = timezone.localtime(now)
    with transaction.atomic():
        session = Session.objects.create(
            site=site,
            kind=SessionKind.REGULAR,
            name=f"{site.name} {local:%m-%d %H:%M}",
            area_path=site.area_path,
            starts_at=now,
            ends_at=now + dt.timedelta(hours=SESSION_HOURS),
        )
        audit_log(actor=actor, action="screening.session_start", obj=session, fields=["site"])
    return session


def shipment_send(
    *,
    actor: Actor,
    client_id: str,
    session_id: int,
    lab_id: int,
    sent_at: dt.datetime | None = None,
) -> tuple[Shipment, bool]:
    """Mark every closed, unsent tube of the session sent to the lab; returns (shipment,
    created). Idempotent by ``client_id``. Refuses a box with no closed tube in it."""
    client_id = (client_id or "").strip()
    if not client_id or len(client_id) > 64:
        raise ServiceError(
            _("The shipment is incomplete."),
            fields={"client_id": [str(_("Between 1 and 64 characters."))]},
        )
    existing = Shipment.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _replayed(existing, actor=actor, session_id=session_id, lab_id=lab_id)
    session = get_for(
        Session.objects.all(),
        actor,
        Perm.SCREENING_SAMPLE,
        pk=session_id,
        missing=_("No such sampling session."),
        denied=DENIED,
    )
    lab = lab_units().filter(pk=lab_id).first()
    if lab is None:
        raise NotFound(_("No such lab."))
    try:
        with transaction.atomic():
            tubes = list(
                Tube.objects.select_for_update()
                .filter(session=session, status=TubeStatus.CLOSED, shipment=None)
                .order_by("pk")
            )
            if not tubes:
                raise Conflict(
                    _("No closed tubes to send: close the tube first."), code="nothing_to_send"
                )
            shipment = Shipment.objects.create(
                client_id=client_id,
                lab=lab,
                session=session,
                area_path=session.area_path,
                tube_count=len(tubes),
                sent_at=sent_at or clock.now(),
                sent_by=user_of(actor),
            )
            Tube.objects.filter(pk__in=[t.pk for t in tubes]).update(
                status=TubeStatus.SENT, shipment=shipment
            )
            audit_log(actor=actor, action="screening.shipment_send", obj=shipment, fields=["lab"])
    except IntegrityError:
        existing = Shipment.objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        return _replayed(existing, actor=actor, session_id=session_id, lab_id=lab_id)
    return shipment, True


def _replayed(
    shipment: Shipment, *, actor: Actor, session_id: int, lab_id: int
) -> tuple[Shipment, bool]:
    if not can(actor, Perm.SCREENING_SAMPLE, path=shipment.area_path):
        raise NotFound(_("No such sampling session."))
    if shipment.session_id != session_id or shipment.lab_id != lab_id:
        raise Conflict(
            _("This registration id was already used for another shipment."),
            code="idempotency_mismatch",
        )
    return shipment, False
