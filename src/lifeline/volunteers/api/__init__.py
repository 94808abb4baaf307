"""The volunteers API, mounted at /api/v1/volunteers: one router per part."""

from ninja import Router

from lifeline.volunteers.api import bookings, duty, exports, people, shifts

router = Router()
for _part in (people, duty, shifts, bookings, exports):
    router.add_router("", _part.router)
