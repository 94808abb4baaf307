"""``cluster up`` and ``down`` with the outside world replaced by fakes that record each
command: what runs as whom, in which order, with which environment (nothing started)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from lifeline.cluster import launcher, processes
from lifeline.cluster.topology import load_state


class World:
    """Fake commands, processes and databases; ``running`` holds the live pids."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []
        self.spawned: list[tuple[list[str], dict[str, str]]] = []
        self.running: set[int] = set()
        self.nodes_up: set[str] = set()
        self.stopped: list[int] = []
        self.next_pid = 1000
        self.events: list[tuple[str, dict[str, str]]] = []  # (first words, environment)

    def run(
        self, argv: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 0
    ) -> str:
        argv = list(argv)
        self.commands.append(argv)
        self.events.append((" ".join(argv[1:4]), dict(env or {})))
        if any(a.endswith(("initdb", "pg_basebackup")) for a in argv):
            Path(argv[argv.index("-D") + 1]).mkdir(parents=True)
        if "start" in argv and any(a.endswith("pg_ctl") for a in argv):
            self.nodes_up.add(Path(argv[argv.index("-D") + 1]).name)
        if "stop" in argv and any(a.endswith("pg_ctl") for a in argv):
            self.nodes_up.discard(Path(argv[argv.index("-D") + 1]).name)
        if argv[1:2] == ["-c"]:  # the seed
            return json.dumps({"token": "tok", "grids": [5, 6]}) + "\n"
        return ""

    def spawn(self, argv: Sequence[str], *, log: Path, env: dict[str, str] | None = None) -> int:
        self.next_pid += 1
        self.spawned.append((list(argv), dict(env or {})))
        self.events.append((" ".join(argv[1:4]), dict(env or {})))
        self.running.add(self.next_pid)
        return self.next_pid

    def stop_group(self, pid: int, *, timeout: float = 15) -> None:
        self.stopped.append(pid)
        self.running.discard(pid)


class FakeConnection:
    def __enter__(self) -> FakeConnection:
        return self

    def __exit__(self, *args: Any) -> None:
        return None

    def execute(self, sql: str, params: Any = None) -> FakeConnection:
        return self

    def fetchone(self) -> None:
        return None


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    w = World()
    monkeypatch.setattr(processes, "is_root", lambda: True)
    monkeypatch.setattr(processes, "give_to_postgres", lambda path, mode: path.mkdir(exist_ok=True))
    monkeypatch.setattr(launcher, "give_to_postgres", lambda path, mode: path.mkdir(exist_ok=True))
    monkeypatch.setattr(launcher, "is_root", lambda: True)
    monkeypatch.setattr(launcher, "find_program", lambda name: f"/usr/sbin/{name}")
    monkeypatch.setattr(launcher, "pg_bindir", lambda: Path("/pg/bin"))
    monkeypatch.setattr(launcher, "run", w.run)
    monkeypatch.setattr(launcher, "spawn", w.spawn)
    monkeypatch.setattr(launcher, "stop_group", w.stop_group)
    monkeypatch.setattr(launcher, "alive", lambda pid: pid in w.running)
    monkeypatch.setattr(launcher, "kill_group", lambda pid, sig: pid in w.running)
    monkeypatch.setattr(launcher, "port_open", lambda port: False)
    monkeypatch.setattr(launcher, "wait_until", lambda *a, **k: None)
    monkeypatch.setattr(
        launcher, "node_running", lambda state, node: node.data_dir(state.base).name in w.nodes_up
    )
    monkeypatch.setattr(launcher.psycopg, "connect", lambda *a, **k: FakeConnection())
    return w


def test_up_starts_every_part_in_order_and_down_stops_exactly_those(
    world: World, tmp_path: Path
) -> None:
    lines: list[str] = []
    # when a cluster is brought up in an empty folder
    state = launcher.cluster_up(base_dir=tmp_path, app_servers=2, workers=2, write=lines.append)
    # then PostgreSQL's tools ran as postgres: initdb, the primary, the base backup
    initdb = next(c for c in world.commands if "/pg/bin/initdb" in c)
    assert initdb[:4] == ["runuser", "-u", "postgres", "--"]
    basebackup = next(c for c in world.commands if "/pg/bin/pg_basebackup" in c)
    assert basebackup[basebackup.index("-p") + 1] == "5433"
    assert "-R" in basebackup
    assert world.nodes_up == {"pg-a", "pg-b"}
    conf = (tmp_path / "postgres" / "pg-a" / "postgresql.conf").read_text()
    assert "wal_level = replica" in conf
    assert "port = 5434" in (tmp_path / "postgres" / "pg-b" / "postgresql.conf").read_text()
    # migrated once, directly on the primary, before any app server started
    names = [name for name, _ in world.events]
    migrate = names.index("-m lifeline.cli migrate")
    assert migrate < names.index("-m gunicorn lifeline.wsgi")
    env = world.events[migrate][1]
    assert env["DATABASE_URL"] == "postgres://postgres@127.0.0.1:5433/lifeline"
    assert "LIFELINE_DB_POOLER" not in env and env["LIFELINE_VAR_DIR"] == str(tmp_path / "var")
    programs = [argv for argv, _ in world.spawned]
    assert programs[0][:3] == ["/usr/sbin/pgbouncer", "-u", "postgres"]
    gunicorns = [(argv, env) for argv, env in world.spawned if "gunicorn" in argv]
    assert [argv[argv.index("-b") + 1] for argv, _ in gunicorns] == [
        "127.0.0.1:8101",
        "127.0.0.1:8102",
    ]
    for _, env in gunicorns:
        assert env["DATABASE_URL"] == "postgres://postgres@127.0.0.1:6433/lifeline"
        assert env["LIFELINE_DB_POOLER"] == "transaction"
        assert env["DATABASE_REPLICA_URL"].endswith(":6433/lifeline_replica")
        assert env["LIFELINE_VAR_DIR"] == str(tmp_path / "var")
    assert any(argv[0] == "/usr/sbin/haproxy" for argv in programs)
    assert sum(1 for argv in programs if argv[-1] == "worker") == 2
    assert (tmp_path / "haproxy" / "haproxy.cfg").exists()
    assert "pool_mode = transaction" in (tmp_path / "pgbouncer" / "pgbouncer.ini").read_text()
    # and the state file knows every pid and the seeded token
    saved = load_state(tmp_path)
    assert saved is not None and saved == state
    assert saved.api_token == "tok" and saved.grids == [5, 6]
    started = set(world.running)
    assert {
        p.pid for p in [*saved.app_servers, *saved.workers, saved.pooler, saved.balancer]
    } == started
    assert lines[-1] == "Load balancer: http://127.0.0.1:8100"

    # when up runs again on the running cluster: nothing new starts
    count = len(world.spawned)
    launcher.cluster_up(base_dir=tmp_path, app_servers=2, workers=2, write=lines.append)
    assert len(world.spawned) == count
    assert "already running" in lines[-1]

    # when it is brought down: exactly what was started stops, PostgreSQL last
    assert launcher.cluster_down(base_dir=tmp_path, purge=False, write=lines.append)
    assert set(world.stopped) == started
    assert world.nodes_up == set()
    stops = [c for c in world.commands if "stop" in c]
    assert all(c[c.index("-m") + 1] == "fast" for c in stops) and len(stops) == 2
    after = load_state(tmp_path)
    assert after is not None and all(p.pid == 0 for p in after.app_servers + after.workers)


def test_up_after_a_promotion_rebuilds_the_replica_in_the_former_primarys_place(
    world: World, tmp_path: Path
) -> None:
    # given a cluster whose replica was promoted, its former primary stopped and retired
    state = launcher.cluster_up(base_dir=tmp_path, app_servers=2, workers=2, write=print)
    state.nodes[0].role, state.nodes[1].role = "retired", "primary"
    world.nodes_up.discard("pg-a")
    launcher.save_state(state)
    (tmp_path / "postgres" / "pg-a" / "stale").write_text("old timeline")
    world.commands.clear()
    # when up runs
    again = launcher.cluster_up(base_dir=tmp_path, app_servers=2, workers=2, write=print)
    # then pg-a is a fresh copy of pg-b and the pooler was told to reload
    assert again.replica is not None and again.replica.name == "pg-a"
    basebackup = next(c for c in world.commands if "/pg/bin/pg_basebackup" in c)
    assert basebackup[basebackup.index("-p") + 1] == "5434"
    assert not (tmp_path / "postgres" / "pg-a" / "stale").exists()
    ini = (tmp_path / "pgbouncer" / "pgbouncer.ini").read_text()
    assert "lifeline = host=127.0.0.1 port=5434" in ini
    assert "lifeline_replica = host=127.0.0.1 port=5433" in ini


def test_missing_packages_without_root_say_how_to_install_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(launcher, "find_program", lambda name: None)
    monkeypatch.setattr(launcher, "is_root", lambda: False)
    with pytest.raises(launcher.ClusterError, match="apt-get install -y haproxy pgbouncer"):
        launcher.ensure_packages(print)
