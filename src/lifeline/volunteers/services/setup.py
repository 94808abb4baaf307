"""Coordinators set up the volunteers of their area, its task groups, posts and shifts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict
from lifeline.core.personal import normalise_phone, phone_is_valid
from lifeline.registry.models import Area
from lifeline.volunteers.models import (
    GroupKind,
    OrgKind,
    Post,
    PostKind,
    Shift,
    Skill,
    TaskGroup,
    Volunteer,
    VolunteerStatus,
)
from lifeline.volunteers.services.common import invalid, text_volunteer

MAX_SHIFT = dt.timedelta(hours=16)


def _require_manage(actor: Actor, area_path: str) -> None:
    require(
        actor,
        Perm.VOLUNTEERS_MANAGE,
        path=area_path,
        message=_("You may not manage volunteers here."),
    )


def _skills(values: Iterable[Any], fields: dict[str, list[str]], name: str = "skills") -> list[str]:
    chosen = sorted({str(value) for value in values or ()})
    if any(value not in Skill.values for value in chosen):
        fields[name] = [str(_("Unknown skill."))]
    return chosen


def volunteer_create(
    *,
    actor: Actor,
    area: Area,
    name: str,
    phone: str,
    skills: Iterable[str] = (),
    org_kind: str = OrgKind.COMMUNITY,
    org_name: str = "",
    max_day_hours: Any = 12,
    max_week_hours: Any = 60,
    sms_ok: bool = True,
) -> Volunteer:
    """A volunteer entered by a coordinator of the area: active at once (they vouch for
    them), with their consent recorded as given to the coordinator."""
    _require_manage(actor, area.path)
    fields: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 50:
        fields["name"] = [str(_("Give a name (at most 50 characters)."))]
    number = normalise_phone(phone or "")
    if not phone_is_valid(number):
        fields["phone"] = [str(_("Not a phone number."))]
    chosen = _skills(skills, fields)
    if org_kind not in OrgKind.values:
        fields["org_kind"] = [str(_("Unknown organisation kind."))]
    day, week = _hours(max_day_hours, 1, 24), _hours(max_week_hours, 1, 7 * 24)
    if day is None:
        fields["max_day_hours"] = [str(_("Between 1 and 24 hours."))]
    if week is None:
        fields["max_week_hours"] = [str(_("Between 1 and 168 hours."))]
    if fields or day is None or week is None:
        raise invalid(fields)
    now = clock.now()
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                area=area,
                area_path=area.path,
                name=name,
                phone=number,
                skills=chosen,
                org_kind=org_kind,
                org_name=(org_name or "").strip()[:100],
                status=VolunteerStatus.ACTIVE,
                max_day_minutes=day * 60,
                max_week_minutes=week * 60,
                consent_at=now,
                sms_ok=sms_ok,
                created_at=now,
                approved_by=user_of(actor),
                approved_at=now,
            )
            audit_log(
                actor=actor,
                action="volunteers.volunteer_create",
                obj=volunteer,
                area_path=volunteer.area_path,
                fields=["name", "phone", "skills", "org_kind"],
            )
    except IntegrityError:
        raise Conflict(
            _("A volunteer with this phone is already registered here."), code="duplicate"
        ) from None
    return volunteer


def _hours(value: Any, low: int, high: int) -> int | None:
    try:
        hours = int(value)
    except (TypeError, ValueError):
        return None
    return hours if low <= hours <= high else None


def volunteer_approve(*, actor: Actor, volunteer: Volunteer, approve: bool = True) -> Volunteer:
    """Approve a volunteer who signed up on their phone (or suspend one)."""
    _require_manage(actor, volunteer.area_path)
    status = VolunteerStatus.ACTIVE if approve else VolunteerStatus.SUSPENDED
    was = volunteer.status
    with transaction.atomic():
        Volunteer.objects.filter(pk=volunteer.pk).update(
            status=status, approved_by=user_of(actor), approved_at=clock.now()
        )
        volunteer.refresh_from_db()
        if approve and was == VolunteerStatus.PENDING:
            text_volunteer(
                volunteer,
                gettext_lazy(
                    "You are approved as a volunteer of %(area)s. "
                    "Sign up for shifts on the volunteers' page."
                ),
                area=volunteer.area.name,
            )
        audit_log(
            actor=actor,
            action="volunteers.volunteer_approve" if approve else "volunteers.volunteer_suspend",
            obj=volunteer,
            area_path=volunteer.area_path,
            fields=["status"],
        )
    return volunteer


def group_create(*, actor: Actor, area: Area, name: str, kind: str) -> TaskGroup:
    _require_manage(actor, area.path)
    name = (name or "").strip()
    fields: dict[str, list[str]] = {}
    if not name or len(name) > 60:
        fields["name"] = [str(_("Give a name (at most 60 characters)."))]
    if kind not in GroupKind.values:
        fields["kind"] = [str(_("Unknown kind of task group."))]
    if fields:
        raise invalid(fields)
    try:
        with transaction.atomic():
            group = TaskGroup.objects.create(area=area, area_path=area.path, name=name, kind=kind)
            audit_log(actor=actor, action="volunteers.group_create", obj=group, area_path=area.path)
    except IntegrityError:
        raise Conflict(
            _("This area already has a task group of that name."), code="duplicate"
        ) from None
    return group


def post_create(
    *,
    actor: Actor,
    area: Area,
    name: str,
    kind: str,
    group: TaskGroup | None = None,
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
) -> Post:
    _require_manage(actor, area.path)
    name = (name or "").strip()
    fields: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        fields["name"] = [str(_("Give a name (at most 100 characters)."))]
    if kind not in PostKind.values:
        fields["kind"] = [str(_("Unknown kind of post."))]
    if group is not None and not area.path.startswith(group.area_path):
        fields["group"] = [str(_("That task group is of another area."))]
    if (lat is None) != (lng is None) or (
        lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)
    ):
        fields["lat"] = [str(_("Not a position on the map."))]
    if fields:
        raise invalid(fields)
    with transaction.atomic():
        post = Post.objects.create(
            area=area,
            area_path=area.path,
            group=group,
            name=name,
            kind=kind,
            address=(address or "").strip()[:255],
            lat=lat,
            lng=lng,
        )
        audit_log(actor=actor, action="volunteers.post_create", obj=post, area_path=area.path)
    return post


def shift_create(
    *,
    actor: Actor,
    post: Post,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: Any,
    skills: Iterable[str] = (),
    open_call: bool = False,
    note: str = "",
) -> Shift:
    """A shift of a post; ``open_call`` publishes it as a sign-up list (接龙)."""
    _require_manage(actor, post.area_path)
    fields: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        fields["ends_at"] = [str(_("A shift must end after it starts."))]
    elif ends_at - starts_at > MAX_SHIFT:
        fields["ends_at"] = [str(_("A shift lasts at most 16 hours."))]
    if ends_at <= clock.now():
        fields.setdefault("ends_at", [str(_("That time has passed."))])
    try:
        people = int(capacity)
    except (TypeError, ValueError):
        people = -1
    if not 1 <= people <= 1000:
        fields["capacity"] = [str(_("Between 1 and 1,000 people."))]
    chosen = _skills(skills, fields)
    if not post.active:
        fields["post"] = [str(_("This post is closed."))]
    if fields:
        raise invalid(fields)
    with transaction.atomic():
        shift = Shift.objects.create(
            post=post,
            area_path=post.area_path,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=people,
            skills=chosen,
            open_call=open_call,
            note=(note or "").strip()[:200],
            created_by=user_of(actor),
            created_at=clock.now(),
        )
        audit_log(
            actor=actor,
            action="volunteers.shift_create",
            obj=shift,
            area_path=shift.area_path,
            fields=["starts_at", "ends_at", "capacity", "open_call"],
        )
    return shift
