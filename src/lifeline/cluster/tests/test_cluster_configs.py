"""The cluster's configuration files, rendered from its state (no process started)."""

from __future__ import annotations

from pathlib import Path

from lifeline.cluster import configs
from lifeline.cluster.topology import new_state


def _state(tmp_path: Path, app_servers: int = 2):
    return new_state(
        base_dir=tmp_path, pg_bindir=Path("/pg/bin"), app_servers=app_servers, workers=2
    )


def test_haproxy_checks_a_page_that_needs_no_database_and_lists_every_app_server(
    tmp_path: Path,
) -> None:
    # given a cluster of three app servers
    state = _state(tmp_path, app_servers=3)
    # when its load balancer's config is rendered
    cfg = configs.haproxy_cfg(state=state)
    # then it listens on the balancer's port, checks /login/ and retries elsewhere
    assert "bind 127.0.0.1:8100" in cfg
    assert "option httpchk" in cfg and "uri /login/" in cfg
    assert "option redispatch" in cfg and "retry-on conn-failure" in cfg
    servers = [line.split()[1:3] for line in cfg.splitlines() if line.strip().startswith("server ")]
    assert servers == [
        ["app-1", "127.0.0.1:8101"],
        ["app-2", "127.0.0.1:8102"],
        ["app-3", "127.0.0.1:8103"],
    ]
    assert str(tmp_path / "haproxy" / "admin.sock") in cfg


def test_pgbouncer_pools_transactions_on_its_own_port_for_primary_and_replica(
    tmp_path: Path,
) -> None:
    state = _state(tmp_path)
    ini = configs.pgbouncer_ini(state=state, primary_port=5433, replica_port=5434)
    assert "pool_mode = transaction" in ini
    assert "listen_port = 6433" in ini and "6432" not in ini
    assert "lifeline = host=127.0.0.1 port=5433 dbname=lifeline" in ini
    assert "lifeline_replica = host=127.0.0.1 port=5434 dbname=lifeline" in ini
    assert f"auth_file = {tmp_path / 'pgbouncer' / 'userlist.txt'}" in ini
    assert configs.pgbouncer_userlist() == '"postgres" ""\n'


def test_primary_archives_wal_and_allows_replication_from_the_loopback_only(
    tmp_path: Path,
) -> None:
    state = _state(tmp_path)
    conf = configs.postgresql_conf(node=state.primary, base=tmp_path)
    assert "port = 5433" in conf
    assert "wal_level = replica" in conf and "archive_mode = on" in conf
    assert f"cp %p {tmp_path / 'postgres' / 'wal-archive'}/%f" in conf
    hba = configs.pg_hba_conf()
    assert "host    replication  all   127.0.0.1/32   trust" in hba
    assert "0.0.0.0" not in hba and "::" not in hba
    replica = state.replica
    assert replica is not None
    assert "port = 5434" in configs.replica_conf(node=replica)
