"""``lifeline cluster``'s answers when there is nothing to act on or the input is wrong:
a message, never a traceback (no process is started)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lifeline.cluster.topology import load_state, new_state, save_state


def _call(*argv: str) -> str:
    out = io.StringIO()
    call_command("cluster", *argv, stdout=out)
    return out.getvalue()


def test_down_without_a_cluster_says_there_is_nothing_to_stop(tmp_path: Path) -> None:
    out = _call("down", "--base-dir", str(tmp_path / "none"))
    assert "nothing to stop" in out


def test_status_and_drills_without_a_cluster_say_how_to_start_one(tmp_path: Path) -> None:
    for argv in (["status"], ["drill", "app-kill"]):
        with pytest.raises(CommandError, match="lifeline cluster up"):
            _call(*argv, "--base-dir", str(tmp_path))


def test_an_unknown_drill_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="app-kill"):
        _call("drill", "meteor", "--base-dir", str(tmp_path))


def test_up_needs_an_app_server_and_a_worker(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="At least one app server"):
        _call("up", "--app-servers", "0", "--base-dir", str(tmp_path))
    assert load_state(tmp_path) is None


def test_drill_options_out_of_range_are_refused(tmp_path: Path) -> None:
    save_state(new_state(base_dir=tmp_path, pg_bindir=Path("/pg"), app_servers=2, workers=2))
    with pytest.raises(CommandError, match="client threads"):
        _call("drill", "app-kill", "--clients", "0", "--base-dir", str(tmp_path))
    with pytest.raises(CommandError, match="seconds of load"):
        _call("drill", "db-stop", "--seconds", "1", "--base-dir", str(tmp_path))


def test_down_of_a_stopped_cluster_keeps_its_state_and_purge_removes_the_folder(
    tmp_path: Path,
) -> None:
    # given a cluster whose processes are all gone (pids 0, no data folders)
    base = tmp_path / "cluster"
    base.mkdir()
    save_state(new_state(base_dir=base, pg_bindir=Path("/pg"), app_servers=2, workers=2))
    # when it is brought down, then purged
    _call("down", "--base-dir", str(base))
    assert load_state(base) is not None
    out = _call("down", "--purge", "--base-dir", str(base))
    # then the folder is gone
    assert not base.exists()
    assert "Removed" in out
