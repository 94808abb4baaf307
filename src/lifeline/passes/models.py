"""Movement passes: types, applications, issued passes, signing keys, revocations,
checkpoints and what happens at them.

The credential itself (claims, signature, QR) is :mod:`lifeline.passes.credential`; these
rows are what the issuing side remembers about it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.core.personal import mask_name


class ApplicantKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise (or its park service company)")
    GRID_WORKER = "grid_worker", _("Grid worker for a resident")
    UNIT = "unit", pgettext_lazy("organisation", "Unit")
    SELF = "self", _("A person for themselves")


class ScopeKind(models.TextChoices):
    AREAS = "areas", _("Areas")
    ROUTE = "route", _("Route")


class PassType(models.Model):
    """A configurable kind of pass: who applies, who approves, how fast, for how long, where,
    and under which eligibility rules (``rules``; see :mod:`lifeline.passes.eligibility`)."""

    SCOPE_PUBLIC_TO_MEMBERS = True

    code = models.CharField(_("code"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    applicant_kinds = models.JSONField(_("who may apply"), default=list)
    approver_kind = models.CharField(_("approving unit kind"), max_length=24)
    approval_minutes = models.PositiveIntegerField(_("approval target (minutes)"))
    max_validity_hours = models.PositiveIntegerField(_("longest validity (hours)"))
    scope_kind = models.CharField(
        _("covers"), max_length=8, choices=ScopeKind.choices, default=ScopeKind.AREAS
    )
    household_daily_quota = models.PositiveSmallIntegerField(
        _("passes per household per day"), null=True, blank=True
    )
    rules = models.JSONField(_("eligibility rules"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("pass type")
        verbose_name_plural = _("pass types")

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        """The English name when the page is in English and one is known, else the name."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class PassApplication(models.Model):
    """One request for a pass, in the approving unit's queue with a clock on it."""

    SCOPE_PERMISSION = (Perm.PASS_VIEW, Perm.PASS_APPROVE)
    SCOPE_UNIT_FIELD = "approver_unit"

    pass_type = models.ForeignKey(PassType, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    applicant_kind = models.CharField(max_length=12, choices=ApplicantKind.choices)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.CharField(_("on behalf of"), max_length=150, blank=True)
    # The unit applying for its own vehicles or crews (kind "unit").
    applicant_unit = models.ForeignKey(
        "registry.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    driver_name = models.CharField(_("driver"), max_length=50, blank=True)
    # Where the holder is told of the decision (an SMS through the outbox).
    holder_phone = models.CharField(_("holder's phone"), max_length=20, blank=True)
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder_label = models.CharField(_("holder"), max_length=24)
    area = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    scope_areas = models.JSONField(default=list, blank=True)
    route = models.CharField(_("route"), max_length=120, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    quota_day = models.DateField(null=True, blank=True)
    approver_unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="pass_applications"
    )
    submitted_at = models.DateTimeField()
    due_at = models.DateTimeField()
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refusal_code = models.CharField(max_length=40, blank=True)
    refusal_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="passapp_queue_idx"),
            models.Index(fields=["household", "quota_day"], name="passapp_quota_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__lt=models.F("valid_until")),
                name="passapp_valid_window",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pass_type_id}:{self.holder_label}"

    @property
    def applicant_display(self) -> str:
        """Who applied, by the name people know them by (never the login)."""
        return self.applicant.display_name or str(_("Staff member without a name"))

    @property
    def driver_masked(self) -> str:
        return mask_name(self.driver_name)


class PassStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


class MovementPass(models.Model):
    """An issued pass. ``text`` is the signed ``LL1:`` credential shown as the QR code."""

    SCOPE_PERMISSION = (Perm.PASS_VIEW, Perm.PASS_APPROVE)
    SCOPE_UNIT_FIELD = "issuer_unit"

    application = models.OneToOneField(
        PassApplication, on_delete=models.PROTECT, related_name="issued"
    )
    pass_id = models.CharField(max_length=32, unique=True)
    pass_type = models.ForeignKey(PassType, on_delete=models.PROTECT, related_name="+")
    issuer_unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    key = models.ForeignKey("passes.PassSigningKey", on_delete=models.PROTECT, related_name="+")
    holder_label = models.CharField(max_length=24)
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(max_length=255, editable=False)
    text = models.TextField()
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    issued_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=PassStatus.choices, default=PassStatus.ACTIVE)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("pass")
        verbose_name_plural = _("passes")

    def __str__(self) -> str:
        return self.pass_id


class KeyRole(models.TextChoices):
    ISSUING = "issuing", _("Issuing key of a unit")
    TRUST = "trust", _("Trust key (signs key and revocation lists)")


class PassSigningKey(models.Model):
    """A P-256 key pair. The private half is stored only encrypted (AES-GCM with the field
    key, which lives under settings.KEYS_DIR or in the environment, never in the repo)."""

    role = models.CharField(max_length=8, choices=KeyRole.choices, default=KeyRole.ISSUING)
    unit = models.ForeignKey(
        "registry.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_code = models.CharField(max_length=32)
    kid = models.CharField(max_length=16, unique=True)
    public_der_b64 = models.TextField()
    private_enc = models.BinaryField(editable=False)
    not_before = models.BigIntegerField()
    not_after = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["unit_code", "not_before"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "unit_code"],
                condition=models.Q(not_after__isnull=True),
                name="passkey_one_current_per_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_code}:{self.kid}"


class PublicationState(models.Model):
    """Singleton row: the sequence numbers of the key list and revocation ledger. Locking
    it serialises everything that appends to either, so sequences have no gaps or twins."""

    keylist_sequence = models.PositiveIntegerField(default=0)
    revocation_sequence = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"keys#{self.keylist_sequence} revocations#{self.revocation_sequence}"


class RevocationChange(models.Model):
    """One entry of the revocation ledger; ``sequence`` is 1-based and gapless."""

    sequence = models.PositiveIntegerField(unique=True)
    hash_hex = models.CharField(max_length=32)
    revoked = models.BooleanField(default=True)
    movement_pass = models.ForeignKey(
        MovementPass, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"{self.sequence}:{self.hash_hex}"


class Checkpoint(models.Model):
    """A place where passes are checked (卡口): a bridge, a road, a compound gate."""

    SCOPE_PERMISSION = (Perm.PASS_VIEW, Perm.PASS_CHECK, Perm.PASS_MANAGE_CHECKPOINTS)
    SCOPE_UNIT_FIELD = "unit"

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    unit = models.ForeignKey(
        "registry.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")

    def __str__(self) -> str:
        return self.name


# What each verification status means, for the person at the checkpoint (the values are
# those of lifeline.passes.credential.Status and verifier.js).
CHECK_RESULT_LABELS = {
    "ok": _("Valid pass"),
    "invalid_format": _("Not a pass: the code or text cannot be read."),
    "unknown_key": _("Signed by an unknown key: update the keys, then check again."),
    "bad_signature": _("Forged or altered pass."),
    "wrong_algorithm": _("Forged or altered pass."),
    "not_yet_valid": _("The pass is not valid yet."),
    "expired": _("The pass has expired."),
    "revoked": _("The pass has been revoked."),
    "key_not_valid_at_issue": _("The signing key was not in service when the pass was issued."),
    "wrong_issuer": _("Signed by another unit than the one named on the pass."),
}


class PassCheck(models.Model):
    """One scan at a checkpoint. ``client_id`` is chosen by the verifier device, so an
    offline check uploaded twice is stored once."""

    SCOPE_PERMISSION = (Perm.PASS_CHECK, Perm.PASS_VIEW)
    SCOPE_UNIT_FIELD = "checkpoint__unit"

    client_id = models.CharField(max_length=64, unique=True)
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="checks")
    area_path = models.CharField(max_length=255, editable=False)
    pass_ref = models.CharField(max_length=32, blank=True)
    movement_pass = models.ForeignKey(
        MovementPass, null=True, blank=True, on_delete=models.SET_NULL, related_name="checks"
    )
    result = models.CharField(max_length=32)
    checked_at = models.DateTimeField()
    received_at = models.DateTimeField()
    offline = models.BooleanField(default=False)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["checkpoint", "checked_at"], name="passcheck_cp_at_idx")]

    def __str__(self) -> str:
        return f"{self.pass_ref}:{self.result}"


class RelayStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    DISINFECTED = "disinfected", _("Disinfected")
    SIGNED = "signed", _("Signed for on the other side")
    CLOSED = "closed", _("Logbook returned")


class RelayHandoff(models.Model):
    """Goods handed across a checkpoint: registered, disinfected, signed for on the other
    side, the logbook returned (in that order)."""

    SCOPE_PERMISSION = (Perm.PASS_CHECK, Perm.PASS_VIEW)
    SCOPE_UNIT_FIELD = "checkpoint__unit"

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="relays")
    area_path = models.CharField(max_length=255, editable=False)
    goods = models.CharField(_("goods"), max_length=200)
    from_party = models.CharField(_("handed over by"), max_length=100)
    to_party = models.CharField(_("for"), max_length=100)
    status = models.CharField(
        max_length=12, choices=RelayStatus.choices, default=RelayStatus.REGISTERED
    )
    registered_at = models.DateTimeField()
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    disinfected_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by_name = models.CharField(_("signed for by"), max_length=50, blank=True)
    logbook_returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-registered_at"]

    def __str__(self) -> str:
        return self.goods
