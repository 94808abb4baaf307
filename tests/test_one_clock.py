"""One clock: no model field reads the wall clock by itself (auto_now / auto_now_add);
every timestamp comes from lifeline.core.clock.now(), which tests can freeze."""

from __future__ import annotations

from django.apps import apps
from django.db import models


def test_no_field_stamps_itself_from_the_wall_clock() -> None:
    offenders = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("lifeline.")
        for field in model._meta.get_fields()
        if isinstance(field, models.DateField)
        and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    ]
    assert offenders == []
