"""Review meetings (每日复盘会) of the city or a district: who came, what was said, and
the actions decided. Each action becomes a work order (category ``review_action``) filed
to its owner unit through the work orders' own services, so its clock, escalation and
status are the work order's; the next day's report shows that status.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.command.models import ReviewAction, ReviewMeeting
from lifeline.command.naming import area_title
from lifeline.command.services.reports import check_day, check_level
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, ServiceError
from lifeline.core.safetext import has_unsafe, unsafe_message
from lifeline.registry.models import Area, Unit
from lifeline.registry.tree import ancestor_paths
from lifeline.workorders.models import Channel
from lifeline.workorders.services import workorder_create, workorder_transfer

CATEGORY = "review_action"
TEXT_LIMIT = 500
NOTES_LIMIT = 4000
DUE_WITHIN = dt.timedelta(days=60)


def owner_units(area: Area) -> Any:
    """Units an action of ``area``'s meeting may go to: those serving the area, an area
    below it, or one above it (the command centre, say)."""
    above = Q(areas__path__in=ancestor_paths(area.path))
    return (
        Unit.objects.filter(Q(areas__path__startswith=area.path) | above)
        .distinct()
        .order_by("name", "pk")
    )


def _text(value: Any, name: str, limit: int, errors: dict[str, list[Any]], *, needed: bool) -> str:
    text = "" if value is None else str(value).replace("\r\n", "\n").strip()
    if needed and not text:
        errors[name] = [_("This field is required.")]
    elif has_unsafe(text):
        errors[name] = [unsafe_message()]
    elif len(text) > limit:
        errors[name] = [_("At most %(n)s characters.") % {"n": f"{limit:,}"}]
    return text


def _meeting_texts(attendees: Any, notes: Any) -> tuple[str, str]:
    errors: dict[str, list[Any]] = {}
    who = _text(attendees, "attendees", NOTES_LIMIT, errors, needed=False)
    said = _text(notes, "notes", NOTES_LIMIT, errors, needed=False)
    if errors:
        raise ServiceError(_("Please correct the marked fields."), fields=errors)
    return who, said


def meeting_create(
    *, actor: Actor, area: Area, day: Any, attendees: Any = "", notes: Any = ""
) -> ReviewMeeting:
    """Record the review meeting of ``area`` on ``day`` (COMMAND_REPORT there); one a day
    (a second is a 409)."""
    require(actor, Perm.COMMAND_REPORT, path=area.path)
    check_level(area)
    day = check_day(day)
    who, said = _meeting_texts(attendees, notes)
    try:
        with transaction.atomic():
            meeting = ReviewMeeting.objects.create(
                area=area,
                area_path=area.path,
                day=day,
                attendees=who,
                notes=said,
                created_by=user_of(actor),
                created_at=clock.now(),
            )
            audit_log(
                actor=actor, action="command.meeting.create", obj=meeting, area_path=area.path
            )
    except IntegrityError:
        raise Conflict(_("The meeting of that day is already recorded."), code="exists") from None
    return meeting


def meeting_update(
    *, actor: Actor, meeting: ReviewMeeting, attendees: Any, notes: Any
) -> ReviewMeeting:
    require(actor, Perm.COMMAND_REPORT, path=meeting.area_path)
    who, said = _meeting_texts(attendees, notes)
    with transaction.atomic():
        meeting.attendees, meeting.notes = who, said
        meeting.save(update_fields=["attendees", "notes"])
        audit_log(
            actor=actor,
            action="command.meeting.update",
            obj=meeting,
            area_path=meeting.area_path,
            fields=["attendees", "notes"],
        )
    return meeting


def _owner(owner_id: Any, area: Area, errors: dict[str, list[Any]]) -> Unit | None:
    found = None
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        found = owner_units(area).filter(pk=int(owner_id)).first()
    if found is None:
        errors["owner_id"] = [_("Choose a unit of this area.")]
    return found


def _due(due_at: Any, errors: dict[str, list[Any]]) -> dt.datetime | None:
    now = clock.now()
    if not isinstance(due_at, dt.datetime):
        errors["due_at"] = [_("Enter a date and time.")]
        return None
    try:
        if timezone.is_naive(due_at):
            due_at = timezone.make_aware(due_at)
        within = now < due_at <= now + DUE_WITHIN
    except (OverflowError, ValueError):  # the first or last years a datetime holds
        within = False
    if not within:
        errors["due_at"] = [_("Choose a time after now and within 60 days.")]
        return None
    return due_at


def _order_area(owner: Unit, area: Area) -> Area:
    """Where the work order sits: the highest area the owner serves inside the meeting's
    area, else the meeting's area itself."""
    inside = owner.areas.filter(path__startswith=area.path).order_by("depth", "path").first()
    return inside or area


def review_action_add(
    *, actor: Actor, meeting: ReviewMeeting, text: Any, owner_id: Any, due_at: Any
) -> ReviewAction:
    """An action of the meeting (COMMAND_REPORT at its area): a work order filed for the
    owner unit (handed to it when routing picks another), then the action. Nothing is
    written when the work order is refused."""
    require(actor, Perm.COMMAND_REPORT, path=meeting.area_path)
    errors: dict[str, list[Any]] = {}
    what = _text(text, "text", TEXT_LIMIT, errors, needed=True)
    owner = _owner(owner_id, meeting.area, errors)
    due = _due(due_at, errors)
    if errors:
        raise ServiceError(_("Please correct the marked fields."), fields=errors)
    assert owner is not None and due is not None
    description = gettext("Review meeting of %(place)s on %(day)s: %(text)s (due %(due)s)") % {
        "place": area_title(meeting.area),
        "day": meeting.day.isoformat(),
        "text": what,
        "due": formats.date_format(timezone.localtime(due), "Y-m-d H:i"),
    }
    with transaction.atomic():
        order = workorder_create(
            actor=actor,
            description=description,
            category_code=CATEGORY,
            channel=Channel.STAFF,
            area=_order_area(owner, meeting.area),
            contact_name=owner.name[:50],
        ).order
        if order.responsible_unit_id != owner.pk:
            order = workorder_transfer(
                actor=actor,
                order=order,
                unit=owner,
                reason=gettext("The review meeting made this unit the owner."),
            )
        action = ReviewAction.objects.create(
            meeting=meeting,
            area_path=meeting.area_path,
            text=what,
            owner=owner,
            due_at=due,
            work_order=order,
            created_by=user_of(actor),
            created_at=clock.now(),
        )
        audit_log(
            actor=actor,
            action="command.meeting.action",
            obj=action,
            area_path=meeting.area_path,
            fields=["text", "owner", "due_at", "work_order"],
        )
    return action
