"""Worker-loss drill: ``kill -9`` a worker in the middle of its work, then count what
became of the work.

The drill starts ``workers`` processes of ``lifeline worker`` on the given database and
feeds them two kinds of work:

- outbox texts, sent through the real JSON-over-HTTP backend to a small gateway inside
  the drill that records every request and takes a moment to answer. While it holds one
  request it kills the worker that made it: that text has reached the gateway but was
  never marked sent, so the next worker sends it again once the claim's lease ends
  (``LIFELINE_OUTBOX_LEASE_SECONDS``, short for the drill). The outbox is at-least-once;
  the drill counts the duplicates the gateway saw rather than hiding them;
- django-tasks tasks that each take a moment; a worker is killed while it runs one. The
  task stays ``RUNNING`` until the stale-task sweep (``core/task_recovery.py``) queues it
  again after ``LIFELINE_TASK_RUNNING_LIMIT_SECONDS`` (short for the drill).

A killed worker is replaced at once, as a supervisor would. Run it on a drill database,
never on a live one: the drill refuses a database where texts are pending (its gateway
would take them), and texts the workers' sweeps queue meanwhile go to the gateway too
(counted as ``other_texts_taken``). It removes its own rows when done. PostgreSQL only:
the figures are read with plain SQL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django_tasks import task

DRILL_OBJECT_TYPE = "cluster.drill"
TASK_PATH = "lifeline.cluster.worker_drill.drill_task"
SEND_SECONDS = 0.3  # how long the gateway holds each text
TASK_SECONDS = 3.0  # how long each drill task runs


@task()
def drill_task(*, run: str, number: int, seconds: float, log_path: str) -> int:
    """Sleep a moment, noting its start and end in ``log_path`` (one line each)."""
    _note(log_path, f"start {number} {os.getpid()}")
    time.sleep(seconds)
    _note(log_path, f"done {number} {os.getpid()}")
    return number


def _note(path: str, line: str) -> None:
    with open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())


@dataclass
class _Kill:
    pid: int = 0
    at: float = 0.0
    mid_send: bool = False


@dataclass
class _Gateway:
    """An SMS gateway on loopback: records each text, holds it ``SEND_SECONDS``, answers."""

    on_request: Callable[[int], None]
    texts: list[str] = field(default_factory=list)
    extra_keys: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> int:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = json.loads(self.rfile.read(length) or b"{}")
                with gateway.lock:
                    gateway.texts.append(str(data.get("text", "")))
                    gateway.extra_keys |= set(data) - {"to", "from", "text"}
                    if self.headers.get("Idempotency-Key"):
                        gateway.extra_keys.add("Idempotency-Key")
                    count = len(gateway.texts)
                gateway.on_request(self.client_address[1])
                time.sleep(SEND_SECONDS)
                answer = json.dumps({"id": f"gw-{count}"}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the sender was killed while the gateway held its text

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return int(self.server.server_address[1])

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def worker_kill_drill(
    *,
    database_url: str,
    workdir: Path,
    write: Callable[[str], None],
    workers: int = 3,
    messages: int = 60,
    tasks: int = 6,
    lease_seconds: int = 15,
    timeout: float = 180.0,
    allow_other_texts: bool = False,
) -> dict[str, Any]:
    """Run the drill against ``database_url`` (migrated PostgreSQL, no texts pending unless
    ``allow_other_texts``: a rehearsal database whose texts are synthetic, which the drill's
    gateway may take and counts apart); returns its figures. Starts and ends its own worker
    processes; writes their logs and the task log into ``workdir``."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise ValueError(_("The worker drill needs a PostgreSQL DATABASE_URL."))
    if workers < 2 or messages < 3 or tasks < 1 or lease_seconds < 5:
        raise ValueError(
            _("The worker drill needs at least 2 workers, 3 texts, 1 task and a 5-second lease.")
        )
    workdir.mkdir(parents=True, exist_ok=True)
    run = get_random_string(8)
    task_log = workdir / f"tasks-{run}.log"
    task_log.touch()
    started = time.monotonic()
    pending = _sql_one(
        database_url,
        "SELECT count(*) FROM core_outboxmessage WHERE status = %s AND object_type <> %s",
        ["pending", DRILL_OBJECT_TYPE],
    )
    if pending and not allow_other_texts:
        raise RuntimeError(
            _("%(n)s texts are pending in this database: the drill's gateway would take them.")
            % {"n": pending}
        )
    pool = _Pool(workdir=workdir, write=write)
    send_kill = _Kill()
    kill_at_request = max(messages // 3, 1)

    def on_request(client_port: int) -> None:
        with gateway.lock:
            if send_kill.pid or len(gateway.texts) < kill_at_request:
                return
            pid = pool.pid_with_port(client_port)
            send_kill.pid, send_kill.mid_send = pid or pool.any_pid(), bool(pid)
        pool.kill(send_kill.pid)
        send_kill.at = time.monotonic()
        write(
            _("killed worker %(pid)s (kill -9) while the gateway held its text")
            % {"pid": send_kill.pid}
        )

    gateway = _Gateway(on_request=on_request)
    port = gateway.start()
    pool.env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"},
        "DATABASE_URL": database_url,
        "LIFELINE_SMS_BACKEND": "lifeline.core.sms_backends.HttpJsonBackend",
        "LIFELINE_SMS_HTTP_URL": f"http://127.0.0.1:{port}/",
        "LIFELINE_SMS_HTTP_KEY": "drill",
        "LIFELINE_SMS_HTTP_TIMEOUT": "2",
        "LIFELINE_OUTBOX_LEASE_SECONDS": str(lease_seconds),
        "LIFELINE_TASK_RUNNING_LIMIT_SECONDS": str(lease_seconds),
    }
    try:
        write(
            _("queueing %(m)s texts and %(t)s tasks (run %(run)s)")
            % {"m": messages, "t": tasks, "run": run}
        )
        _helper(pool.env, "enqueue", run, str(messages), str(tasks), str(task_log))
        write(_("starting %(n)s workers (lease %(s)s s)") % {"n": workers, "s": lease_seconds})
        for _index in range(workers):
            pool.start()
        task_kill = _Kill()
        outbox_done_at = tasks_done_at = 0.0
        deadline = time.monotonic() + timeout
        figures: dict[str, Any] = {}
        while time.monotonic() < deadline:
            time.sleep(0.5)
            if send_kill.pid and not pool.replaced(send_kill.pid):
                pool.replace(send_kill.pid)
            if not task_kill.pid:
                pid = _running_task_pid(task_log, pool.pids())
                if pid:
                    pool.kill(pid)
                    task_kill.pid, task_kill.at, task_kill.mid_send = pid, time.monotonic(), True
                    write(
                        _("killed worker %(pid)s (kill -9) in the middle of a task") % {"pid": pid}
                    )
                    pool.replace(pid)
            figures = _read_figures(database_url, run)
            now = time.monotonic()
            if send_kill.at and figures["outbox_done"]:
                outbox_done_at = outbox_done_at or now
            if task_kill.at and figures["tasks_done"]:
                tasks_done_at = tasks_done_at or now
            if outbox_done_at and tasks_done_at:
                break
        else:
            write(_("gave up waiting after %(s)s s") % {"s": int(timeout)})
        finished = time.monotonic()
    finally:
        pool.stop_all()
        gateway.stop()
        _sql_execute(database_url, run)
    received = Counter(t for t in gateway.texts if t.startswith(f"drill {run} "))
    runs = Counter(
        line.split()[1] for line in task_log.read_text().splitlines() if line.startswith("start")
    )
    result = {
        "workers": workers,
        "messages": messages,
        "marked_sent": figures.get("sent", 0),
        "sent_once": sum(1 for n in received.values() if n == 1),
        "duplicates": sum(n - 1 for n in received.values()),
        "lost": messages - len(received),
        "other_texts_taken": len(gateway.texts) - sum(received.values()),
        "killed_mid_send": send_kill.mid_send,
        "idempotency_key_sent": bool(gateway.extra_keys),
        "outbox_recovery_seconds": _since(send_kill.at, outbox_done_at),
        "lease_seconds": lease_seconds,
        "tasks": tasks,
        "tasks_successful": figures.get("tasks_successful", 0),
        "tasks_stuck_running": figures.get("tasks_running", 0),
        "tasks_failed": figures.get("tasks_failed", 0),
        "task_runs_started": sum(runs.values()),
        "tasks_run_more_than_once": sum(1 for n in runs.values() if n > 1),
        "task_recovery_seconds": _since(task_kill.at, tasks_done_at),
        "seconds": round(finished - started, 1),
    }
    for key, value in result.items():
        write(f"  {key}: {value}")
    return result


def _since(start: float, end: float) -> float | None:
    """Seconds from a kill to the work being done again; None when it never was."""
    return round(end - start, 1) if start and end else None


class _Pool:
    """The drill's ``lifeline worker`` processes."""

    def __init__(self, *, workdir: Path, write: Callable[[str], None]) -> None:
        self.workdir, self.write = workdir, write
        self.env: dict[str, str] = {}
        self.procs: dict[int, subprocess.Popen[bytes]] = {}
        self.dead: set[int] = set()
        self.done: set[int] = set()

    def start(self) -> None:
        log = open(self.workdir / f"worker-{len(self.procs) + 1}.log", "wb")  # noqa: SIM115
        args = [sys.executable, "-m", "lifeline.cli", "worker", "--interval", "0.2", "--beat", "1"]
        proc = subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        log.close()
        self.procs[proc.pid] = proc

    def pids(self) -> list[int]:
        return [pid for pid in self.procs if pid not in self.dead]

    def any_pid(self) -> int:
        return self.pids()[0]

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        self.procs[pid].wait()
        self.dead.add(pid)

    def replaced(self, pid: int) -> bool:
        return pid in self.done

    def replace(self, pid: int) -> None:
        self.done.add(pid)
        self.start()
        self.write(_("started a replacement worker"))

    def pid_with_port(self, port: int) -> int:
        """The worker whose socket has this local port on loopback (Linux ``/proc``)."""
        inode = _socket_inode(port)
        for pid in self.pids():
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                        return pid
                except OSError:
                    continue
        return 0

    def stop_all(self) -> None:
        for pid in self.pids():
            self.procs[pid].send_signal(signal.SIGTERM)
        for pid in self.pids():
            try:
                self.procs[pid].wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.procs[pid].kill()


def _socket_inode(port: int) -> str:
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return "-"
    for line in lines:
        parts = line.split()
        if int(parts[1].rsplit(":", 1)[1], 16) == port:
            return parts[9]
    return "-"


def _running_task_pid(task_log: Path, pids: list[int]) -> int:
    """A live worker that has started a drill task and not finished it."""
    running: dict[str, int] = {}
    for line in task_log.read_text().splitlines():
        if len(parts := line.split()) != 3:
            continue  # a line being written
        kind, number, pid = parts
        if kind == "start":
            running[number] = int(pid)
        else:
            running.pop(number, None)
    return next((pid for pid in running.values() if pid in pids), 0)


def _read_figures(database_url: str, run: str) -> dict[str, Any]:
    outbox = dict(
        _sql_rows(
            database_url,
            "SELECT status, count(*) FROM core_outboxmessage WHERE object_type = %s "
            "AND object_id LIKE %s GROUP BY status",
            [DRILL_OBJECT_TYPE, f"{run}:%"],
        )
    )
    tasks = dict(
        _sql_rows(
            database_url,
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = %s AND args_kwargs -> 'kwargs' ->> 'run' = %s GROUP BY status",
            [TASK_PATH, run],
        )
    )
    return {
        "sent": outbox.get("sent", 0),
        "outbox_done": not outbox.get("pending"),
        "tasks_successful": tasks.get("SUCCESSFUL", 0),
        "tasks_running": tasks.get("RUNNING", 0),
        "tasks_failed": tasks.get("FAILED", 0),
        "tasks_done": not tasks.get("RUNNING") and not tasks.get("READY"),
    }


def _sql_rows(database_url: str, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]


def _sql_one(database_url: str, sql: str, params: list[Any]) -> Any:
    return _sql_rows(database_url, sql, params)[0][0]


def _sql_execute(database_url: str, run: str) -> None:
    """Remove the drill's rows."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM core_outboxmessage WHERE object_type = %s AND object_id LIKE %s",
            [DRILL_OBJECT_TYPE, f"{run}:%"],
        )
        conn.execute(
            "DELETE FROM django_tasks_database_dbtaskresult WHERE task_path = %s "
            "AND args_kwargs -> 'kwargs' ->> 'run' = %s",
            [TASK_PATH, run],
        )


def _helper(env: dict[str, str], *args: str) -> None:
    """Run a step that needs Django on the drill's database, in a process of its own."""
    command = [sys.executable, "-m", "lifeline.cluster.worker_drill", *args]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)  # noqa: S603


def _enqueue(run: str, messages: int, tasks: int, task_log: str) -> None:
    import datetime as dt

    from lifeline.core import clock
    from lifeline.core.models import OutboxMessage
    from lifeline.core.outbox import enqueue_sms

    start = clock.now() + dt.timedelta(seconds=3)
    for number in range(messages):
        enqueue_sms(
            recipient=f"+8613800{number:06d}",
            body=f"drill {run} {number}",
            object_type=DRILL_OBJECT_TYPE,
            object_id=f"{run}:{number}",
        )
    # Due one after another, so that every worker has a share of the sending.
    for number, pk in enumerate(
        OutboxMessage.objects.filter(object_type=DRILL_OBJECT_TYPE, object_id__startswith=f"{run}:")
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        OutboxMessage.objects.filter(pk=pk).update(
            next_attempt_at=start + dt.timedelta(seconds=0.1 * number)
        )
    for number in range(tasks):
        drill_task.enqueue(run=run, number=number, seconds=TASK_SECONDS, log_path=task_log)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifeline.settings")
    import django

    django.setup()
    from lifeline.cluster import worker_drill

    if sys.argv[1] == "enqueue":
        worker_drill._enqueue(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
