"""Claims: validation, compact CBOR, strict decoding."""

from __future__ import annotations

import cbor2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifeline.passes.credential.claims import (
    ClaimsError,
    PassClaims,
    decode_claims,
    encode_claims,
    new_pass_id,
)
from lifeline.passes.credential.tests.conftest import make_claims


def _body(claims: PassClaims) -> dict[int, object]:
    return cbor2.loads(encode_claims(claims))


def test_round_trip(claims: PassClaims) -> None:
    assert decode_claims(encode_claims(claims)) == claims


def test_area_scope_round_trips_as_tuple() -> None:
    c = make_claims(scope=["310115001", "310115002"], holder="张*三", household_ref=None)
    assert c.scope == ("310115001", "310115002")
    assert c.areas == ("310115001", "310115002") and c.route is None
    assert decode_claims(encode_claims(c)) == c


def test_uses_cwt_integer_keys(claims: PassClaims) -> None:
    body = _body(claims)
    assert body[1] == claims.issuer
    assert body[4] == claims.valid_until
    assert body[5] == claims.valid_from
    assert body[6] == claims.issued_at
    assert all(isinstance(k, int) for k in body)
    assert {k for k in body if k < 0} == {-1, -2, -3, -4, -5}


def test_encoding_is_compact(claims: PassClaims) -> None:
    # Every byte here costs QR modules; the fixed overhead beyond the strings is small.
    strings = (
        claims.pass_id,
        claims.pass_type,
        claims.issuer,
        str(claims.scope),
        claims.holder,
        str(claims.household_ref),
    )
    text_bytes = sum(len(s.encode()) for s in strings)
    assert len(encode_claims(claims)) - text_bytes <= 40


def test_optional_household_absent() -> None:
    c = make_claims(household_ref=None)
    assert -5 not in _body(c)
    assert decode_claims(encode_claims(c)).household_ref is None


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda b: b.update({-9: "x"}), id="unknown-private-key"),
        pytest.param(lambda b: b.update({7: b"cti"}), id="unknown-registered-key"),
        pytest.param(lambda b: b.pop(-1), id="missing-pass-id"),
        pytest.param(lambda b: b.pop(4), id="missing-exp"),
        pytest.param(lambda b: b.update({4: True}), id="bool-time"),
        pytest.param(lambda b: b.update({4: 1.5e9}), id="float-time"),
        pytest.param(lambda b: b.update({4: -5}), id="negative-time"),
        pytest.param(lambda b: b.update({5: b[4]}), id="nbf-equals-exp"),
        pytest.param(lambda b: b.update({-1: b"bytes-id"}), id="bytes-pass-id"),
        pytest.param(lambda b: b.update({-3: []}), id="empty-scope"),
        pytest.param(lambda b: b.update({-3: b"route"}), id="bytes-scope"),
        pytest.param(lambda b: b.update({-3: [1, 2]}), id="int-areas"),
        pytest.param(lambda b: b.update({-4: "张三丰"}), id="unmasked-name"),
        pytest.param(lambda b: b.update({"1": "x"}), id="string-key"),
        pytest.param(lambda b: b.update({-2: "有 空格"}), id="bad-type-code"),
    ],
)
def test_decode_rejects_malformed(claims: PassClaims, mutate) -> None:
    body = _body(claims)
    mutate(body)
    with pytest.raises(ClaimsError):
        decode_claims(cbor2.dumps(body, canonical=True))


def test_decode_rejects_non_map_and_garbage() -> None:
    for data in (b"", b"\xff", cbor2.dumps([1, 2]), cbor2.dumps("x"), b"\xa1\x01"):
        with pytest.raises(ClaimsError):
            decode_claims(data)


def test_decode_rejects_non_canonical_variants(claims: PassClaims) -> None:
    good = encode_claims(claims)
    body = _body(claims)
    variants = {
        "trailing-byte": good + b"\x00",
        "unsorted-keys": cbor2.dumps(dict(reversed(list(body.items())))),
        "indefinite-map": b"\xbf" + good[1:] + b"\xff",
        # Duplicate key 1 (iss) appended: a "last one wins" decoder would accept it.
        "duplicate-key": bytes([good[0] + 1]) + good[1:] + cbor2.dumps(1) + cbor2.dumps("X"),
        # iat written as a non-minimal 8-byte integer.
        "non-minimal-int": good.replace(
            b"\x06\x1a" + claims.issued_at.to_bytes(4, "big"),
            b"\x06\x1b" + claims.issued_at.to_bytes(8, "big"),
        ),
    }
    for name, data in variants.items():
        assert data != good, name
        with pytest.raises(ClaimsError):
            decode_claims(data)


def test_holder_must_be_masked_or_plate() -> None:
    make_claims(holder="张*三")
    make_claims(holder="沪A12345")
    for holder in ("张三丰", "John Smith", "", " 张*三", "张*三\n"):
        with pytest.raises(ClaimsError):
            make_claims(holder=holder)


def test_validity_window_must_be_ordered() -> None:
    with pytest.raises(ClaimsError):
        make_claims(valid_from=100, valid_until=100, issued_at=50)
    with pytest.raises(ClaimsError):
        make_claims(valid_from=100, valid_until=200, issued_at=300)


def test_new_pass_id_is_random_and_valid() -> None:
    ids = {new_pass_id() for _ in range(200)}
    assert len(ids) == 200
    for pid in list(ids)[:5]:
        make_claims(pass_id=pid)


_code = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,15}", fullmatch=True)
_cjk = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1)


@given(
    pass_id=_code,
    issuer=_code,
    start=st.integers(0, 2**35),
    length=st.integers(1, 2**20),
    scope=st.one_of(st.lists(_code, min_size=1, max_size=8), _cjk.map(lambda s: s[:100])),
    household=st.one_of(st.none(), _code),
)
def test_round_trip_property(pass_id, issuer, start, length, scope, household) -> None:
    c = make_claims(
        pass_id=pass_id,
        issuer=issuer,
        valid_from=start,
        valid_until=start + length,
        issued_at=start,
        scope=scope,
        household_ref=household,
    )
    assert decode_claims(encode_claims(c)) == c
