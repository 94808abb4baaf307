"""THE FORGERY BATTERY: every attempt to alter or counterfeit a real pass is rejected.

Each test counts rejections and asserts 100%; each also checks that no rejected result
carries claims (claims are only ever exposed after a good signature).
"""

from __future__ import annotations

import zlib
from collections import Counter
from unittest import mock

import cbor2
import pytest

from lifeline.passes.credential import claims as claims_module
from lifeline.passes.credential import encoding
from lifeline.passes.credential.claims import PassClaims, encode_claims
from lifeline.passes.credential.keys import KeyList, SigningKey, generate_signing_key
from lifeline.passes.credential.revocation import RevocationLedger, RevocationStore
from lifeline.passes.credential.tests.conftest import DAY, NOW, make_claims
from lifeline.passes.credential.verify import Status, issue_pass, verify_pass

# Several replacement values per position: low bit, high bit, all bits, and +1 (carries).
_ALTERATIONS = (
    lambda b: b ^ 0x01,
    lambda b: b ^ 0x80,
    lambda b: b ^ 0xFF,
    lambda b: (b + 1) % 256,
)


def _verify(text: str, key_list: KeyList, store: RevocationStore):
    return verify_pass(text, key_list=key_list, revocations=store, now=NOW)


@pytest.fixture
def genuine(unit_key: SigningKey, claims: PassClaims, key_list, no_revocations) -> str:
    text = issue_pass(claims, signing_key=unit_key)
    assert _verify(text, key_list, no_revocations).status is Status.OK
    return text


def test_every_single_byte_change_of_cose_is_rejected(genuine, key_list, no_revocations):
    cose_bytes = encoding.decode_text(genuine)
    statuses: Counter[str] = Counter()
    attempts = 0
    for pos in range(len(cose_bytes)):
        for alter in _ALTERATIONS:
            forged = bytearray(cose_bytes)
            forged[pos] = alter(forged[pos])
            result = _verify(encoding.encode_text(bytes(forged)), key_list, no_revocations)
            attempts += 1
            assert result.status is not Status.OK, f"byte {pos} accepted"
            assert result.claims is None, f"byte {pos} exposed claims"
            statuses[result.status] += 1
    assert attempts == 4 * len(cose_bytes)
    assert sum(statuses.values()) == attempts  # 100% rejected
    # Most changes hit signed bytes, so the signature check must be doing the work.
    assert statuses[Status.BAD_SIGNATURE] > attempts // 2


def test_every_single_character_change_of_text_is_rejected(genuine, key_list, no_revocations):
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    attempts = rejected = 0
    for pos in range(len(genuine)):
        for ch in alphabet + "a\n":
            if ch == genuine[pos]:
                continue
            forged = genuine[:pos] + ch + genuine[pos + 1 :]
            result = _verify(forged, key_list, no_revocations)
            attempts += 1
            assert result.status is not Status.OK, f"char {pos} -> {ch!r} accepted"
            assert result.claims is None
            rejected += 1
    assert attempts > 40 * len(genuine)
    assert rejected == attempts


def test_truncations_and_extensions_rejected(genuine, key_list, no_revocations):
    for cut in range(len(genuine)):
        assert _verify(genuine[:cut], key_list, no_revocations).status is Status.INVALID_FORMAT
    for extra in ("0", "00", "000", " ", ":"):
        assert _verify(genuine + extra, key_list, no_revocations).status is not Status.OK


def test_trailing_newline_from_scanner_is_tolerated(genuine, key_list, no_revocations):
    assert _verify(genuine + "\r\n", key_list, no_revocations).status is Status.OK


def test_wrong_key_under_right_kid(unit_key, claims, key_list, no_revocations):
    impostor = generate_signing_key(unit=unit_key.unit)
    object.__setattr__(impostor, "kid", unit_key.kid)  # claim to be the real unit key
    result = _verify(issue_pass(claims, signing_key=impostor), key_list, no_revocations)
    assert result.status is Status.BAD_SIGNATURE and result.claims is None


def test_unknown_kid(claims, key_list, no_revocations):
    stranger = generate_signing_key(unit=claims.issuer)
    result = _verify(issue_pass(claims, signing_key=stranger), key_list, no_revocations)
    assert result.status is Status.UNKNOWN_KEY and result.claims is None


def test_expired_and_not_yet_valid(unit_key, key_list, no_revocations):
    expired = make_claims(valid_from=NOW - 3 * DAY, valid_until=NOW, issued_at=NOW - 3 * DAY)
    future = make_claims(valid_from=NOW + 1, valid_until=NOW + DAY, issued_at=NOW - DAY)
    r1 = _verify(issue_pass(expired, signing_key=unit_key), key_list, no_revocations)
    r2 = _verify(issue_pass(future, signing_key=unit_key), key_list, no_revocations)
    assert r1.status is Status.EXPIRED  # valid_until is exclusive
    assert r2.status is Status.NOT_YET_VALID


def test_revoked(unit_key, claims, key_list):
    ledger = RevocationLedger()
    ledger.revoke("SOMEONE-ELSE")
    ledger.revoke(claims.pass_id)
    store = RevocationStore()
    store.apply(ledger.full(issued_at=NOW))
    result = _verify(issue_pass(claims, signing_key=unit_key), key_list, store)
    assert result.status is Status.REVOKED


def test_key_of_another_unit_cannot_issue_for_this_unit(unit_key, key_list, no_revocations):
    rogue = generate_signing_key(unit="310104-XH-01")
    both = key_list.replace(rogue.entry(not_before=0))
    # Bypass issue_pass's own guard to build what a rogue unit would build.
    from lifeline.passes.credential import cose

    forged = cose.sign(encode_claims(make_claims()), private_key=rogue.private_key, kid=rogue.kid)
    result = _verify(encoding.encode_text(forged), both, no_revocations)
    assert result.status is Status.WRONG_ISSUER


@pytest.mark.parametrize(
    ("protected", "unprotected"),
    [
        pytest.param({1: -35}, {}, id="alg-ES384"),
        pytest.param({1: "none"}, {}, id="alg-none"),
        pytest.param({}, {}, id="alg-absent"),
        pytest.param({}, {1: -7}, id="alg-in-unprotected"),
        pytest.param({1: -35}, {1: -7}, id="ES384-protected-ES256-unprotected"),
    ],
)
def test_algorithm_swap(unit_key, claims, key_list, no_revocations, forge, protected, unprotected):
    envelope = forge(
        encode_claims(claims),
        private_key=unit_key.private_key,  # the genuine key: only the alg header is wrong
        protected={**protected, 4: unit_key.kid},
        unprotected=unprotected,
    )
    result = _verify(encoding.encode_text(envelope), key_list, no_revocations)
    assert result.status is Status.WRONG_ALGORITHM
    assert result.claims is None


def test_tampered_payload_is_never_decoded(genuine, key_list, no_revocations):
    """Spy on the claims decoder: it must not run before the signature has verified."""
    tag = cbor2.loads(encoding.decode_text(genuine))
    protected, _, payload, signature = tag.value
    # A perfectly well-formed payload that differs only in the holder plate.
    evil_payload = payload.replace(b"D12345", b"D99999")
    assert evil_payload != payload
    evil = encoding.encode_text(
        cbor2.dumps(cbor2.CBORTag(18, [protected, {}, evil_payload, signature]))
    )
    with mock.patch.object(
        claims_module, "decode_claims", wraps=claims_module.decode_claims
    ) as spy:
        assert _verify(evil, key_list, no_revocations).status is Status.BAD_SIGNATURE
        assert spy.call_count == 0
        assert _verify(genuine, key_list, no_revocations).status is Status.OK
        assert spy.call_count == 1  # the spy is live: it does see the genuine pass


def test_signed_key_list_cannot_pose_as_a_pass(unit_key, key_list, no_revocations):
    """Domain separation: a genuine signature over a key list never verifies as a pass."""
    trust = generate_signing_key(unit=unit_key.unit)
    signed_list = key_list.sign(trust_key=trust)
    anchors = key_list.replace(trust.entry(not_before=0))
    result = _verify(encoding.encode_text(signed_list), anchors, no_revocations)
    assert result.status is Status.BAD_SIGNATURE


def _same_content_alias(text: str) -> str | None:
    """A one-character edit of ``text`` that still inflates to the same COSE bytes.

    Deflate ignores the padding bits after its last block, so such edits exist for about one
    pass in five; only the canonical-encoding check in decode_text stops them.
    """
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    original = zlib.decompress(encoding.b45decode(text[4:]))
    for pos in range(max(4, len(text) - 15), len(text)):  # padding sits just before Adler-32
        for ch in alphabet:
            edited = text[:pos] + ch + text[pos + 1 :]
            if ch == text[pos]:
                continue
            try:
                inflater = zlib.decompressobj()
                out = inflater.decompress(encoding.b45decode(edited[4:]))
            except (encoding.EncodingError, zlib.error):
                continue
            if inflater.eof and not inflater.unused_data and out == original:
                return edited
    return None


def test_deflate_padding_alias_is_rejected(unit_key, key_list, no_revocations):
    for attempt in range(200):
        text = issue_pass(make_claims(pass_id=f"ALIAS-{attempt:03d}"), signing_key=unit_key)
        alias = _same_content_alias(text)
        if alias is not None:
            break
    else:
        pytest.fail("no deflate alias found in 200 passes (expected ~1 in 5)")
    assert alias != text
    result = _verify(alias, key_list, no_revocations)
    assert result.status is Status.INVALID_FORMAT and result.claims is None
