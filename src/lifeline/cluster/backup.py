"""Backup drills: take a backup, restore it somewhere new, prove the copy is whole.

Each drill restores into a fresh place (never over the source), runs ``lifeline audit
verify`` against the copy with the source's keys and audit checkpoints (the environment
is passed through), compares row counts with the source, removes the copy and returns
its figures (seconds, bytes, counts, whether the audit log was intact):

- :func:`backup_drill`: ``pg_basebackup`` (a physical copy with its WAL) started as a
  new PostgreSQL server reachable only through a private socket, with WAL archiving off
  so that it never writes into the source's archive;
- :func:`dump_restore_drill`: ``pg_dump -Fc`` + ``pg_restore`` into a new database
  (small sites, the daily dump of docs/operations.md);
- :func:`sqlite_backup_drill`: SQLite's online backup (what ``.backup`` does) copied into
  a fresh data folder with the source's keys and checkpoints.

Recovery time runs from the start of the restore to the end of the verify.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.utils.translation import gettext as _

Write = Callable[[str], None]
COUNTED_TABLES = ("core_auditrecord", "accounts_user", "registry_household")
# Settings that would point the verify somewhere other than the restored copy.
NOT_PASSED = ("DATABASE_URL", "DATABASE_REPLICA_URL", "LIFELINE_DB_POOLER")


def backup_drill(
    *, source_dsn: str, pg_bindir: Path, workdir: Path, port: int, write: Write
) -> dict[str, Any]:
    """Base backup of ``source_dsn`` (a role allowed to replicate), restored as a new
    server on ``port``; ``workdir`` must be reachable by the ``postgres`` user when run as
    root. The copy is stopped and removed at the end, whatever happened."""
    conninfo = _conninfo(source_dsn)
    database = conninfo.get("dbname") or "lifeline"
    user = conninfo.get("user") or "postgres"  # the copy has the source's roles
    _require_tools(pg_bindir, "pg_basebackup", "pg_ctl", "postgres")
    workdir.mkdir(parents=True, exist_ok=True)
    base, data = workdir / "base", workdir / "restored"
    for path in (base, data):
        if path.exists():
            raise ValueError(
                _("%(path)s already exists: the drill needs a fresh place.") % {"path": path}
            )
    try:
        write(_("base backup of %(db)s into %(dir)s") % {"db": database, "dir": base})
        started = time.monotonic()
        _run(
            [
                str(pg_bindir / "pg_basebackup"),
                "-d",
                source_dsn,
                "-D",
                str(base),
                "-X",
                "stream",
                "-c",
                "fast",
            ]
        )
        backup_seconds = time.monotonic() - started
        size = _size(base)
        write(
            _("backup taken: %(mb)s MB in %(s)s s") % {"mb": _mb(size), "s": _secs(backup_seconds)}
        )
        source = _pg_counts(source_dsn)
        restore_started = time.monotonic()
        shutil.copytree(base, data)
        _prepare_data_dir(data)
        socket_dir = data / "socket"
        socket_dir.mkdir(mode=0o700)
        _own(data)
        write(_("starting the restored copy on port %(port)s") % {"port": port})
        options = (
            f"-c port={port} -c listen_addresses='' -c unix_socket_directories='{socket_dir}' "
            f"-c hba_file='{data / 'pg_hba.conf'}' -c ident_file='{data / 'pg_ident.conf'}' "
            "-c archive_mode=off -c synchronous_standby_names=''"
        )
        _run(
            _as_postgres(
                [
                    str(pg_bindir / "pg_ctl"),
                    "start",
                    "-w",
                    "-t",
                    "120",
                    "-D",
                    str(data),
                    "-l",
                    str(data / "restore.log"),
                    "-o",
                    options,
                ]
            )
        )
        try:
            copy = {"host": str(socket_dir), "port": str(port), "user": user, "dbname": database}
            verify = _audit_verify(_url(copy), write)
            recovery_seconds = time.monotonic() - restore_started
            restored = _pg_counts(" ".join(f"{k}={v}" for k, v in copy.items()))
            source_verify = _audit_verify(_url(conninfo), write, source=True)
        finally:
            _run(
                _as_postgres(
                    [str(pg_bindir / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(data)]
                )
            )
            write(_("restored copy stopped"))
    finally:
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)
    return _report(
        write,
        {
            "kind": "pg_basebackup",
            "backup_seconds": _secs(backup_seconds),
            "backup_bytes": size,
            "recovery_seconds": _secs(recovery_seconds),
            "audit_intact": verify[0],
            "audit_source_intact": source_verify[0],
            "audit_output": verify[1],
            "source_rows": source,
            "restored_rows": restored,
        },
    )


def dump_restore_drill(
    *, source_dsn: str, pg_bindir: Path, workdir: Path, target_database: str, write: Write
) -> dict[str, Any]:
    """``pg_dump -Fc`` of ``source_dsn``, restored into the new database ``target_database``
    on the same server (created, then dropped at the end)."""
    conninfo = _conninfo(source_dsn)
    if not target_database or target_database == conninfo.get("dbname"):
        raise ValueError(_("The restore needs a new database, not the source."))
    _require_tools(pg_bindir, "pg_dump", "pg_restore", "createdb", "dropdb")
    workdir.mkdir(parents=True, exist_ok=True)
    dump = workdir / "lifeline.dump"
    server = [
        a
        for a in (
            f"--host={conninfo['host']}" if conninfo.get("host") else "",
            f"--port={conninfo['port']}" if conninfo.get("port") else "",
            f"--username={conninfo['user']}" if conninfo.get("user") else "",
        )
        if a
    ]
    try:
        write(_("pg_dump -Fc into %(file)s") % {"file": dump})
        started = time.monotonic()
        _run([str(pg_bindir / "pg_dump"), "-Fc", "-f", str(dump), "-d", source_dsn])
        backup_seconds = time.monotonic() - started
        size = dump.stat().st_size
        write(_("dump taken: %(mb)s MB in %(s)s s") % {"mb": _mb(size), "s": _secs(backup_seconds)})
        source = _pg_counts(source_dsn)
        restore_started = time.monotonic()
        _run([str(pg_bindir / "createdb"), *server, target_database])
        try:
            write(_("pg_restore into %(db)s") % {"db": target_database})
            _run(
                [
                    str(pg_bindir / "pg_restore"),
                    "--no-owner",
                    *server,
                    "-d",
                    target_database,
                    str(dump),
                ]
            )
            target = {**conninfo, "dbname": target_database}
            url = _url(target)
            verify = _audit_verify(url, write, checkpoints=_checkpoint_file(conninfo))
            recovery_seconds = time.monotonic() - restore_started
            restored = _pg_counts(" ".join(f"{k}={v}" for k, v in target.items()))
            source_verify = _audit_verify(
                _url(conninfo), write, checkpoints=_checkpoint_file(conninfo), source=True
            )
        finally:
            _run([str(pg_bindir / "dropdb"), *server, "--if-exists", target_database])
            write(_("database %(db)s dropped") % {"db": target_database})
    finally:
        dump.unlink(missing_ok=True)
    return _report(
        write,
        {
            "kind": "pg_dump",
            "backup_seconds": _secs(backup_seconds),
            "backup_bytes": size,
            "recovery_seconds": _secs(recovery_seconds),
            "audit_intact": verify[0],
            "audit_source_intact": source_verify[0],
            "audit_output": verify[1],
            "source_rows": source,
            "restored_rows": restored,
        },
    )


def sqlite_backup_drill(
    *, sqlite_path: Path, workdir: Path, write: Write, var_dir: Path | None = None
) -> dict[str, Any]:
    """Online backup of the SQLite file ``sqlite_path`` (safe while it is written), restored
    into a fresh data folder with the keys and checkpoints of the source's data folder
    ``var_dir`` (by default the file's folder)."""
    source_var = var_dir or sqlite_path.parent
    if not sqlite_path.is_file():
        raise ValueError(_("No SQLite database at %(path)s.") % {"path": sqlite_path})
    workdir.mkdir(parents=True, exist_ok=True)
    backup = workdir / "backup.sqlite3"
    var = workdir / "restored-var"
    if backup.exists() or var.exists():
        raise ValueError(
            _("%(path)s already exists: the drill needs a fresh place.")
            % {"path": backup if backup.exists() else var}
        )
    try:
        write(_("online backup of %(file)s") % {"file": sqlite_path})
        started = time.monotonic()
        with sqlite3.connect(sqlite_path) as source, sqlite3.connect(backup) as copy:
            source.backup(copy)
        source.close()
        copy.close()
        backup_seconds = time.monotonic() - started
        size = backup.stat().st_size
        write(
            _("backup taken: %(mb)s MB in %(s)s s") % {"mb": _mb(size), "s": _secs(backup_seconds)}
        )
        restore_started = time.monotonic()
        var.mkdir(mode=0o700)
        for folder in ("keys", "audit-checkpoints"):
            if (source_var / folder).is_dir():
                shutil.copytree(source_var / folder, var / folder)
        restored_file = var / sqlite_path.name
        shutil.copyfile(backup, restored_file)
        os.chmod(restored_file, 0o600)
        verify = _audit_verify(f"sqlite:///{restored_file}", write, var_dir=var)
        recovery_seconds = time.monotonic() - restore_started
        counts = [_sqlite_counts(path) for path in (sqlite_path, restored_file)]
        source_verify = _audit_verify(
            f"sqlite:///{sqlite_path}", write, var_dir=source_var, source=True
        )
    finally:
        backup.unlink(missing_ok=True)
        shutil.rmtree(var, ignore_errors=True)
    return _report(
        write,
        {
            "kind": "sqlite",
            "backup_seconds": _secs(backup_seconds),
            "backup_bytes": size,
            "recovery_seconds": _secs(recovery_seconds),
            "audit_intact": verify[0],
            "audit_source_intact": source_verify[0],
            "audit_output": verify[1],
            "source_rows": counts[0],
            "restored_rows": counts[1],
        },
    )


def _audit_verify(
    url: str,
    write: Write,
    *,
    var_dir: Path | None = None,
    checkpoints: Path | None = None,
    source: bool = False,
) -> tuple[bool, str]:
    """``lifeline audit verify`` on ``url`` in a process of its own: (intact, output)."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
    env["DATABASE_URL"] = url
    env.setdefault("DJANGO_SETTINGS_MODULE", "lifeline.settings")
    if var_dir is not None:
        env["LIFELINE_VAR_DIR"] = str(var_dir)
    command = [sys.executable, "-m", "lifeline.cli", "audit", "verify"]
    if checkpoints is not None and checkpoints.is_file():
        command += ["--checkpoints", str(checkpoints)]
    if source:
        write(_("lifeline audit verify on the source (to tell its faults from the copy's)"))
    else:
        write(_("lifeline audit verify on the restored copy"))
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603
    output = (done.stdout + done.stderr).strip()
    for line in output.splitlines():
        write(f"  {line}")
    return done.returncode == 0, output


def _checkpoint_file(conninfo: dict[str, str]) -> Path | None:
    """The source database's checkpoint file, as ``lifeline`` names it, if it is here."""
    from django.conf import settings

    label = f"postgresql-{conninfo.get('dbname') or 'lifeline'}"
    path = Path(settings.AUDIT_CHECKPOINT_DIR) / f"{label}.jsonl"
    return path if path.is_file() else None


def _conninfo(dsn: str) -> dict[str, str]:
    from psycopg.conninfo import conninfo_to_dict

    try:
        return {k: str(v) for k, v in conninfo_to_dict(dsn).items() if v is not None}
    except Exception as exc:
        raise ValueError(_("Not a PostgreSQL connection string: %(e)s") % {"e": exc}) from None


def _url(conninfo: dict[str, str]) -> str:
    user = quote(conninfo.get("user", "postgres"))
    password = f":{quote(conninfo['password'])}" if conninfo.get("password") else ""
    host = conninfo.get("host", "")
    port = conninfo.get("port", "")
    name = quote(conninfo.get("dbname", "lifeline"))
    if host.startswith("/"):
        return f"postgres://{user}{password}@:{port}/{name}?host={quote(host)}"
    return f"postgres://{user}{password}@{host}{':' + port if port else ''}/{name}"


def _pg_counts(dsn: str) -> dict[str, int]:
    import psycopg

    counts: dict[str, int] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in COUNTED_TABLES:
            exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()
            if exists and exists[0]:
                row = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # noqa: S608
                counts[table] = int(row[0]) if row else 0
    return counts


def _sqlite_counts(path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in COUNTED_TABLES:
            if table in names:
                counts[table] = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
    conn.close()
    return counts


def _prepare_data_dir(data: Path) -> None:
    """Make the copied data folder start as a server of its own, reachable only through
    its private socket: no standby or recovery settings inherited from the source."""
    for name in ("standby.signal", "recovery.signal", "postmaster.pid", "postmaster.opts"):
        (data / name).unlink(missing_ok=True)
    (data / "pg_hba.conf").write_text("local all all trust\n")
    for name in ("postgresql.conf", "pg_ident.conf"):  # kept elsewhere by some packagings
        (data / name).touch()
    data.chmod(0o700)


def _own(data: Path) -> None:
    if os.geteuid() != 0:
        return
    _run(["chown", "-R", "postgres:postgres", str(data)])
    try:
        _run(_as_postgres(["test", "-r", str(data / "PG_VERSION")]))
    except RuntimeError:
        raise RuntimeError(
            _("The postgres user cannot reach %(dir)s: choose a work folder it can enter.")
            % {"dir": data}
        ) from None


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as ``postgres`` when root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _require_tools(bindir: Path, *names: str) -> None:
    missing = [name for name in names if not (bindir / name).is_file()]
    if missing:
        raise ValueError(
            _("Missing in %(dir)s: %(names)s") % {"dir": bindir, "names": ", ".join(missing)}
        )


def _run(command: list[str]) -> None:
    # From a folder anyone may enter: the postgres user may not enter the caller's.
    done = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=3600, cwd=tempfile.gettempdir()
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{Path(command[0]).name}: {(done.stderr or done.stdout).strip()[:2000]}"
        )


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f}"


def _secs(seconds: float) -> float:
    return round(seconds, 2)


def _report(write: Write, result: dict[str, Any]) -> dict[str, Any]:
    for key, value in result.items():
        if key != "audit_output":
            write(f"  {key}: {value}")
    return result


def workdir_for_postgres() -> Path:
    """A fresh work folder the ``postgres`` user can enter (under the system temp folder)."""
    folder = Path(tempfile.mkdtemp(prefix="lifeline-backup-"))
    folder.chmod(0o755)
    return folder
