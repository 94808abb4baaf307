"""The demo's key protected users: the power company's feeders over the buildings of a
dozen communities, the 73 key users of the seeds (the city's hospitals and quarantine
sites from the registry's facilities, epidemic-control departments, dialysis centres, and
a few residents on home oxygen or life support from the registry's needs), the central
hospital's special plan as the central quarantine hospital, and one draft planned
interruption a week ahead for the duty desk to check and publish. Synthetic data only."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from lifeline.accounts.models import Membership, Role
from lifeline.core import clock
from lifeline.demo.supplies import DEMO_EMAIL
from lifeline.keyusers.models import KeyUser, KeyUserKind, SupplyPoint
from lifeline.keyusers.services import (
    building_supply_set,
    interruption_plan,
    keyuser_register,
    supply_point_create,
)
from lifeline.registry.models import (
    Area,
    AreaLevel,
    Building,
    Facility,
    Vulnerability,
    VulnerabilityKind,
)

TOTAL = 73
FEEDERS = 12
SPECIAL_PLAN = (
    "改为全市集中隔离救治医院：双回路供电，两台移动发电车驻点，专人24小时值守；"
    "任何计划停电须提前报指挥部，故障时15分钟内到场。"
)
BACKUPS = ("柴油发电机 800kW", "双回路供电", "移动发电车", "UPS 2小时 + 发电机", "柴油发电机 200kW")
SURNAMES = "王李张刘陈杨黄赵周吴"


def _phone(rnd: random.Random) -> str:
    return f"13{rnd.randint(5, 9)}{rnd.randint(0, 99_999_999):08d}"


def _feeders(duty: Any, power: Any, city: Area) -> list[SupplyPoint]:
    communities = list(
        Area.objects.filter(level=AreaLevel.COMMUNITY, path__startswith=city.path).order_by("path")[
            :FEEDERS
        ]
    )
    feeders = []
    for n, community in enumerate(communities, start=1):
        feeder = supply_point_create(
            actor=duty,
            utility=power,
            area=community,
            code=f"10KV-{n:03d}",
            name=f"{community.name}10kV线",
        )
        buildings = Building.objects.filter(area_path__startswith=community.path)
        building_supply_set(actor=duty, supply_point=feeder, buildings=buildings)
        feeders.append(feeder)
    return feeders


def _feeder_for(path: str, feeders: list[SupplyPoint], rnd: random.Random) -> SupplyPoint:
    for feeder in feeders:
        if path.startswith(feeder.area_path) or feeder.area_path.startswith(path):
            return feeder
    return rnd.choice(feeders)


def _plans(rnd: random.Random, city: Area) -> list[dict[str, Any]]:
    """What to register: facilities of the registry first, then departments and centres."""
    plans: list[dict[str, Any]] = []
    kinds: dict[str, str] = {
        Facility.Kind.HOSPITAL: KeyUserKind.HOSPITAL,
        Facility.Kind.DESIGNATED_HOSPITAL: KeyUserKind.HOSPITAL,
        Facility.Kind.QUARANTINE_SITE: KeyUserKind.QUARANTINE_SITE,
    }
    facilities = Facility.objects.filter(kind__in=list(kinds), area_path__startswith=city.path)
    for facility in facilities.select_related("area").order_by("kind", "name")[:40]:
        plans.append(
            {
                "name": facility.name,
                "kind": kinds[facility.kind],
                "area": facility.area,
                "facility": facility,
                "address": facility.address,
            }
        )
    homes = Vulnerability.objects.filter(
        kind__in=[VulnerabilityKind.HOME_OXYGEN, VulnerabilityKind.LIFE_SUPPORT],
        area_path__startswith=city.path,
    ).select_related("person__household__building", "grid")
    for need in homes.order_by("pk")[:5]:
        household = need.person.household
        plans.append(
            {
                "name": need.person.name,
                "kind": KeyUserKind.HOME_LIFE_SUPPORT,
                "area": need.grid,
                "household": household,
                "address": f"{household.building.address} {household.unit_no}",
                "contact_phone": need.person.phone or household.phone,
            }
        )
    districts = list(Area.objects.filter(level=AreaLevel.DISTRICT, path__startswith=city.path))
    n = 0
    while len(plans) < TOTAL and districts:
        district = districts[n % len(districts)]
        kind, label = (
            (KeyUserKind.EPIDEMIC_CONTROL, "疾病预防控制中心")
            if n < len(districts)
            else (KeyUserKind.DIALYSIS_CENTRE, f"血液透析中心{n // len(districts)}")
        )
        if n >= 6 * len(districts):
            kind, label = KeyUserKind.OTHER, f"核酸检测实验室{n}"
        plans.append({"name": f"{district.name}{label}", "kind": kind, "area": district})
        n += 1
    return plans[:TOTAL]


def seed_demo_keyusers() -> str:
    """Seed once (nothing when key users exist or the power company's duty desk is
    missing)."""
    if KeyUser.objects.exists():
        return ""
    membership = (
        Membership.objects.filter(
            role=Role.UTILITY_STAFF,
            user__email__endswith=DEMO_EMAIL,
            unit__code="POWER",
            area__isnull=False,
        )
        .select_related("user", "unit", "area")
        .first()
    )
    if membership is None or membership.area is None or membership.unit is None:
        return ""
    duty, power, city = membership.user, membership.unit, membership.area
    rnd = random.Random(20221107)
    with transaction.atomic():
        feeders = _feeders(duty, power, city)
        if not feeders:
            return ""
        special_done = False
        for plan in _plans(rnd, city):
            special = ""
            if not special_done and plan["kind"] == KeyUserKind.HOSPITAL:
                special, special_done = SPECIAL_PLAN, True
            area = plan.pop("area")
            keyuser_register(
                actor=duty,
                area=area,
                supply_points=[_feeder_for(area.path, feeders, rnd)],
                contact_name=plan.pop("contact_name", rnd.choice(SURNAMES) + "主任"),
                contact_phone=plan.pop("contact_phone", "") or _phone(rnd),
                response_minutes=rnd.choice((15, 20, 30, 45)),
                backup_source=""
                if plan["kind"] == KeyUserKind.HOME_LIFE_SUPPORT
                else rnd.choice(BACKUPS),
                special_plan=special,
                **plan,
            )
        start = timezone.localtime(clock.now()).replace(
            hour=8, minute=0, second=0, microsecond=0
        ) + dt.timedelta(days=7)
        interruption_plan(
            actor=duty,
            supply_points=[feeders[0]],
            starts_at=start,
            ends_at=start + dt.timedelta(hours=6),
            reason="10kV线路年度检修",
        )
    return (
        f"key users: {KeyUser.objects.count()} on {len(feeders)} feeders, "
        "1 draft planned interruption"
    )
