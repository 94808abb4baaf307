"""Where the outbox hands its texts: one class per SMS provider, chosen by settings.

``settings.SMS_BACKEND`` is the dotted path of a class (``"console"`` is short for
:class:`ConsoleBackend`). The outbox makes one per batch as ``Backend(write=...)`` and calls
``send(recipient, body)``, which returns the provider's id of the message once the provider
has accepted it, or raises:

- :class:`TemporarySendError` when trying again later may work (the provider is down,
  busy, or did not answer in time): the outbox backs off and retries;
- :class:`PermanentSendError` when it never will (a malformed number, a refused key): the
  message goes straight to the dead-letter list.

Any other exception counts as temporary. Errors must not carry the full recipient; the
outbox masks it anyway before storing the text.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

from lifeline.core.personal import mask_phone

Write = Callable[[str], Any]

ALIASES = {"console": "lifeline.core.sms_backends.ConsoleBackend"}


class SendError(Exception):
    """The provider did not take the message."""


class TemporarySendError(SendError):
    """Worth trying again later."""


class PermanentSendError(SendError):
    """Never worth trying again: the message is dead-lettered at once."""


class SmsBackend(Protocol):
    # ``key`` names the text for good (the outbox message's): a text handed over again
    # after a worker died mid-send carries the same key, so a provider can drop the copy.
    def send(self, recipient: str, body: str, *, key: str = "") -> str: ...


def load_backend(*, write: Write = print) -> SmsBackend:
    """The configured backend, ready to send; ``ImproperlyConfigured`` when it cannot be."""
    path = str(getattr(settings, "SMS_BACKEND", "") or "console")
    try:
        backend_class = import_string(ALIASES.get(path, path))
    except ImportError as exc:
        raise ImproperlyConfigured(f"unknown SMS backend {path!r}") from exc
    backend: SmsBackend = backend_class(write=write)
    return backend


class ConsoleBackend:
    """Prints each text with the number masked (development, demos, tests)."""

    def __init__(self, *, write: Write = print) -> None:
        self.write = write

    def send(self, recipient: str, body: str, *, key: str = "") -> str:
        self.write(f"[sms] {mask_phone(recipient)}: {body}")
        return "console-" + get_random_string(12)


# Answers that say the same request may succeed later; every other 4xx is the request's fault.
RETRYABLE_STATUS = frozenset({408, 425, 429})


class HttpJsonBackend:
    """A generic JSON-over-HTTPS SMS gateway.

    Each text is one ``POST`` to ``SMS_HTTP_URL`` with the body
    ``{"to": ..., "from": SMS_HTTP_SENDER, "text": ...}`` and the header
    ``Authorization: Bearer SMS_HTTP_KEY``, and ``Idempotency-Key: outbox-<id>``, the same
    for every attempt at one text (a text is sent again when its worker died after the
    gateway took it: a gateway that honours the key drops the copy); a 2xx answer carries
    the provider's id as ``{"id": ...}`` (or ``message_id``). 5xx, 408, 425, 429, a refused
    connection and a timeout are temporary; any other 4xx is permanent. Plain ``http://`` is
    accepted only for a loopback address (a gateway on the same machine, tests).
    """

    def __init__(self, *, write: Write = print) -> None:
        self.url = str(getattr(settings, "SMS_HTTP_URL", "") or "")
        self.key = str(getattr(settings, "SMS_HTTP_KEY", "") or "")
        self.sender = str(getattr(settings, "SMS_HTTP_SENDER", "") or "")
        self.timeout = float(getattr(settings, "SMS_HTTP_TIMEOUT", 10))
        parsed = urlparse(self.url)
        if not parsed.hostname or parsed.scheme not in {"https", "http"}:
            raise ImproperlyConfigured("SMS_HTTP_URL must be an https:// address")
        if parsed.scheme == "http" and not _is_loopback(parsed.hostname):
            raise ImproperlyConfigured("SMS_HTTP_URL must use https:// outside this machine")
        if not self.key:
            raise ImproperlyConfigured("SMS_HTTP_KEY is not set")

    def send(self, recipient: str, body: str, *, key: str = "") -> str:
        payload = json.dumps({"to": recipient, "from": self.sender, "text": body}).encode()
        request = urllib.request.Request(  # noqa: S310 - https (or loopback http), checked above
            self.url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.key}",
                **({"Idempotency-Key": key} if key else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            reason = f"gateway answered {exc.code}"
            if exc.code >= 500 or exc.code in RETRYABLE_STATUS:
                raise TemporarySendError(reason) from None
            raise PermanentSendError(reason) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TemporarySendError(f"gateway unreachable: {_reason(exc)}") from None
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            data = {}
        found = data.get("id") or data.get("message_id") if isinstance(data, dict) else None
        return str(found or "")[:200]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _reason(exc: BaseException) -> str:
    inner = getattr(exc, "reason", None)
    return str(inner if inner is not None else exc)[:200] or type(exc).__name__
