"""Liaisons put enterprises on the whitelist and seal their staff in bubbles."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict
from lifeline.core.personal import normalise_phone, phone_is_valid
from lifeline.enterprises.models import (
    Bubble,
    Enterprise,
    EnterpriseKind,
    LoopStatus,
    SealedStaff,
    Vehicle,
)
from lifeline.enterprises.services.common import invalid, require_manage
from lifeline.registry.models import Area, Person, Unit

PLATE_LENGTH = (5, 12)


def _text(value: str, limit: int) -> str:
    return (value or "").strip()[:limit] if len((value or "").strip()) <= limit else ""


def enterprise_create(
    *,
    actor: Actor,
    area: Area,
    name: str,
    kind: str = EnterpriseKind.ENTERPRISE,
    contact_name: str,
    contact_phone: str,
    unit: Unit | None = None,
) -> Enterprise:
    """An enterprise or construction site put on the whitelist of ``area`` by a liaison
    (``ENTERPRISES_MANAGE`` there), working in closed loop from now."""
    require_manage(actor, area.path)
    fields: dict[str, list[str]] = {}
    name = _text(name, 100)
    if not name:
        fields["name"] = [_("Give a name (at most 100 characters).")]
    if kind not in EnterpriseKind.values:
        fields["kind"] = [_("Choose enterprise or construction site.")]
    contact_name = _text(contact_name, 50)
    if not contact_name:
        fields["contact_name"] = [_("Name the contact (at most 50 characters).")]
    phone = normalise_phone(contact_phone or "")
    if not phone_is_valid(phone):
        fields["contact_phone"] = [_("Not a phone number.")]
    if unit is not None and unit.kind != Unit.Kind.ENTERPRISE:
        fields["unit"] = [_("The registry unit must be an enterprise.")]
    if fields:
        raise invalid(fields)
    now = clock.now()
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(
                area=area,
                area_path=area.path,
                name=name,
                kind=kind,
                contact_name=contact_name,
                contact_phone=phone,
                unit=unit,
                status=LoopStatus.ACTIVE,
                status_changed_at=now,
                created_at=now,
                created_by=user_of(actor),
            )
            audit_log(actor=actor, action="enterprises.create", obj=enterprise, fields=["name"])
    except IntegrityError:
        raise Conflict(
            _("An enterprise of this name is already listed here."), code="duplicate"
        ) from None
    return enterprise


def bubble_create(
    *, actor: Actor, enterprise: Enterprise, name: str, dormitory: str, workplace: str
) -> Bubble:
    """A closed loop of the enterprise: where its sealed staff sleep and work."""
    require_manage(actor, enterprise.area_path)
    fields: dict[str, list[str]] = {}
    name, dormitory, workplace = _text(name, 100), _text(dormitory, 200), _text(workplace, 200)
    if not name:
        fields["name"] = [_("Give a name (at most 100 characters).")]
    if not dormitory:
        fields["dormitory"] = [_("Give the dormitory's address or building.")]
    if not workplace:
        fields["workplace"] = [_("Give the workplace.")]
    if fields:
        raise invalid(fields)
    try:
        with transaction.atomic():
            bubble = Bubble.objects.create(
                enterprise=enterprise,
                area_path=enterprise.area_path,
                name=name,
                dormitory=dormitory,
                workplace=workplace,
                status=enterprise.status,
                created_at=clock.now(),
            )
            audit_log(actor=actor, action="enterprises.bubble_create", obj=bubble, fields=["name"])
    except IntegrityError:
        raise Conflict(
            _("This enterprise already has a loop of this name."), code="duplicate"
        ) from None
    return bubble


def staff_add(
    *,
    actor: Actor,
    bubble: Bubble,
    name: str = "",
    phone: str = "",
    person: Person | None = None,
    critical_role: str = "",
) -> SealedStaff:
    """Seal a member into the bubble. A registry resident (``person``, already read through
    the registry's selectors by the caller) is named from the registry and their tests
    count; anyone else needs a name and a phone."""
    require_manage(actor, bubble.area_path)
    fields: dict[str, list[str]] = {}
    if person is not None:
        name = person.name
    name = _text(name, 50)
    if not name:
        fields["name"] = [_("Give a name (at most 50 characters).")]
    number = normalise_phone(phone or "")
    if number and not phone_is_valid(number):
        fields["phone"] = [_("Not a phone number.")]
    if person is None and not number:
        fields.setdefault("phone", [_("Give a phone for someone not in the registry.")])
    role = (critical_role or "").strip()
    if len(role) > 50:
        fields["critical_role"] = [_("At most 50 characters.")]
    if fields:
        raise invalid(fields)
    try:
        with transaction.atomic():
            member = SealedStaff.objects.create(
                bubble=bubble,
                area_path=bubble.area_path,
                name=name,
                phone=number,
                person=person,
                critical_role=role,
                created_at=clock.now(),
            )
            audit_log(actor=actor, action="enterprises.staff_add", obj=member, fields=["name"])
    except IntegrityError:
        raise Conflict(_("This resident is already in the loop."), code="duplicate") from None
    return member


def vehicle_add(*, actor: Actor, bubble: Bubble, plate: str, driver_name: str = "") -> Vehicle:
    """A vehicle serving the bubble, by its plate (its pass is applied for separately)."""
    require_manage(actor, bubble.area_path)
    fields: dict[str, list[str]] = {}
    plate = (plate or "").strip().upper().replace(" ", "")
    low, high = PLATE_LENGTH
    if not (low <= len(plate) <= high) or not plate.isprintable() or "*" in plate:
        fields["plate"] = [_("Give the vehicle's plate (5 to 12 characters).")]
    driver = (driver_name or "").strip()
    if len(driver) > 50:
        fields["driver_name"] = [_("At most 50 characters.")]
    if fields:
        raise invalid(fields)
    try:
        with transaction.atomic():
            vehicle = Vehicle.objects.create(
                bubble=bubble,
                area_path=bubble.area_path,
                plate=plate,
                driver_name=driver,
                created_at=clock.now(),
            )
            audit_log(actor=actor, action="enterprises.vehicle_add", obj=vehicle, fields=["plate"])
    except IntegrityError:
        raise Conflict(
            _("This vehicle is already listed for the loop."), code="duplicate"
        ) from None
    return vehicle


def staff_link(*, actor: Actor, staff: SealedStaff, person: Person) -> SealedStaff:
    """Link a member kept by name and phone to their registry resident (``person``, read
    by the caller through the registry's selectors, so within the caller's registry
    scope): from now on their tests count. The member takes the registry's name."""
    require_manage(actor, staff.area_path)
    if staff.person_id is not None:
        raise Conflict(_("This member is already linked to the registry."), code="linked")
    try:
        with transaction.atomic():
            locked = SealedStaff.objects.select_for_update().get(pk=staff.pk)
            if locked.person_id is not None:
                raise Conflict(_("This member is already linked to the registry."), code="linked")
            locked.person = person
            locked.name = person.name[:50]
            locked.save(update_fields=["person", "name"])
            audit_log(actor=actor, action="enterprises.staff_link", obj=locked, fields=["person"])
    except IntegrityError:
        raise Conflict(_("This resident is already in the loop."), code="duplicate") from None
    return locked
