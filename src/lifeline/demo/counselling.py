"""The demo's counselling line (the trade union's free line of the seeds): 50 counsellors
with published landline extensions, a duty roster over the day (four shifts, so some are
always on duty), about 100 contacts of the past week counted by workplace without names,
a few missed calls waiting for a call back, and one high-risk contact waiting on the
supervisor's page. Synthetic data only."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lifeline.accounts.models import Membership, Role
from lifeline.core import clock
from lifeline.counselling.models import Contact, Counsellor, Outcome, Topic
from lifeline.counselling.services import (
    callback_request,
    contact_log,
    counsellor_create,
    counsellor_on_duty,
    duty_window_create,
)
from lifeline.demo.supplies import DEMO_EMAIL
from lifeline.registry.models import Unit

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林"
TITLES = ("老师", "医生", "咨询师")
SHIFTS = ((8, 4), (12, 5), (17, 5), (22, 10))  # start hour, hours: the day covered
WORKPLACES = (Unit.Kind.UTILITY, Unit.Kind.UTILITY_TEAM, Unit.Kind.HOSPITAL, Unit.Kind.ENTERPRISE)


def _membership(role: str) -> Membership | None:
    return (
        Membership.objects.filter(
            role=role, user__email__endswith=DEMO_EMAIL, unit__kind=Unit.Kind.COUNSELLING_LINE
        )
        .select_related("user", "unit")
        .first()
    )


def seed_demo_counselling() -> str:
    """Seed once (nothing when counsellors exist or the supervisor's login is missing)."""
    if Counsellor.objects.exists():
        return ""
    boss = _membership(Role.COUNSELLING_SUPERVISOR)
    if boss is None or boss.unit is None:
        return ""
    supervisor, line = boss.user, boss.unit
    counsellor_login = _membership(Role.COUNSELLOR)
    rnd = random.Random(20221107)
    now = clock.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    workplaces = list(Unit.objects.filter(kind__in=WORKPLACES).order_by("code")[:8])
    with transaction.atomic():
        people = []
        for n in range(50):
            name = f"{SURNAMES[n % len(SURNAMES)]}{TITLES[n % 3]}{n // len(SURNAMES) + 1:02d}"
            people.append(
                counsellor_create(
                    actor=supervisor,
                    line=line,
                    display_name=name,
                    public_phone_number=f"0731-2888{n // 10:04d}-{n % 10 + 1}",
                    languages=["zh", "hsn"] if n % 3 else ["zh"],
                    supervisor=n < 2,
                    user=counsellor_login.user if n == 2 and counsellor_login else None,
                )
            )
        for n, counsellor in enumerate(people):
            if n == 2 and counsellor_login:
                continue  # the counsellor's login goes on duty below, from now
            start, hours = SHIFTS[n % len(SHIFTS)]
            begins = today + dt.timedelta(hours=start)
            if begins > now + dt.timedelta(hours=2) and start == 22:
                begins -= dt.timedelta(days=1)  # last night's shift runs into the morning
            duty_window_create(
                actor=supervisor,
                counsellor=counsellor,
                starts_at=begins,
                ends_at=begins + dt.timedelta(hours=hours),
            )
        if counsellor_login:
            counsellor_on_duty(actor=counsellor_login.user, counsellor=people[2], hours=4)
        taker = counsellor_login.user if counsellor_login else supervisor
        for n in range(100):
            contact_log(
                actor=taker,
                line=line,
                started_at=now - dt.timedelta(minutes=rnd.randrange(30, 7 * 24 * 60)),
                minutes=rnd.randrange(5, 60),
                topic=rnd.choice(Topic.values),
                outcome=rnd.choice([Outcome.SUPPORTED, Outcome.ADVISED, Outcome.FOLLOW_UP]),
                enterprise=rnd.choice(workplaces) if workplaces and n % 5 else None,
            )
        for n in range(4):
            callback_request(
                actor=taker,
                line=line,
                phone=f"1390731{n + 1:04d}",
                missed_at=now - dt.timedelta(minutes=10 + 15 * n),
            )
        contact_log(
            actor=taker,
            line=line,
            started_at=now - dt.timedelta(minutes=20),
            minutes=35,
            topic=Topic.ISOLATION,
            outcome=Outcome.FOLLOW_UP,
            risk="high",
            consent_referral=True,
            enterprise=workplaces[0] if workplaces else None,
        )
    on_duty = sum(1 for c in people if c.duty.filter(starts_at__lte=now, ends_at__gt=now))
    return _(
        "Counselling line: %(c)s counsellors, %(d)s on duty now; %(n)s contacts this week; "
        "4 callbacks waiting; 1 high-risk contact for the supervisor."
    ) % {"c": len(people), "d": on_duty, "n": Contact.objects.filter(line=line).count()}
