"""Task groups, posts, shifts and bookings: who is on duty where and when.

A shift's head count is a hard cap: ``confirmed`` counts its confirmed bookings and only
changes by compare-and-set (``confirmed < capacity``) under the shift's row lock, so a
sign-up list (接龙) never overfills; those who come after the cap wait in arrival order
(``position``) and are promoted one by one when a place frees."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.registry.models import PATH_INDEX_OPCLASS
from lifeline.volunteers.models.people import Volunteer


class GroupKind(models.TextChoices):
    PATROL = "patrol", _("Patrol")
    SUPPLIES = "supplies", _("Supplies and deliveries")
    TESTING = "testing", _("Testing support")
    GATE = "gate", _("Gates and checkpoints")
    ELDERS = "elders", _("Elders and the vulnerable")
    PUBLICITY = "publicity", _("Notices and publicity")
    OTHER = "other", _("Other")


class TaskGroup(models.Model):
    """One of a community's task groups (patrol, supplies, testing ...)."""

    SCOPE_PERMISSION = Perm.VOLUNTEERS_VIEW

    area = models.ForeignKey(
        "registry.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=12, choices=GroupKind.choices)

    class Meta:
        ordering = ["area_path", "name"]
        indexes = [
            models.Index(
                fields=["area_path"], name="taskgroup_path_idx", opclasses=PATH_INDEX_OPCLASS
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="taskgroup_unique_name")
        ]
        verbose_name = _("task group")
        verbose_name_plural = _("task groups")

    def __str__(self) -> str:
        return self.name


class PostKind(models.TextChoices):
    CHECKPOINT = "checkpoint", _("Checkpoint or bridge")
    ENTERPRISE = "enterprise", _("Enterprise gate")
    SAMPLING = "sampling", _("Sampling site")
    BUILDING = "building", _("Building deliveries")
    COMMUNITY = "community", _("Community duty")
    OTHER = "other", _("Other")


class Post(models.Model):
    """A place volunteers are sent to: a bridge checkpoint, an enterprise gate, a sampling
    site, a building's deliveries."""

    SCOPE_PERMISSION = Perm.VOLUNTEERS_VIEW

    area = models.ForeignKey(
        "registry.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    group = models.ForeignKey(
        TaskGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posts",
        verbose_name=_("task group"),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=PostKind.choices)
    address = models.CharField(_("address"), max_length=255, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["area_path", "name"]
        indexes = [
            models.Index(fields=["area_path"], name="post_path_idx", opclasses=PATH_INDEX_OPCLASS)
        ]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """A post's duty from ``starts_at`` to ``ends_at`` for ``capacity`` people, some of
    whom may need a skill. ``open_call``: published as a sign-up list (接龙), first come
    first served."""

    SCOPE_PERMISSION = Perm.VOLUNTEERS_VIEW

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="shifts")
    area_path = models.CharField(max_length=255, editable=False)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("people needed"))
    skills = models.JSONField(_("skills needed"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    open_call = models.BooleanField(_("open for sign-up"), default=False)
    # Live counts, changed only with the shift's row locked (see the module's docstring).
    confirmed = models.PositiveIntegerField(default=0)
    waiting = models.PositiveIntegerField(default=0)
    arrivals = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "post_id"]
        indexes = [
            models.Index(fields=["area_path"], name="shift_path_idx", opclasses=PATH_INDEX_OPCLASS),
            models.Index(fields=["starts_at"], name="shift_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="shift_ends_after"
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed__lte=models.F("capacity")), name="shift_never_over"
            ),
        ]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")

    def __str__(self) -> str:
        return f"{self.post_id} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", pgettext_lazy("booking", "Confirmed")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class BookingSource(models.TextChoices):
    SIGNUP = "signup", _("Signed up")
    ROSTER = "roster", _("Rostered")
    COORDINATOR = "coordinator", _("Booked by a coordinator")


LIVE = (BookingStatus.CONFIRMED, BookingStatus.WAITING)


class Booking(models.Model):
    """One volunteer on one shift: confirmed, waiting (in arrival order) or cancelled;
    then checked in and out at the post, and the minutes credited."""

    SCOPE_PERMISSION = Perm.VOLUNTEERS_VIEW

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="bookings")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="bookings")
    area_path = models.CharField(max_length=255, editable=False)
    # Copied from the shift, so a volunteer's overlaps and hours are read from one index.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=BookingStatus.choices)
    source = models.CharField(max_length=12, choices=BookingSource.choices)
    position = models.PositiveIntegerField()  # arrival order on the shift
    created_at = models.DateTimeField()
    changed_at = models.DateTimeField()
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    minutes_credited = models.PositiveIntegerField(default=0)
    no_show = models.BooleanField(default=False)

    class Meta:
        ordering = ["shift_id", "position"]
        indexes = [
            models.Index(
                fields=["area_path"], name="booking_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["volunteer", "starts_at"], name="booking_volunteer_idx"),
            models.Index(fields=["shift", "status", "position"], name="booking_queue_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=models.Q(status__in=LIVE),
                name="booking_once_per_shift",
            ),
            models.UniqueConstraint(fields=["shift", "position"], name="booking_position_unique"),
        ]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")

    def __str__(self) -> str:
        return f"{self.volunteer_id} @ {self.shift_id} ({self.status})"
