"""A resident registers as a volunteer of a community on their phone, with no account: the
phone proven by a one-time code is who they are. The registration waits for a coordinator
of the community to approve it (``setup.volunteer_approve``).

Invariants: one volunteer per phone and area (the database's unique constraint settles two
registrations racing); a phone waits for approval in at most ``MAX_PENDING`` places at once;
consent is required and its time kept (``consent_at``); nothing is written on bad input.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lifeline.core import clock
from lifeline.core.actors import system
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict
from lifeline.core.personal import normalise_phone, phone_is_valid
from lifeline.core.safetext import has_unsafe
from lifeline.registry import selectors as registry_selectors
from lifeline.registry.models import Area, AreaLevel
from lifeline.volunteers.models import OrgKind, Skill, Volunteer, VolunteerStatus
from lifeline.volunteers.services.common import invalid

MAX_PENDING = 3
REGISTERED_BY = "volunteer's own registration"


def communities_to_join() -> QuerySet[Area]:
    """Every community of the city, with its street, for a resident to choose where to
    serve (the registry's public list)."""
    return registry_selectors.communities_public()


def _hours(value: Any, low: int, high: int) -> int | None:
    try:
        hours = int(value)
    except (TypeError, ValueError):
        return None
    return hours if low <= hours <= high else None


def _text(value: Any, limit: int, field: str, fields: dict[str, list[str]]) -> str:
    text = str(value or "").strip()
    if len(text) > limit or has_unsafe(text):
        fields[field] = [str(_("At most %(n)s characters, no control characters.") % {"n": limit})]
    return text


def _checked(
    *,
    phone: str,
    area: Area | None,
    name: Any,
    skills: Iterable[Any],
    org_kind: Any,
    org_name: Any,
    max_day_hours: Any,
    max_week_hours: Any,
    consent: bool,
) -> dict[str, Any]:
    """The registration's values, or ``invalid`` naming each bad field."""
    fields: dict[str, list[str]] = {}
    number = normalise_phone(phone or "")
    if not phone_is_valid(number):
        fields["phone"] = [str(_("Not a phone number."))]
    if area is None or area.level != AreaLevel.COMMUNITY:
        fields["area"] = [str(_("Choose a community."))]
    clean_name = _text(name, 50, "name", fields)
    if not clean_name:
        fields["name"] = [str(_("Give a name (at most 50 characters)."))]
    chosen = sorted({str(value) for value in skills or ()})
    if any(value not in Skill.values for value in chosen):
        fields["skills"] = [str(_("Unknown skill."))]
    if org_kind not in OrgKind.values:
        fields["org_kind"] = [str(_("Unknown organisation kind."))]
    clean_org = _text(org_name, 100, "org_name", fields)
    day, week = _hours(max_day_hours, 1, 24), _hours(max_week_hours, 1, 7 * 24)
    if day is None:
        fields["max_day_hours"] = [str(_("Between 1 and 24 hours."))]
    if week is None:
        fields["max_week_hours"] = [str(_("Between 1 and 168 hours."))]
    if not consent:
        fields["consent"] = [str(_("Please agree to the use of your name and phone."))]
    if fields or day is None or week is None:
        raise invalid(fields)
    return {
        "phone": number,
        "name": clean_name,
        "skills": chosen,
        "org_kind": org_kind,
        "org_name": clean_org,
        "max_day_minutes": day * 60,
        "max_week_minutes": week * 60,
    }


def _already_registered() -> Conflict:
    return Conflict(
        _("This phone is already registered as a volunteer of this community."),
        code="duplicate",
        fields={"area": [_("Already registered here.")]},
    )


def volunteer_register(
    *,
    phone: str,
    area: Area | None,
    name: str,
    skills: Iterable[str] = (),
    org_kind: str = OrgKind.COMMUNITY,
    org_name: str = "",
    max_day_hours: Any = 12,
    max_week_hours: Any = 60,
    consent: bool = False,
    sms_ok: bool = True,
) -> Volunteer:
    """Register the owner of ``phone`` (proven by the calling page) as a volunteer of the
    community ``area``, waiting for a coordinator's approval; consent is recorded now.

    Refused, writing nothing: bad values (each field named), no consent, a second
    registration of the phone in the same community (``duplicate``), or a phone already
    waiting in ``MAX_PENDING`` places (``too_many_pending``). Audited as the system, for
    the volunteer's own registration."""
    values = _checked(
        phone=phone,
        area=area,
        name=name,
        skills=skills,
        org_kind=org_kind,
        org_name=org_name,
        max_day_hours=max_day_hours,
        max_week_hours=max_week_hours,
        consent=consent,
    )
    assert area is not None  # checked above
    mine = Volunteer.objects.filter(phone=values["phone"])
    if mine.filter(area=area).exists():
        raise _already_registered()
    if mine.filter(status=VolunteerStatus.PENDING).count() >= MAX_PENDING:
        raise Conflict(
            _("This phone already waits for approval in %(n)s places.") % {"n": MAX_PENDING},
            code="too_many_pending",
        )
    now = clock.now()
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                area=area,
                area_path=area.path,
                status=VolunteerStatus.PENDING,
                consent_at=now,
                sms_ok=bool(sms_ok),
                created_at=now,
                **values,
            )
            audit_log(
                actor=system(REGISTERED_BY),
                action="volunteers.volunteer_register",
                obj=volunteer,
                area_path=volunteer.area_path,
                fields=["name", "phone", "skills", "org_kind", "consent_at"],
            )
    except IntegrityError:
        raise _already_registered() from None
    return volunteer
