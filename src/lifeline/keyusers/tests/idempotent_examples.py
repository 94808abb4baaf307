"""Key users' creates for ``tests/test_api_idempotent_creates.py``."""

from __future__ import annotations

from lifeline.keyusers.models import Interruption, KeyUser, SupplyPoint
from lifeline.keyusers.tests.scope_cases import (
    API,
    interruption_body,
    key_user_body,
    make_keyusers_world,
    outage_body,
    supply_point_body,
)
from lifeline.testing.idempotent import Example, text

EXAMPLES: dict[str, Example] = {
    f"POST {API}/key-users": Example(
        make_keyusers_world, "duty_b", KeyUser, key_user_body, vary=text("name")
    ),
    f"POST {API}/supply-points": Example(
        make_keyusers_world, "duty_b", SupplyPoint, supply_point_body, vary=text("code")
    ),
    f"POST {API}/interruptions": Example(
        make_keyusers_world, "duty_b", Interruption, interruption_body, vary=text("reason")
    ),
    f"POST {API}/outages": Example(
        make_keyusers_world, "duty_b", Interruption, outage_body, vary=text("reason")
    ),
}
