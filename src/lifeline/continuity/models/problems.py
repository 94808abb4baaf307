"""Thresholds and the problem list (问题清单). A problem's due date, escalation and status
are its work order's (category ``lifeline_problem``, routed to the command centre): the
problem keeps the link, the owner and the guidance, never a clock of its own."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.continuity.models.units import CriticalRole, Figure, LifelineUnit
from lifeline.workorders.models import Status

SETTLED = (Status.RESOLVED, Status.CLOSED, Status.CANCELLED)


class Measure(models.TextChoices):
    VALUE = "value", _("Reported value")
    DAYS_OF_COVER = "days_of_cover", _("Days of cover")


class Threshold(models.Model):
    """Below ``below`` (the figure's value, or its days of cover) opens a problem."""

    SCOPE_PERMISSION = Perm.CONTINUITY_VIEW
    SCOPE_AREA_FIELD = "figure__lifeline_unit__area_path"
    SCOPE_UNIT_FIELD = "figure__lifeline_unit__unit"

    figure = models.ForeignKey(
        Figure, on_delete=models.CASCADE, related_name="thresholds", verbose_name=_("figure")
    )
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices)
    below = models.DecimalField(_("below"), max_digits=16, decimal_places=3)
    title = models.CharField(_("title"), max_length=150)
    guidance = models.TextField(_("guidance"), blank=True)
    owner = models.CharField(_("owner"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        ordering = ["figure", "pk"]

    def __str__(self) -> str:
        return str(self.title)


class Problem(models.Model):
    """One problem blocking a unit, with the command centre's work order as its clock."""

    SCOPE_PERMISSION = Perm.CONTINUITY_VIEW
    SCOPE_AREA_FIELD = "lifeline_unit__area_path"
    SCOPE_UNIT_FIELD = "lifeline_unit__unit"

    lifeline_unit = models.ForeignKey(
        LifelineUnit, on_delete=models.PROTECT, related_name="problems", verbose_name=_("unit")
    )
    title = models.CharField(_("title"), max_length=150)
    guidance = models.TextField(_("guidance"), blank=True)
    owner = models.CharField(_("owner"), max_length=100, blank=True)
    work_order = models.OneToOneField(
        "workorders.WorkOrder",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("work order"),
    )
    threshold = models.ForeignKey(
        Threshold, null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )
    role = models.ForeignKey(
        CriticalRole, null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return str(self.title)

    @property
    def is_open(self) -> bool:
        return self.work_order.status not in SETTLED
