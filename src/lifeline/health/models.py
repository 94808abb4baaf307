"""Health status, area risk, designated hospitals and the medical-access decision table (S5).

A person's status is a history of rows; exactly one row per person carries ``current=True``
(a partial unique constraint), so "what is this person's code now" is one indexed lookup and
the history stays complete. Rule tables are versioned and never edited once published: a
change is a new version, and every decision keeps a reference to the rule that made it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.health.vocab import (
    RULE_LABELS,
    Capability,
    CodeColour,
    HospitalRole,
    How,
    Need,
    Notify,
    Quarantine,
    RiskLevel,
    StatusSource,
    Where,
)
from lifeline.registry.models import PATH_INDEX_OPCLASS


class HealthStatus(models.Model):
    SCOPE_PERMISSION = Perm.HEALTH_VIEW
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="health_statuses"
    )
    area_path = models.CharField(max_length=255, editable=False)
    colour = models.CharField(_("code colour"), max_length=6, choices=CodeColour.choices)
    quarantine = models.CharField(
        _("quarantine"), max_length=16, choices=Quarantine.choices, default=Quarantine.NONE
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=StatusSource.choices)
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    current = models.BooleanField(default=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["person_id", "-valid_from", "-id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="healthstatus_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["person", "valid_from"], name="healthstatus_history_idx"),
            models.Index(fields=["colour", "current"], name="healthstatus_colour_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(current=True),
                name="healthstatus_one_current_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="healthstatus_period_ordered",
            ),
        ]
        verbose_name = _("health status")
        verbose_name_plural = _("health statuses")

    def __str__(self) -> str:
        return f"{self.person_id}:{self.colour}/{self.quarantine}"


class AreaRisk(models.Model):
    """The risk level of an area for a period; it covers the whole subtree of the area."""

    SCOPE_PERMISSION = Perm.ANY
    area = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    level = models.CharField(_("risk level"), max_length=6, choices=RiskLevel.choices)
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["area_path", "-valid_from"]
        indexes = [
            models.Index(
                fields=["area_path"], name="arearisk_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="arearisk_period_ordered",
            ),
        ]
        verbose_name = _("area risk")
        verbose_name_plural = _("area risks")

    def __str__(self) -> str:
        return f"{self.area_path} {self.level}"


class DesignatedHospital(models.Model):
    """A hospital's part in medical access: designated for a district, for a group, ..."""

    SCOPE_PUBLIC_TO_MEMBERS = True  # every member must find where to send a patient

    facility = models.ForeignKey(
        "registry.Facility", on_delete=models.PROTECT, related_name="medical_roles"
    )
    role = models.CharField(_("role"), max_length=12, choices=HospitalRole.choices)
    district = models.ForeignKey(
        "registry.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: serves the whole city."),
    )
    special_group = models.CharField(
        _("special group"), max_length=10, choices=Need.choices, blank=True
    )
    capabilities = models.JSONField(
        _("needs it can take"), default=list, blank=True, help_text=_("Empty: general care only.")
    )
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    duty_phone = models.CharField(
        _("24-hour duty phone"),
        max_length=20,
        blank=True,
        help_text=_("Shown first to callers and staff, to call before the patient comes."),
    )
    notice_mobile = models.CharField(
        _("duty mobile for advance notices"),
        max_length=20,
        blank=True,
        help_text=_("Receives the SMS announcing a transfer; never shown on pages."),
    )
    phones = models.JSONField(_("contact phones"), default=list, blank=True)
    notes = models.TextField(_("current notes"), blank=True)
    notes_updated_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["role", "district_id", "id"]
        indexes = [models.Index(fields=["role", "active"], name="hospital_role_idx")]
        verbose_name = _("designated hospital")
        verbose_name_plural = _("designated hospitals")

    def __str__(self) -> str:
        return f"{self.facility} ({self.get_role_display()})"

    @property
    def display_name(self) -> str:
        """The name in the active language (the English name when there is one)."""
        english = (get_language() or "").startswith("en")
        return self.name_en if english and self.name_en else self.facility.name

    @property
    def district_name(self) -> str:
        area = self.district or self.facility.area
        english = (get_language() or "").startswith("en")
        return (area.name_en if english and area.name_en else area.name) if area else ""

    @property
    def display_address(self) -> str:
        """The street address in Chinese; in English the district (no English address)."""
        english = (get_language() or "").startswith("en")
        if english or not self.facility.address:
            return self.district_name
        return self.facility.address

    @property
    def call_phones(self) -> list[str]:
        """Phones to call, the duty phone first, without repeats."""
        listed = [self.duty_phone, *(self.phones or []), self.facility.phone]
        return list(dict.fromkeys(p for p in listed if p))

    @property
    def capability_labels(self) -> list[str]:
        return [str(Capability(c).label) for c in self.capabilities or () if c in Capability.values]


class RuleTable(models.Model):
    """One version of the decision table. Only drafts change; published versions are frozen."""

    SCOPE_PUBLIC_TO_MEMBERS = True

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("In force")
        RETIRED = "retired", _("Retired")

    version = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    in_force_from = models.DateTimeField(_("in force from"), null=True, blank=True)
    in_force_to = models.DateTimeField(_("in force to"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="active"),
                name="ruletable_one_active",
            )
        ]
        verbose_name = _("medical-access rule table")
        verbose_name_plural = _("medical-access rule tables")

    def __str__(self) -> str:
        return f"v{self.version} ({self.get_status_display()})"


class Rule(models.Model):
    """One row: conditions (an empty set means "any") and what to tell the person."""

    table = models.ForeignKey(RuleTable, on_delete=models.PROTECT, related_name="rules")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    colours = models.JSONField(_("code colours"), default=list, blank=True)
    quarantines = models.JSONField(_("quarantine statuses"), default=list, blank=True)
    risks = models.JSONField(_("area risk levels"), default=list, blank=True)
    needs = models.JSONField(_("special needs (any of)"), default=list, blank=True)
    urgencies = models.JSONField(_("urgencies"), default=list, blank=True)
    where = models.CharField(_("where"), max_length=12, choices=Where.choices)
    special_group = models.CharField(
        _("special hospital group"), max_length=10, choices=Need.choices, blank=True
    )
    how = models.CharField(_("how"), max_length=18, choices=How.choices)
    notify = models.JSONField(_("who is told, first first"), default=list, blank=True)
    instructions_zh = models.TextField(_("instructions (Chinese)"))
    instructions_en = models.TextField(_("instructions (English)"))
    source_text = models.TextField(_("source sentence"), blank=True)

    class Meta:
        ordering = ["table_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["table", "order"], name="rule_table_order_unique")
        ]
        verbose_name = _("medical-access rule")
        verbose_name_plural = _("medical-access rules")

    def __str__(self) -> str:
        return f"v{self.table.version}#{self.order} {self.name}"


class Decision(models.Model):
    """One answer given, with everything needed to explain it later."""

    SCOPE_PERMISSION = Perm.HEALTH_VIEW
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area_path = models.CharField(max_length=255, blank=True)
    inputs = models.JSONField()
    rule_table = models.ForeignKey(RuleTable, on_delete=models.PROTECT, related_name="decisions")
    rule_version = models.PositiveIntegerField()
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="decisions")
    where = models.CharField(max_length=12, choices=Where.choices)
    hospital = models.ForeignKey(
        DesignatedHospital, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hospital_name = models.CharField(max_length=150, blank=True)
    how = models.CharField(max_length=18, choices=How.choices)
    notify = models.JSONField(default=list)
    instructions_zh = models.TextField()
    instructions_en = models.TextField()
    # What the receiving hospital must be able to treat, and whether that sent the patient
    # to another district's designated hospital (a critical case its own cannot take).
    capabilities = models.JSONField(default=list, blank=True)
    cross_district = models.BooleanField(default=False)
    channel = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="decision_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["person", "created_at"], name="decision_person_idx"),
        ]
        verbose_name = _("medical-access decision")
        verbose_name_plural = _("medical-access decisions")

    def __str__(self) -> str:
        return f"decision {self.pk} v{self.rule_version} {self.where}/{self.how}"

    @property
    def notify_labels(self) -> list[str]:
        return [str(Notify(n).label) for n in self.notify if n in Notify.values]

    @property
    def rule_label(self) -> str:
        """The rule in words (its name is a key): the label of a seeded rule, otherwise
        its place in the table."""
        name = self.rule.name
        if name in RULE_LABELS:
            return str(RULE_LABELS[name])
        return str(_("Rule %(order)d")) % {"order": self.rule.order}

    @property
    def capability_labels(self) -> list[str]:
        return [str(Capability(c).label) for c in self.capabilities if c in Capability.values]

    @property
    def hospital_display_name(self) -> str:
        return self.hospital.display_name if self.hospital else self.hospital_name

    @property
    def instructions(self) -> str:
        """In the active language: English for "en*", Chinese otherwise."""
        english = (get_language() or "").startswith("en")
        return self.instructions_en if english else self.instructions_zh


class StandingNeed(models.Model):
    """A treatment that recurs (dialysis on weekdays, chemo- or radiotherapy on dates).

    The periodic sweep files a transport order for each session ``lead_hours`` ahead, so
    nobody has to call. Sessions are local times of the city. A need is never edited once
    trips exist: it is ended and a new one arranged, so each trip keeps the schedule that
    made it.
    """

    SCOPE_PERMISSION = Perm.HEALTH_VIEW

    class Kind(models.TextChoices):
        DIALYSIS = "dialysis", _("Dialysis")
        CHEMO = "chemo", _("Chemo- or radiotherapy")

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    weekdays = models.JSONField(
        _("weekdays"), default=list, blank=True, help_text=_("1 = Monday ... 7 = Sunday.")
    )
    dates = models.JSONField(_("dates"), default=list, blank=True)
    time = models.TimeField(_("appointment time"))
    hospital = models.ForeignKey(
        DesignatedHospital, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active_from = models.DateField(_("from"))
    active_to = models.DateField(_("until"), null=True, blank=True)
    lead_hours = models.PositiveSmallIntegerField(_("order ahead (hours)"), default=24)
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(default=True)
    # Trips are filed in this user's name (the one who arranged the need), within their scope.
    arranged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    last_error = models.CharField(max_length=255, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["person_id", "active_from", "id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="standingneed_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["active", "active_to"], name="standingneed_active_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(active_to__isnull=True)
                | models.Q(active_to__gte=models.F("active_from")),
                name="standingneed_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(lead_hours__gte=1, lead_hours__lte=168),
                name="standingneed_lead_range",
            ),
        ]
        verbose_name = _("standing medical need")
        verbose_name_plural = _("standing medical needs")

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.time:%H:%M}"


class MedicalTransfer(models.Model):
    """A medical transfer (or a standing need's trip): its work order, the access decision
    it carries, the receiving hospital and the four times of the closed loop."""

    SCOPE_PERMISSION = (Perm.HEALTH_VIEW, Perm.WORKORDER_VIEW)

    class Kind(models.TextChoices):
        REQUEST = "request", _("Transfer request")
        STANDING = "standing", _("Standing-need trip")

    SCOPE_UNIT_FIELD = "order__responsible_unit"  # the unit doing the transfer sees it too

    order = models.OneToOneField(
        "workorders.WorkOrder", on_delete=models.PROTECT, related_name="medical_transfer"
    )
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="transfers")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    standing_need = models.ForeignKey(
        StandingNeed, null=True, blank=True, on_delete=models.PROTECT, related_name="trips"
    )
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    hospital = models.ForeignKey(
        DesignatedHospital, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hospital_name = models.CharField(_("receiving hospital"), max_length=150, blank=True)
    # When the receiving hospital was sent the advance notice (SMS to its duty mobile).
    hospital_told_at = models.DateTimeField(_("hospital told in advance"), null=True, blank=True)
    call_at = models.DateTimeField(_("called"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("vehicle dispatched"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("vehicle arrived"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="transfer_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["person", "created_at"], name="transfer_person_idx"),
        ]
        constraints = [
            # A session gets one trip, however many sweeps run at once.
            models.UniqueConstraint(
                fields=["standing_need", "appointment_at"], name="transfer_one_trip_per_session"
            ),
            # The closed loop is recorded in order: each time needs the one before it.
            models.CheckConstraint(
                condition=models.Q(dispatched_at__isnull=True)
                | models.Q(call_at__isnull=False, dispatched_at__gte=models.F("call_at")),
                name="transfer_dispatch_after_call",
            ),
            models.CheckConstraint(
                condition=models.Q(arrived_at__isnull=True)
                | models.Q(dispatched_at__isnull=False, arrived_at__gte=models.F("dispatched_at")),
                name="transfer_arrival_after_dispatch",
            ),
            models.CheckConstraint(
                condition=models.Q(handed_over_at__isnull=True)
                | models.Q(arrived_at__isnull=False, handed_over_at__gte=models.F("arrived_at")),
                name="transfer_handover_after_arrival",
            ),
        ]
        verbose_name = _("medical transfer")
        verbose_name_plural = _("medical transfers")

    def __str__(self) -> str:
        return f"transfer {self.pk} order {self.order_id}"

    @property
    def hospital_display_name(self) -> str:
        return self.hospital.display_name if self.hospital else self.hospital_name
