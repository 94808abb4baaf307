"""The city registry (S1): who lives where, who is vulnerable, and who serves them.

Every row that belongs to a place carries ``area_path``, the materialised path of its area
(``/430200/430202/.../``). Scoping and subtree queries are a prefix match on that one
indexed column, on SQLite and PostgreSQL alike, with no joins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.functions import Right
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.personal import mask_phone
from lifeline.registry.vocab import Relation, relation_label

PATH_INDEX_OPCLASS = ["varchar_pattern_ops"]  # PostgreSQL: LIKE 'prefix%' uses the index


def stamp_updated_at(row: models.Model, update_fields: Iterable[str] | None) -> None:
    """Set ``row.updated_at`` from the one clock when this save writes it (every field, or
    ``updated_at`` named in ``update_fields``), as the old automatic field did from the wall clock.
    Bulk writes bypass ``save()``: they get ``updated_at`` from the field's default."""
    if update_fields is None or "updated_at" in update_fields:
        row.updated_at = clock.now()  # type: ignore[attr-defined]


_DIGITS = re.compile(r"\d+")
SORT_KEY_LENGTH = 255


def natural_key(text: str) -> str:
    """``text`` with every run of digits padded to ten places, so that plain text order is
    natural order: "2栋" < "10栋", "3-201" < "12-101"."""
    return _DIGITS.sub(lambda m: m.group().lstrip("0").rjust(10, "0"), text or "")[:SORT_KEY_LENGTH]


class NaturalSortKeyField(models.CharField):  # type: ignore[type-arg]
    """The natural sort key of another field, computed on every write (``save``,
    ``bulk_create``), so lists sort in the database."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", SORT_KEY_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        # Rows written around the ORM (COPY by the demo and the benchmarks) get "" and sort
        # by the plain text after the keyed rows until the next write of their source.
        kwargs.setdefault("db_default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("max_length", SORT_KEY_LENGTH), ("editable", False), ("default", "")):
            if kwargs.get(key, value) == value:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = natural_key(str(getattr(model_instance, self.source) or ""))
        setattr(model_instance, self.attname, value)
        return value


def with_sort_key(update_fields: Iterable[str] | None, source: str, key: str) -> Any:
    """``update_fields`` with the sort key added when its source is written."""
    if update_fields is None or source not in update_fields or key in update_fields:
        return update_fields
    return [*update_fields, key]


def _last4(field: str) -> models.GeneratedField:
    """The last four digits of a phone, kept by the database beside it: searching a caller by
    them never needs the whole number in a URL or a log."""
    return models.GeneratedField(
        expression=Right(field, 4),
        output_field=models.CharField(max_length=4),
        db_persist=True,
    )


class AreaLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")


LEVEL_ORDER = [
    AreaLevel.CITY,
    AreaLevel.DISTRICT,
    AreaLevel.STREET,
    AreaLevel.COMMUNITY,
    AreaLevel.GRID,
]


class Area(models.Model):
    SCOPE_PERMISSION = Perm.ANY
    SCOPE_AREA_FIELD = "path"

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(_("level"), max_length=10, choices=AreaLevel.choices)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="area_path_prefix_idx", opclasses=PATH_INDEX_OPCLASS)
        ]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name

    @property
    def area_path(self) -> str:
        return self.path


class Unit(models.Model):
    """An organisation that does the work: committee, office, bureau, utility team, ..."""

    SCOPE_PUBLIC_TO_MEMBERS = True

    class Kind(models.TextChoices):
        COMMUNITY_COMMITTEE = "community_committee", _("Community committee")
        STREET_OFFICE = "street_office", _("Street office")
        DISTRICT_BUREAU = "district_bureau", _("District bureau")
        COMMAND_CENTRE = "command_centre", _("Command centre")
        UTILITY = "utility", _("Utility company")
        UTILITY_TEAM = "utility_team", _("Utility service team")
        HOSPITAL = "hospital", _("Hospital")
        RED_CROSS = "red_cross", _("Red Cross")
        LOGISTICS = "logistics", _("Logistics group")
        VOLUNTEER_AGENCY = "volunteer_agency", _("Volunteer agency")
        ENTERPRISE = "enterprise", _("Enterprise")
        COUNSELLING_LINE = "counselling_line", _("Counselling line")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="units", verbose_name=_("areas"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    SCOPE_PERMISSION = Perm.REGISTRY_VIEW
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="buildings")
    area_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("building"), max_length=100)
    name_sort = NaturalSortKeyField(source="name")
    address = models.CharField(_("address"), max_length=255)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["grid_id", "name_sort", "name"]
        indexes = [
            models.Index(
                fields=["area_path"], name="building_path_idx", opclasses=PATH_INDEX_OPCLASS
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["grid", "name"], name="building_grid_name_unique")
        ]
        verbose_name = _("building")

    def __str__(self) -> str:
        return self.address

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["update_fields"] = with_sort_key(kwargs.get("update_fields"), "name", "name_sort")
        super().save(*args, **kwargs)


class Household(models.Model):
    SCOPE_PERMISSION = Perm.REGISTRY_VIEW
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="households")
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", editable=False)
    area_path = models.CharField(max_length=255, editable=False)
    unit_no = models.CharField(_("unit number"), max_length=30)
    unit_sort = NaturalSortKeyField(source="unit_no")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_alt = models.CharField(_("second phone"), max_length=20, blank=True)
    phone_last4 = _last4("phone")
    phone_alt_last4 = _last4("phone_alt")
    gas_account = models.CharField(_("gas account"), max_length=32, blank=True)
    power_account = models.CharField(_("power account"), max_length=32, blank=True)
    water_account = models.CharField(_("water account"), max_length=32, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["building_id", "unit_sort", "unit_no"]
        indexes = [
            models.Index(
                fields=["area_path"], name="household_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["grid", "building"], name="household_grid_idx"),
            models.Index(fields=["phone"], name="household_phone_idx"),
            models.Index(fields=["phone_last4"], name="household_phone4_idx"),
            models.Index(fields=["phone_alt_last4"], name="household_phonealt4_idx"),
            models.Index(fields=["gas_account"], name="household_gas_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit_no"], name="household_building_unit_unique"
            )
        ]
        verbose_name = _("household")

    def __str__(self) -> str:
        return f"{self.building_id}-{self.unit_no}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["update_fields"] = with_sort_key(kwargs.get("update_fields"), "unit_no", "unit_sort")
        stamp_updated_at(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def phone_alt_masked(self) -> str:
        return mask_phone(self.phone_alt)


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Person(models.Model):
    SCOPE_PERMISSION = Perm.REGISTRY_VIEW
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", editable=False)
    area_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_last4 = _last4("phone")
    id_number_enc = models.BinaryField(editable=False, null=True)
    id_number_hash = models.CharField(max_length=64, editable=False, null=True, unique=True)
    id_number_masked = models.CharField(_("ID number"), max_length=20, editable=False, blank=True)
    relation = models.CharField(
        _("relation to household"), max_length=20, blank=True, choices=Relation.choices
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["household_id", "id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="person_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["grid", "household"], name="person_grid_idx"),
            models.Index(fields=["phone"], name="person_phone_idx"),
            models.Index(fields=["phone_last4"], name="person_phone4_idx"),
            models.Index(fields=["name"], name="person_name_idx"),
        ]
        verbose_name = _("person")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        stamp_updated_at(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def relation_label(self) -> str:
        return relation_label(self.relation)


class VulnerabilityKind(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("Elderly, living alone")
    DISABLED = "disabled", _("Disabled")
    BEDRIDDEN = "bedridden", _("Bedridden or immobile")
    PREGNANT = "pregnant", _("Pregnant")
    INFANT = "infant", _("Newborn or infant")
    DIALYSIS = "dialysis", _("Dialysis")
    CHEMO = "chemo", _("Chemo- or radiotherapy")
    CHRONIC_MEDICATION = "chronic_medication", _("Chronic medication")
    MENTAL_ILLNESS = "mental_illness", _("Mental illness")
    HOME_OXYGEN = "home_oxygen", _("Home oxygen")
    LIFE_SUPPORT = "life_support", _("Other life-support equipment at home")
    UNGUARDED_MINOR = "unguarded_minor", _("Minor without a guardian")


class Vulnerability(models.Model):
    SCOPE_PERMISSION = Perm.REGISTRY_VIEW
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="vulnerabilities")
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", editable=False)
    area_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=24, choices=VulnerabilityKind.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["person_id", "kind"]
        indexes = [
            models.Index(
                fields=["area_path"], name="vulnerability_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["grid", "kind"], name="vulnerability_grid_kind_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="vulnerability_unique")
        ]
        verbose_name = _("vulnerability")

    def __str__(self) -> str:
        return f"{self.person_id}:{self.kind}"


class Facility(models.Model):
    SCOPE_PERMISSION = Perm.ANY

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital")
        DESIGNATED_HOSPITAL = "designated_hospital", _("Designated hospital")
        SAMPLING_SITE = "sampling_site", _("Sampling site")
        CHECKPOINT = "checkpoint", _("Checkpoint")
        WAREHOUSE = "warehouse", _("Warehouse")
        SHOP = "shop", _("Shop")
        PHARMACY = "pharmacy", _("Pharmacy")
        QUARANTINE_SITE = "quarantine_site", _("Quarantine site")
        KEY_USER = "key_user", _("Key protected user")
        ENTERPRISE = "enterprise", _("Enterprise")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="facilities")
    area_path = models.CharField(max_length=255, editable=False)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="facilities"
    )

    class Meta:
        ordering = ["kind", "name"]
        indexes = [
            models.Index(
                fields=["area_path"], name="facility_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
        ]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """One uploaded list, validated whole, then committed all or nothing.

    The file is kept in the database (not on local disk) so any app server or worker can
    process it, and so the row-by-row report survives restarts.
    """

    SCOPE_PERMISSION = Perm.REGISTRY_IMPORT

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        VALIDATING = "validating", _("Checking rows")
        INVALID = "invalid", _("Rejected: errors found")
        PREVIEW = "preview", _("Checked: waiting for your confirmation")
        COMMITTING = "committing", _("Saving")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=32, default="households")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    area_path = models.CharField(max_length=255, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    # Row errors as {"row", "column", "code", "params"}, rendered in the reader's language
    # (importing.messages); rows of older jobs also hold "message", their rendered text.
    errors = models.JSONField(default=list, blank=True)
    # Checked and counted first, written only once the uploader confirms the counts.
    preview = models.BooleanField(default=False)
    # What the file changes (new, updated, unchanged households and people).
    summary = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import job")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
