"""Helpers of the volunteers API and export tests: a second community with its own
coordinator, and JSON posts with an Idempotency-Key, in English."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from lifeline.accounts.models import Role, User
from lifeline.api.creates import HEADER
from lifeline.api.tests.helpers import client_for
from lifeline.registry.models import AreaLevel
from lifeline.testing.factories import SmallCity, make_area, make_user

API = "/api/v1/volunteers"


def english(user: User | None) -> Client:
    return client_for(user, HTTP_ACCEPT_LANGUAGE="en")


def post(client: Client, url: str, body: Any, key: str | None = None) -> Any:
    headers = {HEADER: key} if key else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def other_coordinator(city: SmallCity) -> User:
    """The coordinator of a neighbouring community of the same street."""
    other = make_area(
        parent=city.street, level=AreaLevel.COMMUNITY, code="430211001002", name="华山路社区"
    )
    return make_user("vol_coord_other", role=Role.VOLUNTEER_COORDINATOR, area=other)
