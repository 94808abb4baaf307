"""Pieces the counselling services share: input checks and the line's permission checks."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from lifeline.accounts.scoping import require
from lifeline.core.actors import Actor
from lifeline.core.errors import ServiceError
from lifeline.core.safetext import has_unsafe
from lifeline.registry.models import Unit

# What may be published: a landline (with an extension), a 400/800 line or a short service
# number. A personal mobile is refused: it is the counsellor's, not the line's.
PUBLIC_PHONE = re.compile(r"^(0\d{2,3}-?\d{7,8}(-\d{1,5})?|[48]00-?\d{3}-?\d{4}|\d{5})$")


def invalid(fields: dict[str, list[str]]) -> ServiceError:
    first = next(iter(fields.values()))[0]
    return ServiceError(first, fields=fields)


def require_line(actor: Actor, perm: Any, line: Unit, message: Any = None) -> None:
    """Refuse unless ``perm`` holds on ``line`` (404 when the actor is not of the line)."""
    if line.kind != Unit.Kind.COUNSELLING_LINE:
        raise ServiceError(_("This unit is not a counselling line."), code="not_a_line")
    require(actor, perm, unit_id=line.pk, message=message)


def text(value: Any, limit: int, field: str, fields: dict[str, list[str]]) -> str:
    clean = str(value or "").strip()
    if len(clean) > limit or has_unsafe(clean):
        fields[field] = [str(_("At most %(n)s characters, no control characters.") % {"n": limit})]
    return clean


def choice(value: Any, allowed: list[str], field: str, fields: dict[str, list[str]]) -> str:
    clean = str(value or "")
    if clean not in allowed:
        fields[field] = [str(_("Choose one of the options."))]
    return clean


def public_phone(value: Any, fields: dict[str, list[str]]) -> str:
    clean = re.sub(r"[\s()]", "", str(value or ""))
    if re.fullmatch(r"(\+?86)?1[3-9]\d{9}", clean):
        fields["public_phone"] = [
            str(_("Publish the line's number or an extension, not a personal mobile."))
        ]
    elif not PUBLIC_PHONE.match(clean):
        fields["public_phone"] = [
            str(_("A landline with an optional extension (0731-28881234-12) or a 400 number."))
        ]
    return clean
