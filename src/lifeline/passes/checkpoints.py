"""Checkpoint writes: checkpoints, logged checks (live and uploaded from offline devices),
and relay hand-offs of goods across a checkpoint."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, require, scope_for
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.passes import key_store
from lifeline.passes.credential import Status, VerificationResult, verify_pass
from lifeline.passes.models import (
    Checkpoint,
    MovementPass,
    PassCheck,
    PassStatus,
    RelayHandoff,
    RelayStatus,
)
from lifeline.passes.selectors import checkpoint_get
from lifeline.registry.models import Area, Unit

MAX_UPLOAD = 500
_RESULTS = {s.value for s in Status}


def checkpoint_create(
    *, actor: Actor, code: str, name: str, area: Area, unit: Unit | None
) -> Checkpoint:
    """Set up a checkpoint in ``area``, run by ``unit``'s staff. Needs
    ``PASS_MANAGE_CHECKPOINTS`` over ``area``, and over ``unit`` too (by the unit, or by
    an area the unit serves): its staff will check passes there."""
    message = _("Only command or district staff may set up checkpoints here.")
    require(actor, Perm.PASS_MANAGE_CHECKPOINTS, path=area.path, message=message)
    if unit is not None and not _may_assign(actor, unit):
        raise PermissionDenied(message)
    with transaction.atomic():
        checkpoint = Checkpoint.objects.create(
            code=code, name=name, area=area, area_path=area.path, unit=unit
        )
        audit_log(actor=actor, action="passes.checkpoint_create", obj=checkpoint)
    return checkpoint


def _may_assign(actor: Actor, unit: Unit) -> bool:
    grant = scope_for(actor).grant(Perm.PASS_MANAGE_CHECKPOINTS)
    if unit.pk in grant.unit_ids:
        return True
    return any(grant.covers_path(path) for path in unit.areas.values_list("path", flat=True))


def checkpoint_to_staff(actor: Actor, code: str) -> Checkpoint:
    """The checkpoint ``code`` for checking passes and handing goods across there: needs
    ``PASS_CHECK`` at its area or its unit. Not found when the actor cannot see it."""
    checkpoint = checkpoint_get(actor=actor, code=code)
    if not _may_staff(actor, checkpoint):
        raise PermissionDenied(_("Only the checkpoint's staff may work there."))
    return checkpoint


class _LiveRevocations:
    """Revocation check against the issuing side's own rows (online checks)."""

    def is_revoked(self, pass_id: str) -> bool:
        return MovementPass.objects.filter(pass_id=pass_id, status=PassStatus.REVOKED).exists()


@dataclass(frozen=True)
class CheckOutcome:
    check: PassCheck
    result: VerificationResult


def pass_check_online(
    *, actor: Actor, checkpoint_code: str, text: str, client_id: str
) -> CheckOutcome:
    """Verify a scanned pass with the live key list and live status, and log the check."""
    checkpoint = checkpoint_to_staff(actor, checkpoint_code)
    now = clock.now()
    result = verify_pass(
        text,
        key_list=key_store.key_list(),
        revocations=_LiveRevocations(),
        now=key_store.epoch(now),
    )
    pass_ref = result.claims.pass_id if result.claims is not None else ""
    with transaction.atomic():
        check, _created = PassCheck.objects.get_or_create(
            client_id=client_id[:64],
            defaults={
                "checkpoint": checkpoint,
                "area_path": checkpoint.area_path,
                "pass_ref": pass_ref,
                "movement_pass": MovementPass.objects.filter(pass_id=pass_ref).first()
                if pass_ref
                else None,
                "result": result.status.value,
                "checked_at": now,
                "received_at": now,
                "offline": False,
                "checked_by": user_of(actor),
            },
        )
    return CheckOutcome(check=check, result=result)


def pass_check_by_number(
    *, actor: Actor, checkpoint_code: str, pass_id: str, client_id: str
) -> CheckOutcome:
    """The holder read out or showed the short pass number instead of the QR: look the
    issued pass up, verify its stored text like a scan and log the check. The lookup shows
    the masked holder and is audited (who looked up which pass, where)."""
    checkpoint = checkpoint_to_staff(actor, checkpoint_code)
    number = "".join(pass_id.split()).upper()
    issued = MovementPass.objects.filter(pass_id=number).first() if number else None
    if issued is None:
        message = _("No pass has this number.")
        raise NotFound(message)
    outcome = pass_check_online(
        actor=actor, checkpoint_code=checkpoint.code, text=issued.text, client_id=client_id
    )
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="passes.check_by_number",
            obj=issued,
            area_path=checkpoint.area_path,
            purpose=checkpoint.code,
        )
    return outcome


def pass_checks_upload(
    *, actor: Actor, checkpoint_code: str, checks: list[dict[str, Any]]
) -> dict[str, int]:
    """Store checks a device made offline. Idempotent by ``client_id``: re-uploading a
    batch (a lost response, a retry) stores nothing twice."""
    checkpoint = checkpoint_to_staff(actor, checkpoint_code)
    if len(checks) > MAX_UPLOAD:
        raise ServiceError(_("Upload at most %(n)d checks at once.") % {"n": MAX_UPLOAD})
    now = clock.now()
    rows = []
    for item in checks:
        # A device clock running fast must not block its queue forever: clamp, keep the check.
        checked_at: dt.datetime = min(item["checked_at"], now)
        if item["result"] not in _RESULTS:
            raise ServiceError(_("Unknown check result."), fields={"result": [item["result"]]})
        rows.append(
            PassCheck(
                client_id=item["client_id"],
                checkpoint=checkpoint,
                area_path=checkpoint.area_path,
                pass_ref=item.get("pass_id") or "",
                result=item["result"],
                checked_at=checked_at,
                received_at=now,
                offline=True,
                checked_by=user_of(actor),
            )
        )
    with transaction.atomic():
        known = set(
            PassCheck.objects.filter(client_id__in=[r.client_id for r in rows]).values_list(
                "client_id", flat=True
            )
        )
        fresh = {r.client_id: r for r in rows if r.client_id not in known}
        passes = dict(
            MovementPass.objects.filter(
                pass_id__in=[r.pass_ref for r in fresh.values() if r.pass_ref]
            ).values_list("pass_id", "pk")
        )
        for row in fresh.values():
            row.movement_pass_id = passes.get(row.pass_ref)
        # ignore_conflicts covers a twin upload racing this one between read and insert.
        PassCheck.objects.bulk_create(fresh.values(), ignore_conflicts=True)
    return {"received": len(rows), "stored": len(fresh), "duplicates": len(rows) - len(fresh)}


def _relay_for_update(actor: Actor, relay_id: int) -> RelayHandoff:
    relay = RelayHandoff.objects.select_for_update().filter(pk=relay_id).first()
    if relay is None or not _may_see(actor, relay.checkpoint):
        raise NotFound(_("No such hand-off."))
    if not _may_staff(actor, relay.checkpoint):
        raise PermissionDenied(_("Only the checkpoint's staff may work there."))
    return relay


def _at(checkpoint: Checkpoint) -> dict[str, Any]:
    return {"path": checkpoint.area_path, "unit_id": checkpoint.unit_id}


def _may_see(actor: Actor, checkpoint: Checkpoint) -> bool:
    return can(actor, RelayHandoff.SCOPE_PERMISSION, **_at(checkpoint))


def _may_staff(actor: Actor, checkpoint: Checkpoint) -> bool:
    return can(actor, Perm.PASS_CHECK, **_at(checkpoint))


def relay_register(
    *, actor: Actor, checkpoint_code: str, goods: str, from_party: str, to_party: str
) -> RelayHandoff:
    """Goods arrive at the checkpoint for the other side: the first line of the logbook."""
    checkpoint = checkpoint_to_staff(actor, checkpoint_code)
    if not goods.strip() or not to_party.strip():
        raise ServiceError(_("Say what is handed over and for whom."))
    with transaction.atomic():
        relay = RelayHandoff.objects.create(
            checkpoint=checkpoint,
            area_path=checkpoint.area_path,
            goods=goods.strip()[:200],
            from_party=from_party.strip()[:100],
            to_party=to_party.strip()[:100],
            registered_at=clock.now(),
            registered_by=user_of(actor),
        )
        audit_log(actor=actor, action="passes.relay_register", obj=relay)
    return relay


_NEXT = {
    RelayStatus.REGISTERED: (RelayStatus.DISINFECTED, "disinfected_at"),
    RelayStatus.DISINFECTED: (RelayStatus.SIGNED, "signed_at"),
    RelayStatus.SIGNED: (RelayStatus.CLOSED, "logbook_returned_at"),
}


def relay_advance(
    *, actor: Actor, relay_id: int, to_status: str, signed_by_name: str = ""
) -> RelayHandoff:
    """Move a hand-off one step: disinfected, then signed for, then logbook returned.
    Steps cannot be skipped or repeated (Conflict)."""
    with transaction.atomic():
        relay = _relay_for_update(actor, relay_id)
        step = _NEXT.get(RelayStatus(relay.status))
        if step is None or step[0] != to_status:
            raise Conflict(_("That step does not come next for this hand-off."), code="step")
        if to_status == RelayStatus.SIGNED and not signed_by_name.strip():
            raise ServiceError(
                _("Who signed for the goods?"), fields={"signed_by_name": [_("Required.")]}
            )
        relay.status = to_status
        setattr(relay, step[1], clock.now())
        fields = ["status", step[1]]
        if to_status == RelayStatus.SIGNED:
            relay.signed_by_name = signed_by_name.strip()[:50]
            fields.append("signed_by_name")
        relay.save(update_fields=fields)
        audit_log(actor=actor, action=f"passes.relay_{to_status}", obj=relay, fields=fields)
    return relay
