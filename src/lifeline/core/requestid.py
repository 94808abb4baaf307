"""The id of the request (or task, or command) now running, for audit records and logs."""

from __future__ import annotations

import contextvars
import threading
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


_thread = threading.local()


def current() -> str:
    """The request id, or a stable id for this thread when no request is running."""
    value = _request_id.get()
    if value:
        return value
    if not hasattr(_thread, "fallback"):
        _thread.fallback = f"proc-{uuid.uuid4().hex[:16]}"
    return str(_thread.fallback)


def set_current(value: str) -> contextvars.Token[str]:
    return _request_id.set(value)


def reset(token: contextvars.Token[str]) -> None:
    _request_id.reset(token)
