"""Counselling's creates for ``tests/test_api_idempotent_creates.py``."""

from __future__ import annotations

import datetime as dt

from lifeline.counselling.models import Callback, Contact, Counsellor, DutyWindow, Referral
from lifeline.counselling.tests.scope_cases import (
    contact_body,
    counsellor_body,
    duty_body,
    make_counselling_world,
    referral_body,
)
from lifeline.testing.idempotent import Body, Example, text

API = "/api/v1/counselling"


def _other_phone(body: Body) -> Body:
    return {**body, "phone": "13900020010"}


def _later(body: Body) -> Body:
    hour = dt.timedelta(hours=1)
    starts, ends = (dt.datetime.fromisoformat(body[k]) + hour for k in ("starts_at", "ends_at"))
    return {**body, "starts_at": starts.isoformat(), "ends_at": ends.isoformat()}


EXAMPLES: dict[str, Example] = {
    f"POST {API}/contacts": Example(
        make_counselling_world, "counsellor_b", Contact, contact_body, vary=text("note")
    ),
    f"POST {API}/callbacks": Example(
        make_counselling_world,
        "counsellor_b",
        Callback,
        lambda w: {"line_id": w.unit_b.pk, "phone": "13900020009"},
        vary=_other_phone,
    ),
    f"POST {API}/contacts/{{contact_id}}/referrals": Example(
        make_counselling_world,
        "counsellor_b",
        Referral,
        referral_body,
        vary=text("reason"),
        path_params=lambda w: {"contact_id": w.contact_b.pk},
    ),
    f"POST {API}/counsellors": Example(
        make_counselling_world,
        "supervisor_b",
        Counsellor,
        counsellor_body,
        vary=text("display_name"),
    ),
    f"POST {API}/duty": Example(
        make_counselling_world, "supervisor_b", DutyWindow, duty_body, vary=_later
    ),
}
