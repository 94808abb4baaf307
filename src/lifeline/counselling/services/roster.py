"""The line's counsellors and their duty: the supervisor keeps the roster; a counsellor
goes on and off duty themselves (or the supervisor does it for them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, PermissionDenied
from lifeline.counselling.models import Counsellor, DutyWindow, Language
from lifeline.counselling.services.common import invalid, public_phone, require_line, text
from lifeline.registry.models import Unit

LONGEST_DUTY = dt.timedelta(hours=16)


def counsellor_create(
    *,
    actor: Actor,
    line: Unit,
    display_name: str,
    public_phone_number: str,
    languages: Iterable[str] = ("zh",),
    supervisor: bool = False,
    user: Any = None,
) -> Counsellor:
    """A counsellor of ``line``, entered by its supervisor. The number given is published
    while they are on duty, so it must be the line's (a landline or extension)."""
    require_line(actor, Perm.COUNSELLING_SUPERVISE, line, _("Only the line's supervisor may."))
    fields: dict[str, list[str]] = {}
    name = text(display_name, 50, "display_name", fields)
    if not name and "display_name" not in fields:
        fields["display_name"] = [str(_("Give the name callers will see."))]
    phone = public_phone(public_phone_number, fields)
    chosen = sorted({str(v) for v in languages or ()})
    if not chosen or any(v not in Language.values for v in chosen):
        fields["languages"] = [str(_("Choose at least one language."))]
    if fields:
        raise invalid(fields)
    try:
        with transaction.atomic():
            counsellor = Counsellor.objects.create(
                line=line,
                display_name=name,
                public_phone=phone,
                languages=chosen,
                supervisor=bool(supervisor),
                user=user,
                created_at=clock.now(),
            )
            audit_log(
                actor=actor,
                action="counselling.counsellor_create",
                obj=counsellor,
                fields=["display_name", "public_phone", "languages", "supervisor"],
            )
    except IntegrityError:
        raise Conflict(
            _("A counsellor with this name is already on the line."), code="duplicate"
        ) from None
    return counsellor


def _may_set_duty(actor: Actor, counsellor: Counsellor) -> None:
    require_line(actor, Perm.COUNSELLING_TAKE, counsellor.line)
    own = counsellor.user_id is not None and counsellor.user_id == getattr(actor, "pk", None)
    if not own and not can(actor, Perm.COUNSELLING_SUPERVISE, unit_id=counsellor.line_id):
        raise PermissionDenied(_("Only the counsellor or the supervisor may change this duty."))


def duty_window_create(
    *, actor: Actor, counsellor: Counsellor, starts_at: dt.datetime, ends_at: dt.datetime
) -> DutyWindow:
    """A window of the roster, at most 16 hours, not overlapping the counsellor's others."""
    require_line(actor, Perm.COUNSELLING_SUPERVISE, counsellor.line, _("Only the supervisor."))
    return _window(actor, counsellor, starts_at, ends_at)


def _window(
    actor: Actor, counsellor: Counsellor, starts_at: dt.datetime, ends_at: dt.datetime
) -> DutyWindow:
    fields: dict[str, list[str]] = {}
    if not counsellor.active:
        fields["counsellor"] = [str(_("This counsellor is no longer active."))]
    if ends_at <= starts_at:
        fields["ends_at"] = [str(_("The end must come after the start."))]
    elif ends_at - starts_at > LONGEST_DUTY:
        fields["ends_at"] = [str(_("A duty lasts at most 16 hours."))]
    if fields:
        raise invalid(fields)
    with transaction.atomic():
        # The counsellor's row lock keeps two windows written at once from overlapping.
        Counsellor.objects.select_for_update().filter(pk=counsellor.pk).first()
        overlap = DutyWindow.objects.filter(
            counsellor=counsellor, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).exists()
        if overlap:
            raise Conflict(
                _("This counsellor is already on duty at that time."),
                code="overlap",
                fields={"starts_at": [_("Overlaps another duty.")]},
            )
        window = DutyWindow.objects.create(
            line_id=counsellor.line_id,
            counsellor=counsellor,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=user_of(actor),
            created_at=clock.now(),
        )
        audit_log(
            actor=actor,
            action="counselling.duty_window_create",
            obj=window,
            fields=["counsellor", "starts_at", "ends_at"],
        )
    return window


def counsellor_on_duty(*, actor: Actor, counsellor: Counsellor, hours: Any = 4) -> DutyWindow:
    """On duty from now for ``hours`` (1-16): listed on the public page at once."""
    _may_set_duty(actor, counsellor)
    try:
        length = int(hours)
    except (TypeError, ValueError):
        length = 0
    if not 1 <= length <= 16:
        raise invalid({"hours": [str(_("Between 1 and 16 hours."))]})
    now = clock.now()
    if DutyWindow.objects.filter(counsellor=counsellor, starts_at__lte=now, ends_at__gt=now):
        raise Conflict(_("Already on duty."), code="on_duty")
    return _window(actor, counsellor, now, now + dt.timedelta(hours=length))


def counsellor_off_duty(*, actor: Actor, counsellor: Counsellor) -> int:
    """Off duty now: the current window ends now and later ones of today stay. Returns how
    many windows were cut short (0 when not on duty)."""
    _may_set_duty(actor, counsellor)
    now = clock.now()
    with transaction.atomic():
        cut = DutyWindow.objects.filter(
            counsellor=counsellor, starts_at__lt=now, ends_at__gt=now
        ).update(ends_at=now)
        # A window starting this very instant cannot end when it starts: it goes.
        dropped, _kinds = DutyWindow.objects.filter(
            counsellor=counsellor, starts_at=now, ends_at__gt=now
        ).delete()
        cut += dropped
        if cut:
            audit_log(
                actor=actor,
                action="counselling.counsellor_off_duty",
                obj=counsellor,
                fields=["ends_at"],
            )
    return cut
