"""Counselling rows of the scope matrix (run by ``tests/test_scope_matrix.py``), and the
world the counselling API tests and idempotent-create examples share.

Two lines, A and B, each with a supervisor, a counsellor on duty, a contact referred on and
a waiting callback. Line B's objects are refused to line A's counsellor and supervisor, to
grid workers (who hold no counselling permission) and to a user with no membership; line
B's counsellor reaches them. The supervisor's operations (counsellors, the roster) are
refused to line B's counsellor too, and reached by line B's supervisor. The public list of
who is on duty is one answer for anyone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils import translation

from lifeline.accounts.models import User
from lifeline.core import clock
from lifeline.core.models import AuditRecord
from lifeline.counselling.models import Callback, Contact, Counsellor, DutyWindow, Referral, Topic
from lifeline.counselling.services import callback_request, contact_log, referral_make
from lifeline.counselling.tests.helpers import Line, make_counselling, on_duty_now
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity
from lifeline.testing.scope_matrix import DENIED, Case, World, base_personas, call

API = "/api/v1/counselling"


@dataclass
class CounsellingWorld(World):
    line_a: Line
    line_b: Line
    counsellor_a: User
    counsellor_b: User
    supervisor_a: User
    supervisor_b: User
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
        callbacks = Callback.objects.order_by("pk").values_list("pk", "status", "phone", "taken_by")
        counts = [m.objects.count() for m in (Referral, Counsellor, DutyWindow)]
        return list(contacts), list(callbacks), counts, AuditRecord.objects.count()


def _contact(line: Line) -> Contact:
    contact = contact_log(
        actor=line.counsellor_user,
        line=line.line,
        topic="work",
        outcome="supported",
        minutes=20,
        consent_referral=True,
    )
    referral_make(actor=line.counsellor_user, contact=contact, to="mental_health", basis="consent")
    return contact


def make_counselling_world(city: SmallCity) -> CounsellingWorld:
    line_a = make_counselling(city, tag="A")
    line_b = make_counselling(city, tag="B")
    on_duty_now(line_a, line_a.counsellor)
    on_duty_now(line_b, line_b.counsellor)
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
        supervisor_a=line_a.supervisor,
        supervisor_b=line_b.supervisor,
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


def counsellor_body(w: CounsellingWorld) -> dict[str, Any]:
    return {
        "line_id": w.unit_b.pk,
        "display_name": "新来的李老师",
        "public_phone": "0731-28889999-1",
    }


def duty_body(w: CounsellingWorld) -> dict[str, Any]:
    start = (clock.now() + dt.timedelta(days=2)).replace(microsecond=0)
    return {
        "counsellor_id": w.line_b.counsellor.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=4)).isoformat(),
    }


def referral_body(w: CounsellingWorld) -> dict[str, Any]:
    return {"to": "emergency", "basis": "life_at_risk", "reason": "说今晚要结束生命"}


# The supervisor's operations: line B's counsellor is refused too.
NOT_SUPERVISOR_B = (
    "worker_a",
    "worker_b",
    "outsider",
    "counsellor_a",
    "supervisor_a",
    "counsellor_b",
)
SUPERVISOR_B = ("supervisor_b",)


def _counsellor_b(w: CounsellingWorld) -> dict[str, Any]:
    return {"counsellor_id": w.line_b.counsellor.pk}


def _file_topics(response: Any) -> set[str]:
    """The topics a file counts (its counts may be written "<5")."""
    lines = response.content.decode("utf-8-sig").strip().splitlines()[1:]
    return {line.split(",")[2] for line in lines}


def _topics_of(line: Any) -> set[str]:
    labels = dict(Topic.choices)
    with translation.override("zh-hans"):
        return {
            str(labels[t])
            for t in Contact.objects.filter(line=line).values_list("topic", flat=True)
        }


def _check_counts_export(w: CounsellingWorld) -> None:
    """Each supervisor's file counts their own line's contacts and no other's; line B's
    counsellor, grid workers and the outsider get no file and leave no audit record."""
    before = AuditRecord.objects.count()
    for name in ("worker_a", "worker_b", "outsider", "counsellor_b"):
        response = call(w.persona(name), COUNTS_EXPORT, w)
        assert response.status_code in DENIED, (name, response.content[:200])
        assert set(response.json()) == {"error"}
    assert AuditRecord.objects.count() == before, "a refused export was recorded"
    for boss, line in ((w.supervisor_a, w.line_a), (w.supervisor_b, w.line_b)):
        response = call(boss, COUNTS_EXPORT, w)
        assert response.status_code == 200, response.content[:300]
        assert _file_topics(response) == _topics_of(line.line)
    assert AuditRecord.objects.count() == before + 2


COUNTS_EXPORT = Case(
    "post",
    f"{API}/exports/contacts",
    "custom",
    body=lambda w: {"format": "csv"},
    check=lambda w: _check_counts_export(w),
)

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
    Case(
        "post",
        f"{API}/callbacks/{{callback_id}}/take",
        "object",
        lambda w: {"callback_id": w.callback_b.pk},
    ),
    Case(
        "post",
        f"{API}/contacts/{{contact_id}}/referrals",
        "object",
        lambda w: {"contact_id": w.contact_b.pk},
        body=referral_body,
    ),
    Case("get", f"{API}/referrals", "list", foreign=(_line_b,)),
    Case(
        "get",
        f"{API}/counsellors",
        "list",
        foreign=(_line_b,),
        denied=NOT_SUPERVISOR_B,
        controls=SUPERVISOR_B,
        viewers=("supervisor_a",),
    ),
    Case(
        "post",
        f"{API}/counsellors",
        "create",
        label="line B",
        created=Counsellor,
        body=counsellor_body,
        denied=NOT_SUPERVISOR_B,
        controls=SUPERVISOR_B,
    ),
    Case("get", f"{API}/duty", "list", foreign=(_line_b, _counsellor_b)),
    Case(
        "post",
        f"{API}/duty",
        "create",
        label="line B",
        created=DutyWindow,
        body=duty_body,
        denied=NOT_SUPERVISOR_B,
        controls=SUPERVISOR_B,
    ),
    COUNTS_EXPORT,
]
