"""Text form (LL1: + Base45 + zlib) and QR size."""

from __future__ import annotations

import hashlib
import os
import zlib

import pytest

from lifeline.passes.credential import encoding
from lifeline.passes.credential.claims import PassClaims
from lifeline.passes.credential.encoding import EncodingError
from lifeline.passes.credential.keys import SigningKey
from lifeline.passes.credential.tests.conftest import make_claims
from lifeline.passes.credential.verify import PassTooLargeError, issue_pass

RFC9285_VECTORS = [
    (b"AB", "BB8"),
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
    (b"", ""),
]


@pytest.mark.parametrize(("raw", "text"), RFC9285_VECTORS)
def test_base45_rfc_vectors(raw: bytes, text: str) -> None:
    assert encoding.b45encode(raw) == text
    assert encoding.b45decode(text) == raw


def test_base45_round_trip_random() -> None:
    for n in range(0, 64):
        raw = os.urandom(n)
        assert encoding.b45decode(encoding.b45encode(raw)) == raw


@pytest.mark.parametrize("bad", ["GGW", "A", "ABCD", "abc", "AB\n", "A~B", "ÄBC", ":::"])
def test_base45_strict(bad: str) -> None:
    with pytest.raises(EncodingError):
        encoding.b45decode(bad)


def test_text_round_trip() -> None:
    cose_bytes = os.urandom(200)
    text = encoding.encode_text(cose_bytes)
    assert text.startswith("LL1:")
    assert encoding.decode_text(text) == cose_bytes


@pytest.mark.parametrize(
    "text",
    [
        "",
        "HC1:BB8",
        "ll1:BB8",
        "LL1:",
        "LL1:BB8",  # valid Base45, not zlib
        "LL1:" + "A" * 600,
    ],
)
def test_decode_text_strict(text: str) -> None:
    with pytest.raises(EncodingError):
        encoding.decode_text(text)


def test_decode_text_refuses_non_canonical_zlib() -> None:
    data = os.urandom(120) + b"lifeline" * 10
    other = zlib.compress(data, 1)  # valid zlib, different bytes than we produce
    assert zlib.decompress(other) == data
    with pytest.raises(EncodingError, match="canonical"):
        encoding.decode_text("LL1:" + encoding.b45encode(other))
    with pytest.raises(EncodingError):
        good = encoding.b45decode(encoding.encode_text(data)[4:])
        encoding.decode_text("LL1:" + encoding.b45encode(good + b"\x00"))


def test_decompression_bomb_refused() -> None:
    bomb = zlib.compress(b"\x00" * 1_000_000, 9)
    with pytest.raises(EncodingError):
        encoding.decode_text("LL1:" + encoding.b45encode(bomb[:300]))


def test_max_text_chars_matches_qr_capacity() -> None:
    """The constant issue_pass enforces is exactly what fits a version-12 QR code."""
    assert encoding.qr_version("LL1:" + "A" * (encoding.MAX_TEXT_CHARS - 4)) <= 12
    with pytest.raises(EncodingError):
        encoding.qr_code("LL1:" + "A" * (encoding.MAX_TEXT_CHARS - 3))


def test_realistic_pass_fits_version_12(unit_key: SigningKey, claims: PassClaims) -> None:
    text = issue_pass(claims, signing_key=unit_key)
    qr = encoding.qr_code(text)
    assert qr.mode == "alphanumeric"
    assert qr.error in ("M", "L")
    assert encoding.qr_version(text) <= 12
    assert encoding.qr_svg(text).startswith("<svg")


def test_realistic_area_scope_pass_fits_version_12(unit_key: SigningKey) -> None:
    c = make_claims(
        pass_type="RES",
        scope=[f"31011500{i}" for i in range(6)],
        holder="欧阳*华",
    )
    assert encoding.qr_version(issue_pass(c, signing_key=unit_key)) <= 12


def test_oversized_claims_refused_at_issue(unit_key: SigningKey) -> None:
    # Incompressible area codes: 32 x 30 hex chars cannot fit 535 Base45 chars.
    c = make_claims(scope=[hashlib.sha256(bytes([i])).hexdigest()[:30] for i in range(32)])
    with pytest.raises(PassTooLargeError):
        issue_pass(c, signing_key=unit_key)
