"""The embedded SQLite database holds every resident: its folder is 0700 and the database
file, with SQLite's -wal and -shm files beside it, 0600, from the first write on; an
existing database left readable by others is fixed at start."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from lifeline.settings import private_dir, private_file

# Opens the database the way the application does and writes to it, then prints the modes
# while the connection is open (SQLite removes -wal and -shm when the last one closes).
_OPEN_AND_WRITE = """
import os
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS t (x)")
    cursor.execute("INSERT INTO t VALUES (1)")
db = settings.DATABASES["default"]["NAME"]
for path in (settings.VAR_DIR, settings.KEYS_DIR, db, db + "-wal", db + "-shm"):
    print(path, oct(os.stat(path).st_mode & 0o777))
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run(var_dir: Path, **more: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("LIFELINE_") and k != "DATABASE_URL"
    }
    env.update(LIFELINE_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="lifeline.settings", **more)
    done = subprocess.run(
        [sys.executable, "-c", _OPEN_AND_WRITE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(line.rsplit(" ", 1) for line in done.stdout.splitlines())


def test_a_new_var_dir_and_its_database_are_private_from_the_first_write(tmp_path):
    # given a var dir that does not exist yet (nor its parent)
    var_dir = tmp_path / "new" / "var"

    # when Lifeline starts on it and writes to its SQLite database
    modes = _run(var_dir)

    # then the folders are 0700 and the database with its -wal and -shm 0600
    db = var_dir / "lifeline.sqlite3"
    assert modes == {
        str(var_dir): "0o700",
        str(var_dir / "keys"): "0o700",
        str(db): "0o600",
        f"{db}-wal": "0o600",
        f"{db}-shm": "0o600",
    }
    assert _mode(var_dir.parent) == 0o700  # created on the way, so private too


def test_an_existing_readable_database_is_made_private_at_start(tmp_path):
    # given a var dir and a database that others may read, from before this change
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    var_dir.chmod(0o755)
    db = var_dir / "lifeline.sqlite3"
    db.touch()
    db.chmod(0o644)
    wal = var_dir / "lifeline.sqlite3-wal"
    wal.touch()
    wal.chmod(0o644)

    # when Lifeline starts on it
    modes = _run(var_dir)

    # then the folder is 0700 and the files 0600
    assert modes[str(var_dir)] == "0o700"
    assert modes[str(db)] == modes[f"{db}-wal"] == modes[f"{db}-shm"] == "0o600"


def test_a_database_named_elsewhere_is_private_but_its_existing_folder_is_left_alone(tmp_path):
    # given DATABASE_URL naming a file in an existing folder shared with others
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    db = shared / "city.sqlite3"

    # when Lifeline starts on it
    modes = _run(tmp_path / "var", DATABASE_URL=f"sqlite:///{db}")

    # then the database is 0600, and the folder keeps the mode its owner gave it
    assert modes[str(db)] == modes[f"{db}-wal"] == "0o600"
    assert _mode(shared) == 0o755


def test_a_shared_sticky_folder_is_never_made_private(tmp_path):
    sticky = tmp_path / "tmp"
    sticky.mkdir()
    sticky.chmod(0o1777)
    private_dir(sticky)
    assert stat.S_IMODE(sticky.stat().st_mode) == 0o1777


def test_the_helpers_create_private_paths_and_keep_existing_data(tmp_path):
    folder = private_dir(tmp_path / "a" / "b")
    assert _mode(folder) == _mode(folder.parent) == 0o700

    existing = tmp_path / "data.sqlite3"
    existing.write_bytes(b"kept")
    existing.chmod(0o664)
    private_file(existing)
    assert _mode(existing) == 0o600 and existing.read_bytes() == b"kept"

    new = private_file(folder / "new.sqlite3")
    assert _mode(new) == 0o600 and new.read_bytes() == b""
