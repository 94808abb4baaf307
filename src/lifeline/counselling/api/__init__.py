"""The counselling API, mounted at /api/v1/counselling: who is on duty now (public); the
line's contacts, referrals and callbacks (its counsellors); its counsellors, roster and
counts (its supervisors). Creates take an Idempotency-Key."""

from lifeline.counselling.api import exports, staff  # noqa: F401  (they register operations)
from lifeline.counselling.api.endpoints import router

__all__ = ["router"]
