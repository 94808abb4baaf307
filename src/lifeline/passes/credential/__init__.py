"""Signed movement passes, verifiable offline (ORM-free; must never import Django).

A pass is ``"LL1:" + Base45(zlib(COSE_Sign1(ES256, CBOR claims)))`` shown as a QR code,
modelled on the EU Digital COVID Certificate. Modules:

- :mod:`.claims` — what a pass says, and its strict CBOR form;
- :mod:`.cose` — the COSE_Sign1/ES256 envelope;
- :mod:`.encoding` — text and QR forms;
- :mod:`.keys` — per-unit signing keys and the signed key list;
- :mod:`.revocation` — signed incremental revocation lists;
- :mod:`.verify` — ``issue_pass`` and ``verify_pass``;
- ``verifier.js`` — the same verification in the browser (WebCrypto).
"""

from lifeline.passes.credential.claims import ClaimsError, PassClaims, new_pass_id
from lifeline.passes.credential.encoding import qr_code, qr_svg, qr_version
from lifeline.passes.credential.keys import (
    KeyEntry,
    KeyList,
    SigningKey,
    generate_signing_key,
    signing_key_from_pem,
    signing_key_to_pem,
)
from lifeline.passes.credential.revocation import (
    RevocationLedger,
    RevocationStore,
    RevocationUpdate,
    revocation_hash,
    sign_update,
    verify_update,
)
from lifeline.passes.credential.verify import (
    PassTooLargeError,
    Status,
    VerificationResult,
    issue_pass,
    verify_pass,
)

__all__ = [
    "ClaimsError",
    "KeyEntry",
    "KeyList",
    "PassClaims",
    "PassTooLargeError",
    "RevocationLedger",
    "RevocationStore",
    "RevocationUpdate",
    "SigningKey",
    "Status",
    "VerificationResult",
    "generate_signing_key",
    "issue_pass",
    "new_pass_id",
    "qr_code",
    "qr_svg",
    "qr_version",
    "revocation_hash",
    "sign_update",
    "signing_key_from_pem",
    "signing_key_to_pem",
    "verify_pass",
    "verify_update",
]
