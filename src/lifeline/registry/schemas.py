"""Registry API schemas: one in and one out per operation. Out schemas carry only masked
phones and ID numbers; the full values leave only through the audited reveal."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field

from lifeline.api.schemas import SAFE, Id, InSchema, bounded
from lifeline.core import clock
from lifeline.core.personal import age_band, mask_phone
from lifeline.registry.models import AreaLevel, Facility, Person, Unit, VulnerabilityKind

Lat = Annotated[float, Field(ge=-90, le=90)]
Lng = Annotated[float, Field(ge=-180, le=180)]
Phone = Annotated[str, bounded(20), SAFE]
Account = Annotated[str, bounded(32), SAFE]


class AreaOut(Schema):
    id: int
    parent_id: int | None
    level: str
    code: str
    name: str
    name_en: str
    area_path: str = Field(validation_alias="path")
    depth: int
    lat: float | None
    lng: float | None


class AreaFilter(Schema):
    parent: Id | None = None
    level: AreaLevel | None = None
    q: Annotated[str, bounded(100), SAFE] = ""


class AreaChildOut(Schema):
    area: AreaOut
    people: int
    households: int
    vulnerable: int


class BuildingOut(Schema):
    id: int
    grid_id: int
    area_path: str
    name: str
    address: str
    lat: float | None
    lng: float | None
    household_count: int | None = None


class BuildingFilter(Schema):
    grid: Id


class BuildingIn(InSchema):
    grid: Id
    name: Annotated[str, bounded(100, min_length=1), SAFE]
    address: Annotated[str, bounded(255, min_length=1), SAFE]
    lat: Lat | None = None
    lng: Lng | None = None


class HouseholdOut(Schema):
    id: int
    building_id: int
    grid_id: int
    area_path: str
    unit_no: str
    building_name: str = Field(validation_alias="building.name")
    address: str = Field(validation_alias="building.address")
    phone_masked: str
    phone_alt_masked: str
    gas_account: str
    power_account: str
    water_account: str


class HouseholdFilter(Schema):
    grid: Id | None = None
    area: Id | None = None
    building: Id | None = None
    phone: Annotated[str, bounded(30), SAFE] = ""


class HouseholdIn(InSchema):
    building: Id
    unit_no: Annotated[str, bounded(30, min_length=1), SAFE]
    phone: Phone = ""
    phone_alt: Phone = ""
    gas_account: Account = ""
    power_account: Account = ""
    water_account: Account = ""


class HouseholdPatch(InSchema):
    unit_no: Annotated[str, bounded(30, min_length=1), SAFE] | None = None
    phone: Phone | None = None
    phone_alt: Phone | None = None
    gas_account: Account | None = None
    power_account: Account | None = None
    water_account: Account | None = None


class VulnerabilityOut(Schema):
    kind: str
    note: str
    created_at: dt.datetime


class VulnerabilityIn(InSchema):
    note: Annotated[str, bounded(255), SAFE] = ""


class PersonOut(Schema):
    id: int
    household_id: int
    grid_id: int
    area_path: str
    name: str
    sex: str
    # Ten-year band ("60-69"); the birth date is revealed on request only (docs/security.md).
    age_band: str
    relation: str
    phone_masked: str
    id_number_masked: str

    @staticmethod
    def resolve_age_band(obj: Person) -> str:
        return age_band(obj.birth_date, clock.today())


class PersonDetailOut(PersonOut):
    household: HouseholdOut
    vulnerabilities: list[VulnerabilityOut]

    @staticmethod
    def resolve_vulnerabilities(obj: object) -> list[object]:
        return list(obj.vulnerabilities.all())  # type: ignore[attr-defined]


class HouseholdDetailOut(HouseholdOut):
    members: list[PersonOut]

    @staticmethod
    def resolve_members(obj: object) -> list[object]:
        return list(obj.members.order_by("id"))  # type: ignore[attr-defined]


class PersonFilter(Schema):
    grid: Id | None = None
    area: Id | None = None
    household: Id | None = None
    vulnerability: VulnerabilityKind | None = None


class PersonSearch(Schema):
    q: Annotated[str, bounded(50, min_length=1), SAFE]


class PersonIn(InSchema):
    household: Id
    name: Annotated[str, bounded(50, min_length=1), SAFE]
    sex: Annotated[str, bounded(1, min_length=1), SAFE]
    birth_date: dt.date | None = None
    phone: Phone = ""
    id_number: Annotated[str, bounded(24), SAFE] = ""
    relation: Annotated[str, bounded(20), SAFE] = ""


class PersonPatch(InSchema):
    name: Annotated[str, bounded(50, min_length=1), SAFE] | None = None
    sex: Annotated[str, bounded(1, min_length=1), SAFE] | None = None
    birth_date: dt.date | None = None
    phone: Phone | None = None
    id_number: Annotated[str, bounded(24), SAFE] | None = None
    relation: Annotated[str, bounded(20), SAFE] | None = None


class FacilityOut(Schema):
    id: int
    kind: str
    name: str
    area_id: int
    area_path: str
    address: str
    phone_masked: str
    lat: float | None
    lng: float | None
    unit_id: int | None

    @staticmethod
    def resolve_phone_masked(obj: Facility) -> str:
        return mask_phone(obj.phone)


class FacilityFilter(Schema):
    kind: Facility.Kind | None = None
    area: Id | None = None


class FacilityIn(InSchema):
    area: Id
    kind: Facility.Kind
    name: Annotated[str, bounded(150, min_length=1), SAFE]
    address: Annotated[str, bounded(255), SAFE] = ""
    phone: Phone = ""
    lat: Lat | None = None
    lng: Lng | None = None
    unit: Id | None = None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: str
    parent_id: int | None
    phone_masked: str

    @staticmethod
    def resolve_phone_masked(obj: Unit) -> str:
        return mask_phone(obj.phone)


class UnitFilter(Schema):
    kind: Unit.Kind | None = None
