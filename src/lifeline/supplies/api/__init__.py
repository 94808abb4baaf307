"""The supplies API, mounted at /api/v1/supplies: one router per part."""

from ninja import Router

from lifeline.supplies.api import catalogue, donations, needs, packages, shipments, stock

router = Router()
for _part in (catalogue, stock, donations, needs, shipments, packages):
    router.add_router("", _part.router)
