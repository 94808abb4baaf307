"""Mass testing by grid (S4, S10): policies, rounds, sites, sessions, tubes, samples,
results, per-person compliance and positive follow-up.

Every row that belongs to a place carries ``area_path`` so ``accounts.scoping`` can filter it.
Compliance is one row per person, kept current as results arrive (see ``window.py``), so the
grid lists read an indexed column instead of scanning a person's history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.registry.models import PATH_INDEX_OPCLASS, Area, Facility, Person, Unit


class PolicyAudience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    WORKERS = "workers", _("Workers of closed-loop enterprises")
    LISTED = "listed", _("A list of people")


class Policy(models.Model):
    """N tests in D days for the people of an area (or a listed part of them)."""

    SCOPE_PERMISSION = (Perm.SCREENING_VIEW, Perm.SCREENING_SAMPLE)
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    required_tests = models.PositiveSmallIntegerField(_("tests required"), default=1)
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=1)
    audience = models.CharField(
        _("applies to"), max_length=10, choices=PolicyAudience.choices, default="everyone"
    )
    people = models.ManyToManyField(Person, blank=True, related_name="+")
    enterprises = models.ManyToManyField(Facility, blank=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["area_path", "-starts_on"]
        indexes = [
            models.Index(
                fields=["area_path"], name="scr_policy_path_idx", opclasses=PATH_INDEX_OPCLASS
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(required_tests__gte=1)
                & models.Q(window_days__gte=1)
                & models.Q(required_tests__lte=models.F("window_days")),
                name="scr_policy_n_within_d",
            )
        ]
        verbose_name = _("testing policy")
        verbose_name_plural = _("testing policies")

    def __str__(self) -> str:
        return f"{self.name} ({self.required_tests}/{self.window_days})"


class Round(models.Model):
    """One round of testing of an area, due by a target date."""

    SCOPE_PERMISSION = (Perm.SCREENING_VIEW, Perm.SCREENING_SAMPLE)
    name = models.CharField(_("name"), max_length=100)
    policy = models.ForeignKey(Policy, null=True, blank=True, on_delete=models.SET_NULL)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    starts_on = models.DateField(_("starts on"))
    target_date = models.DateField(_("target date"))

    class Meta:
        ordering = ["-target_date"]
        verbose_name = _("testing round")

    def __str__(self) -> str:
        return self.name


class SiteKind(models.TextChoices):
    FIXED = "fixed", _("Fixed site")
    MOBILE = "mobile", _("Mobile team")
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door team")


class Site(models.Model):
    SCOPE_PERMISSION = (Perm.SCREENING_VIEW, Perm.SCREENING_SAMPLE)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=14, choices=SiteKind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    address = models.CharField(_("address"), max_length=255, blank=True)

    class Meta:
        ordering = ["area_path", "name"]
        verbose_name = _("sampling site")

    def __str__(self) -> str:
        return self.name


class SessionKind(models.TextChoices):
    REGULAR = "regular", _("Regular")
    NIGHT = "night", _("Night session")
    YELLOW_CODE = "yellow_code", _("Yellow-code session")
    DOOR_TO_DOOR = "door_to_door", _("Door to door")
    SPECIAL = "special", _("Special session for a screening list")


class Session(models.Model):
    """Hours during which a site samples, and the grids it serves."""

    SCOPE_PERMISSION = (Perm.SCREENING_VIEW, Perm.SCREENING_SAMPLE)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="sessions")
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(_("kind"), max_length=14, choices=SessionKind.choices)
    name = models.CharField(_("name"), max_length=100)
    area_path = models.CharField(max_length=255, editable=False)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    grids = models.ManyToManyField(Area, blank=True, related_name="+")
    # A special session opened from a screening list: whom it is for.
    invited = models.ManyToManyField(Person, blank=True, related_name="+")

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(
                fields=["area_path"], name="scr_session_path_idx", opclasses=PATH_INDEX_OPCLASS
            )
        ]
        verbose_name = _("sampling session")

    def __str__(self) -> str:
        return self.name


class TubeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    SENT = "sent", _("Sent to the lab")
    RESULTED = "resulted", _("Resulted")


class Outcome(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    INVALID = "invalid", _("Invalid")


POOL_SIZES = (1, 5, 10, 20)


class Shipment(models.Model):
    """A box of closed tubes handed over for one lab: which lab, how many tubes, when.

    ``client_id`` is made by the console, so a box sent offline and retried is sent once.
    The lab (a unit) reads the boxes on their way to it through ``SCOPE_UNIT_FIELD``.
    """

    SCOPE_PERMISSION = (Perm.SCREENING_VIEW, Perm.SCREENING_SAMPLE, Perm.SCREENING_RESULTS)
    SCOPE_UNIT_FIELD = "lab"
    client_id = models.CharField(max_length=64, unique=True)
    lab = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("lab"))
    session = models.ForeignKey(
        "Session", null=True, blank=True, on_delete=models.PROTECT, related_name="shipments"
    )
    area_path = models.CharField(max_length=255, editable=False)
    tube_count = models.PositiveIntegerField(_("tubes"))
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at"]
        indexes = [
            models.Index(
                fields=["area_path"], name="scr_shipment_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["lab", "sent_at"], name="scr_shipment_lab_idx"),
        ]
        verbose_name = _("shipment of tubes")

    def __str__(self) -> str:
        return f"{self.lab_id}: {self.tube_count}"


class Tube(models.Model):
    """One tube: a single sample or a pool of 5, 10, 20 people, or one household."""

    SCOPE_PERMISSION = (Perm.SCREENING_VIEW, Perm.SCREENING_SAMPLE, Perm.SCREENING_RESULTS)
    barcode = models.CharField(_("barcode"), max_length=40, unique=True)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.PROTECT, related_name="tubes"
    )
    area_path = models.CharField(max_length=255, editable=False)
    pool_size = models.PositiveSmallIntegerField(_("pool size"), default=10)
    per_household = models.BooleanField(_("one household per tube"), default=False)
    status = models.CharField(max_length=10, choices=TubeStatus.choices, default="open")
    sampled_on = models.DateField()
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    resulted_at = models.DateTimeField(null=True, blank=True)
    members = models.PositiveSmallIntegerField(default=0)
    shipment = models.ForeignKey(
        Shipment, null=True, blank=True, on_delete=models.SET_NULL, related_name="tubes"
    )

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(
                fields=["area_path"], name="scr_tube_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["session", "status"], name="scr_tube_session_idx"),
            models.Index(fields=["sampled_on", "status"], name="scr_tube_day_idx"),
        ]
        verbose_name = _("tube")

    def __str__(self) -> str:
        return self.barcode


class Sample(models.Model):
    """A person swabbed into a tube. ``client_id`` is made by the console, for retries."""

    SCOPE_PERMISSION = (Perm.SCREENING_VIEW, Perm.SCREENING_SAMPLE)
    client_id = models.CharField(max_length=64, unique=True)
    # Covered by the composite indexes below: no single-column FK indexes to maintain.
    tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="samples", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False)
    area_path = models.CharField(max_length=255, editable=False)
    sampled_at = models.DateTimeField()
    recheck = models.ForeignKey(
        "RecheckTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["tube_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tube", "person"], name="scr_sample_person_once")
        ]
        indexes = [
            models.Index(
                fields=["area_path"], name="scr_sample_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["person", "sampled_at"], name="scr_sample_person_idx"),
        ]
        verbose_name = _("sample")

    def __str__(self) -> str:
        return f"{self.tube_id}:{self.person_id}"


class TubeResult(models.Model):
    SCOPE_PERMISSION = (Perm.SCREENING_VIEW, Perm.SCREENING_RESULTS)
    tube = models.OneToOneField(Tube, on_delete=models.PROTECT, related_name="result")
    area_path = models.CharField(max_length=255, editable=False)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    lab = models.CharField(_("lab"), max_length=100, blank=True)
    reported_at = models.DateTimeField()
    imported_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["area_path"], name="scr_tuberes_path_idx", opclasses=PATH_INDEX_OPCLASS
            )
        ]
        verbose_name = _("tube result")

    def __str__(self) -> str:
        return f"{self.tube_id}: {self.outcome}"


class PersonResult(models.Model):
    """A person's result, following from their tube's (the raw history compliance uses)."""

    SCOPE_PERMISSION = Perm.SCREENING_VIEW
    # Keyed by the sample, and indexed only by person and day: the table grows by tens of
    # millions of rows a day, so every index left out is write throughput kept. Written
    # only by the import, from the very samples it reads in the same statement, and
    # samples are never deleted (PROTECT): no per-row constraint check at commit.
    sample = models.OneToOneField(
        Sample,
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="result",
        db_constraint=False,
    )
    # Copied from the sample (whose foreign keys guard them) by the import alone: no
    # per-row constraint triggers on the city's hottest insert path.
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    grid = models.ForeignKey(
        Area, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    area_path = models.CharField(max_length=255, editable=False)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    sampled_on = models.DateField()
    pooled = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["person", "sampled_on"], name="scr_persres_person_idx")]
        verbose_name = _("person result")

    def __str__(self) -> str:
        return f"{self.person_id}: {self.outcome}"


class Compliance(models.Model):
    """One row per tested person: the last 60 days of negative tests as a bit mask.

    Bit k of ``day_mask`` is set when a negative sample was taken ``last_tested_on - k``
    days. ``compliant_until`` is the last day on which the person meets their policy with
    the tests already known, so "compliant today" is ``compliant_until >= today``: one
    indexed comparison, no history.
    """

    SCOPE_PERMISSION = Perm.SCREENING_VIEW
    person = models.OneToOneField(
        Person, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False)
    area_path = models.CharField(max_length=255, editable=False)
    last_tested_on = models.DateField(null=True)
    day_mask = models.BigIntegerField(default=0)
    required_tests = models.PositiveSmallIntegerField(default=1)
    window_days = models.PositiveSmallIntegerField(default=1)
    compliant_until = models.DateField(null=True)
    pending_recheck = models.BooleanField(default=False)

    class Meta:
        # Indexed only by what a result never changes (the person, the grid), and stored
        # half-full on PostgreSQL (migration 0002): each result's update is then a HOT
        # update beside the old row, with no index insertion, even when one import
        # updates every row of a page. A grid's list reads its ~1,000 rows through the
        # grid index and filters the dates; levels above a grid read the table in one pass.
        indexes = [
            models.Index(fields=["grid"], name="scr_compl_grid_idx"),
            models.Index(
                fields=["grid"],
                name="scr_compl_grid_recheck_idx",
                condition=models.Q(pending_recheck=True),
            ),
        ]
        verbose_name = _("testing compliance")

    def __str__(self) -> str:
        return f"{self.person_id}: {self.last_tested_on}"


class RecheckStatus(models.TextChoices):
    OPEN = "open", _("To re-sample")
    SAMPLED = "sampled", _("Re-sampled, awaiting result")
    CLEARED = "cleared", _("Negative on recheck")
    CONFIRMED = "confirmed", _("Positive on recheck")


class RecheckTask(models.Model):
    """Re-sample one member of a positive pool in a single tube, tracked to its result."""

    SCOPE_PERMISSION = Perm.SCREENING_VIEW
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    source_tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="rechecks")
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(max_length=10, choices=RecheckStatus.choices, default="open")
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "source_tube"], name="scr_recheck_once_per_tube"
            )
        ]
        indexes = [
            models.Index(
                fields=["area_path"], name="scr_recheck_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["person", "status"], name="scr_recheck_person_idx"),
        ]
        verbose_name = _("recheck task")

    def __str__(self) -> str:
        return f"{self.person_id} ({self.status})"


class ResultsJob(models.Model):
    """One lab's results file, checked whole by the worker, then imported all or nothing.

    The file is kept in the row so any worker can read it; ``errors`` holds the row-level
    report (row, column, code, message in the uploader's language), ``summary`` the counts
    and the tubes resulted. Read only by whoever uploaded it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        VALIDATING = "validating", _("Checking rows")
        INVALID = "invalid", _("Rejected: errors found")
        COMMITTING = "committing", _("Saving")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    lab = models.CharField(_("lab"), max_length=100, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("results import")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
