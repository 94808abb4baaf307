"""The SMS backends: the console, and the JSON-over-HTTPS gateway against a local server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from lifeline.core.models import OutboxMessage, OutboxStatus
from lifeline.core.outbox import outbox_send_pending
from lifeline.core.sms_backends import (
    ConsoleBackend,
    HttpJsonBackend,
    PermanentSendError,
    TemporarySendError,
    load_backend,
)


class Gateway(BaseHTTPRequestHandler):
    """Answers with ``server.answer`` (status, body) and keeps what it was sent."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.server.seen.append(  # type: ignore[attr-defined]
            {
                "body": json.loads(self.rfile.read(length)),
                "auth": self.headers["Authorization"],
                "key": self.headers.get("Idempotency-Key"),
            }
        )
        status, body, delay = self.server.answer  # type: ignore[attr-defined]
        time.sleep(delay)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(body).encode())
        except BrokenPipeError:  # the client gave up waiting (the timeout test)
            pass

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway(settings) -> Iterator[Any]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    server.seen = []  # type: ignore[attr-defined]
    server.answer = (200, {"id": "gw-1"}, 0)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "lifeline.core.sms_backends.HttpJsonBackend"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_HTTP_KEY = "test-key"
    settings.SMS_HTTP_SENDER = "LIFELINE"
    settings.SMS_HTTP_TIMEOUT = 0.5
    yield server
    server.shutdown()
    server.server_close()


def test_the_gateway_gets_the_text_as_json_with_the_key_and_its_id_is_kept(db, gateway):
    # given a pending text
    message = OutboxMessage.objects.create(recipient="13800001234", body="明日核酸 8:00")
    # when the worker sends it through the gateway
    outbox_send_pending()
    # then the gateway got it, with the key, and the message is sent under the gateway's id
    assert gateway.seen == [
        {
            "body": {"to": "13800001234", "from": "LIFELINE", "text": "明日核酸 8:00"},
            "auth": "Bearer test-key",
            # the same for every attempt at this text: the gateway may drop a copy
            "key": f"outbox-{message.pk}",
        }
    ]
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.provider_message_id == "gw-1"


@pytest.mark.parametrize("status", [500, 503, 429, 408])
def test_a_busy_or_broken_gateway_is_a_temporary_failure(gateway, status):
    gateway.answer = (status, {"error": "busy"}, 0)
    with pytest.raises(TemporarySendError, match=str(status)):
        HttpJsonBackend().send("13800001234", "x")


@pytest.mark.parametrize("status", [400, 401, 403, 422])
def test_a_refused_request_is_a_permanent_failure(gateway, status):
    gateway.answer = (status, {"error": "bad number"}, 0)
    with pytest.raises(PermanentSendError, match=str(status)):
        HttpJsonBackend().send("13800001234", "x")


def test_a_gateway_that_does_not_answer_in_time_is_a_temporary_failure(gateway):
    gateway.answer = (200, {"id": "late"}, 1.5)
    with pytest.raises(TemporarySendError):
        HttpJsonBackend().send("13800001234", "x")


def test_a_closed_port_is_a_temporary_failure(gateway, settings):
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/send"
    with pytest.raises(TemporarySendError, match="unreachable"):
        HttpJsonBackend().send("13800001234", "x")


def test_the_gateway_refuses_plain_http_off_this_machine_and_a_missing_key(settings):
    settings.SMS_HTTP_KEY = "k"
    settings.SMS_HTTP_URL = "http://sms.example.com/send"
    with pytest.raises(ImproperlyConfigured, match="https"):
        HttpJsonBackend()
    settings.SMS_HTTP_URL = "https://sms.example.com/send"
    settings.SMS_HTTP_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="KEY"):
        HttpJsonBackend()


def test_the_console_is_the_default_and_masks_the_number(settings):
    settings.SMS_BACKEND = "console"
    lines: list[str] = []
    backend = load_backend(write=lines.append)
    assert isinstance(backend, ConsoleBackend)
    assert backend.send("13800001234", "您好").startswith("console-")
    assert lines == ["[sms] 138****1234: 您好"]


def test_an_unknown_backend_is_a_configuration_error(settings):
    settings.SMS_BACKEND = "lifeline.nowhere.Backend"
    with pytest.raises(ImproperlyConfigured, match="nowhere"):
        load_backend()
