"""Registry writes. Each service runs in one transaction and writes its audit record.

Callers pass the acting user; services check that the target lies in the actor's scope and
that the actor's role may edit the registry, and raise ``ServiceError`` with a translated
message otherwise. Nothing here trusts the caller to have validated anything.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere, require
from lifeline.core.actors import Actor, is_system
from lifeline.core.audit import audit_log
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.core.personal import (
    encrypt_value,
    id_number_is_valid,
    lookup_hash,
    mask_id_number,
    normalise_id_number,
    normalise_phone,
    phone_is_valid,
)
from lifeline.registry.models import (
    LEVEL_ORDER,
    Area,
    AreaLevel,
    Building,
    Facility,
    Household,
    Person,
    Sex,
    Unit,
    Vulnerability,
    VulnerabilityKind,
)
from lifeline.registry.vocab import relation_parse

HOUSEHOLD_FIELDS = (
    "unit_no",
    "phone",
    "phone_alt",
    "gas_account",
    "power_account",
    "water_account",
)
PERSON_FIELDS = ("name", "sex", "birth_date", "phone", "relation")


def _require_editor(actor: Actor, path: str) -> None:
    require(
        actor, Perm.REGISTRY_EDIT, path=path, message=_("Your role may not change the registry.")
    )


def _clean_phone(value: str, field: str, errors: dict[str, list[str]]) -> str:
    value = normalise_phone(value or "")
    if value and not phone_is_valid(value):
        errors.setdefault(field, []).append(_("Not a valid phone number."))
    return value


def area_create(
    *,
    actor: Actor,
    parent: Area | None,
    level: str,
    code: str,
    name: str,
    name_en: str = "",
    lat: float | None = None,
    lng: float | None = None,
    boundary: dict[str, Any] | None = None,
) -> Area:
    """Create an area under ``parent``; the level must be the one below the parent's."""
    code = code.strip()
    if not code or "/" in code:
        raise ServiceError(
            _("An area code is required and may not contain '/'."),
            code="invalid",
            fields={"code": [_("Invalid code.")]},
        )
    if parent is None:
        if level != AreaLevel.CITY:
            raise ServiceError(_("Only a city may have no parent."))
        if not getattr(actor, "is_superuser", False) and not is_system(actor):
            raise PermissionDenied(_("Only an administrator may create a city."))
        path = f"/{code}/"
    else:
        _require_editor(actor, parent.path)
        expected = (
            LEVEL_ORDER[LEVEL_ORDER.index(AreaLevel(parent.level)) + 1]
            if parent.level != AreaLevel.GRID
            else None
        )
        if expected is None or level != expected:
            raise ServiceError(_("This level cannot be placed under that parent."))
        path = f"{parent.path}{code}/"
    with transaction.atomic():
        if Area.objects.filter(code=code).exists():
            raise ServiceError(
                _("An area with this code exists."),
                code="duplicate",
                fields={"code": [_("Already used.")]},
            )
        area = Area.objects.create(
            parent=parent,
            level=level,
            code=code,
            name=name.strip(),
            name_en=name_en.strip(),
            path=path,
            depth=path.count("/") - 2,
            lat=lat,
            lng=lng,
            boundary=boundary,
        )
        audit_log(actor=actor, action="area.create", obj=area, area_path=path)
    return area


def building_create(
    *,
    actor: Actor,
    grid: Area,
    name: str,
    address: str,
    lat: float | None = None,
    lng: float | None = None,
) -> Building:
    if grid.level != AreaLevel.GRID:
        raise ServiceError(_("Buildings belong to a grid."), fields={"grid": [_("Not a grid.")]})
    _require_editor(actor, grid.path)
    with transaction.atomic():
        try:
            with transaction.atomic():
                building = Building.objects.create(
                    grid=grid,
                    area_path=grid.path,
                    name=name.strip(),
                    address=address.strip(),
                    lat=lat,
                    lng=lng,
                )
        except IntegrityError as exc:
            raise ServiceError(
                _("This grid already has a building of that name."), code="duplicate"
            ) from exc
        audit_log(actor=actor, action="building.create", obj=building)
    return building


def household_create(*, actor: Actor, building: Building, **data: Any) -> Household:
    """Create a household in ``building``; phones are validated, accounts kept as given."""
    _require_editor(actor, building.area_path)
    values = _household_values(data, partial=False)
    with transaction.atomic():
        if Household.objects.filter(building=building, unit_no=values["unit_no"]).exists():
            raise ServiceError(
                _("This building already has that unit number."),
                code="duplicate",
                fields={"unit_no": [_("Already used.")]},
            )
        household = Household.objects.create(
            building=building, grid_id=building.grid_id, area_path=building.area_path, **values
        )
        audit_log(actor=actor, action="household.create", obj=household, fields=values.keys())
    return household


def household_update(*, actor: Actor, household: Household, **data: Any) -> Household:
    _require_editor(actor, household.area_path)
    values = _household_values(data, partial=True)
    with transaction.atomic():
        locked = Household.objects.select_for_update().get(pk=household.pk)
        changed = [k for k, v in values.items() if getattr(locked, k) != v]
        for key in changed:
            setattr(locked, key, values[key])
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            audit_log(actor=actor, action="household.update", obj=locked, fields=changed)
    return locked


def _household_values(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = set(data) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    errors: dict[str, list[str]] = {}
    values = {k: str(v or "").strip() for k, v in data.items()}
    if ("unit_no" in values or not partial) and not values.get("unit_no"):
        errors["unit_no"] = [_("A unit number is required.")]
    for field in ("phone", "phone_alt"):
        if field in values:
            values[field] = _clean_phone(values[field], field, errors)
    if errors:
        raise ServiceError(_("Please correct the marked fields."), fields=errors)
    return values


def person_create(
    *,
    actor: Actor,
    household: Household,
    name: str,
    sex: str,
    birth_date: Any = None,
    phone: str = "",
    id_number: str = "",
    relation: str = "",
) -> Person:
    """Add a person to a household. The ID number is validated, encrypted and hashed."""
    _require_editor(actor, household.area_path)
    errors: dict[str, list[str]] = {}
    values = _person_values(
        {"name": name, "sex": sex, "birth_date": birth_date, "phone": phone, "relation": relation},
        errors,
        partial=False,
    )
    id_fields = _id_number_values(id_number, errors)
    if errors:
        raise ServiceError(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        if (
            id_fields.get("id_number_hash")
            and Person.objects.filter(id_number_hash=id_fields["id_number_hash"]).exists()
        ):
            raise ServiceError(
                _("A person with this ID number is already registered."),
                code="duplicate",
                fields={"id_number": [_("Already registered.")]},
            )
        person = Person.objects.create(
            household=household,
            grid_id=household.grid_id,
            area_path=household.area_path,
            **values,
            **id_fields,
        )
        audit_log(
            actor=actor,
            action="person.create",
            obj=person,
            fields=[*values.keys(), *(["id_number"] if id_fields else [])],
        )
    return person


def person_update(*, actor: Actor, person: Person, **data: Any) -> Person:
    _require_editor(actor, person.area_path)
    errors: dict[str, list[str]] = {}
    id_number = data.pop("id_number", None)
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    values = _person_values(data, errors, partial=True)
    if id_number is not None:
        values.update(_id_number_values(id_number, errors))
    if errors:
        raise ServiceError(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if (
            values.get("id_number_hash")
            and Person.objects.filter(id_number_hash=values["id_number_hash"])
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise ServiceError(
                _("A person with this ID number is already registered."),
                code="duplicate",
                fields={"id_number": [_("Already registered.")]},
            )
        changed = [k for k, v in values.items() if getattr(locked, k) != v]
        for key in changed:
            setattr(locked, key, values[key])
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            audit_names = {
                "id_number_enc": "id_number",
                "id_number_hash": "id_number",
                "id_number_masked": "id_number",
            }
            audit_log(
                actor=actor,
                action="person.update",
                obj=locked,
                fields={audit_names.get(k, k) for k in changed},
            )
    return locked


def _person_values(
    data: dict[str, Any], errors: dict[str, list[str]], *, partial: bool
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "name" in data or not partial:
        values["name"] = str(data.get("name") or "").strip()
        if not values["name"]:
            errors["name"] = [_("A name is required.")]
    if "sex" in data or not partial:
        values["sex"] = str(data.get("sex") or "").strip().upper()
        if values["sex"] not in Sex.values:
            errors["sex"] = [_("Sex must be M or F.")]
    if "birth_date" in data:
        values["birth_date"] = data["birth_date"] or None
    if "phone" in data:
        values["phone"] = _clean_phone(str(data.get("phone") or ""), "phone", errors)
    if "relation" in data:
        relation = relation_parse(str(data.get("relation") or ""))
        if relation is None:
            errors["relation"] = [_("Unknown relation to the household.")]
        else:
            values["relation"] = relation
    return values


def _id_number_values(id_number: str, errors: dict[str, list[str]]) -> dict[str, Any]:
    id_number = normalise_id_number(id_number or "")
    if not id_number:
        return {}
    if not id_number_is_valid(id_number):
        errors["id_number"] = [_("Not a valid ID number (check digit or birth date).")]
        return {}
    return {
        "id_number_enc": encrypt_value(id_number),
        "id_number_hash": lookup_hash(id_number),
        "id_number_masked": mask_id_number(id_number),
    }


def vulnerability_set(*, actor: Actor, person: Person, kind: str, note: str = "") -> Vulnerability:
    """Tag a person as vulnerable (or update the note of an existing tag)."""
    _require_editor(actor, person.area_path)
    if kind not in VulnerabilityKind.values:
        raise ServiceError(_("Unknown vulnerability."), fields={"kind": [_("Unknown.")]})
    with transaction.atomic():
        vulnerability, created = Vulnerability.objects.select_for_update().get_or_create(
            person=person,
            kind=kind,
            defaults={
                "note": note.strip()[:255],
                "grid_id": person.grid_id,
                "area_path": person.area_path,
            },
        )
        if not created and vulnerability.note != note.strip()[:255]:
            vulnerability.note = note.strip()[:255]
            vulnerability.save(update_fields=["note"])
        audit_log(
            actor=actor, action="vulnerability.set", obj=vulnerability, fields=["kind", "note"]
        )
    return vulnerability


def vulnerability_remove(*, actor: Actor, person: Person, kind: str) -> None:
    _require_editor(actor, person.area_path)
    with transaction.atomic():
        deleted, _rows = Vulnerability.objects.filter(person=person, kind=kind).delete()
        if deleted:
            audit_log(
                actor=actor,
                action="vulnerability.remove",
                object_type="registry.person",
                object_id=person.pk,
                area_path=person.area_path,
                fields=["kind"],
            )


def facility_create(*, actor: Actor, area: Area, kind: str, name: str, **data: Any) -> Facility:
    _require_editor(actor, area.path)
    if kind not in Facility.Kind.values:
        raise ServiceError(_("Unknown facility kind."), fields={"kind": [_("Unknown.")]})
    with transaction.atomic():
        facility = Facility.objects.create(
            area=area, area_path=area.path, kind=kind, name=name.strip(), **data
        )
        audit_log(actor=actor, action="facility.create", obj=facility)
    return facility


def unit_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None = None,
    areas: list[Area] | None = None,
    **data: Any,
) -> Unit:
    if not can_anywhere(actor, Perm.UNIT_MANAGE):
        raise PermissionDenied(_("Only the command centre may create units."))
    if kind not in Unit.Kind.values:
        raise ServiceError(_("Unknown unit kind."), fields={"kind": [_("Unknown.")]})
    with transaction.atomic():
        if Unit.objects.filter(code=code).exists():
            raise ServiceError(_("A unit with this code exists."), code="duplicate")
        unit = Unit.objects.create(code=code, name=name, kind=kind, parent=parent, **data)
        if areas:
            unit.areas.set(areas)
        audit_log(actor=actor, action="unit.create", obj=unit)
    return unit
