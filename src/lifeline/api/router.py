"""Assembles the API: one NinjaAPI, every app's router mounted under /api/v1."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Lifeline API", version="1", urls_namespace="api")
