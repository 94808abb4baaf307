"""Domain errors: raised by services, turned into one JSON shape or a page message."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

NOT_FOUND = _("Not found.")
FORBIDDEN = _("Forbidden.")


class ServiceError(Exception):
    """A request the domain refuses. ``code`` is stable; ``message`` is translatable."""

    status = 400

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str = "invalid",
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.fields = fields or {}

    def as_dict(self) -> dict[str, object]:
        return {
            "error": {
                "code": self.code,
                "message": str(self.message),
                "fields": {k: [str(m) for m in v] for k, v in self.fields.items()},
            }
        }


class NotFound(ServiceError):
    status = 404

    def __init__(self, message: str | Promise = NOT_FOUND, *, code: str = "not_found") -> None:
        super().__init__(message, code=code)


class PermissionDenied(ServiceError):
    status = 403

    def __init__(self, message: str | Promise = FORBIDDEN, *, code: str = "forbidden") -> None:
        super().__init__(message, code=code)


class Conflict(ServiceError):
    status = 409


class TooManyRequests(ServiceError):
    """A limit was reached (``core.ratelimit``); ``retry_after`` is in seconds."""

    status = 429

    def __init__(
        self, message: str | Promise, *, code: str = "throttled", retry_after: int = 60
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


def database_unavailable(exc: BaseException) -> bool:
    """True for a failure of the database itself (down, restarting, connection lost,
    failed over): the request may succeed when tried again, so it is answered 503, not 500.
    A deadlock or serialization failure is of this kind too, and so is an error the driver
    raises itself, with no SQLSTATE from the server (seen behind PgBouncer while a primary
    shut down: "received 2 results from command 'COMMIT'")."""
    from django.db import DatabaseError, InterfaceError, OperationalError

    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    cause = exc.__cause__
    return (
        isinstance(exc, DatabaseError)
        and cause is not None
        and hasattr(cause, "sqlstate")
        and cause.sqlstate is None
    )
