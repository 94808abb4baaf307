"""``lifeline permissions``: the roles-by-permissions table, printed or written into a doc."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from lifeline.accounts.permissions import ROLE_PERMISSIONS, permissions_table_markdown


def test_it_lists_each_role_with_its_permissions(capsys):
    call_command("permissions")
    out = capsys.readouterr().out
    role, perms = next(iter(ROLE_PERMISSIONS.items()))
    assert f"{role}:\n" in out
    assert all(f"  {perm}\n" in out for perm in perms)


def test_markdown_prints_the_table_of_the_docs(capsys):
    call_command("permissions", "--markdown")
    assert capsys.readouterr().out == permissions_table_markdown()


def test_update_rewrites_only_between_the_markers(tmp_path):
    doc = tmp_path / "security.md"
    doc.write_text(
        "before\n<!-- permissions-table:start -->\nSTALE-ROW\n"
        "<!-- permissions-table:end -->\nafter\n",
        encoding="utf-8",
    )
    call_command("permissions", "--update", str(doc))
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("before\n<!-- permissions-table:start -->\n")
    assert text.endswith("<!-- permissions-table:end -->\nafter\n")
    assert "STALE-ROW" not in text and permissions_table_markdown() in text


def test_update_refuses_a_file_without_markers(tmp_path):
    doc = tmp_path / "plain.md"
    doc.write_text("no table here\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("permissions", "--update", str(doc))
    assert doc.read_text(encoding="utf-8") == "no table here\n"
