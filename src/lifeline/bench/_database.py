"""A database of the bench's own on the PostgreSQL server of DATABASE_URL (or a temporary
SQLite file where the bench allows it), dropped afterwards unless kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings


@contextmanager
def bench_database(suffix: str, *, keep: bool, sqlite_ok: bool = False) -> Iterator[str]:
    """Yield the URL of a new database ``<name>_<suffix>``."""
    db = {key: str(value or "") for key, value in settings.DATABASES["default"].items()}
    if not db["ENGINE"].endswith("postgresql"):
        if not sqlite_ok:
            raise SystemExit(f"lifeline bench needs DATABASE_URL=postgres://... ({suffix})")
        if keep:
            folder = tempfile.mkdtemp(prefix="lifeline_bench_")
            yield f"sqlite:///{Path(folder) / f'{suffix}.sqlite3'}"
            print(f"kept {Path(folder) / f'{suffix}.sqlite3'}", flush=True)
            return
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / f'{suffix}.sqlite3'}"
        return
    import psycopg

    name = f"{db['NAME']}_{suffix}"
    conninfo = {
        k: v
        for k, v in {
            "host": db.get("HOST"),
            "port": db.get("PORT"),
            "user": db.get("USER"),
            "password": db.get("PASSWORD"),
        }.items()
        if v
    }
    admin = psycopg.connect(dbname="postgres", autocommit=True, **conninfo)  # type: ignore[arg-type]
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    auth = db.get("USER") or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    try:
        yield f"postgres://{auth}@{host}/{name}"
    finally:
        if not keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"dropped {name}", flush=True)
        admin.close()


def run_inside(command: str, suffix: str, *, keep: bool, forwarded: list[str]) -> dict[str, Any]:
    """Create ``<name>_<suffix>``, migrate it, and run ``lifeline bench <command> --inner
    <forwarded>`` inside it, echoing its progress; its last line (one JSON object) is the
    answer. The database is dropped afterwards unless ``keep``."""
    with bench_database(suffix, keep=keep) as url:
        env = {**os.environ, "DATABASE_URL": url, "LIFELINE_LOG_LEVEL": "WARNING"}
        print("bench database: migrating", flush=True)
        cli = [sys.executable, "-m", "lifeline.cli"]
        subprocess.run([*cli, "migrate", "--no-input", "-v", "0"], env=env, check=True)  # noqa: S603
        argv = [*cli, "bench", command, "--inner", *forwarded]
        lines: list[str] = []
        with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True) as proc:  # noqa: S603
            assert proc.stdout is not None
            for line in proc.stdout:
                if lines:  # echo progress; the inner run's figures become our last line
                    print(lines[-1], end="", flush=True)
                lines.append(line)
        if proc.returncode or not lines:
            raise SystemExit(f"the inner bench failed with exit code {proc.returncode}")
        return dict(json.loads(lines[-1]))
