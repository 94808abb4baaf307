"""Behind a transaction-mode pooler (PgBouncer) each transaction may run on another server
connection: no server-side cursors, no prepared statements, no session-level settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection

from lifeline.settings import database_from_url

URL = "postgres://app@db.example:6432/lifeline"
SRC = Path(__file__).resolve().parents[2]
# A statement (at a string's start or after a semicolon) setting a parameter for the
# session: not SET LOCAL (which ends with its transaction), nor SET CONSTRAINTS (which
# only ever applies to the current transaction), nor an UPDATE's SET.
SESSION_SET = re.compile(
    r"""["';]\s*SET\s+(?!LOCAL\b|CONSTRAINTS\b)(?:SESSION\b|ROLE\b|TIME\s+ZONE\b|\w+\s*(?:=|TO\b))"""
)


def test_a_transaction_pooler_turns_server_side_cursors_off(monkeypatch, tmp_path):
    monkeypatch.setenv("LIFELINE_DB_POOLER", "transaction")

    db = database_from_url(URL, tmp_path)

    assert db["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert db["ENGINE"] == "lifeline.core.postgresql"
    assert (db["HOST"], db["PORT"]) == ("db.example", "6432")


@pytest.mark.parametrize("mode", ["", "session"])
def test_without_a_transaction_pooler_django_keeps_its_own_backend(monkeypatch, tmp_path, mode):
    monkeypatch.setenv("LIFELINE_DB_POOLER", mode)

    db = database_from_url(URL, tmp_path)

    assert db["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert db["ENGINE"] == "django.db.backends.postgresql"


def test_an_unknown_pooler_mode_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("LIFELINE_DB_POOLER", "statement")

    with pytest.raises(ValueError, match="LIFELINE_DB_POOLER"):
        database_from_url(URL, tmp_path)


def test_the_code_changes_no_setting_for_the_whole_session():
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path in SRC.rglob("*.py")
        if "tests" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SESSION_SET.search(line)
    ]

    assert offenders == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_statements_are_never_prepared_on_the_server():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    connection.ensure_connection()

    # Client-side binding (Django's default with psycopg 3) and no prepare threshold: a
    # statement prepared on one server connection would be missing on the next.
    assert connection.connection.prepare_threshold is None
    assert type(connection.connection.cursor()).__name__ == "Cursor"
    assert "ClientCursor" in [k.__name__ for k in type(connection.connection.cursor()).__mro__]
