"""Creates of the shipments part for ``tests/test_api_idempotent_creates.py``: none.

Shipments are made by the allocation approval (its example is the needs part's); the
shipment operations (dispatch, cancel, confirm) change one shipment's state, answer 200,
and a repeat is refused with 409 by the state check, so no create is declared here."""

from __future__ import annotations

from lifeline.testing.idempotent import Example

EXAMPLES: dict[str, Example] = {}
