"""The counselling API, mounted at /api/v1/counselling: who is on duty now (public), the
line's contacts and callbacks (the line's counsellors, creates with an Idempotency-Key)."""

from lifeline.counselling.api.endpoints import router

__all__ = ["router"]
