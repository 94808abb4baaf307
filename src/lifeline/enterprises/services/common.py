"""Pieces the enterprises services share: input checks, the manage check, texts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.core.actors import Actor
from lifeline.core.errors import ServiceError
from lifeline.core.outbox import enqueue_sms


def invalid(fields: dict[str, list[str]]) -> ServiceError:
    first = next(iter(fields.values()))[0]
    return ServiceError(first, fields=fields)


def require_manage(actor: Actor, area_path: str) -> None:
    require(
        actor,
        Perm.ENTERPRISES_MANAGE,
        path=area_path,
        message=_("You may not manage enterprises here."),
    )


def text(phone: str, message: Any, *, object_id: int, **values: Any) -> None:
    """Queue a text in the city's language (nothing when there is no phone)."""
    if not phone:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = str(message) % values if values else str(message)
    enqueue_sms(
        recipient=phone,
        body=body,
        object_type="enterprises.enterprise",
        object_id=str(object_id),
    )
