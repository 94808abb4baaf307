"""Likely duplicates: an order filed while an earlier open order of the same category,
for the same person, phone, household or place and in like words, was filed shortly
before. Found once, when the order is written (``likely_duplicate_for``), and stored on
it (``WorkOrder.likely_duplicate_of``): lists read the flag, they never compare orders.

Unlike intake's duplicate of the same household (linked and cancelled at once), this is a
flag: staff decide, and merge with ``workorder_merge``."""

from __future__ import annotations

import datetime as dt
import difflib
import re

from lifeline.workorders.models import OPEN_STATUSES, Category, Status, WorkOrder

# How far back an earlier order may be to count as the same call.
WINDOW = dt.timedelta(hours=24)
# How alike two descriptions must be (difflib's ratio, 0 to 1).
SIMILAR = 0.75
CANDIDATES = 20
_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)


def _normal(text: str) -> str:
    return _SPACE.sub("", (text or "").lower())[:500]


def similar_text(a: str, b: str) -> bool:
    """Whether two descriptions say much the same (punctuation and spacing ignored)."""
    left, right = _normal(a), _normal(b)
    if not left or not right:
        return False
    if left == right or left in right or right in left:
        return True
    return difflib.SequenceMatcher(None, left, right).ratio() >= SIMILAR


def _same_caller(order: WorkOrder, who: dict[str, object]) -> bool:
    """Same person, household or phone; or the same address; or nobody known on either."""
    pairs = [
        (order.person_id, who["person_id"]),
        (order.household_id, who["household_id"]),
        (order.contact_phone, who["contact_phone"]),
        ((order.address or "").strip(), who["address"]),
    ]
    if any(mine and mine == theirs for mine, theirs in pairs):
        return True
    return not any(mine for mine, _ in pairs) and not any(theirs for _, theirs in pairs)


def likely_duplicate_for(
    *,
    category: Category,
    area_path: str,
    description: str,
    now: dt.datetime,
    person_id: int | None = None,
    household_id: int | None = None,
    contact_phone: str = "",
    address: str = "",
) -> WorkOrder | None:
    """The earliest open order of ``category`` at the same place (``area_path``), filed
    within ``WINDOW`` before ``now`` for the same caller (person, household, phone or
    address), whose description is like ``description``. Reads at most ``CANDIDATES``
    rows, found by the place's index."""
    who: dict[str, object] = {
        "person_id": person_id,
        "household_id": household_id,
        "contact_phone": contact_phone,
        "address": (address or "").strip()[:255],
    }
    candidates = (
        WorkOrder.objects.filter(
            area_path=area_path,
            category=category,
            created_at__gte=now - WINDOW,
            status__in=[s for s in OPEN_STATUSES if s != Status.RESOLVED],
            duplicate_of__isnull=True,
        )
        .only(
            "pk",
            "description",
            "created_at",
            "person_id",
            "household_id",
            "contact_phone",
            "address",
            "likely_duplicate_of_id",
        )
        .order_by("-created_at", "-pk")[:CANDIDATES]
    )
    found = [
        c for c in candidates if _same_caller(c, who) and similar_text(c.description, description)
    ]
    if not found:
        return None
    earliest = min(found, key=lambda c: (c.created_at, c.pk))
    # Point at the first order of a chain, so every copy names the same original.
    if earliest.likely_duplicate_of_id is not None:
        return WorkOrder.objects.filter(pk=earliest.likely_duplicate_of_id).first() or earliest
    return earliest
