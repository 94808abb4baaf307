"""Public notices: the notice itself (bilingual, targeted, with its CAP fields), one row per
household it reaches (acknowledgement and the visit when it was not acknowledged), and one
row per phone texted (the per-phone de-duplication)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.registry.models import PATH_INDEX_OPCLASS

DEFAULT_REACH_HOURS = 12


class NoticeCategory(models.TextChoices):
    TESTING = "testing", _("Testing times")
    REOPENING = "reopening", _("What reopens")
    HYGIENE = "hygiene", _("Hygiene")
    OTHER = "other", _("Other")


class NoticeGroup(models.TextChoices):
    HOUSEHOLDS = "households", _("All households")
    VULNERABLE = "vulnerable", _("Households with vulnerable people")
    ENTERPRISES = "enterprises", _("Enterprises in closed loop")
    KEY_USERS = "key_users", _("Key protected users")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for approval")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CapStatus(models.TextChoices):
    ACTUAL = "Actual", _("Actual")
    TEST = "Test", _("Test")


class MsgType(models.TextChoices):
    ALERT = "Alert", pgettext_lazy("public notice", "Notice")
    UPDATE = "Update", _("Update")
    CANCEL = "Cancel", _("Cancellation")


class Severity(models.TextChoices):
    EXTREME = "Extreme", _("Extreme")
    SEVERE = "Severe", _("Severe")
    MODERATE = "Moderate", _("Moderate")
    MINOR = "Minor", _("Minor")
    UNKNOWN = "Unknown", _("Unknown")


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("Immediate")
    EXPECTED = "Expected", _("Expected")
    FUTURE = "Future", _("Future")
    UNKNOWN = "Unknown", _("Unknown")


class Certainty(models.TextChoices):
    OBSERVED = "Observed", _("Observed")
    LIKELY = "Likely", _("Likely")
    POSSIBLE = "Possible", _("Possible")
    UNKNOWN = "Unknown", _("Unknown")


class FanoutStatus(models.TextChoices):
    NONE = "", _("Not sent")
    PENDING = "pending", _("Sending")
    DONE = "done", _("Sent")


class Notice(models.Model):
    """A public notice. ``area_path`` is the deepest area holding every target (where it is
    drafted and listed); ``target_paths`` the subtrees it reaches. An Update or Cancel is
    a notice of its own with ``references`` set; publishing it takes the original out of
    the active feed (``replaced_at``)."""

    SCOPE_PERMISSION = (Perm.NOTICES_DRAFT, Perm.NOTICES_APPROVE)

    identifier = models.CharField(max_length=64, unique=True, editable=False)
    area_path = models.CharField(max_length=255, editable=False)
    target_areas = models.ManyToManyField(
        "registry.Area", related_name="+", verbose_name=_("areas")
    )
    target_paths = models.JSONField(default=list, editable=False)
    groups = models.JSONField(_("groups"), default=list)
    category = models.CharField(_("category"), max_length=12, choices=NoticeCategory.choices)
    title_zh = models.CharField(_("title (Chinese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=160)
    body_zh = models.TextField(_("text (Chinese)"), max_length=1000)
    body_en = models.TextField(_("text (English)"), max_length=2000)
    must_reach = models.BooleanField(_("must reach every household"), default=False)
    reach_hours = models.PositiveSmallIntegerField(
        _("hours to acknowledge"), default=DEFAULT_REACH_HOURS
    )
    cap_status = models.CharField(
        _("status in CAP"), max_length=8, choices=CapStatus.choices, default=CapStatus.ACTUAL
    )
    msg_type = models.CharField(max_length=8, choices=MsgType.choices, default=MsgType.ALERT)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MODERATE
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.EXPECTED
    )
    certainty = models.CharField(
        _("certainty"), max_length=10, choices=Certainty.choices, default=Certainty.LIKELY
    )
    expires_at = models.DateTimeField(_("expires"))
    references = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="followers"
    )
    status = models.CharField(max_length=10, choices=NoticeStatus.choices, default="draft")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Fan-out: the workers walk the target households by ranges (``NoticeFanoutPart``);
    # ``fanout_cursor`` is where a walk begun before the ranges existed had got to.
    fanout_status = models.CharField(max_length=8, choices=FanoutStatus.choices, blank=True)
    fanout_cursor = models.BigIntegerField(default=0)
    fanout_done_at = models.DateTimeField(null=True, blank=True)
    # Counters kept with the writes, never recounted per view.
    households_count = models.PositiveIntegerField(default=0)
    texts_count = models.PositiveIntegerField(default=0)
    acknowledged_count = models.PositiveIntegerField(default=0)
    reached_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="notice_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["status", "published_at"], name="notice_status_idx"),
            models.Index(fields=["fanout_status"], name="notice_fanout_idx"),
        ]
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")

    def __str__(self) -> str:
        return self.title_zh

    def title_in(self, language: str) -> str:
        return self.title_en if language.startswith("en") and self.title_en else self.title_zh

    def body_in(self, language: str) -> str:
        return self.body_en if language.startswith("en") and self.body_en else self.body_zh


class NoticeHousehold(models.Model):
    """A household a published notice reaches: whether it acknowledged, and whether a
    worker reached it in person. ``area_path`` is the household's, for the grid worker's
    list."""

    SCOPE_PERMISSION = Perm.NOTICES_REACH

    # A notice's fan-out writes a row per household: no index more than the lists need
    # (the unique pair serves the notice's rows; users and orders are never deleted).
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="+", db_index=False)
    household = models.ForeignKey(
        "registry.Household", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    area_path = models.CharField(max_length=255)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    reached_at = models.DateTimeField(null=True, blank=True)
    reached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reach_note = models.CharField(max_length=200, blank=True)
    # A door-to-door visit asked for by a worker: the work order filed for it, once.
    visit_requested_at = models.DateTimeField(null=True, blank=True)
    visit_order = models.ForeignKey(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "household"], name="notice_household_once")
        ]
        indexes = [
            models.Index(fields=["notice", "area_path"], name="notice_household_path_idx"),
        ]
        verbose_name = _("household reached by a notice")
        verbose_name_plural = _("households reached by notices")

    def __str__(self) -> str:
        return f"{self.notice_id}/{self.household_id}"


class NoticeText(models.Model):
    """One phone texted for a notice, by its keyed hash: never twice for one notice."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="+", db_index=False)
    phone_hash = models.CharField(max_length=64)
    recipient = models.ForeignKey(
        NoticeHousehold, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "phone_hash"], name="notice_text_once")
        ]
        verbose_name = _("text of a notice")
        verbose_name_plural = _("texts of notices")

    def __str__(self) -> str:
        return f"{self.notice_id}/{self.phone_hash[:8]}"


class NoticeFanoutPart(models.Model):
    """One range of household ids of a notice's fan-out (``first_id`` < id <=
    ``last_id``), walked from ``cursor`` by one worker at a time (the row's lock), so
    several workers send one big notice side by side. ``done_at`` once walked."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="+", db_index=False)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    cursor = models.BigIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "first_id"], name="notice_fanout_part_once")
        ]
        verbose_name = _("part of a notice's sending")
        verbose_name_plural = _("parts of notices' sending")

    def __str__(self) -> str:
        return f"{self.notice_id}: {self.first_id}-{self.last_id}"
