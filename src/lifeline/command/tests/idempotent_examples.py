"""Command's creates for ``tests/test_api_idempotent_creates.py``."""

from __future__ import annotations

from lifeline.command.models import AlertRule
from lifeline.command.tests.scope_cases import make_command_world, rule_body
from lifeline.testing.idempotent import Body, Example

API = "/api/v1/command"


def _other_threshold(body: Body) -> Body:
    return {**body, "threshold": "7"}


EXAMPLES: dict[str, Example] = {
    f"POST {API}/rules": Example(
        make_command_world, "command", AlertRule, rule_body, vary=_other_threshold
    ),
}
