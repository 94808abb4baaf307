"""The backup drills: the SQLite one run for real on a small file; the guards of all."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.db.utils import ConnectionHandler
from django.utils import translation

from lifeline.cluster.backup import backup_drill, dump_restore_drill, sqlite_backup_drill
from lifeline.core.actors import system
from lifeline.core.audit import audit_log
from lifeline.core.models import AuditChain, AuditRecord


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):  # the messages matched below are the English ones
        yield


def _sqlite_copy_of_audit_log(path: Path) -> None:
    """A SQLite file holding this test database's audit log (its two tables and rows):
    enough for ``lifeline audit verify``, and quick to make on any test database."""
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": path}})
    target = handler["default"]
    try:
        with target.schema_editor() as editor:
            editor.create_model(AuditChain)
            editor.create_model(AuditRecord)
        with target.cursor() as cursor:  # the users table is not copied: actors stay ids
            cursor.execute("PRAGMA foreign_keys = OFF")
        for model in (AuditChain, AuditRecord):
            fields = model._meta.concrete_fields
            columns = ", ".join(f'"{f.column}"' for f in fields)
            marks = ", ".join("%s" for _ in fields)
            rows = [
                [f.get_db_prep_save(getattr(obj, f.attname), connection=target) for f in fields]
                for obj in model.objects.all()
            ]
            with target.cursor() as cursor:
                cursor.executemany(
                    f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES ({marks})',
                    rows,
                )
    finally:
        handler.close_all()


@pytest.fixture
def sqlite_source(db, tmp_path, settings, monkeypatch):
    # given a small SQLite database with an audit log, and its audit key in the environment
    monkeypatch.setenv("LIFELINE_AUDIT_KEY", settings.AUDIT_KEY)
    monkeypatch.setenv("LIFELINE_AUDIT_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))
    for number in range(5):
        audit_log(actor=system("drill test"), action="drill.test", object_id=number)
    source = tmp_path / "source" / "lifeline.sqlite3"
    source.parent.mkdir(mode=0o700)
    _sqlite_copy_of_audit_log(source)
    return source


def test_sqlite_backup_restores_a_copy_whose_audit_log_verifies(sqlite_source, tmp_path):
    lines: list[str] = []
    # when the drill backs it up and restores it elsewhere
    result = sqlite_backup_drill(
        sqlite_path=sqlite_source, workdir=tmp_path / "w", write=lines.append
    )
    # then the copy holds every record, its log verifies, and the copy is gone again
    assert result["audit_intact"] is True and result["audit_source_intact"] is True
    assert "audit log intact: 5 records" in result["audit_output"]
    assert result["restored_rows"] == result["source_rows"] == {"core_auditrecord": 5}
    assert result["backup_bytes"] > 0 and result["recovery_seconds"] > 0
    assert sorted(p.name for p in (tmp_path / "w").iterdir()) == []
    assert any("audit_intact: True" in line for line in lines)


def test_sqlite_backup_of_a_rewritten_log_is_reported_not_intact(sqlite_source, tmp_path):
    # given a source whose audit log was rewritten behind the application's back
    with sqlite3.connect(sqlite_source) as conn:
        conn.execute("UPDATE core_auditrecord SET action = 'drill.other' WHERE seq = 3")
    conn.close()
    # when the drill runs, then both the copy and the source are reported not intact
    result = sqlite_backup_drill(sqlite_path=sqlite_source, workdir=tmp_path / "w", write=print)
    assert result["audit_intact"] is False and result["audit_source_intact"] is False
    assert "TAMPERED" in result["audit_output"]


def test_sqlite_backup_refuses_a_missing_file_and_a_used_workdir(tmp_path):
    with pytest.raises(ValueError, match="No SQLite database"):
        sqlite_backup_drill(sqlite_path=tmp_path / "none.sqlite3", workdir=tmp_path, write=print)
    source = tmp_path / "x.sqlite3"
    sqlite3.connect(source).close()
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "backup.sqlite3").write_bytes(b"")
    with pytest.raises(ValueError, match="fresh place"):
        sqlite_backup_drill(sqlite_path=source, workdir=tmp_path / "w", write=print)


def test_postgres_drills_refuse_missing_tools_and_restoring_over_the_source(tmp_path):
    with pytest.raises(ValueError, match="pg_basebackup"):
        backup_drill(
            source_dsn="host=127.0.0.1 dbname=lifeline",
            pg_bindir=tmp_path,
            workdir=tmp_path / "w",
            port=5499,
            write=print,
        )
    with pytest.raises(ValueError, match="new database"):
        dump_restore_drill(
            source_dsn="host=127.0.0.1 dbname=lifeline",
            pg_bindir=tmp_path,
            workdir=tmp_path / "w",
            target_database="lifeline",
            write=print,
        )
    with pytest.raises(ValueError, match="connection string"):
        dump_restore_drill(
            source_dsn="host=127.0.0.1 nonsense",
            pg_bindir=tmp_path,
            workdir=tmp_path / "w",
            target_database="copy",
            write=print,
        )
