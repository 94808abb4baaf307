"""Signed checkpoints of the audit chain heads, in a file outside the database."""

from __future__ import annotations

import datetime as dt
import json
import stat
import threading
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connections

from lifeline.core import requestid
from lifeline.core.audit import audit_log, audit_verify
from lifeline.core.audit.checkpoints import (
    chain_heads,
    checkpoint_path,
    checkpoint_write,
    public_key_hex,
    read_checkpoints,
    run_periodic,
)
from lifeline.core.clock import now
from lifeline.core.models import AuditRecord


def test_checkpoint_holds_every_chain_head_signed_in_a_private_file(db):
    # given records on two chains
    for rid in ("req-aaaaaaaa", "req-bbbbbbbb"):
        token = requestid.set_current(rid)
        audit_log(actor=None, action="test.write")
        requestid.reset(token)
    # when a checkpoint is written
    written = checkpoint_write(now=now())
    # then the file, readable by its owner only, holds one signed line with every head
    path = checkpoint_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    good, bad = read_checkpoints([path])
    assert bad == [] and len(good) == 1
    assert good[0].heads == chain_heads() == written.heads
    assert set(written.heads) == set(AuditRecord.objects.values_list("chain", flat=True))
    assert audit_verify() == []


def test_forged_checkpoint_is_named(db):
    # given a genuine checkpoint
    audit_log(actor=None, action="test.write")
    checkpoint_write(now=now())
    path = checkpoint_path()
    genuine = json.loads(path.read_text().splitlines()[0])
    # when a line claiming another head is appended with the genuine signature
    forged = dict(genuine, heads=[[c, s + 5, h] for c, s, h in genuine["heads"]])
    # and another is signed with a key of the forger's own
    own_key = Ed25519PrivateKey.generate()
    payload = dict(genuine, key=public_key_hex(own_key.public_key()))
    del payload["sig"]
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    payload["sig"] = own_key.sign(blob).hex()
    with path.open("a") as fh:
        fh.write(json.dumps(forged) + "\n")
        fh.write(json.dumps(payload) + "\n")
        fh.write("{not json\n")
    # then verify names each bad line, and trusts none of their claims
    problems = audit_verify()
    assert [(p.chain, p.reason, p.detail) for p in problems] == [
        (None, "checkpoint signature does not verify", f"{path}:2"),
        (None, "checkpoint signed by an untrusted key", f"{path}:3"),
        (None, "unreadable checkpoint", f"{path}:4"),
    ]
    # and the command fails, saying so
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert f"BAD CHECKPOINT: {path}:2: checkpoint signature does not verify" in err.getvalue()


def test_checkpoints_of_an_earlier_signing_key_count_once_trusted(db, settings):
    # given a checkpoint signed with the first signing key
    audit_log(actor=None, action="test.write")
    checkpoint_write(now=now())
    first = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(settings.AUDIT_SIGNING_KEY))
    # when the signing key is replaced
    settings.AUDIT_SIGNING_KEY = "11" * 32
    # then the old line is refused until its public key is listed as trusted
    assert [p.reason for p in audit_verify()] == ["checkpoint signed by an untrusted key"]
    settings.AUDIT_TRUSTED_PUBLIC_KEYS = [public_key_hex(first.public_key())]
    assert audit_verify() == []


def test_sweep_writes_only_when_due_and_a_head_moved(db, settings):
    # given one record and a checkpoint interval of five minutes
    settings.AUDIT_CHECKPOINT_INTERVAL = 300
    start = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    audit_log(actor=None, action="test.write")
    # when the sweep runs now, a minute later after a write, and six minutes later
    first = run_periodic(now=start)
    audit_log(actor=None, action="test.write")
    too_soon = run_periodic(now=start + dt.timedelta(minutes=1))
    due = run_periodic(now=start + dt.timedelta(minutes=6))
    idle = run_periodic(now=start + dt.timedelta(minutes=20))
    # then it wrote the first and the due one, not the early one nor with nothing new
    assert [first["written"], too_soon["written"], due["written"], idle["written"]] == [1, 0, 1, 0]
    good, bad = read_checkpoints([checkpoint_path()])
    assert bad == [] and [c.at for c in good] == [start, start + dt.timedelta(minutes=6)]


def test_verify_command_warns_when_there_are_no_checkpoints(db):
    # given records but no checkpoint file
    audit_log(actor=None, action="test.write")
    out, err = StringIO(), StringIO()
    # when verify runs, then it passes but warns that only the key was checked
    call_command("audit", "verify", stdout=out, stderr=err)
    assert "audit log intact" in out.getvalue()
    assert "no checkpoint file" in err.getvalue()


def test_checkpoint_command_appends_a_line(db):
    audit_log(actor=None, action="test.write")
    out = StringIO()
    call_command("audit", "checkpoint", stdout=out)
    call_command("audit", "checkpoint", stdout=out)
    assert "checkpoint of 1 chain heads" in out.getvalue()
    assert len(checkpoint_path().read_text().splitlines()) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_checkpoint_writers_leave_a_valid_file():
    # given records on several chains
    for n in range(8):
        token = requestid.set_current(f"req-{n:04d}-checkpoints")
        audit_log(actor=None, action="test.write")
        requestid.reset(token)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(10):
                checkpoint_write(now=now())
                run_periodic(now=now())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    # when eight threads write checkpoints at once
    threads = [threading.Thread(target=writer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then every line is whole and signed, and the log verifies against them
    assert errors == []
    good, bad = read_checkpoints([checkpoint_path()])
    assert bad == [] and len(good) >= 80
    assert checkpoint_path().read_bytes().count(b"\n") == len(good)
    assert audit_verify() == []
