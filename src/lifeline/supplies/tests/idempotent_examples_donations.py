"""Donations' valid creates for ``tests/test_api_idempotent_creates.py`` (``EXAMPLES``)."""

from __future__ import annotations

from collections.abc import Callable

from lifeline.core import clock
from lifeline.supplies.models import Donor, MoneyDonation, Pledge
from lifeline.supplies.tests.scope_cases_donations import make_donations_world, pledge_body
from lifeline.testing.idempotent import Body, Example

API = "/api/v1"


def _text(field: str) -> Callable[[Body], Body]:
    def vary(body: Body) -> Body:
        return {**body, field: f"{body[field]}2"}

    return vary


EXAMPLES: dict[str, Example] = {
    f"POST {API}/supplies/donors": Example(
        make_donations_world,
        "officer_b",
        Donor,
        lambda w: {"unit_id": w.logistics_b.pk, "kind": "person", "name": "张先生"},
        vary=_text("name"),
    ),
    f"POST {API}/supplies/pledges": Example(
        make_donations_world, "officer_b", Pledge, pledge_body, vary=_text("note")
    ),
    f"POST {API}/supplies/money": Example(
        make_donations_world,
        "officer_b",
        MoneyDonation,
        lambda w: {
            "donor_id": w.donor_b.pk,
            "amount": "1000",
            "received_on": clock.today().isoformat(),
            "use": "蔬菜",
        },
        vary=_text("use"),
    ),
}
