"""Keeps API keys and tokens out of every log line.

Open311 clients may send ``api_key`` in the query string (the spec's way), so a request
line, a URL or a dump of request data would carry a live credential into the logs, where
anyone reading them could use it. ``RedactSecrets`` is on every handler of
``settings.LOGGING``; ``GunicornLogger`` puts it on gunicorn's error and access logs
(``gunicorn --logger-class lifeline.core.log_redaction.GunicornLogger``, see
docs/operations.md). Neither reads Django settings: both run before and outside Django.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as _GunicornBaseLogger

REDACTED = "[redacted]"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # api_key=…, api-key: …, "api_key": "…", X-Api-Key: …, HTTP_X_API_KEY': '…
    (
        re.compile(r"""(api[_-]?key['"]?\s*(?:=|%3D|:)\s*['"]?)[^&\s'",;<>]+""", re.IGNORECASE),
        rf"\1{REDACTED}",
    ),
    (re.compile(r"(bearer\s+)[^\s'\",;]+", re.IGNORECASE), rf"\1{REDACTED}"),
    # A token anywhere else: the public prefix stays (it names the token), the rest goes.
    (re.compile(r"\b(ll_[A-Za-z0-9_-]{7})[A-Za-z0-9_-]+"), rf"\1{REDACTED}"),
)

# Request headers and environ entries that are credentials whatever their shape.
_SECRET_ATOMS = ("{x-api-key}i", "{authorization}i", "{cookie}i")
_SECRET_ENVIRON = ("{http_x_api_key}e", "{http_authorization}e", "{http_cookie}e")


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites a record's message, traceback and stack with secrets redacted; drops
    nothing. The record itself is changed, so every later handler sees it redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: logging reports it; nothing to redact
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class GunicornLogger(_GunicornBaseLogger):  # type: ignore[misc]
    """Gunicorn's logger with secrets redacted from its error log and from every atom of
    its access log, whatever ``--access-logformat`` is configured."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactSecrets) for f in handler.filters):
                    handler.addFilter(RedactSecrets())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for name in (*_SECRET_ATOMS, *_SECRET_ENVIRON):
            if name in atoms:
                atoms[name] = REDACTED
        return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}
