"""API keys and tokens never reach a log: the filter on every handler, and gunicorn's logs."""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from lifeline.core.log_redaction import GunicornLogger, RedactSecrets, redact

TOKEN = "ll_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd"


@pytest.mark.parametrize(
    "line",
    [
        f"GET /open311/v2/requests.json?api_key={TOKEN}&service_code=gas HTTP/1.1",
        f"POST body api_key={TOKEN}",
        f"{{'api_key': '{TOKEN}'}}",
        f'{{"api_key": "{TOKEN}"}}',
        f"X-Api-Key: {TOKEN}",
        f"{{'HTTP_X_API_KEY': '{TOKEN}'}}",
        f"Authorization: Bearer {TOKEN}",
        f"Unexpected auth - 'Token {TOKEN}'",
        "GET /open311/v2/requests.json?API_KEY=not-shaped-like-ours HTTP/1.1",
    ],
)
def test_redact_removes_keys_in_every_shape_they_are_written(line):
    cleaned = redact(line)
    assert TOKEN[10:] not in cleaned
    assert "not-shaped-like-ours" not in cleaned
    assert "[redacted]" in cleaned


def test_redact_keeps_the_rest_of_the_line():
    line = "GET /open311/v2/requests.json?api_key=abc&service_code=gas HTTP/1.1"
    assert redact(line) == (
        "GET /open311/v2/requests.json?api_key=[redacted]&service_code=gas HTTP/1.1"
    )
    assert redact("api_key is required.") == "api_key is required."


def test_filter_redacts_the_message_its_arguments_and_the_traceback():
    # given a record with the key in an argument and in an exception
    try:
        raise ValueError(f"bad url /x?api_key={TOKEN}")
    except ValueError as error:
        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "failed %s", (f"?api_key={TOKEN}",), None
        )
        record.exc_info = (ValueError, error, error.__traceback__)
    # when it passes the filter
    assert RedactSecrets().filter(record) is True
    # then neither the message nor the formatted record holds the key
    formatted = logging.Formatter("%(message)s").format(record)
    assert TOKEN[10:] not in formatted
    assert "api_key=[redacted]" in formatted


def test_gunicorn_access_log_never_writes_the_key(tmp_path):
    # given gunicorn's logger writing an access log with the request line, the query and a
    # header the client sent the key in
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s q=%(q)s h=%({x-api-key}i)s')
    log = GunicornLogger(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/open311/v2/requests.json?api_key={TOKEN}",
        "PATH_INFO": "/open311/v2/requests.json",
        "QUERY_STRING": f"api_key={TOKEN}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "198.51.100.7",
        "HTTP_X_API_KEY": TOKEN,
    }
    request = SimpleNamespace(headers=[("X-API-KEY", TOKEN)])
    response = SimpleNamespace(status="200 OK", headers=[], sent=2)
    # when a request is logged, and an error naming its URL
    try:
        log.access(response, request, environ, dt.timedelta(milliseconds=5))
        log.error("Error handling request %s", environ["RAW_URI"])
    finally:
        for logger in (log.access_log, log.error_log):
            for handler in list(logger.handlers):
                handler.close()
                logger.removeHandler(handler)
    # then both logs have the request, never the key
    access = (tmp_path / "access.log").read_text()
    error = (tmp_path / "error.log").read_text()
    assert "GET /open311/v2/requests.json?api_key=[redacted] HTTP/1.1" in access
    assert "/open311/v2/requests.json?api_key=[redacted]" in error
    assert TOKEN[10:] not in access + error
