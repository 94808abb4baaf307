"""Abuse limits on orders filed from outside (the resident form, Open311). Every order
texts the responsible unit's duty phone, so capping orders also caps those texts.

- Caps (``core.ratelimit``, shared by every process): orders per contact phone per day
  (form and Open311), per network address per hour (the form; Open311 only when
  ``LIFELINE_OPEN311_ORDERS_PER_IP_HOUR`` is set, since a partner platform posts for many
  residents from one address). They are counted inside the create's transaction: a create
  that fails or is refused counts nothing, and on PostgreSQL the counter's row stays locked
  until the commit, so parallel creates from one phone queue and never pass a cap together.
- Repeats: a form order identical to one the same proven phone filed a few minutes ago
  (same category, same place, same description once normalised) is that order again.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _

from lifeline.core import clock, ratelimit
from lifeline.core.errors import ServiceError
from lifeline.registry.models import Area
from lifeline.workorders.models import Category, Channel, WorkOrder

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)

_SPACE = re.compile(r"\s+")
_TRAILING = re.compile(r"[\s.,;:!?。，；：！？、…~～]+$")


class TooManyOrders(ServiceError):
    status = 429

    def __init__(self) -> None:
        super().__init__(
            _(
                "Too many requests were filed from this phone or network. Try again later; "
                "if a life is in danger, call 120 now."
            ),
            code="throttled",
        )


def _caps(channel: str, phone: str, ip: str) -> list[tuple[str, ratelimit.Limit]]:
    caps: list[tuple[str, ratelimit.Limit]] = []
    per_phone = settings.LIFELINE_RESIDENT_ORDERS_PER_PHONE_DAY
    if phone and per_phone > 0:
        key = f"orders:phone:{ratelimit.key_digest(phone)}"
        caps.append((key, ratelimit.Limit(per_phone, DAY)))
    per_ip = (
        settings.LIFELINE_RESIDENT_ORDERS_PER_IP_HOUR
        if channel == Channel.FORM
        else settings.LIFELINE_OPEN311_ORDERS_PER_IP_HOUR
    )
    if ip and per_ip > 0:
        key = f"orders:{channel}:ip:{ratelimit.key_digest(ip)}"
        caps.append((key, ratelimit.Limit(per_ip, HOUR)))
    return caps


def orders_count(*, channel: str, phone: str, ip: str) -> bool:
    """Count one order against every cap that applies; False when past any. Call inside
    the create's transaction, so that a refused or failed create rolls the counts back."""
    verdicts = [ratelimit.hit(key, limit) for key, limit in _caps(channel, phone, ip)]
    return all(v.allowed for v in verdicts)


def normalised(text: str) -> str:
    """The description as compared for repeats: width and case folded, runs of white space
    made one space, trailing punctuation dropped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _TRAILING.sub("", _SPACE.sub(" ", text).strip())


def repeat_of(
    *, phone: str, category: Category, area: Area, address: str, description: str
) -> WorkOrder | None:
    """The same phone's identical form order filed within the last
    ``LIFELINE_RESIDENT_REPEAT_MINUTES``, or None."""
    minutes = settings.LIFELINE_RESIDENT_REPEAT_MINUTES
    if not phone or minutes <= 0:
        return None
    wanted = normalised(description)
    since = clock.now() - dt.timedelta(minutes=minutes)
    recent = (
        # area_path first: its index narrows the scan to one place's orders.
        WorkOrder.objects.filter(
            area_path=area.path,
            area=area,
            contact_phone=phone,
            channel=Channel.FORM,
            category=category,
            created_at__gte=since,
        )
        .order_by("created_at", "pk")
        .only("pk", "number", "description", "address")
    )
    address = normalised(address)
    for order in recent[:50]:
        if normalised(order.description) == wanted and normalised(order.address) == address:
            return order
    return None
