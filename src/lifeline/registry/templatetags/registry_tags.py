"""Template helpers for the registry's pages: where an area opens."""

from __future__ import annotations

from django import template
from django.urls import reverse

from lifeline.registry.models import Area, AreaLevel

register = template.Library()


@register.filter
def area_url(area: Area) -> str:
    """A grid opens its work page; any other area opens its children."""
    if area.level == AreaLevel.GRID:
        return reverse("registry:grid", args=[area.pk])
    return reverse("registry:area_detail", args=[area.pk])
