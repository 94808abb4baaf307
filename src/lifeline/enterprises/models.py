"""Enterprises and construction sites working in closed loop (闭环生产): the whitelist, each
enterprise's bubbles (a dormitory and a workplace), the sealed staff in them, and the
vehicles whose logistics passes come from the passes app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.registry.models import PATH_INDEX_OPCLASS


class EnterpriseKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    CONSTRUCTION = "construction", _("Construction site")


class Whitelist(models.TextChoices):
    PENDING = "pending", _("Waiting for the whitelist")
    LISTED = "listed", _("On the whitelist")
    REMOVED = "removed", _("Taken off the whitelist")


class LoopStatus(models.TextChoices):
    ACTIVE = "active", _("Working in closed loop")
    SUSPENDED = "suspended", _("Suspended: a positive in the loop")
    CLOSED = "closed", _("Closed")


class Enterprise(models.Model):
    """An enterprise or a construction site allowed to keep working sealed, in the area
    (usually a street or district) whose liaison looks after it."""

    SCOPE_PERMISSION = Perm.ENTERPRISES_VIEW

    area = models.ForeignKey(
        "registry.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=12, choices=EnterpriseKind.choices, default=EnterpriseKind.ENTERPRISE
    )
    contact_name = models.CharField(_("contact"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    whitelist = models.CharField(
        _("whitelist"), max_length=8, choices=Whitelist.choices, default=Whitelist.LISTED
    )
    status = models.CharField(
        _("closed-loop status"),
        max_length=10,
        choices=LoopStatus.choices,
        default=LoopStatus.ACTIVE,
    )
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    unit = models.ForeignKey(
        "registry.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registry unit"),
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["area_path", "name", "id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="enterprise_path_idx", opclasses=PATH_INDEX_OPCLASS
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="enterprise_one_per_name")
        ]
        verbose_name = _("enterprise in closed loop")
        verbose_name_plural = _("enterprises in closed loop")

    def __str__(self) -> str:
        return self.name


class Bubble(models.Model):
    """A closed loop (闭环): where the staff sleep and where they work, nothing between."""

    SCOPE_PERMISSION = Perm.ENTERPRISES_VIEW

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="bubbles", verbose_name=_("enterprise")
    )
    area_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=100)
    dormitory = models.CharField(_("dormitory"), max_length=200)
    workplace = models.CharField(_("workplace"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=LoopStatus.choices, default=LoopStatus.ACTIVE
    )
    # When the liaison or the district last reopened the loop: the positives sweep reads
    # results sampled from that day on, so a cleared positive does not suspend it again.
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["enterprise", "name", "id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="ent_bubble_path_idx", opclasses=PATH_INDEX_OPCLASS
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "name"], name="ent_bubble_one_per_name")
        ]
        verbose_name = _("closed loop")
        verbose_name_plural = _("closed loops")

    def __str__(self) -> str:
        return self.name


class SealedStaff(models.Model):
    """A member of a bubble. A resident of the registry is linked, so that their tests
    count; someone from elsewhere is kept by name and phone (no tests known here)."""

    SCOPE_PERMISSION = Perm.ENTERPRISES_VIEW

    bubble = models.ForeignKey(
        Bubble, on_delete=models.CASCADE, related_name="staff", verbose_name=_("closed loop")
    )
    area_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    critical_role = models.CharField(_("critical role"), max_length=50, blank=True)
    active = models.BooleanField(_("in the loop"), default=True)
    positive_at = models.DateTimeField(_("positive at"), null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["bubble", "name", "id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="ent_staff_path_idx", opclasses=PATH_INDEX_OPCLASS
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["bubble", "person"],
                condition=models.Q(person__isnull=False),
                name="ent_staff_person_once",
            )
        ]
        verbose_name = _("sealed staff member")
        verbose_name_plural = _("sealed staff")

    def __str__(self) -> str:
        return self.name


class Vehicle(models.Model):
    """A vehicle of a bubble, by its plate; its logistics pass application (and the pass,
    once issued) live in the passes app and are referred to here by id."""

    SCOPE_PERMISSION = Perm.ENTERPRISES_VIEW

    bubble = models.ForeignKey(
        Bubble, on_delete=models.CASCADE, related_name="vehicles", verbose_name=_("closed loop")
    )
    area_path = models.CharField(max_length=255, editable=False)
    plate = models.CharField(_("plate"), max_length=12)
    driver_name = models.CharField(_("driver"), max_length=50, blank=True)
    pass_application_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Set when a positive in the loop stopped the vehicle's pass.
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["bubble", "plate", "id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="ent_vehicle_path_idx", opclasses=PATH_INDEX_OPCLASS
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["bubble", "plate"], name="ent_vehicle_one_per_plate")
        ]
        verbose_name = _("closed-loop vehicle")
        verbose_name_plural = _("closed-loop vehicles")

    def __str__(self) -> str:
        return self.plate


class BubbleNeed(models.Model):
    """A supply need raised for a bubble. The need lives in the supplies app and is
    referred to here by id, with what was asked, so the liaison finds the bubble's needs
    again."""

    SCOPE_PERMISSION = Perm.ENTERPRISES_VIEW

    bubble = models.ForeignKey(
        Bubble, on_delete=models.CASCADE, related_name="needs", verbose_name=_("closed loop")
    )
    area_path = models.CharField(max_length=255, editable=False)
    need_id = models.PositiveBigIntegerField(unique=True)
    # What was asked, as filed (the need's progress is the supplies app's to tell).
    item_name = models.CharField(_("item"), max_length=100)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_label = models.CharField(_("unit"), max_length=20, blank=True)
    needed_by = models.DateField(_("needed by"))
    canteen = models.BooleanField(_("for the canteen"), default=False)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="ent_need_path_idx", opclasses=PATH_INDEX_OPCLASS
            )
        ]
        verbose_name = _("closed-loop supply need")
        verbose_name_plural = _("closed-loop supply needs")

    def __str__(self) -> str:
        return f"{self.bubble} #{self.need_id}"
