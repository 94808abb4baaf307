"""The state file ``lifeline cluster up`` writes and the public view others read."""

from __future__ import annotations

import stat
from pathlib import Path

from django.conf import settings

from lifeline.cluster.topology import default_base_dir, load_state, new_state, save_state


def test_state_round_trips_through_its_file_readable_by_its_owner_only(tmp_path: Path) -> None:
    # given a started cluster's state with pids and a token
    state = new_state(base_dir=tmp_path, pg_bindir=Path("/pg/bin"), app_servers=2, workers=3)
    state.app_servers[1].pid = 4242
    state.api_token = "secret-token"
    state.grids = [7, 8]
    # when it is saved and read back
    path = save_state(state)
    again = load_state(tmp_path)
    # then nothing is lost, and only the owner may read the file (it holds a token)
    assert again == state
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_no_state_file_means_no_cluster(tmp_path: Path) -> None:
    assert load_state(tmp_path) is None


def test_the_public_view_names_the_balancer_app_servers_and_databases(tmp_path: Path) -> None:
    state = new_state(base_dir=tmp_path, pg_bindir=Path("/pg/bin"), app_servers=2, workers=2)
    assert state.lb_url == "http://127.0.0.1:8100"
    assert state.app_urls == ["http://127.0.0.1:8101", "http://127.0.0.1:8102"]
    assert state.primary_dsn == "postgres://postgres@127.0.0.1:5433/lifeline"
    assert state.replica_dsn == "postgres://postgres@127.0.0.1:5434/lifeline"
    assert state.pooler_dsn == "postgres://postgres@127.0.0.1:6433/lifeline"
    assert state.pooler_replica_dsn == "postgres://postgres@127.0.0.1:6433/lifeline_replica"


def test_after_a_promotion_the_former_replica_is_the_primary_and_none_is_left(
    tmp_path: Path,
) -> None:
    state = new_state(base_dir=tmp_path, pg_bindir=Path("/pg/bin"), app_servers=2, workers=2)
    old, new = state.primary, state.replica
    assert new is not None
    old.role, new.role = "retired", "primary"
    assert state.primary_dsn.endswith(":5434/lifeline")
    assert state.replica is None and state.replica_dsn is None


def test_the_default_base_dir_is_outside_the_private_var_folder() -> None:
    base = default_base_dir()
    assert settings.VAR_DIR not in base.parents and base != settings.VAR_DIR
