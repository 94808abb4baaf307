"""issue_pass / verify_pass: round trip and the result contract."""

from __future__ import annotations

import ast
from pathlib import Path

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifeline.passes.credential import encoding
from lifeline.passes.credential.claims import PassClaims
from lifeline.passes.credential.keys import KeyList, SigningKey, generate_signing_key
from lifeline.passes.credential.revocation import RevocationStore
from lifeline.passes.credential.tests.conftest import NOW, make_claims
from lifeline.passes.credential.verify import Status, issue_pass, verify_pass

PACKAGE = Path(__file__).resolve().parents[1]


def test_round_trip(unit_key: SigningKey, claims: PassClaims, key_list: KeyList) -> None:
    text = issue_pass(claims, signing_key=unit_key)
    assert text.startswith("LL1:")
    result = verify_pass(text, key_list=key_list, revocations=RevocationStore(), now=NOW)
    assert result.ok and result.status == "ok"
    assert result.claims == claims
    assert result.kid == unit_key.kid
    assert result.reason


def test_issue_refuses_other_units_claims(unit_key: SigningKey) -> None:
    with pytest.raises(ValueError, match="cannot issue"):
        issue_pass(make_claims(issuer="310104-XH-01"), signing_key=unit_key)


def test_signatures_are_fresh_but_all_verify(unit_key, claims, key_list) -> None:
    texts = {issue_pass(claims, signing_key=unit_key) for _ in range(5)}
    assert len(texts) == 5  # ECDSA is randomised
    for text in texts:
        assert verify_pass(text, key_list=key_list, revocations=RevocationStore(), now=NOW).ok


def test_boundaries_of_validity(unit_key, claims, key_list) -> None:
    text = issue_pass(claims, signing_key=unit_key)

    def at(t: int) -> Status:
        return verify_pass(text, key_list=key_list, revocations=RevocationStore(), now=t).status

    assert at(claims.valid_from - 1) is Status.NOT_YET_VALID
    assert at(claims.valid_from) is Status.OK
    assert at(claims.valid_until - 1) is Status.OK
    assert at(claims.valid_until) is Status.EXPIRED


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.text(max_size=600), st.text(alphabet="LL1:0123456789ABCXYZ $%*+-./", max_size=600))
)
def test_garbage_never_raises(text: str) -> None:
    kl = KeyList([])
    result = verify_pass(text, key_list=kl, revocations=RevocationStore(), now=NOW)
    assert result.status is not Status.OK and result.claims is None


def test_non_string_input(key_list) -> None:
    for bad in (None, b"LL1:BB8", 42):
        result = verify_pass(bad, key_list=key_list, revocations=RevocationStore(), now=NOW)  # type: ignore[arg-type]
        assert result.status is Status.INVALID_FORMAT


def test_statuses_are_the_documented_set() -> None:
    assert {s.value for s in Status} == {
        "ok",
        "invalid_format",
        "unknown_key",
        "bad_signature",
        "wrong_algorithm",
        "not_yet_valid",
        "expired",
        "revoked",
        "key_not_valid_at_issue",
        "wrong_issuer",
    }


def test_credential_package_never_imports_django() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "django" for n in names), path


def test_unknown_kid_when_key_list_empty(unit_key, claims) -> None:
    text = issue_pass(claims, signing_key=unit_key)
    other = KeyList([generate_signing_key(unit="x").entry(not_before=0)])
    result = verify_pass(text, key_list=other, revocations=RevocationStore(), now=NOW)
    assert result.status is Status.UNKNOWN_KEY


_cbor_leaf = st.one_of(
    st.integers(-(2**64), 2**64 - 1),
    st.binary(max_size=70),
    st.text(max_size=20),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
)
_cbor_value = st.recursive(
    _cbor_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.integers(-8, 8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.builds(lambda v: cbor2.dumps(cbor2.CBORTag(18, v)), st.lists(_cbor_value, max_size=5)),
        st.builds(
            lambda hdr, unprot, payload, sig: cbor2.dumps(
                cbor2.CBORTag(18, [cbor2.dumps(hdr), unprot, payload, sig])
            ),
            st.dictionaries(st.integers(-8, 8), _cbor_value, max_size=3),
            st.dictionaries(st.integers(-8, 8), _cbor_value, max_size=2),
            st.binary(max_size=60),
            st.binary(min_size=60, max_size=70),
        ),
    )
)
def test_arbitrary_envelopes_never_raise(envelope: bytes) -> None:
    kl = KeyList([])
    text = encoding.encode_text(envelope)
    result = verify_pass(text, key_list=kl, revocations=RevocationStore(), now=NOW)
    assert result.status is not Status.OK and result.claims is None
