"""Key protected users (保电/保水用户), the supply points that serve them and the buildings
of the registry, and interruptions of supply: planned (with notice) or unplanned.

Where a row is: a supply point by its area and its utility (``SCOPE_UNIT_FIELD``); a key
user by its area; an interruption by the area its supply points share and its utility.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.registry.models import PATH_INDEX_OPCLASS

SEE = (Perm.CONTINUITY_VIEW, Perm.CONTINUITY_KEY_USERS, Perm.CONTINUITY_OUTAGES)


class UtilityKind(models.TextChoices):
    POWER = "power", _("Power")
    WATER = "water", _("Water")
    GAS = "gas", _("Gas")


class PointKind(models.TextChoices):
    FEEDER = "feeder", _("Feeder")
    STATION = "station", _("Substation or pumping station")
    MAIN = "main", _("Main")


class SupplyPoint(models.Model):
    """A feeder, station or main of one utility, serving buildings of one area."""

    SCOPE_PERMISSION = SEE
    SCOPE_UNIT_FIELD = "utility_id"

    utility = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("utility")
    )
    utility_kind = models.CharField(
        _("supply"), max_length=8, choices=UtilityKind.choices, default=UtilityKind.POWER
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=PointKind.choices, default=PointKind.FEEDER
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        "registry.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["utility_kind", "code"]
        indexes = [
            models.Index(
                fields=["area_path"], name="supplypoint_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
        ]
        verbose_name = _("supply point")
        verbose_name_plural = _("supply points")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BuildingSupply(models.Model):
    """A registry building served by a supply point (a building may hang on several)."""

    SCOPE_PERMISSION = SEE
    SCOPE_AREA_FIELD = "supply_point__area_path"

    supply_point = models.ForeignKey(
        SupplyPoint, on_delete=models.CASCADE, related_name="buildings"
    )
    building = models.ForeignKey("registry.Building", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["supply_point", "building"], name="buildingsupply_unique"
            )
        ]
        indexes = [models.Index(fields=["building"], name="buildingsupply_building_idx")]
        verbose_name = _("building supply")
        verbose_name_plural = _("building supplies")

    def __str__(self) -> str:
        return f"{self.supply_point_id}:{self.building_id}"


class KeyUserKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    QUARANTINE_SITE = "quarantine_site", _("Quarantine site")
    EPIDEMIC_CONTROL = "epidemic_control", _("Epidemic-control department")
    DIALYSIS_CENTRE = "dialysis_centre", _("Dialysis centre")
    HOME_LIFE_SUPPORT = "home_life_support", _("Home oxygen or life support")
    OTHER = "other", _("Other")


class KeyUser(models.Model):
    """A user whose supply must not be cut without a plan: its place, the supply points
    that serve it, and its protection plan (backup source, contact, response time, and a
    special plan, for example a hospital turned into the central quarantine hospital)."""

    SCOPE_PERMISSION = SEE

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=KeyUserKind.choices)
    area = models.ForeignKey(
        "registry.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    facility = models.ForeignKey(
        "registry.Facility",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("facility"),
    )
    unit = models.ForeignKey(
        "registry.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("unit"),
    )
    # A home-oxygen patient's household in the registry: its address is masked in lists.
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    supply_points = models.ManyToManyField(
        SupplyPoint, related_name="key_users", verbose_name=_("supply points")
    )
    backup_source = models.CharField(_("backup source"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    response_minutes = models.PositiveIntegerField(_("response time (minutes)"), default=30)
    special_plan = models.TextField(_("special plan"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["area_path", "name", "id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="keyuser_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
        ]
        verbose_name = _("key protected user")
        verbose_name_plural = _("key protected users")

    def __str__(self) -> str:
        return self.name

    @property
    def is_private(self) -> bool:
        """A person at home: the address and name are masked in every list."""
        return self.kind == KeyUserKind.HOME_LIFE_SUPPORT


class InterruptionKind(models.TextChoices):
    PLANNED = "planned", _("Planned interruption")
    UNPLANNED = "unplanned", _("Unplanned outage")


class InterruptionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class Interruption(models.Model):
    """Supply cut at some supply points for a time. A planned one is published only with
    the notice period (``LIFELINE_KEYUSERS_NOTICE_DAYS`` business days) unless a named
    role overrides it with a reason; an unplanned one is published as it is entered."""

    SCOPE_PERMISSION = SEE
    SCOPE_UNIT_FIELD = "utility_id"

    kind = models.CharField(_("kind"), max_length=10, choices=InterruptionKind.choices)
    utility = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("utility")
    )
    area_path = models.CharField(max_length=255, editable=False)
    supply_points = models.ManyToManyField(
        SupplyPoint, related_name="interruptions", verbose_name=_("supply points")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InterruptionStatus.choices,
        default=InterruptionStatus.DRAFT,
    )
    notice_days = models.PositiveSmallIntegerField(_("notice period (business days)"))
    override_reason = models.CharField(_("reason for short notice"), max_length=300, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key_users_affected = models.PositiveIntegerField(default=0)
    households_affected = models.PositiveIntegerField(default=0)
    notices_sent = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="interruption_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="interruption_ends_after_start",
            )
        ]
        verbose_name = _("interruption of supply")
        verbose_name_plural = _("interruptions of supply")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"
