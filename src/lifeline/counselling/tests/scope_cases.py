"""Counselling rows of the scope matrix (run by ``tests/test_scope_matrix.py``), and the
world the counselling API tests and idempotent-create examples share.

Two lines, A and B, each with a counsellor; line B also has its supervisor, a contact
and a waiting callback. Line B's objects are refused to line A's counsellor, to grid
workers (who hold no counselling permission) and to a user with no membership; line B's
counsellor reaches them. The public list of who is on duty is one answer for anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from lifeline.accounts.models import User
from lifeline.core.models import AuditRecord
from lifeline.counselling.models import Callback, Contact
from lifeline.counselling.services import callback_request, contact_log
from lifeline.counselling.tests.helpers import Line, make_counselling, on_duty_now
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity
from lifeline.testing.scope_matrix import Case, World, base_personas

API = "/api/v1/counselling"


@dataclass
class CounsellingWorld(World):
    line_a: Line
    line_b: Line
    counsellor_a: User
    counsellor_b: User
    contact_b: Contact
    callback_b: Callback

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "worker_b", "outsider", "counsellor_a")
    controls: ClassVar[tuple[str, ...]] = ("counsellor_b",)
    viewers: ClassVar[tuple[str, ...]] = ("counsellor_a",)

    @property
    def unit_b(self) -> Unit:
        return self.line_b.line

    def may_see(self, viewer: str, row: dict[str, Any]) -> bool:
        return row.get("line_id") == self.line_a.line.pk

    def snapshot(self) -> Any:
        contacts = Contact.objects.order_by("pk").values_list("pk", "risk", "flagged_at")
        callbacks = Callback.objects.order_by("pk").values_list("pk", "status", "phone")
        return list(contacts), list(callbacks), AuditRecord.objects.count()


def _contact(line: Line) -> Contact:
    return contact_log(
        actor=line.counsellor_user, line=line.line, topic="work", outcome="supported", minutes=20
    )


def make_counselling_world(city: SmallCity) -> CounsellingWorld:
    line_a = make_counselling(city, tag="A")
    line_b = make_counselling(city, tag="B")
    on_duty_now(line_a, line_a.counsellor)
    _contact(line_a)
    callback_request(actor=line_a.counsellor_user, line=line_a.line, phone="13900020001")
    contact_b = _contact(line_b)
    callback_b = callback_request(
        actor=line_b.counsellor_user, line=line_b.line, phone="13900020002"
    )
    return CounsellingWorld(
        **base_personas(city),
        line_a=line_a,
        line_b=line_b,
        counsellor_a=line_a.counsellor_user,
        counsellor_b=line_b.counsellor_user,
        contact_b=contact_b,
        callback_b=callback_b,
    )


def _line_b(w: CounsellingWorld) -> dict[str, Any]:
    return {"line_id": w.unit_b.pk}


def contact_body(w: CounsellingWorld) -> dict[str, Any]:
    return {
        "line_id": w.unit_b.pk,
        "topic": "sleep",
        "outcome": "advised",
        "minutes": 15,
        "note": "睡不着",
    }


COUNSELLING_CASES = [
    Case("get", f"{API}/on-duty", "shared"),
    Case("get", f"{API}/contacts", "list", foreign=(_line_b,)),
    Case("post", f"{API}/contacts", "create", label="line B", created=Contact, body=contact_body),
    Case(
        "post",
        f"{API}/contacts/{{contact_id}}/flag",
        "object",
        lambda w: {"contact_id": w.contact_b.pk},
    ),
    Case("get", f"{API}/callbacks", "list", foreign=(_line_b,)),
    Case(
        "post",
        f"{API}/callbacks",
        "create",
        label="line B",
        created=Callback,
        body=lambda w: {"line_id": w.unit_b.pk, "phone": "13900020009"},
    ),
    Case(
        "post",
        f"{API}/callbacks/{{callback_id}}/complete",
        "object",
        lambda w: {"callback_id": w.callback_b.pk},
        body=lambda w: {"reached": True},
    ),
]
