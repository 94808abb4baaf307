"""Users, their roles where they work, and machine tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.core import clock


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    STREET_STAFF = "street_staff", _("Street staff")
    DISTRICT_STAFF = "district_staff", _("District staff")
    COMMAND_STAFF = "command_staff", _("Command-centre staff")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    UNIT_STAFF = "unit_staff", _("Unit staff")
    FIELD_TEAM = "field_team", _("Field-team member")
    CHECKPOINT_STAFF = "checkpoint_staff", _("Checkpoint staff")
    SAMPLER = "sampler", _("Sampler")
    LAB = "lab", _("Lab")
    WAREHOUSE_OFFICER = "warehouse_officer", _("Warehouse officer")
    VOLUNTEER_COORDINATOR = "volunteer_coordinator", _("Volunteer coordinator")
    BUILDING_HEAD = "building_head", _("Building head")
    UTILITY_STAFF = "utility_staff", _("Utility duty desk")
    ENTERPRISE_LIAISON = "enterprise_liaison", _("Enterprise liaison")
    COUNSELLOR = "counsellor", _("Counsellor")
    COUNSELLING_SUPERVISOR = "counselling_supervisor", _("Counselling supervisor")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    """Binds a user, in one role, to an area subtree and/or a unit. Scope comes only from here."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        "registry.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "registry.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(area__isnull=False) | models.Q(unit__isnull=False),
                name="membership_has_area_or_unit",
            )
        ]
        verbose_name = _("membership")

    def __str__(self) -> str:
        return f"{self.user} {self.role} {self.area or ''}{self.unit or ''}"


class ApiToken(models.Model):
    """A machine credential. Only a hash is stored; the token is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
