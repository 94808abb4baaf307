"""Resident requests (工单): categories, routing rules, clock policies, orders and their timeline.

An order lives at a place (``area_path``, where the need is) and with one responsible unit
(``responsible_unit``). Area staff see the orders of their subtree, unit staff the orders of
their unit: both through the one scoping mechanism. The timeline (``WorkOrderEvent``) is
append-only and records every step, by whom and for which unit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.personal import mask_phone
from lifeline.registry.models import PATH_INDEX_OPCLASS


class Priority(models.IntegerChoices):
    """Lower is more urgent, so ``min()`` raises a priority."""

    CRITICAL = 1, _("Critical")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")
    LOW = 4, _("Low")


class Channel(models.TextChoices):
    FORM = "form", _("Resident form")
    HOTLINE = "hotline", _("Hotline")
    STAFF = "staff", _("Staff entry")
    API = "api", _("Partner platform (API)")
    OPEN311 = "open311", _("Open311")
    LIST = "list", _("List intake")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    CANCELLED = "cancelled", _("Cancelled")


TERMINAL_STATUSES = (Status.CLOSED, Status.CANCELLED)
OPEN_STATUSES = tuple(s for s in Status if s not in TERMINAL_STATUSES)
# Statuses in which the unit has not yet taken the order up: the response clock runs.
AWAITING_RESPONSE = (Status.RECEIVED, Status.DISPATCHED, Status.REOPENED)
# Statuses in which the order is with a unit that works it: a crew may claim it.
CLAIMABLE = (Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED)
# Statuses in which no more field work is owed: resolved (awaiting the resident's
# confirmation), closed or cancelled. An order entering one is announced
# (``signals.workorder_settled``).
SETTLED_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.CANCELLED)


class Category(models.Model):
    """What kind of need; seeded by migration, editable in the admin.

    ``fields`` defines the category's extra fields, e.g.
    ``{"name": "remaining_m3", "label": "剩余气量", "label_en": "Gas left (m³)",
    "type": "decimal", "required": true, "min": 0}``; types: text, int, decimal, bool,
    date, choice (with ``choices``).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60)
    default_priority = models.PositiveSmallIntegerField(
        _("default priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    response_minutes = models.PositiveIntegerField(_("response target (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"))
    location_required = models.BooleanField(_("location required"), default=False)
    medical = models.BooleanField(_("medical"), default=False)
    # Unit kind that handles the category when no routing rule matches (nearest such unit
    # up the area tree). Utilities are routed by rules only: Unit does not say which utility.
    handler_kind = models.CharField(_("default handler kind"), max_length=24, blank=True)
    fields = models.JSONField(_("extra fields"), default=list, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # Filed by the city's own services (a lifeline unit's problem, a key user's outage),
    # never offered to residents, the hotline or Open311.
    internal = models.BooleanField(_("internal"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Category (or any category) in an area subtree goes to a unit. Deepest area wins."""

    SCOPE_PERMISSION = Perm.WORKORDER_DISPATCH
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    area = models.ForeignKey("registry.Area", on_delete=models.CASCADE, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["area_path", "category_id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "area"], name="routing_category_area"),
            models.UniqueConstraint(
                fields=["area"],
                condition=models.Q(category__isnull=True),
                name="routing_any_category_area",
            ),
        ]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.category_id or '*'} @ {self.area_path} -> {self.unit_id}"


class SlaPolicyVersion(models.Model):
    """A named set of clock targets ("normal", "lockdown surge"); exactly one is active."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    name_en = models.CharField(max_length=80, blank=True)
    active = models.BooleanField(default=False)
    # How many priority steps a vulnerable person, and a medical category, raise an order.
    vulnerable_steps = models.PositiveSmallIntegerField(default=1)
    medical_steps = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="sla_one_active_version"
            )
        ]
        verbose_name = _("clock policy version")
        verbose_name_plural = _("clock policy versions")

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    version = models.ForeignKey(SlaPolicyVersion, on_delete=models.CASCADE, related_name="targets")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()
    warning_percent = models.PositiveSmallIntegerField(default=80)
    pause_statuses = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "category", "priority"], name="sla_target_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(warning_percent__gte=1, warning_percent__lte=100),
                name="sla_warning_percent_range",
            ),
        ]
        verbose_name = _("clock target")
        verbose_name_plural = _("clock targets")

    def __str__(self) -> str:
        return f"{self.version_id}/{self.category_id}/P{self.priority}"


class WorkOrder(models.Model):
    SCOPE_PERMISSION = Perm.WORKORDER_VIEW
    SCOPE_UNIT_FIELD = "responsible_unit_id"

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="orders")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    emergency = models.BooleanField(_("emergency"), default=False)
    area = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    # No index of its own: workorder_dup_idx (household, category, status) serves it.
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # No index of its own: workorder_unit_status_idx (unit, status) serves it.
    responsible_unit = models.ForeignKey(
        "registry.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible unit"),
        db_index=False,
    )
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    description = models.TextField(_("description"))
    extra = models.JSONField(_("details"), default=dict, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    # Never searched by; an index would only slow every intake down.
    sla_version = models.ForeignKey(
        SlaPolicyVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    due_response_at = models.DateTimeField(null=True, blank=True)
    due_resolution_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    # An earlier open order that looks like the same need (same person, phone or place,
    # same category, like words, filed shortly before), found at intake: a flag for staff
    # to merge or keep, not a decision. Set once when the order is written.
    likely_duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="likely_duplicates",
        verbose_name=_("likely duplicate of"),
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    confirm_code_hash = models.CharField(max_length=64, blank=True)
    confirm_code_expires_at = models.DateTimeField(null=True, blank=True)
    confirm_attempts = models.PositiveSmallIntegerField(default=0)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["priority", "created_at"]
        indexes = [
            models.Index(
                fields=["area_path"], name="workorder_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["responsible_unit", "status"], name="workorder_unit_status_idx"),
            models.Index(fields=["status", "due_response_at"], name="workorder_due_resp_idx"),
            models.Index(fields=["status", "due_resolution_at"], name="workorder_due_res_idx"),
            models.Index(fields=["household", "category", "status"], name="workorder_dup_idx"),
        ]
        constraints = [
            # Every open order has exactly one responsible unit at every moment.
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in TERMINAL_STATUSES])
                | models.Q(responsible_unit__isnull=False),
                name="workorder_open_has_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=4),
                name="workorder_priority_range",
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="workorder_satisfaction_range",
            ),
        ]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL_STATUSES

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    STARTED = "started", _("Started")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    CANCELLED = "cancelled", _("Cancelled")
    TRANSFERRED = "transferred", _("Transferred")
    RETURNED = "returned", _("Returned")
    COMMENTED = "commented", _("Comment")
    CLAIMED = "claimed", _("Claimed")
    HANDED_OVER = "handed_over", _("Handed over")
    STOP_DONE = "stop_done", _("Stop done")
    MERGED = "merged", _("Merged")
    DUPLICATE = "duplicate", _("Duplicate received")
    WARNED = "warned", _("Clock warning")
    ESCALATED = "escalated", _("Escalated")
    PAUSED = "paused", _("Clock paused")


class WorkOrderEvent(models.Model):
    """One step on an order's timeline. Append-only."""

    SCOPE_PERMISSION = Perm.WORKORDER_VIEW
    # No index of its own: workorder_event_order_idx (order, at) serves it.
    order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    area_path = models.CharField(max_length=255, editable=False)
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    from_unit = models.ForeignKey(
        "registry.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # never searched by
    )
    unit = models.ForeignKey(
        "registry.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order_id", "at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="workorder_event_order_idx")]
        verbose_name = _("work-order event")
        verbose_name_plural = _("work-order events")

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} @ {self.at:%Y-%m-%d %H:%M}"


class Stop(models.Model):
    """One place an order's work must visit; stops are done in ``seq`` order."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="stops")
    seq = models.PositiveSmallIntegerField()
    label = models.CharField(_("what to do"), max_length=150)
    address = models.CharField(_("address"), max_length=255, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["order_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["order", "seq"], name="stop_order_seq")]
        verbose_name = _("stop")
        verbose_name_plural = _("stops")

    def __str__(self) -> str:
        return f"{self.order_id}.{self.seq} {self.label}"


class OneTimeCode(models.Model):
    """A code sent by SMS to prove a phone, for residents without an account.

    Sending is limited per phone and per address by ``core.ratelimit``; ``ip`` is kept to
    trace abuse. ``attempts`` counts wrong tries, under this row's lock.
    """

    phone = models.CharField(max_length=20)
    ip = models.CharField(max_length=45, blank=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["phone", "created_at"], name="otc_phone_idx"),
            models.Index(fields=["ip", "created_at"], name="otc_ip_idx"),
        ]
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return f"{mask_phone(self.phone)} @ {self.created_at:%Y-%m-%d %H:%M}"


class Photo(models.Model):
    """A photo of the work (JPEG, PNG or WebP, at most 5 MB), kept in the database so that
    every app server can serve it without a shared disk."""

    SCOPE_PERMISSION = Perm.WORKORDER_VIEW
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="photos")
    area_path = models.CharField(max_length=255, editable=False)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["order_id", "uploaded_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"{self.order_id}/{self.pk} {self.content_type}"
