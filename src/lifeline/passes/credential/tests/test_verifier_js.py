"""verifier.js under Node (WebCrypto + DecompressionStream), on fixtures made by Python.

Node stands in for the browser here; the checkpoint page later runs the same module in
Chromium. Skipped only when ``node`` is not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import cbor2
import pytest

from lifeline.passes.credential import cose, encoding
from lifeline.passes.credential.claims import encode_claims
from lifeline.passes.credential.keys import KeyList, generate_signing_key
from lifeline.passes.credential.revocation import RevocationLedger, RevocationStore
from lifeline.passes.credential.tests.conftest import DAY, NOW, UNIT, forge_envelope, make_claims
from lifeline.passes.credential.verify import issue_pass, verify_pass

VERIFIER = Path(__file__).resolve().parents[1] / "verifier.js"
NODE = shutil.which("node")

RUNNER = """
import { readFileSync } from 'node:fs';
import { verifyPass } from %(module)s;
const fx = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const revoked = new Set(fx.revoked);
const out = [];
for (const c of fx.cases) {
  const r = await verifyPass(c.text, { keys: fx.keys, revokedHashes: revoked, now: fx.now });
  out.push({ name: c.name, status: r.status, claims: r.claims });
}
process.stdout.write(JSON.stringify(out));
"""


def _cases() -> tuple[dict, list[dict]]:
    key = generate_signing_key(unit=UNIT)
    retired = generate_signing_key(unit=UNIT)
    rogue = generate_signing_key(unit="310104-XH-01")
    retire_at = NOW - 2 * DAY
    key_list = KeyList(
        [
            key.entry(not_before=NOW - 30 * DAY),
            retired.entry(not_before=NOW - 90 * DAY, not_after=retire_at),
            rogue.entry(not_before=0),
        ]
    )
    ledger = RevocationLedger()
    ledger.revoke("REVOKED-PASS-01")
    store = RevocationStore()
    store.apply(ledger.full(issued_at=NOW))

    claims = make_claims()
    good = issue_pass(claims, signing_key=key)
    impostor = generate_signing_key(unit=UNIT)
    object.__setattr__(impostor, "kid", key.kid)
    payload = encode_claims(claims)

    def forged(protected: dict, unprotected: dict | None = None) -> str:
        env = forge_envelope(
            payload,
            private_key=key.private_key,
            protected={**protected, 4: key.kid},
            unprotected=unprotected,
        )
        return encoding.encode_text(env)

    tag = cbor2.loads(encoding.decode_text(good))
    prot, _, body, sig = tag.value
    tampered = body.replace(b"D12345", b"D99999")
    cases = [
        ("ok", good),
        (
            "ok_areas",
            issue_pass(
                make_claims(scope=["310115001", "310115002"], holder="张*三", household_ref=None),
                signing_key=key,
            ),
        ),
        ("ok_with_newline", good + "\n"),
        ("expired", issue_pass(make_claims(valid_until=NOW), signing_key=key)),
        ("not_yet_valid", issue_pass(make_claims(valid_from=NOW + 60), signing_key=key)),
        ("revoked", issue_pass(make_claims(pass_id="REVOKED-PASS-01"), signing_key=key)),
        ("unknown_key", issue_pass(claims, signing_key=generate_signing_key(unit=UNIT))),
        ("wrong_key_right_kid", issue_pass(claims, signing_key=impostor)),
        (
            "tampered_payload",
            encoding.encode_text(cbor2.dumps(cbor2.CBORTag(18, [prot, {}, tampered, sig]))),
        ),
        ("alg_es384", forged({1: -35})),
        ("alg_none", forged({1: "none"})),
        ("alg_absent", forged({})),
        ("alg_unprotected", forged({}, {1: -7})),
        (
            "retired_key_after",
            issue_pass(make_claims(issued_at=retire_at, valid_from=retire_at), signing_key=retired),
        ),
        (
            "retired_key_before",
            issue_pass(
                make_claims(issued_at=retire_at - 1, valid_from=retire_at - 1), signing_key=retired
            ),
        ),
        (
            "wrong_issuer",
            encoding.encode_text(cose.sign(payload, private_key=rogue.private_key, kid=rogue.kid)),
        ),
        ("garbage", "LL1:NOT A PASS"),
        ("wrong_prefix", "HC1:" + good[4:]),
    ]
    # A sample of single-byte changes across the whole envelope (Python checks all of them).
    cose_bytes = encoding.decode_text(good)
    for pos in range(0, len(cose_bytes), 7):
        b = bytearray(cose_bytes)
        b[pos] ^= 0x20
        cases.append((f"byte_{pos}", encoding.encode_text(bytes(b))))
    fixture = {
        "keys": key_list.to_json(),
        "revoked": store.hashes_hex(),
        "now": NOW,
        "cases": [{"name": n, "text": t} for n, t in cases],
    }
    expected = [
        {"name": n, **_python_view(verify_pass(t, key_list=key_list, revocations=store, now=NOW))}
        for n, t in cases
    ]
    return fixture, expected


def _python_view(result) -> dict:
    c = result.claims
    claims = None
    if c is not None:
        claims = {
            "passId": c.pass_id,
            "passType": c.pass_type,
            "issuer": c.issuer,
            "validFrom": c.valid_from,
            "validUntil": c.valid_until,
            "issuedAt": c.issued_at,
            "scope": c.scope if isinstance(c.scope, str) else list(c.scope),
            "holder": c.holder,
            "householdRef": c.household_ref,
        }
    return {"status": result.status.value, "claims": claims}


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_verifier_js_agrees_with_python(tmp_path: Path) -> None:
    assert NODE is not None
    fixture, expected = _cases()
    (tmp_path / "fixture.json").write_text(json.dumps(fixture), encoding="utf-8")
    runner = tmp_path / "run.mjs"
    runner.write_text(RUNNER % {"module": json.dumps(VERIFIER.as_uri())}, encoding="utf-8")
    proc = subprocess.run(
        [NODE, str(runner), str(tmp_path / "fixture.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    by_name = {e["name"]: e for e in expected}
    # Spot-check the expectations themselves, so agreement is not agreement on nonsense.
    assert by_name["ok"]["status"] == "ok"
    assert by_name["ok_with_newline"]["status"] == "ok"
    assert by_name["expired"]["status"] == "expired"
    assert by_name["not_yet_valid"]["status"] == "not_yet_valid"
    assert by_name["revoked"]["status"] == "revoked"
    assert by_name["unknown_key"]["status"] == "unknown_key"
    assert by_name["wrong_key_right_kid"]["status"] == "bad_signature"
    assert by_name["tampered_payload"]["status"] == "bad_signature"
    for name in ("alg_es384", "alg_none", "alg_absent", "alg_unprotected"):
        assert by_name[name]["status"] == "wrong_algorithm", name
    assert by_name["retired_key_after"]["status"] == "key_not_valid_at_issue"
    assert by_name["retired_key_before"]["status"] == "ok"
    assert by_name["wrong_issuer"]["status"] == "wrong_issuer"
    assert by_name["garbage"]["status"] == "invalid_format"
    assert [g["name"] for g in got] == [e["name"] for e in expected]
    for g, e in zip(got, expected, strict=True):
        if g["name"].startswith("byte_"):
            # The JS side skips Python's canonical-encoding checks (the signature covers the
            # content either way), so only "rejected, no claims" must agree here.
            assert g["status"] != "ok" and g["claims"] is None, g
            assert e["status"] != "ok" and e["claims"] is None, e
        else:
            assert g == e
