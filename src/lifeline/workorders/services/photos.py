"""Photos of the work: checked by their first bytes (not by name or declared type)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import ServiceError
from lifeline.workorders.models import EventKind, Photo, WorkOrder
from lifeline.workorders.services import common

MAX_PHOTO_BYTES = 5 * 1024 * 1024


def image_type(head: bytes) -> str | None:
    """The image type from the file's magic bytes: JPEG, PNG or WebP, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_photo(data: bytes) -> str:
    """The content type of an acceptable photo; ServiceError otherwise."""
    if len(data) > MAX_PHOTO_BYTES:
        raise ServiceError(
            _("A photo may be at most 5 MB."), fields={"photo": [_("Larger than 5 MB.")]}
        )
    kind = image_type(data[:16])
    if not data or kind is None:
        raise ServiceError(
            _("Send a JPEG, PNG or WebP photo."), fields={"photo": [_("Not a JPEG, PNG or WebP.")]}
        )
    return kind


def photo_add(*, actor: Actor, order: WorkOrder, data: bytes, note: str = "") -> Photo:
    """Attach a photo to an order the actor handles or files for (like a comment), with a
    step on the timeline."""
    content_type = check_photo(data)
    note = common.clean_note(note, required=False)[:200]
    with transaction.atomic():
        locked = common.lock_order(order)
        common.require_adder(actor, locked)
        photo = Photo.objects.create(
            order=locked,
            area_path=locked.area_path,
            content_type=content_type,
            size=len(data),
            data=data,
            note=note,
            uploaded_by=common.actor_user(actor),
            uploaded_at=clock.now(),
        )
        common.record(
            locked,
            EventKind.COMMENTED,
            actor=actor,
            from_status=locked.status,
            note=note or _("Photo added."),
            data={"photo": photo.pk},
            audit_fields=("photos",),
        )
    return photo
