import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from lifeline.core import requestid
from lifeline.core.audit import audit_log, audit_verify
from lifeline.core.models import AuditRecord


def test_audit_verify_command_names_tampered_record(db, capsys):
    records = [
        audit_log(actor=None, action="test.write", object_type="x", object_id=i) for i in range(3)
    ]
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditrecord SET action = 'forged' WHERE id = %s", [records[1].pk])
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    assert f"record #{records[1].pk}" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_every_chain_valid(settings):
    # given 16 threads, each its own "request", appending at once
    if connection.vendor == "sqlite":
        pytest.skip("row locks and real concurrency are tested on PostgreSQL")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        token = requestid.set_current(f"req-{n:04d}-concurrency")
        try:
            for i in range(20):
                audit_log(actor=None, action="test.concurrent", object_type="x", object_id=i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            requestid.reset(token)
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then nothing failed, nothing was lost, and every chain verifies
    assert errors == []
    assert AuditRecord.objects.filter(action="test.concurrent").count() == 320
    assert audit_verify() == []
    # and the writers spread over more than one chain
    assert AuditRecord.objects.values("chain").distinct().count() > 1
