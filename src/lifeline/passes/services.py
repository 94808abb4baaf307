"""Pass writes: apply, approve (issue the signed credential), refuse, revoke, escalate.

An application that fails an eligibility rule or the household quota is *recorded* as
refused with its reason, so the applicant sees why; malformed or unauthorised requests
raise instead and write nothing.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, require, scope_for
from lifeline.core import clock
from lifeline.core.actors import Actor, is_system, system, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.models import OutboxMessage
from lifeline.core.personal import mask_name, normalise_phone, phone_is_valid
from lifeline.passes import key_store, notify
from lifeline.passes.credential import PassClaims, issue_pass, new_pass_id
from lifeline.passes.eligibility import Providers, Refusal, check_person_rules, default_providers
from lifeline.passes.models import (
    ApplicantKind,
    ApplicationStatus,
    MovementPass,
    PassApplication,
    PassStatus,
    PassType,
    ScopeKind,
)
from lifeline.registry.models import Area, Household, Person, Unit
from lifeline.registry.tree import next_unit_up, unit_of_kind_near

_PLATE_OR_MASKED = re.compile(r"[*0-9]")
# Filing an enterprise's or a unit's application: whoever takes part in passes there.
APPLY_FOR_ORGANISATION = (Perm.PASS_APPLY, Perm.PASS_VIEW)


def _holder_ok(label: str) -> bool:
    # The QR is readable by anyone: a bare full name must never go into it.
    return (
        0 < len(label) <= 24
        and label == label.strip()
        and label.isprintable()
        and bool(_PLATE_OR_MASKED.search(label))
    )


def _invalid(field: str, message: str) -> ServiceError:
    return ServiceError(message, code="invalid", fields={field: [message]})


def _check_applicant(
    actor: Actor,
    kind: str,
    *,
    area: Area,
    person: Person | None,
    on_behalf_of: str,
    unit: Unit | None = None,
) -> None:
    """A resident's pass needs ``PASS_APPLY`` where the resident lives; one's own pass,
    ``PASS_APPLY`` where it is placed; a unit's own (``unit`` given), a membership of that
    unit granting ``APPLY_FOR_ORGANISATION`` and a place the unit serves; an enterprise's or
    another unit's, ``APPLY_FOR_ORGANISATION`` where the pass is placed (and, for a unit's,
    a membership of a unit granting it)."""
    scope = scope_for(actor)
    if scope.is_empty:
        raise PermissionDenied(_("You may not apply for passes."))
    if kind == ApplicantKind.GRID_WORKER:
        if person is None:
            raise _invalid("person", _("Choose the resident the pass is for."))
        require(
            actor,
            Perm.PASS_APPLY,
            path=person.area_path,
            message=_("You may not apply for passes for residents here."),
        )
        return
    if kind == ApplicantKind.SELF:
        require(
            actor,
            Perm.PASS_APPLY,
            path=area.path,
            message=_("You may not apply for passes placed here."),
        )
        return
    if kind == ApplicantKind.UNIT and unit is not None:
        require(
            actor,
            APPLY_FOR_ORGANISATION,
            unit_id=unit.pk,
            message=_("Only members of a unit may apply for their unit."),
        )
        served = unit.areas.values_list("path", flat=True)
        if not any(area.path.startswith(path) for path in served):
            raise _invalid("area", _("The unit does not serve this area."))
        return
    require(
        actor,
        APPLY_FOR_ORGANISATION,
        path=area.path,
        message=_("You may not apply for passes placed here."),
    )
    if kind == ApplicantKind.UNIT and not scope.grant(APPLY_FOR_ORGANISATION).unit_ids:
        raise PermissionDenied(_("Only members of a unit may apply for their unit."))
    if kind == ApplicantKind.ENTERPRISE and not on_behalf_of.strip():
        raise _invalid("on_behalf_of", _("Name the enterprise the pass is for."))


def _holder_phone(actor: Actor, kind: str, phone: str) -> str:
    phone = normalise_phone(phone)
    if not phone and kind == ApplicantKind.SELF:
        phone = normalise_phone(getattr(user_of(actor), "phone", "") or "")
    if phone and not phone_is_valid(phone):
        raise _invalid("holder_phone", _("Enter a valid mobile number (11 digits)."))
    return phone


def _window(pass_type: PassType, valid_from: dt.datetime, valid_until: dt.datetime) -> None:
    if valid_from >= valid_until:
        raise _invalid("valid_until", _("The pass must end after it starts."))
    if valid_until <= clock.now():
        raise _invalid("valid_until", _("The pass would already have ended."))
    if valid_until - valid_from > dt.timedelta(hours=pass_type.max_validity_hours):
        raise _invalid(
            "valid_until",
            _("This pass type is valid for at most %(hours)d hours.")
            % {"hours": pass_type.max_validity_hours},
        )


def _scope(pass_type: PassType, area: Area, scope_areas: list[str], route: str) -> list[str]:
    if pass_type.scope_kind == ScopeKind.ROUTE:
        if not route.strip() or len(route.strip()) > 120:
            raise _invalid("route", _("Describe the route (at most 120 characters)."))
        return []
    codes = scope_areas or [area.code]
    if len(codes) > 32 or Area.objects.filter(code__in=codes).count() != len(set(codes)):
        raise _invalid("scope_areas", _("Unknown area in the pass scope."))
    return list(dict.fromkeys(codes))


def _quota_refusal(pass_type: PassType, household: Household, day: dt.date) -> Refusal | None:
    # The household row lock serialises every application for this household, so two
    # concurrent applications cannot both see "no pass yet" (PostgreSQL; SQLite writes
    # are serialised anyway).
    Household.objects.select_for_update().filter(pk=household.pk).first()
    taken = PassApplication.objects.filter(
        pass_type=pass_type,
        household=household,
        quota_day=day,
        status__in=[ApplicationStatus.PENDING, ApplicationStatus.APPROVED],
    ).count()
    if taken >= (pass_type.household_daily_quota or 0):
        return Refusal(
            "household_quota",
            _("The household already has a %(type)s pass for %(day)s.")
            % {"type": pass_type.name, "day": day.isoformat()},
        )
    return None


def pass_application_submit(
    *,
    actor: Actor,
    pass_type_code: str,
    applicant_kind: str,
    area: Area,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    purpose: str,
    person: Person | None = None,
    holder_label: str = "",
    on_behalf_of: str = "",
    scope_areas: list[str] | None = None,
    route: str = "",
    providers: Providers | None = None,
    applicant_unit: Unit | None = None,
    driver_name: str = "",
    holder_phone: str = "",
) -> PassApplication:
    """Put an application in the approving unit's queue, due after the type's target time.

    A person applying for themselves (kind ``self``) holds the pass under their masked
    display name, and is told of the decision on their own phone unless another is given.

    Records it already refused (with the reason) when the holder fails an eligibility rule
    or the household has used its daily quota.
    """
    pass_type = PassType.objects.filter(code=pass_type_code, active=True).first()
    if pass_type is None:
        raise _invalid("pass_type", _("Unknown pass type."))
    if applicant_kind not in pass_type.applicant_kinds:
        raise _invalid("applicant_kind", _("This applicant may not apply for this pass type."))
    if person is not None:
        area = person.grid
    _check_applicant(
        actor,
        applicant_kind,
        area=area,
        person=person,
        on_behalf_of=on_behalf_of,
        unit=applicant_unit,
    )
    if not purpose.strip():
        raise _invalid("purpose", _("Say what the pass is for."))
    _window(pass_type, valid_from, valid_until)
    phone = _holder_phone(actor, applicant_kind, holder_phone)
    if person is not None:
        holder_label = mask_name(person.name)[:24]
    elif applicant_kind == ApplicantKind.SELF:
        user = user_of(actor)
        holder_label = mask_name(getattr(user, "display_name", "") or "")[:24]
        if not _holder_ok(holder_label):
            raise _invalid("holder_label", _("Your account has no name to put on the pass."))
    elif not _holder_ok(holder_label):
        raise _invalid("holder_label", _("Give a vehicle plate or a masked name (with *)."))
    codes = _scope(pass_type, area, scope_areas or [], route)
    approver = unit_of_kind_near(pass_type.approver_kind, area.path)
    if approver is None:
        raise _invalid("area", _("No unit approves this pass type for this area."))
    now = clock.now()
    household = person.household if person is not None else None
    with transaction.atomic():
        application = PassApplication(
            pass_type=pass_type,
            applicant_kind=applicant_kind,
            applicant=user_of(actor),
            on_behalf_of=on_behalf_of.strip()[:150],
            applicant_unit=applicant_unit,
            driver_name=driver_name.strip()[:50],
            holder_phone=phone,
            person=person,
            household=household,
            holder_label=holder_label,
            area=area,
            area_path=area.path,
            scope_areas=codes,
            route=route.strip(),
            purpose=purpose.strip()[:200],
            valid_from=valid_from,
            valid_until=valid_until,
            approver_unit=approver,
            submitted_at=now,
            due_at=now + dt.timedelta(minutes=pass_type.approval_minutes),
        )
        refusal = check_person_rules(
            rules=pass_type.rules, person=person, at=now, providers=providers or default_providers()
        )
        if household is not None and pass_type.household_daily_quota:
            application.quota_day = timezone.localdate(valid_from)
            refusal = refusal or _quota_refusal(pass_type, household, application.quota_day)
        if refusal is not None:
            application.status = ApplicationStatus.REFUSED
            application.refusal_code, application.refusal_reason = refusal.code, refusal.reason
            application.decided_at = now
            application.quota_day = None
        application.save()
        audit_log(actor=actor, action="passes.apply", obj=application, fields=["status"])
    return application


def require_approver(actor: Actor, unit_id: int | None, *, missing: str) -> None:
    """Refuse unless a membership granting ``PASS_APPROVE`` holds the unit (or a unit above
    it). Not found (``missing``) for those who have nothing to do with the unit at all."""
    if unit_id is not None and can(actor, Perm.PASS_APPROVE, unit_id=unit_id):
        return
    if unit_id is None or not can(actor, Perm.ANY, unit_id=unit_id):
        raise NotFound(missing)
    raise PermissionDenied(_("You may not decide this unit's passes."))


def _lock_pending(
    application_id: int, actor: Actor, *, system_may: bool = False
) -> PassApplication:
    missing = _("No such application in your queue.")
    application = PassApplication.objects.select_for_update().filter(pk=application_id).first()
    if application is None:
        raise NotFound(missing)
    if not (system_may and is_system(actor)):
        require_approver(actor, application.approver_unit_id, missing=missing)
    if application.status != ApplicationStatus.PENDING:
        raise Conflict(_("This application has already been decided."), code="decided")
    return application


def pass_application_approve(
    *, actor: Actor, application_id: int, providers: Providers | None = None
) -> MovementPass:
    """Approve and issue: sign the claims with the approving unit's current key. Needs
    ``PASS_APPROVE`` at the approving unit.

    The holder's rules are checked again (tests and health codes change while an
    application waits); a failure raises with the reason and issues nothing, so the
    approver can refuse with it.
    """
    with transaction.atomic():
        application = _lock_pending(application_id, actor)
        now = clock.now()
        if application.valid_until <= now:
            raise _invalid("valid_until", _("The requested period has already ended."))
        refusal = check_person_rules(
            rules=application.pass_type.rules,
            person=application.person,
            at=now,
            providers=providers or default_providers(),
        )
        if refusal is not None:
            raise ServiceError(refusal.reason, code=refusal.code)
        unit = application.approver_unit
        key_row, signing_key = key_store.issuing_key(unit)
        # A key made just now may start a second after ``now`` was read: never issue
        # before the key's own start, or every checkpoint would refuse the pass.
        issued_epoch = max(key_store.epoch(now), key_row.not_before)
        claims = PassClaims(
            pass_id=new_pass_id(),
            pass_type=application.pass_type.code,
            issuer=unit.code,
            valid_from=key_store.epoch(application.valid_from),
            valid_until=key_store.epoch(application.valid_until),
            issued_at=issued_epoch,
            scope=application.route or tuple(application.scope_areas),
            holder=application.holder_label,
            household_ref=f"H{application.household_id}" if application.household_id else None,
        )
        issued = MovementPass.objects.create(
            application=application,
            pass_id=claims.pass_id,
            pass_type=application.pass_type,
            issuer_unit=unit,
            key=key_row,
            holder_label=application.holder_label,
            household=application.household,
            area_path=application.area_path,
            text=issue_pass(claims, signing_key=signing_key),
            valid_from=application.valid_from,
            valid_until=application.valid_until,
            issued_at=now,
        )
        application.status = ApplicationStatus.APPROVED
        application.decided_at, application.decided_by = now, user_of(actor)
        application.save(update_fields=["status", "decided_at", "decided_by"])
        audit_log(actor=actor, action="passes.approve", obj=application, fields=["status"])
        notify.holder_approved(application=application, issued=issued)
    return issued


def pass_application_refuse(*, actor: Actor, application_id: int, reason: str) -> PassApplication:
    """Refuse with a reason the applicant sees. The system actor may refuse on a rule of
    another app (a positive in an enterprise's closed loop stops its vehicles' passes)."""
    if not reason.strip():
        raise _invalid("reason", _("Give the applicant a reason."))
    with transaction.atomic():
        application = _lock_pending(application_id, actor, system_may=True)
        application.status = ApplicationStatus.REFUSED
        application.refusal_code = "refused"
        application.refusal_reason = reason.strip()[:300]
        application.decided_at, application.decided_by = clock.now(), user_of(actor)
        application.quota_day = None
        application.save()
        audit_log(actor=actor, action="passes.refuse", obj=application, fields=["status"])
        notify.holder_refused(application=application)
    return application


def pass_revoke(*, actor: Actor, pass_id: str, reason: str) -> MovementPass:
    """Revoke an issued pass: it joins the revocation list at the next sequence. Needs
    ``PASS_APPROVE`` at the issuing unit (a command centre's unit holds the units below),
    or the system actor revoking on a rule of another app (a positive in a closed loop)."""
    if not reason.strip():
        raise _invalid("reason", _("Say why the pass is revoked."))
    with transaction.atomic():
        issued = MovementPass.objects.select_for_update().filter(pass_id=pass_id).first()
        if issued is None:
            raise NotFound(_("No such pass."))
        if not is_system(actor):
            require_approver(actor, issued.issuer_unit_id, missing=_("No such pass."))
        if issued.status == PassStatus.REVOKED:
            raise Conflict(_("The pass is already revoked."), code="revoked")
        issued.status, issued.revoked_at = PassStatus.REVOKED, clock.now()
        issued.revoke_reason = reason.strip()[:200]
        issued.save(update_fields=["status", "revoked_at", "revoke_reason"])
        key_store.revocation_append(movement_pass=issued, revoked=True)
        audit_log(actor=actor, action="passes.revoke", obj=issued, fields=["status"])
    return issued


def pass_application_escalate(*, application_id: int, now: dt.datetime) -> PassApplication | None:
    """督办: a pending application missed its approval target; move it one unit up with a
    fresh clock and tell that unit. None when nothing was due (another sweep got there)."""
    with transaction.atomic():
        application = (
            PassApplication.objects.select_for_update()
            .select_related("approver_unit", "pass_type")
            .filter(pk=application_id, status=ApplicationStatus.PENDING, due_at__lte=now)
            .first()
        )
        if application is None or (
            application.escalated_at is not None and application.escalated_at >= application.due_at
        ):
            return None
        upper = next_unit_up(application.approver_unit, application.area_path)
        application.escalated_at = now
        fields = ["escalated_at"]
        if upper is not None:
            application.approver_unit = upper
            application.due_at = now + dt.timedelta(minutes=application.pass_type.approval_minutes)
            application.escalation_level += 1
            fields += ["approver_unit", "due_at", "escalation_level"]
            if upper.phone:
                OutboxMessage.objects.create(
                    recipient=upper.phone,
                    subject=str(_("Pass application overdue")),
                    body=str(
                        _("A %(type)s application for %(holder)s missed its approval time.")
                        % {"type": application.pass_type.name, "holder": application.holder_label}
                    ),
                    object_type="passes.passapplication",
                    object_id=str(application.pk),
                )
        application.save(update_fields=fields)
        audit_log(
            actor=system("pass escalation sweep"),
            action="passes.escalate",
            obj=application,
            fields=fields,
        )
    return application
