"""Request bodies the API cannot read: too deep, NaN, not JSON. A 400 in the one error
shape, never a 500, and nothing written."""

from __future__ import annotations

import pytest

from lifeline.api.tests.helpers import assert_error, client_for
from lifeline.workorders.models import WorkOrder


@pytest.mark.parametrize(
    "body",
    [
        '{"description": "x", "extra": ' + "[" * 50_000 + "]" * 50_000 + "}",
        # valid JSON, but nested deeper than any body of the API needs
        '{"description": "x", "extra": ' + '{"a": ' * 40 + "1" + "}" * 40 + "}",
        '{"description": "x", "lat": NaN, "lng": Infinity}',
    ],
)
def test_an_unreadable_body_is_a_400_in_the_error_shape(city, grid_worker_a, body):
    response = client_for(grid_worker_a).post(
        "/api/v1/workorders", data=body, content_type="application/json"
    )
    assert_error(response, 400, "bad_request")
    assert WorkOrder.objects.count() == 0
