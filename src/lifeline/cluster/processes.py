"""Starting, probing and stopping the cluster's processes."""

from __future__ import annotations

import contextlib
import http.client
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

POSTGRES_USER = "postgres"


def is_root() -> bool:
    return os.geteuid() == 0


def as_postgres(argv: Sequence[str]) -> list[str]:
    """PostgreSQL's servers and tools refuse to run as root: as root, run them as the
    ``postgres`` user; as anyone else, as that user."""
    if is_root():
        return ["runuser", "-u", POSTGRES_USER, "--", *argv]
    return list(argv)


def give_to_postgres(path: Path, mode: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if is_root():
        user = pwd.getpwnam(POSTGRES_USER)
        os.chown(path, user.pw_uid, user.pw_gid)
    path.chmod(mode)


def find_program(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/bin")


def run(argv: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    """Run to completion; on failure raise with the command's own words (its stderr)."""
    done = subprocess.run(  # noqa: S603
        list(argv), env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{' '.join(argv[:4])}: exit {done.returncode}: {' / '.join(detail)}")
    return done.stdout


def spawn(argv: Sequence[str], *, log: Path, env: dict[str, str] | None = None) -> int:
    """Start in the background, in its own session (so its process group is its own and
    outlives this command), output appended to ``log``; returns the pid."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603
            list(argv),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    # Never waited for here: detach the handle so no warning says it is still running.
    proc.returncode = 0
    return proc.pid


def alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (a child of this process that died) is not alive.
    with contextlib.suppress(OSError):
        status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return status != "Z"
    return True


def reap() -> None:
    """Collect the exit status of children that died (killed app servers)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def kill_group(pid: int, sig: signal.Signals) -> bool:
    """Signal the process group ``pid`` leads (gunicorn's master and its workers)."""
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return False
    return True


def stop_group(pid: int, *, timeout: float = 15) -> None:
    """SIGTERM the group, then SIGKILL what is left after ``timeout`` seconds."""
    if not alive(pid):
        return
    kill_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        reap()
        time.sleep(0.2)
    if alive(pid):
        kill_group(pid, signal.SIGKILL)


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def http_status(port: int, path: str, *, timeout: float = 5) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        conn.close()


def wait_until(check: Callable[[], bool], *, timeout: float, what: str, pid: int = 0) -> None:
    """Poll ``check()`` until true; raise after ``timeout`` or when ``pid`` died."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline or (pid and not alive(pid)):
            raise RuntimeError(f"{what}: not ready after {timeout:.0f} s")
        time.sleep(0.3)


def read_pid(path: Path) -> int:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return 0
