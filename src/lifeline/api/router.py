"""Assembles the API: one NinjaAPI, every app's router mounted under /api/v1.

To add an app's endpoints, append ``(prefix, "lifeline.<app>.api")`` to ``MOUNTS``; the
scope-matrix test then refuses to pass until each new operation has a scoping case.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern, re_path
from ninja import NinjaAPI, Router
from ninja.parser import Parser

from lifeline.api import errors
from lifeline.api.auth import api_auth
from lifeline.core.jsonbody import read_json

# (URL prefix under /api/v1, module holding ``router``), mounted in this order.
MOUNTS: list[tuple[str, str]] = [
    ("/", "lifeline.registry.api"),
    ("/", "lifeline.workorders.api"),
    ("/health", "lifeline.health.api"),
    ("/", "lifeline.passes.api"),
    ("/screening", "lifeline.screening.api"),
    ("/teams", "lifeline.teams.api"),
    ("/supplies", "lifeline.supplies.api"),
    ("/volunteers", "lifeline.volunteers.api"),
    ("/keyusers", "lifeline.keyusers.api"),
    ("/counselling", "lifeline.counselling.api"),
    ("/continuity", "lifeline.continuity.api"),
    ("/enterprises", "lifeline.enterprises.api"),
    ("/command", "lifeline.command.api"),
    ("/notices", "lifeline.notices.api"),
]


class ObjectParser(Parser):
    """Request bodies are JSON objects, bounded in depth (``core.jsonbody``); a list,
    string or null, or a body nested too deeply, is unreadable input (400)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = read_json(request.body)
        if not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        return data


class LifelineAPI(NinjaAPI):
    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        wrapped: list[Any] = [
            URLPattern(p.pattern, errors.with_error_shape(p.callback), p.default_args, p.name)
            if isinstance(p, URLPattern)
            else p
            for p in patterns
        ]
        # Last: any other path under the API answers 404 in the error shape, not HTML.
        wrapped.append(re_path(r"^.*$", errors.unknown_path, name="unknown"))
        return wrapped, app_name, namespace


api = LifelineAPI(
    title="Lifeline API",
    version="1",
    urls_namespace="api",
    auth=api_auth(),
    parser=ObjectParser(),
)
errors.install(api)

for _prefix, _module in MOUNTS:
    _router: Router = import_module(_module).router
    api.add_router(_prefix, _router)
