"""The demo's volunteers: the coordinator's community gets the seeds' seven task groups,
posts (the sampling site, a bridge checkpoint, a gate, the buildings' deliveries), 60
volunteers (a few waiting for approval), tomorrow's call "10 volunteers for tomorrow's
testing" (接龙) partly filled, the bridge open in three shifts, and the east gate's week
proposed by the roster solver for the coordinator to edit and publish, so the coordinator
and the volunteers' phones have something to do. Synthetic data only."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lifeline.accounts.models import Membership, Role
from lifeline.core import clock
from lifeline.demo.supplies import DEMO_EMAIL
from lifeline.registry import selectors as registry_selectors
from lifeline.volunteers.models import GroupKind, PostKind, Skill, Volunteer, VolunteerStatus
from lifeline.volunteers.services import (
    booking_signup,
    group_create,
    post_create,
    shift_create,
    volunteer_building_set,
    volunteer_create,
)
from lifeline.volunteers.services.rosters import roster_request, roster_run

GROUPS = [
    ("巡逻组", GroupKind.PATROL),
    ("物资保障组", GroupKind.SUPPLIES),
    ("核酸检测协助组", GroupKind.TESTING),
    ("门岗值守组", GroupKind.GATE),
    ("关爱老人组", GroupKind.ELDERS),
    ("宣传组", GroupKind.PUBLICITY),
    ("楼栋长组", GroupKind.OTHER),
]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华"


def seed_demo_volunteers() -> str:
    """Seed once (nothing when volunteers exist or the coordinator's login is missing)."""
    if Volunteer.objects.exists():
        return ""
    membership = (
        Membership.objects.filter(
            role=Role.VOLUNTEER_COORDINATOR, user__email__endswith=DEMO_EMAIL, area__isnull=False
        )
        .select_related("user", "area")
        .first()
    )
    if membership is None or membership.area is None:
        return ""
    coordinator, community = membership.user, membership.area
    rnd = random.Random(20221105)
    with transaction.atomic():
        groups = {
            kind: group_create(actor=coordinator, area=community, name=name, kind=kind)
            for name, kind in GROUPS
        }
        sampling = post_create(
            actor=coordinator,
            area=community,
            name="社区核酸采样点",
            kind=PostKind.SAMPLING,
            group=groups[GroupKind.TESTING],
        )
        bridge = post_create(
            actor=coordinator,
            area=community,
            name="建设桥卡口",
            kind=PostKind.CHECKPOINT,
            group=groups[GroupKind.GATE],
        )
        gate = post_create(
            actor=coordinator,
            area=community,
            name="小区东门门岗",
            kind=PostKind.CHECKPOINT,
            group=groups[GroupKind.GATE],
        )
        post_create(
            actor=coordinator,
            area=community,
            name="各楼栋物资配送",
            kind=PostKind.BUILDING,
            group=groups[GroupKind.SUPPLIES],
        )
        people = []
        for n in range(60):
            skills = [
                s
                for s, share in ((Skill.SAMPLER, 0.2), (Skill.DRIVER, 0.15))
                if rnd.random() < share
            ]
            person = volunteer_create(
                actor=coordinator,
                area=community,
                name=rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN),
                phone=f"1390731{n:04d}",
                skills=skills,
            )
            people.append(person)
        # 楼栋长: the first volunteers each head a building of the community.
        buildings = list(registry_selectors.buildings_public(area_path=community.path)[:8])
        for person, building in zip(people[10:], buildings, strict=False):
            volunteer_building_set(actor=coordinator, volunteer=person, building_id=building.pk)
        for person in people[-5:]:  # signed up on their phones, waiting for approval
            Volunteer.objects.filter(pk=person.pk).update(status=VolunteerStatus.PENDING)
        tomorrow = timezone.localtime(clock.now()).replace(
            hour=7, minute=30, second=0, microsecond=0
        ) + dt.timedelta(days=1)
        call = shift_create(
            actor=coordinator,
            post=sampling,
            starts_at=tomorrow,
            ends_at=tomorrow + dt.timedelta(hours=4, minutes=30),
            capacity=10,
            skills=[Skill.SAMPLER],
            open_call=True,
            note="协助扫码、维持秩序、引导上门采样",
        )
        for person in people[:7]:
            booking_signup(volunteer=person, shift=call)
        call.refresh_from_db()
        shifts = 0
        for day in range(3):
            for start in (0, 8, 16):  # 00:00-08:00, 08:00-16:00, 16:00-24:00
                begins = tomorrow.replace(hour=0, minute=0) + dt.timedelta(days=day, hours=start)
                shift_create(
                    actor=coordinator,
                    post=bridge,
                    starts_at=begins,
                    ends_at=begins + dt.timedelta(hours=8),
                    capacity=2,
                    open_call=True,
                )
                shifts += 1
        for day in range(7):  # the east gate in three shifts for a week, for the roster
            for start, hours in ((7, 5), (12, 5), (17, 5)):
                begins = tomorrow.replace(hour=start, minute=0) + dt.timedelta(days=day)
                shift_create(
                    actor=coordinator,
                    post=gate,
                    starts_at=begins,
                    ends_at=begins + dt.timedelta(hours=hours),
                    capacity=2,
                )
        roster = roster_request(
            actor=coordinator, area=community, starts_on=tomorrow.date(), time_limit=5
        )
    roster_run(roster_id=roster.pk)  # what the worker does, so the proposal is there
    return _(
        "Volunteers: %(v)s volunteers in %(g)s task groups; tomorrow's testing call %(c)s of "
        "10 filled; %(s)s bridge shifts open."
    ) % {"v": len(people), "g": len(groups), "c": call.confirmed, "s": shifts}
