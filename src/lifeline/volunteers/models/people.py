"""Volunteers: who they are, what they can do, where they serve and how much they may."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.registry.models import PATH_INDEX_OPCLASS


class Skill(models.TextChoices):
    DRIVER = "driver", _("Driver")
    MEDICAL = "medical", _("Medical")
    SAMPLER = "sampler", _("Sampler-trained")
    COUNSELLOR = "counsellor", _("Counsellor")
    LANGUAGE = "language", _("Sign or foreign language")


class OrgKind(models.TextChoices):
    COMMUNITY = "community", _("Community")
    PARTY_BRANCH = "party_branch", _("Party branch")
    AGENCY = "agency", _("Agency or department")
    ENTERPRISE = "enterprise", _("Enterprise")
    OTHER = "other", _("Other")


class VolunteerStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class Volunteer(models.Model):
    """A person who gives time, attached to the area (usually a community) whose
    coordinators approve and deploy them. Hours are limited per day and week, with a rest
    between shifts; every booking is checked against these limits."""

    SCOPE_PERMISSION = Perm.VOLUNTEERS_VIEW

    area = models.ForeignKey(
        "registry.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("serves in")
    )
    area_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    # A resident of the registry, when they are one (linked by a coordinator).
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An account, for building heads and volunteers who work from the staff pages.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    # The building whose orders and neighbours this volunteer looks after (楼栋长).
    building = models.ForeignKey(
        "registry.Building",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("building head of"),
    )
    org_kind = models.CharField(
        _("organisation"), max_length=16, choices=OrgKind.choices, default=OrgKind.COMMUNITY
    )
    org_name = models.CharField(_("organisation name"), max_length=100, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VolunteerStatus.choices, default=VolunteerStatus.PENDING
    )
    max_day_minutes = models.PositiveIntegerField(_("most minutes a day"), default=12 * 60)
    max_week_minutes = models.PositiveIntegerField(_("most minutes a week"), default=60 * 60)
    min_rest_minutes = models.PositiveIntegerField(_("least rest between shifts"), default=8 * 60)
    consent_at = models.DateTimeField(_("consented at"), null=True, blank=True)
    sms_ok = models.BooleanField(_("texts allowed"), default=True)
    minutes_credited = models.PositiveIntegerField(_("minutes credited"), default=0)
    # The secret in the address of the volunteer's calendar feed (blank: no feed yet).
    feed_token = models.CharField(max_length=43, blank=True, db_index=True)
    created_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["area_path", "name", "id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="volunteer_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["phone"], name="volunteer_phone_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["area", "phone"], name="volunteer_one_per_phone"),
            models.CheckConstraint(
                condition=models.Q(max_day_minutes__lte=24 * 60), name="volunteer_day_limit"
            ),
        ]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self) -> str:
        return self.name
