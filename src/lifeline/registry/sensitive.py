"""Sensitive registry values: revealing one in full, and finding a person by full ID number.

Both are writes (they count against the actor's limits and leave an audit record), so
pages reach them by POST only. Neither audit record holds the value.

- A reveal needs ``Perm.REVEAL`` where the record lies, a reason from ``REVEAL_REASONS``
  and a few words of text. Each user may reveal ``LIFELINE_REVEALS_PER_HOUR`` values an
  hour and ``LIFELINE_REVEALS_PER_DAY`` a day; ``LIFELINE_REVEAL_ALERT_COUNT`` reveals in
  ten minutes alert the command centre (an SMS to its duty phone and an audit record), once
  per ten minutes.
- An exact-ID search needs ``Perm.REGISTRY_SEARCH_ID``, answers only inside that grant,
  and is limited to ``LIFELINE_ID_SEARCHES_PER_HOUR`` an hour and
  ``LIFELINE_ID_SEARCHES_PER_DAY`` a day per user, so an ID cannot be confirmed by trying
  the candidates that a masked ID, an age band, a sex and an address leave
  (docs/security.md: over a million).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere, require, scoped
from lifeline.core import ratelimit
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import PermissionDenied, ServiceError, TooManyRequests
from lifeline.core.outbox import enqueue_sms
from lifeline.core.personal import (
    decrypt_value,
    id_number_is_valid,
    lookup_hash,
    normalise_id_number,
)
from lifeline.registry.models import Household, Person, Unit

REVEALABLE: dict[type[Person] | type[Household], tuple[str, ...]] = {
    Person: ("phone", "id_number", "birth_date"),
    Household: ("phone", "phone_alt"),
}

REVEAL_REASONS: dict[str, Any] = {
    "callback": gettext_lazy("Call the resident back about a request"),
    "emergency": gettext_lazy("Emergency: reach the resident or their family"),
    "identity": gettext_lazy("Confirm who the resident is"),
    "care": gettext_lazy("Arrange care, medicine or supplies"),
    "transfer": gettext_lazy("Medical transfer or hospital admission"),
    "other": gettext_lazy("Other (say what)"),
}

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
BURST = dt.timedelta(minutes=10)


def _limits(prefix: str) -> list[tuple[str, ratelimit.Limit]]:
    per_hour = int(getattr(settings, f"LIFELINE_{prefix}_PER_HOUR"))
    per_day = int(getattr(settings, f"LIFELINE_{prefix}_PER_DAY"))
    return [("h", ratelimit.Limit(per_hour, HOUR)), ("d", ratelimit.Limit(per_day, DAY))]


def _count(actor: Actor, what: str, prefix: str, message: str) -> None:
    """Count one use against the actor's hourly and daily limits; refuse past either."""
    for suffix, limit in _limits(prefix):
        verdict = ratelimit.hit(f"{what}:{suffix}:user:{actor.pk}", limit)
        if not verdict.allowed:
            raise TooManyRequests(message, retry_after=verdict.retry_after_seconds)


def sensitive_reveal(
    *, actor: Actor, obj: Person | Household, field: str, purpose: str, reason: str = ""
) -> str:
    """Return one sensitive value in full and record who saw it, when and why.

    ``reason`` is a key of ``REVEAL_REASONS``; ``purpose`` the actor's own words. Refused
    (and not counted) without the permission at the record's place, a known reason or
    words; refused past the actor's limits. The audit record names the field, the reason
    and the words, never the value.
    """
    require(actor, Perm.REVEAL, path=obj.area_path, message=_("Your role may not reveal this."))
    if field not in REVEALABLE.get(type(obj), ()):
        raise ServiceError(_("This field cannot be revealed."), fields={"field": [_("Unknown.")]})
    purpose = " ".join((purpose or "").split())[:200]
    errors: dict[str, list[str]] = {}
    if reason and reason not in REVEAL_REASONS:
        errors["reason"] = [_("Choose a reason from the list.")]
    if len(purpose) < 2:
        errors["purpose"] = [_("Say in a few words why you need to see this.")]
    if errors:
        raise ServiceError(_("Say why you need to see this."), fields=errors)
    _count(actor, "reveal", "REVEALS", _("You have revealed many values lately. Try later."))
    if field == "id_number":
        enc = getattr(obj, "id_number_enc", None)
        value = decrypt_value(enc) if enc else ""
    elif field == "birth_date":
        birth = getattr(obj, "birth_date", None)
        value = birth.isoformat() if birth else ""
    else:
        value = str(getattr(obj, field) or "")
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="sensitive.reveal",
            obj=obj,
            purpose=f"{reason or 'other'}: {purpose}",
            fields=[field],
        )
        _alert_on_burst(actor, obj.area_path)
    return value


def _alert_on_burst(actor: Actor, area_path: str) -> None:
    """Tell the command centre, once per window, when one user reveals many values fast."""
    count = int(settings.LIFELINE_REVEAL_ALERT_COUNT)
    verdict = ratelimit.hit(f"reveal:burst:user:{actor.pk}", ratelimit.Limit(count - 1, BURST))
    if verdict.used != count:
        return
    audit_log(
        actor=actor,
        action="sensitive.reveal_alert",
        object_type="accounts.user",
        object_id=actor.pk,
        area_path=area_path,
        purpose=f"{count} reveals within {int(BURST.total_seconds() // 60)} minutes",
    )
    name = str(getattr(actor, "display_name", "") or _("a staff member"))
    body = _(
        "Lifeline: %(name)s revealed %(count)s phones or ID numbers within %(minutes)s "
        "minutes. Check the audit log."
    ) % {"name": name, "count": count, "minutes": int(BURST.total_seconds() // 60)}
    centres = Unit.objects.filter(kind=Unit.Kind.COMMAND_CENTRE, parent=None).exclude(phone="")
    for phone in centres.values_list("phone", flat=True):
        enqueue_sms(
            recipient=phone, body=body, object_type="accounts.user", object_id=str(actor.pk)
        )


def person_find_by_id_number(*, actor: Actor, id_number: str) -> list[Person]:
    """The people with this full ID number inside the actor's grant of
    ``Perm.REGISTRY_SEARCH_ID`` (at most one, in practice). Counted against the actor's
    limits and audited, without the number, whether or not anyone is found."""
    if not can_anywhere(actor, Perm.REGISTRY_SEARCH_ID):
        raise PermissionDenied(_("Your role may not search by ID number."))
    number = normalise_id_number(id_number or "")
    if not id_number_is_valid(number):
        raise ServiceError(
            _("Enter a complete, valid ID number (18 characters)."),
            fields={"id_number": [_("Not a valid ID number.")]},
        )
    _count(actor, "idsearch", "ID_SEARCHES", _("You have searched by ID number many times."))
    found = list(
        scoped(Person.objects.select_related("household__building"), actor)
        .filter(id_number_hash=lookup_hash(number))
        .filter(pk__in=scoped(Person.objects.all(), actor, Perm.REGISTRY_SEARCH_ID).values("pk"))
    )
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="person.search_id",
            object_type="registry.person",
            object_id=found[0].pk if len(found) == 1 else "",
            area_path=found[0].area_path if len(found) == 1 else "",
            fields=["id_number"],
            purpose=f"found {len(found)}",
        )
    return found


def reveal_may(actor: Actor, obj: Person | Household) -> bool:
    """Whether the page offers the reveal form for ``obj``."""
    return can(actor, Perm.REVEAL, path=obj.area_path)
