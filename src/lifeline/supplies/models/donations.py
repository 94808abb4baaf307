"""Donors, their pledges of goods and their gifts of money.

A pledge's lines are received at a logistics warehouse (``PledgeLine.received`` and
``damaged`` keep the running totals, each receipt also being a ledger entry on a lot that
remembers its pledge line), so a donor's trace starts from here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lifeline.accounts.permissions import Perm


class DonorKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    PERSON = "person", pgettext_lazy("donor", "Person")


class Donor(models.Model):
    """Who gives: a company or a person, with the contact the thank-you goes to."""

    SCOPE_PERMISSION = (Perm.SUPPLIES_VIEW, Perm.SUPPLIES_DONATIONS)
    SCOPE_UNIT_FIELD = "unit"

    kind = models.CharField(_("kind"), max_length=16, choices=DonorKind.choices)
    name = models.CharField(_("name"), max_length=150)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    # The logistics group (or channel) that keeps the donor's file.
    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("kept by")
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")

    def __str__(self) -> str:
        return self.name


class PledgeStatus(models.TextChoices):
    PLEDGED = "pledged", _("Pledged")
    PARTLY_RECEIVED = "partly_received", _("Partly received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class Pledge(models.Model):
    """A donor's promise of goods through a channel (the Red Cross, the federation of
    industry and commerce, or directly), to be received at a logistics warehouse."""

    SCOPE_PERMISSION = (Perm.SUPPLIES_VIEW, Perm.SUPPLIES_DONATIONS)
    SCOPE_UNIT_FIELD = "unit"

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="pledges")
    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("kept by")
    )
    channel = models.ForeignKey(
        "registry.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("through"),
    )
    warehouse = models.ForeignKey(
        "supplies.Warehouse",
        on_delete=models.PROTECT,
        related_name="pledges",
        verbose_name=_("to be received at"),
    )
    status = models.CharField(
        max_length=16, choices=PledgeStatus.choices, default=PledgeStatus.PLEDGED
    )
    value = models.DecimalField(
        _("declared value (yuan)"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    thanked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")

    def __str__(self) -> str:
        return f"{self.donor} #{self.pk}"


class PledgeLine(models.Model):
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("supplies.Item", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("pledged"), max_digits=14, decimal_places=3)
    value = models.DecimalField(
        _("value (yuan)"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    received = models.DecimalField(_("received"), default=0, max_digits=14, decimal_places=3)
    damaged = models.DecimalField(_("damaged"), default=0, max_digits=14, decimal_places=3)
    # Why fewer (short), more, or damaged goods were taken in.
    discrepancy = models.CharField(_("discrepancy"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="pledgeline_positive"),
            models.CheckConstraint(
                condition=models.Q(received__gte=0) & models.Q(damaged__gte=0),
                name="pledgeline_received_not_negative",
            ),
        ]
        verbose_name = _("pledge line")
        verbose_name_plural = _("pledge lines")

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class MoneyDonation(models.Model):
    """Money given, with what it was used for (recorded, not processed)."""

    SCOPE_PERMISSION = (Perm.SUPPLIES_VIEW, Perm.SUPPLIES_DONATIONS)
    SCOPE_UNIT_FIELD = "unit"

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="money")
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(
        "registry.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    received_on = models.DateField(_("received on"))
    use = models.CharField(_("used for"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="money_positive")
        ]
        verbose_name = _("money donation")
        verbose_name_plural = _("money donations")

    def __str__(self) -> str:
        return f"{self.donor_id}: {self.amount}"
