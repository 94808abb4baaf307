"""Notices' creates for ``tests/test_api_idempotent_creates.py``."""

from __future__ import annotations

from lifeline.notices.models import Notice
from lifeline.notices.tests.scope_cases import (
    API,
    follow_up_body,
    make_notices_world,
    notice_body,
)
from lifeline.testing.idempotent import Example, text
from lifeline.workorders.models import WorkOrder

EXAMPLES: dict[str, Example] = {
    f"POST {API}/notices": Example(
        make_notices_world, "staff_b", Notice, notice_body, vary=text("title_zh")
    ),
    f"POST {API}/notices/{{notice_id}}/follow-ups": Example(
        make_notices_world,
        "staff_b",
        Notice,
        follow_up_body,
        vary=text("body_zh"),
        path_params=lambda w: {"notice_id": w.published_b.pk},
    ),
    f"POST {API}/reach/visits": Example(
        make_notices_world,
        "worker_b",
        WorkOrder,
        lambda w: {"ids": [w.row_b.pk]},
        vary=lambda body: {"ids": [*body["ids"], body["ids"][0]]},
    ),
}
