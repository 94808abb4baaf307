"""When the database itself fails (down, restarting, failing over), pages and the API
answer 503 with Retry-After, in the API's one error shape; never a 500 or a traceback."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory

from lifeline import server_errors
from lifeline.testing.factories import make_user

pytestmark = pytest.mark.django_db


def _database_down(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_the_api_answers_503_in_the_error_shape(client):
    user = make_user(username="dispatcher-503")
    client.force_login(user)
    with connection.execute_wrapper(_database_down):
        response = client.get("/api/v1/workorders", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body == {
        "error": {
            "code": "unavailable",
            "message": "The service is briefly unavailable. Please try again in a moment.",
            "fields": {},
        }
    }


def test_an_api_write_answers_503_and_writes_nothing(client):
    with connection.execute_wrapper(_database_down):
        response = client.post(
            "/api/v1/workorders",
            data={"category": "medicine"},
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer not-checked-the-database-is-down",
        )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"


@pytest.mark.parametrize(
    ("language", "heading"), [("zh-hans", "暂时无法使用"), ("en", "Briefly unavailable")]
)
def test_a_page_answers_503_with_a_short_translated_page(client, language, heading):
    user = make_user(username="officer-503")
    client.force_login(user)
    with connection.execute_wrapper(_database_down):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    text = response.content.decode()
    assert heading in text
    assert "Traceback" not in text and "OperationalError" not in text


def test_any_other_crash_is_still_a_500_in_the_error_shape():
    # Given an exception that is not the database's, when the last resort answers, then
    # it is a 500 (in the API's shape under /api/, the plain page elsewhere).
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        api = server_errors.server_error(RequestFactory().get("/api/v1/anything"))
        page = server_errors.server_error(RequestFactory().get("/anything"))
    assert api.status_code == 500 and json.loads(api.content)["error"]["code"] == "server_error"
    assert page.status_code == 500 and b"Traceback" not in page.content


def test_a_drivers_own_error_on_a_broken_connection_is_503_and_a_servers_error_is_not():
    from django.db import IntegrityError, InternalError

    from lifeline.core.errors import database_unavailable

    class DriverError(Exception):
        sqlstate = None  # raised by the driver itself: no answer from the server

    class ServerError(Exception):
        sqlstate = "XX000"  # the server's own internal error

    def wrapped(error_class: type[Exception], cause: Exception) -> Exception:
        try:
            raise error_class("x") from cause
        except Exception as exc:
            return exc

    assert database_unavailable(
        wrapped(InternalError, DriverError("received 2 results from command 'COMMIT'"))
    )
    assert not database_unavailable(wrapped(InternalError, ServerError("internal")))
    assert not database_unavailable(wrapped(IntegrityError, ServerError("duplicate")))
    assert not database_unavailable(RuntimeError("not the database"))
