"""Supplies API: donations."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["supplies"])
