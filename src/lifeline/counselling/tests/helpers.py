"""A counselling line with its supervisor and counsellors, for the counselling tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.counselling.models import Counsellor
from lifeline.counselling.services import counsellor_create, duty_window_create
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity, make_user

HOUR = dt.timedelta(hours=1)


def make_line(city: SmallCity, code: str = "COUNSELLING") -> Unit:
    line = Unit.objects.create(
        code=code, name=f"{code}心理援助热线", kind=Unit.Kind.COUNSELLING_LINE, phone="0731-12351"
    )
    line.areas.set([city.city])
    return line


def public_phone(n: int) -> str:
    return f"0731-2888{n // 100:04d}-{n % 100 + 1}"


@dataclass
class Line:
    city: SmallCity
    line: Unit
    supervisor: User
    counsellor_user: User
    counsellor: Counsellor  # linked to counsellor_user
    others: list[Counsellor] = field(default_factory=list)


def make_counselling(city: SmallCity, *, others: int = 0, tag: str = "") -> Line:
    line = make_line(city, f"COUNSELLING{tag}")
    supervisor = make_user(f"line_sup{tag}", role=Role.COUNSELLING_SUPERVISOR, unit=line)
    supervisor.phone = "13700000001"
    supervisor.save(update_fields=["phone"])
    user = make_user(f"line_cou{tag}", role=Role.COUNSELLOR, unit=line)
    me = counsellor_create(
        actor=supervisor,
        line=line,
        display_name=f"王老师{tag}",
        public_phone_number="0731-28880000-1",
        user=user,
    )
    people = [
        counsellor_create(
            actor=supervisor,
            line=line,
            display_name=f"咨询师{tag}{n:02d}",
            public_phone_number=public_phone(n),
            languages=["zh", "hsn"],
        )
        for n in range(others)
    ]
    return Line(city, line, supervisor, user, me, people)


def on_duty_now(line: Line, counsellor: Counsellor, hours: int = 4) -> None:
    start = clock.now() - HOUR
    duty_window_create(
        actor=line.supervisor,
        counsellor=counsellor,
        starts_at=start,
        ends_at=start + hours * HOUR,
    )
