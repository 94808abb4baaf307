"""Contacts with the line, callbacks owed to missed callers, referrals to medical access.

A contact keeps the least personal data possible: no name and no phone unless the caller
consents (``consent_contact``); it is counted by the caller's workplace (a registry unit)
or area, never by name. A callback holds the number the phone system left, and forgets it
when the callback is done. A referral to medical access is made only with the caller's
consent or when a life is at risk, and is audited with its basis."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lifeline.counselling.models.people import LINE_PERMS, Counsellor


class Topic(models.TextChoices):
    WORK = "work", _("Work stress")
    ISOLATION = "isolation", _("Isolation and lockdown")
    FAMILY = "family", _("Family and relationships")
    HEALTH = "health", _("Worry about health")
    SLEEP = "sleep", _("Sleep and anxiety")
    GRIEF = "grief", _("Grief and loss")
    MONEY = "money", _("Income and debts")
    OTHER = "other", pgettext_lazy("counselling topic", "Other")


class Outcome(models.TextChoices):
    SUPPORTED = "supported", _("Listened and supported")
    ADVISED = "advised", _("Advice and resources given")
    FOLLOW_UP = "follow_up", _("Follow-up call agreed")
    REFERRED = "referred", _("Referred on")
    DROPPED = "dropped", _("Call dropped")


class Risk(models.TextChoices):
    NONE = "none", pgettext_lazy("risk level", "None")
    LOW = "low", pgettext_lazy("risk level", "Low")
    MEDIUM = "medium", pgettext_lazy("risk level", "Medium")
    HIGH = "high", _("High (self-harm)")


class Contact(models.Model):
    SCOPE_PERMISSION = LINE_PERMS
    SCOPE_AREA_FIELD = ""
    SCOPE_UNIT_FIELD = "line"

    line = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("line")
    )
    counsellor = models.ForeignKey(
        Counsellor,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("counsellor"),
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"))
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    risk = models.CharField(_("risk"), max_length=8, choices=Risk.choices, default=Risk.NONE)
    # Where the caller works or lives, for counts without names (both optional).
    enterprise = models.ForeignKey(
        "registry.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("workplace"),
    )
    area = models.ForeignKey(
        "registry.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area"),
    )
    consent_contact = models.BooleanField(
        _("caller agrees to leave a name or phone"), default=False
    )
    consent_referral = models.BooleanField(_("caller agrees to a referral"), default=False)
    caller_name = models.CharField(_("caller's name"), max_length=50, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    flagged_at = models.DateTimeField(_("flagged high-risk at"), null=True, blank=True)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(_("acted on at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_note = models.CharField(_("what was done"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["line", "started_at"], name="counsel_contact_day_idx"),
            models.Index(
                fields=["line", "flagged_at"],
                name="counsel_contact_risk_idx",
                condition=models.Q(flagged_at__isnull=False, handled_at__isnull=True),
            ),
        ]
        constraints = [
            # No name or phone without the caller's consent.
            models.CheckConstraint(
                condition=models.Q(consent_contact=True)
                | (models.Q(caller_name="") & models.Q(caller_phone="")),
                name="counsel_contact_anonymous_without_consent",
            ),
            models.CheckConstraint(
                condition=models.Q(minutes__lte=600), name="counsel_contact_minutes"
            ),
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.line_id} {self.started_at:%m-%d %H:%M}"

    @property
    def high_risk(self) -> bool:
        return self.flagged_at is not None


class CallbackStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a call back")
    DONE = "done", _("Called back")
    UNREACHABLE = "unreachable", _("Could not be reached")


class Callback(models.Model):
    """A missed call the line owes a call back, oldest first."""

    SCOPE_PERMISSION = LINE_PERMS
    SCOPE_AREA_FIELD = ""
    SCOPE_UNIT_FIELD = "line"

    line = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_masked = models.CharField(max_length=20, blank=True)
    missed_at = models.DateTimeField(_("missed at"))
    due_at = models.DateTimeField(_("call back by"))
    status = models.CharField(
        _("status"), max_length=12, choices=CallbackStatus.choices, default=CallbackStatus.WAITING
    )
    # The counsellor who took it to call, so two do not dial one caller at once.
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["missed_at", "id"]
        indexes = [
            models.Index(fields=["line", "status", "missed_at"], name="counsel_callback_queue_idx")
        ]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")

    def __str__(self) -> str:
        return f"{self.line_id} {self.missed_at:%m-%d %H:%M}"


class ReferralBasis(models.TextChoices):
    CONSENT = "consent", _("The caller consents")
    LIFE_AT_RISK = "life_at_risk", _("A life is at risk")


class ReferralTo(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency (120)")
    MENTAL_HEALTH = "mental_health", _("Mental health centre")
    DESIGNATED_HOSPITAL = "designated_hospital", _("Designated hospital")
    COMMUNITY_DOCTOR = "community_doctor", _("Community doctor")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent to medical care (work order)")
    TO_PHONE = "to_phone", _("Recorded: the line phones it through")


class Referral(models.Model):
    """A referral to medical access. It is handed to the medical side as a work order in
    the "medical care" category when the referrer may file one where the caller is; else
    it is recorded for the line to phone through (``TO_PHONE``). Only the work order's id
    and number are kept here: its state is read from the work-order app."""

    SCOPE_PERMISSION = LINE_PERMS
    SCOPE_AREA_FIELD = ""
    SCOPE_UNIT_FIELD = "line"

    line = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("contact")
    )
    to = models.CharField(_("referred to"), max_length=20, choices=ReferralTo.choices)
    basis = models.CharField(_("basis"), max_length=14, choices=ReferralBasis.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(_("made at"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.TO_PHONE
    )
    order_ref = models.PositiveBigIntegerField(_("work order"), null=True, blank=True)
    order_number = models.CharField(_("work order number"), max_length=20, blank=True)

    class Meta:
        ordering = ["-made_at", "-id"]
        indexes = [models.Index(fields=["line", "made_at"], name="counsel_referral_day_idx")]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.contact_id} -> {self.to}"
