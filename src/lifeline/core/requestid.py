"""The id of the request (or task, or command) now running, for audit records and logs.

The id is always made by the server. What a client sent as ``X-Request-ID`` is kept apart
(``client()``): it helps match a client's logs to the server's, but a client must not pick
the id that names its records in the audit log, nor, through it, their audit chain.
"""

from __future__ import annotations

import contextvars
import threading
import uuid

# (server's id, client's id): one variable, so one token restores both.
_ids: contextvars.ContextVar[tuple[str, str]] = contextvars.ContextVar(
    "request_id", default=("", "")
)


_thread = threading.local()


def new() -> str:
    """A fresh server-made request id."""
    return uuid.uuid4().hex


def current() -> str:
    """The request id, or a stable id for this thread when no request is running."""
    value = _ids.get()[0]
    if value:
        return value
    if not hasattr(_thread, "fallback"):
        _thread.fallback = f"proc-{uuid.uuid4().hex[:16]}"
    return str(_thread.fallback)


def client() -> str:
    """The id the client sent with the running request (already checked), or ""."""
    return _ids.get()[1]


def set_current(value: str, *, client: str = "") -> contextvars.Token[tuple[str, str]]:
    return _ids.set((value, client))


def reset(token: contextvars.Token[tuple[str, str]]) -> None:
    _ids.reset(token)
