from django.db import connection

from lifeline.core.audit import audit_log, audit_verify
from lifeline.core.models import AuditRecord


def test_untouched_chain_verifies(db):
    for i in range(5):
        audit_log(actor=None, action="test.write", object_type="x", object_id=i)
    assert audit_verify() == []


def test_sql_edit_of_one_record_is_named(db):
    # given five records on the chain
    records = [
        audit_log(actor=None, action="test.write", object_type="x", object_id=i) for i in range(5)
    ]
    victim = records[2]
    # when one is edited behind the application's back
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditrecord SET purpose = %s WHERE id = %s", ["forged", victim.pk])
    # then verify names exactly that record
    problems = audit_verify()
    assert [(p.record_id, p.reason) for p in problems] == [(victim.pk, "content was altered")]


def test_deleted_record_breaks_chain(db):
    records = [
        audit_log(actor=None, action="test.write", object_type="x", object_id=i) for i in range(4)
    ]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditrecord WHERE id = %s", [records[1].pk])
    problems = audit_verify()
    assert len(problems) == 1
    assert problems[0].record_id == records[2].pk


def test_audit_records_refuse_update_through_orm(db):
    record = audit_log(actor=None, action="test.write")
    record.purpose = "x"
    try:
        record.save()
    except RuntimeError:
        pass
    else:
        raise AssertionError("update was allowed")
    assert AuditRecord.objects.get(pk=record.pk).purpose == ""


def test_a_record_made_under_a_clock_frozen_at_local_time_verifies(db):
    # Given the demo's way of writing the past: the clock frozen at a +08:00 time.
    import datetime as dt

    from lifeline.core.clock import frozen_at

    local = dt.datetime(2022, 11, 22, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with frozen_at(local):
        audit_log(actor=None, action="test.write", object_type="x", object_id=1)
    # When the chain is verified from what the database gives back (in UTC), then it holds.
    assert audit_verify() == []


def test_a_chain_is_read_a_page_at_a_time_in_order(db):
    from lifeline.core.audit.verify import _iter_chain

    records = [audit_log(actor=None, action="test.write", object_id=i) for i in range(5)]
    chain = records[0].chain
    expected = list(
        AuditRecord.objects.filter(chain=chain).order_by("seq").values_list("seq", flat=True)
    )
    assert len(expected) >= 5  # one chain outside a request: more than two pages of 2
    assert [r.seq for r in _iter_chain(chain, page=2)] == expected
