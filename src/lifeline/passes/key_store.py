"""The stored side of pass credentials: each issuing unit's signing keys and the trust key,
kept in the database (``PassSigningKey``, private halves encrypted), their rotation, the
revocation ledger, and the two signed documents published from them for checkpoints (the
key list and the incremental revocation list).

The cryptography itself (key ids, the key-list format, COSE signatures, revocation hashes)
is ``passes.credential``, which knows nothing of the database; this module is where those
keys live and change.

Private keys are stored only encrypted with :func:`lifeline.core.personal.encrypt_value`
(AES-GCM under the field key, which lives in the environment or under settings.KEYS_DIR).
A key is generated on first use, so no key is ever part of the repository.
"""

from __future__ import annotations

import base64
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import PermissionDenied
from lifeline.core.personal import decrypt_value, encrypt_value
from lifeline.passes.credential import (
    KeyList,
    RevocationLedger,
    SigningKey,
    generate_signing_key,
    revocation_hash,
    sign_update,
    signing_key_from_pem,
    signing_key_to_pem,
)
from lifeline.passes.credential.keys import (
    KeyEntry,
    public_key_from_b64der,
    public_key_to_b64der,
    public_key_to_jwk,
)
from lifeline.passes.models import (
    KeyRole,
    MovementPass,
    PassSigningKey,
    PublicationState,
    RevocationChange,
)
from lifeline.registry.models import Unit

TRUST_UNIT = "lifeline-trust"


def epoch(moment: Any = None) -> int:
    return int((moment or clock.now()).timestamp())


def lock_state() -> PublicationState:
    """The publication counters, row-locked for the rest of the transaction."""
    PublicationState.objects.get_or_create(pk=1)
    return PublicationState.objects.select_for_update().get(pk=1)


def load_key(row: PassSigningKey) -> SigningKey:
    pem = decrypt_value(row.private_enc).encode("ascii")
    return signing_key_from_pem(pem, unit=row.unit_code)


def _store(*, role: str, unit: Unit | None, unit_code: str, not_before: int) -> PassSigningKey:
    key = generate_signing_key(unit=unit_code)
    return PassSigningKey.objects.create(
        role=role,
        unit=unit,
        unit_code=unit_code,
        kid=key.kid.hex(),
        public_der_b64=public_key_to_b64der(key.public_key),
        private_enc=encrypt_value(signing_key_to_pem(key).decode("ascii")),
        not_before=not_before,
        created_at=clock.now(),
    )


def _current(role: str, unit_code: str) -> PassSigningKey | None:
    return PassSigningKey.objects.filter(
        role=role, unit_code=unit_code, not_after__isnull=True
    ).first()


def trust_key() -> SigningKey:
    """The trust key that signs key lists and revocation lists (made on first use)."""
    row = _current(KeyRole.TRUST, TRUST_UNIT)
    if row is None:
        with transaction.atomic():
            lock_state()
            row = _current(KeyRole.TRUST, TRUST_UNIT) or _store(
                role=KeyRole.TRUST, unit=None, unit_code=TRUST_UNIT, not_before=epoch()
            )
    return load_key(row)


def issuing_key(unit: Unit) -> tuple[PassSigningKey, SigningKey]:
    """The unit's current issuing key, created on first use (joins the key list)."""
    with transaction.atomic():
        row = _current(KeyRole.ISSUING, unit.code)
        if row is None:
            state = lock_state()
            row = _current(KeyRole.ISSUING, unit.code) or _store(
                role=KeyRole.ISSUING, unit=unit, unit_code=unit.code, not_before=epoch()
            )
            state.keylist_sequence += 1
            state.save(update_fields=["keylist_sequence"])
    return row, load_key(row)


def signing_key_rotate(*, actor: Actor, unit: Unit) -> PassSigningKey:
    """Retire the unit's current key and start a new one.

    The retired key keeps its list entry with ``not_after`` set, so passes it issued stay
    valid; only passes claiming a later issue time are refused. Needs ``PASS_KEYS`` at the
    unit (a membership of it, or of a unit above it). Units are public to members, so a
    refusal is forbidden rather than not found.
    """
    if not can(actor, Perm.PASS_KEYS, unit_id=unit.pk):
        raise PermissionDenied(_("Only the unit itself may rotate its key."))
    with transaction.atomic():
        state = lock_state()
        now = epoch()
        old = (
            PassSigningKey.objects.select_for_update()
            .filter(role=KeyRole.ISSUING, unit_code=unit.code, not_after__isnull=True)
            .first()
        )
        start = now
        if old is not None:
            # A window must not be empty: a second rotation within a second waits one.
            start = max(now, old.not_before + 1)
            old.not_after = start
            old.save(update_fields=["not_after"])
        row = _store(role=KeyRole.ISSUING, unit=unit, unit_code=unit.code, not_before=start)
        state.keylist_sequence += 1
        state.save(update_fields=["keylist_sequence"])
        audit_log(actor=actor, action="passes.key_rotate", obj=row, fields=["kid"])
    return row


def key_list() -> KeyList:
    """Every issuing key, current and retired, at the current list sequence."""
    state = PublicationState.objects.filter(pk=1).first() or PublicationState()
    entries = [
        KeyEntry(
            kid=bytes.fromhex(row.kid),
            public_key=public_key_from_b64der(row.public_der_b64),
            unit=row.unit_code,
            not_before=row.not_before,
            not_after=row.not_after,
        )
        for row in PassSigningKey.objects.filter(role=KeyRole.ISSUING)
    ]
    return KeyList(entries, sequence=state.keylist_sequence, issued_at=epoch())


def key_list_published() -> dict[str, Any]:
    """The browser form (JWKs) plus the COSE-signed list and the trust key to check it."""
    keys = key_list()
    trust = trust_key()
    body = keys.to_json()
    body["signed"] = base64.b64encode(keys.sign(trust_key=trust)).decode("ascii")
    body["trust_key"] = public_key_to_jwk(trust.public_key, kid=trust.kid)
    return body


def revocation_append(*, movement_pass: MovementPass, revoked: bool) -> int:
    """Append one ledger change (caller holds a transaction); returns its sequence."""
    state = lock_state()
    state.revocation_sequence += 1
    state.save(update_fields=["revocation_sequence"])
    RevocationChange.objects.create(
        sequence=state.revocation_sequence,
        hash_hex=revocation_hash(movement_pass.pass_id).hex(),
        revoked=revoked,
        movement_pass=movement_pass,
        at=clock.now(),
    )
    return state.revocation_sequence


def revocation_published(*, since: int | None) -> dict[str, Any]:
    """A signed full list (``since`` None, 0, or unknown) or the delta since ``since``."""
    ledger = RevocationLedger(
        (bytes.fromhex(h), r)
        for h, r in RevocationChange.objects.order_by("sequence").values_list("hash_hex", "revoked")
    )
    now = epoch()
    if since and 0 < since <= ledger.sequence:
        update = ledger.delta_since(since, issued_at=now)
    else:
        update = ledger.full(issued_at=now)
    signed = sign_update(update, signing_key=trust_key())
    return {
        "full": update.full,
        "base_sequence": update.base_sequence,
        "sequence": update.sequence,
        "added": sorted(h.hex() for h in update.added),
        "removed": sorted(h.hex() for h in update.removed),
        "issued_at": update.issued_at,
        "signed": base64.b64encode(signed).decode("ascii"),
    }
