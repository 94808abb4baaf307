"""Bursts from many threads at once, for the benchmarks (and one thread, in the caller's
own, for their tests on SQLite)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.db import connections

T = TypeVar("T")


def run_parts(worker: Callable[[T], Any], parts: Sequence[T], threads: int) -> None:
    """``worker`` over each part, from ``threads`` threads at once (each opens its own
    database connection); with one thread, in the caller's thread and connection."""
    if threads <= 1:
        for part in parts:
            worker(part)
        return
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, parts))


def close_thread_connections() -> None:
    """Close a pool thread's connections when it is done (never the caller's)."""
    if threading.current_thread() is not threading.main_thread():
        connections.close_all()
