"""One error shape for every API failure: ``{"error": {"code", "message", "fields"}}``.

Domain refusals (``ServiceError``), invalid input, missing credentials, unknown ids and
paths, wrong methods and unexpected crashes all leave in this shape, with the message in
the request's language (zh-Hans by default, English on ``Accept-Language: en``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from lifeline.core.errors import ServiceError, database_unavailable
from lifeline.core.safetext import unsafe_message

logger = logging.getLogger("lifeline.api")

ERROR_CONTENT_TYPE = "application/json; charset=utf-8"


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> bytes:
    payload = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return json.dumps(payload, ensure_ascii=False).encode()


def error_response(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> HttpResponse:
    return HttpResponse(
        error_body(code, message, fields), status=status, content_type=ERROR_CONTENT_TYPE
    )


def _validation_messages() -> dict[str, str]:
    # Built per call so that each message is translated in the request's language.
    return {
        "missing": _("This field is required."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "float_type": _("Enter a number."),
        "string_type": _("Enter text."),
        "string_too_long": _("This text is too long."),
        "string_too_short": _("This text is too short."),
        "string_pattern_mismatch": _("This value has the wrong format."),
        "bool_parsing": _("Enter true or false."),
        "date_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_type": _("Enter a date as YYYY-MM-DD."),
        "enum": _("Choose one of the allowed values."),
        "literal_error": _("Choose one of the allowed values."),
        "greater_than_equal": _("This number is too small."),
        "greater_than": _("This number is too small."),
        "less_than_equal": _("This number is too large."),
        "less_than": _("This number is too large."),
        "extra_forbidden": _("This field is not allowed here."),
        "model_attributes_type": _("Send a JSON object."),
        "dict_type": _("Send a JSON object."),
        "value_error": _("This value is not valid."),
        "unsafe_text": unsafe_message(),
        "list_type": _("Send a list."),
    }


def _field_name(loc: Any) -> str:
    """``("body", "payload", "phone")`` -> ``phone``; ``("query", "limit")`` -> ``limit``."""
    parts = [str(p) for p in (loc or ()) if p not in ("body", "query", "path", "header")]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    messages = _validation_messages()
    fields: dict[str, list[str]] = {}
    for error in errors:
        text = messages.get(str(error.get("type", "")), _("This value is not valid."))
        bucket = fields.setdefault(_field_name(error.get("loc")), [])
        if text not in bucket:
            bucket.append(text)
    return fields


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    429: "throttled",
}


def _http_message(status: int) -> str:
    messages = {
        400: _("The request could not be read. Send valid JSON."),
        401: _("Log in or send a valid API token."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("This conflicts with the current state."),
        413: _("The request is too large."),
        429: _("Too many requests. Try again later."),
    }
    return messages.get(status, _("The request was refused."))


def install(api: NinjaAPI) -> None:
    """Register the handlers that give every failure the one error shape."""

    def on_service_error(request: HttpRequest, exc: Any) -> HttpResponse:
        error: dict[str, Any] = exc.as_dict()["error"]
        # Defaults such as NotFound's "Not found." are plain strings: translate them here.
        message = _(error["message"])
        response = error_response(exc.status, error["code"], message, error["fields"])
        retry_after = getattr(exc, "retry_after", None)  # TooManyRequests
        if retry_after:
            response["Retry-After"] = str(retry_after)
        return response

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            422,
            "validation",
            _("Please correct the marked fields."),
            validation_fields(list(exc.errors)),
        )

    def on_auth(request: HttpRequest, exc: Any) -> HttpResponse:
        response = error_response(401, "unauthenticated", _http_message(401))
        response["WWW-Authenticate"] = "Bearer"
        return response

    def on_http(request: HttpRequest, exc: Any) -> HttpResponse:
        status = exc.status_code
        return error_response(status, _HTTP_CODES.get(status, "error"), _http_message(status))

    def on_404(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(404, "not_found", _http_message(404))

    def on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(413, "payload_too_large", _http_message(413))

    def on_suspicious(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(400, "bad_request", _http_message(400))

    def on_crash(request: HttpRequest, exc: Any) -> HttpResponse:
        if database_unavailable(exc):
            logger.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
            # Down, restarting or failing over: the client should try again.
            message = _("The service is briefly unavailable. Please try again in a moment.")
            response = error_response(503, "unavailable", message)
            response["Retry-After"] = "5"
            return response
        logger.exception("unhandled API error on %s %s", request.method, request.path)
        return error_response(500, "server_error", _("Something went wrong on our side."))

    api.add_exception_handler(ServiceError, on_service_error)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(HttpError, on_http)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(SuspiciousOperation, on_suspicious)
    api.add_exception_handler(Exception, on_crash)


def with_error_shape(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a ninja path view so its bare 405 answer also takes the error shape."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = error_response(405, "method_not_allowed", _http_message(405))
            response["Allow"] = allowed
        return response

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapped


def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under the API that no operation owns."""
    return error_response(404, "not_found", _http_message(404))


unknown_path.csrf_exempt = True  # type: ignore[attr-defined]
