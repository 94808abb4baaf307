"""Template helpers for the operator pages: names in the user's language, roles, links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.translation import get_language

from lifeline.accounts.models import Role
from lifeline.accounts.scoping import scope_for
from lifeline.core import clock
from lifeline.core.personal import age_band as age_band_of

register = template.Library()


@register.filter
def local_name(obj: Any) -> str:
    """The English name when the page is in English and one is known, else the name."""
    english = getattr(obj, "name_en", "")
    if english and (get_language() or "").startswith("en"):
        return str(english)
    return str(getattr(obj, "name", obj))


@register.filter
def age_band(birth_date: dt.date | None) -> str:
    """The age in ten-year bands ("60-69"): pages never show a birth date unrevealed."""
    return age_band_of(birth_date, clock.today())


@register.simple_tag(takes_context=True)
def user_roles(context: template.Context) -> list[str]:
    """Labels of the signed-in user's roles, from the same scope every read uses."""
    request = context.get("request")
    user = getattr(request, "user", None)
    labels = {role.value: str(role.label) for role in Role}
    return sorted(labels.get(role, role) for role in scope_for(user).roles)


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with ``changes`` applied, for pagers and filters."""
    request = context["request"]
    query = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def page_query(context: template.Context, param: str, number: int) -> str:
    """The current query string pointing one pager (named by ``param``) at page ``number``."""
    return query_with(context, **{param: number})
