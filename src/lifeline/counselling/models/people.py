"""The counselling line's counsellors and their duty windows.

Everything here belongs to one line (a registry unit of kind ``counselling_line``) and is
scoped by that unit alone: a counsellor's or supervisor's membership of the line opens it,
an area membership opens nothing. A counsellor's ``public_phone`` is published on the
public page while they are on duty, and only then."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm

LINE_PERMS = (Perm.COUNSELLING_TAKE, Perm.COUNSELLING_SUPERVISE)


class Language(models.TextChoices):
    MANDARIN = "zh", _("Mandarin")
    XIANG = "hsn", _("Xiang (local dialect)")
    CANTONESE = "yue", _("Cantonese")
    ENGLISH = "en", _("English")
    SIGN = "sign", _("Sign language")


class Counsellor(models.Model):
    """One counsellor of the line: the name they give callers and the number they answer."""

    SCOPE_PERMISSION = LINE_PERMS
    SCOPE_AREA_FIELD = ""
    SCOPE_UNIT_FIELD = "line"

    line = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("line")
    )
    display_name = models.CharField(_("name shown"), max_length=50)
    public_phone = models.CharField(_("public phone"), max_length=24)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    supervisor = models.BooleanField(_("supervisor"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="counsellor",
        verbose_name=_("account"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["line_id", "display_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["line", "display_name"], name="counsellor_unique_name")
        ]
        verbose_name = _("counsellor")
        verbose_name_plural = _("counsellors")

    def __str__(self) -> str:
        return self.display_name


class DutyWindow(models.Model):
    """A counsellor answers the line from ``starts_at`` to ``ends_at`` (the roster, or
    their own "on duty now" until they go off)."""

    SCOPE_PERMISSION = LINE_PERMS
    SCOPE_AREA_FIELD = ""
    SCOPE_UNIT_FIELD = "line"

    line = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    counsellor = models.ForeignKey(
        Counsellor, on_delete=models.CASCADE, related_name="duty", verbose_name=_("counsellor")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["line", "ends_at"], name="counsel_duty_line_end_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="counsel_duty_order"
            )
        ]
        verbose_name = _("duty window")
        verbose_name_plural = _("duty windows")

    def __str__(self) -> str:
        return f"{self.counsellor_id} {self.starts_at:%m-%d %H:%M}"
