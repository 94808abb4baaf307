"""The demo's lifeline units (保供单位): the power plant under the power company (株洲电厂,
42.85 GWh made in the last 10 days, coal for a few days), the water plant under the water
group (208 staff sealed on site, its critical roles), the central hospital; a week of
reports by the duty desk, and one open problem on the command centre's list. Synthetic
data only."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from lifeline.accounts.models import Membership, Role, User
from lifeline.accounts.services import membership_grant
from lifeline.continuity.models import FigureKind, LifelineUnit, Measure, Sector
from lifeline.continuity.services import (
    critical_role_create,
    figure_create,
    figure_report,
    lifeline_unit_create,
    problem_open,
    staff_report,
    threshold_create,
)
from lifeline.core import clock
from lifeline.core.actors import system
from lifeline.demo.supplies import DEMO_EMAIL
from lifeline.registry.models import Area, Unit
from lifeline.registry.services import unit_create

DAYS = 7
# Power plant: about 4,285 MWh a day (42.85 GWh in 10 days), ~1,900 t of coal burnt a day.
OUTPUT = [4190, 4260, 4310, 4285, 4300, 4270, 4330, 4285]
BURN = [1880, 1900, 1910, 1895, 1905, 1890, 1920, 1900]
COAL = [12600, 11800, 11100, 10300, 9700, 9100, 8600, 8200]  # about 4.3 days at the end
# Water plant: 208 staff sealed on site; operators dip towards their minimum.
ROLES = [
    ("制水运行工", 60, [72, 70, 69, 67, 66, 65, 64, 64], "从备用班组调人，闭环入厂"),
    ("水质化验员", 12, [15, 15, 14, 14, 14, 13, 14, 14], "请疾控中心支援化验人员"),
    ("电工及机修", 20, [24, 24, 23, 23, 22, 22, 22, 22], "协调供电公司派驻抢修人员"),
]
WATER_OUT = [152000, 151500, 153200, 150800, 152600, 151900, 152300, 152100]


def _login(role: str, **where: object) -> Membership | None:
    return (
        Membership.objects.filter(role=role, user__email__endswith=DEMO_EMAIL, **where)
        .select_related("user", "unit", "area")
        .first()
    )


def _at(days_ago: int) -> dt.datetime:
    local = timezone.localtime(clock.now()).replace(hour=8, minute=0, second=0, microsecond=0)
    return local - dt.timedelta(days=days_ago)


def seed_demo_continuity() -> str:
    """Seed once (nothing when lifeline units exist or the demo units or logins are
    missing)."""
    if LifelineUnit.objects.exists():
        return ""
    power = Unit.objects.filter(code="POWER").first()
    water = Unit.objects.filter(code="WATER").first()
    command = _login(Role.COMMAND_STAFF, area__isnull=False)
    desk = _login(Role.UTILITY_STAFF, unit__code="POWER")
    if power is None or water is None or command is None or desk is None or command.area is None:
        return ""
    boss, city = command.user, command.area
    hospital = Unit.objects.filter(kind=Unit.Kind.HOSPITAL).order_by("code").first()
    with transaction.atomic():
        plant_unit = unit_create(
            actor=boss,
            code="POWER-PLANT",
            name="株洲电厂",
            kind=Unit.Kind.UTILITY,
            parent=power,
            areas=[city],
            name_en="Zhuzhou power plant",
        )
        works_unit = unit_create(
            actor=boss,
            code="WATER-PLANT",
            name="株洲市第三水厂",
            kind=Unit.Kind.UTILITY,
            parent=water,
            areas=[city],
            name_en="Zhuzhou No. 3 water works",
        )
        # The duty desk of the power company also keeps the water works' desk in the demo.
        membership_grant(
            actor=system("demo seed"), user=desk.user, role=Role.UTILITY_STAFF, unit=water
        )
        plant = lifeline_unit_create(
            actor=boss, unit=plant_unit, area=city, sector=Sector.PLANT, note="2×300MW 燃煤机组"
        )
        works = lifeline_unit_create(
            actor=boss, unit=works_unit, area=city, sector=Sector.WATER, note="208人闭环驻厂"
        )
        if hospital is not None:
            _hospital(boss, hospital, city)
        _power(boss, desk.user, plant)
        _water(boss, desk.user, works)
        problem_open(
            actor=boss,
            lifeline_unit=plant,
            title="电煤运输受阻：铁路运力不足",
            guidance="协调铁路部门加开电煤专列；联系周边电厂调剂存煤；每日报告到煤量",
            owner="市发改委能源科",
        )
    return (
        "Lifeline units: 株洲电厂 (42.85 GWh in 10 days, coal ~4 days of cover), "
        "株洲市第三水厂 (208 staff sealed on site), 1 open problem"
    )


def _power(boss: User, desk: User, plant: LifelineUnit) -> None:
    burn = figure_create(
        actor=boss, lifeline_unit=plant, name="日耗煤", kind=FigureKind.USE, unit_label="t"
    )
    coal = figure_create(
        actor=boss,
        lifeline_unit=plant,
        name="存煤",
        kind=FigureKind.STOCK,
        unit_label="t",
        use=burn,
    )
    output = figure_create(
        actor=boss, lifeline_unit=plant, name="日发电量", kind=FigureKind.OUTPUT, unit_label="MWh"
    )
    threshold_create(
        actor=boss,
        figure=coal,
        measure=Measure.DAYS_OF_COVER,
        below=3,
        title="存煤可用天数不足3天",
        guidance="启动电煤应急调运：联系铁路局加开专列，动用战略储备煤，压减非居民负荷",
    )
    for i in range(DAYS + 1):
        with clock.frozen_at(_at(DAYS - i)):
            for figure, values in ((burn, BURN), (coal, COAL), (output, OUTPUT)):
                figure_report(actor=desk, lifeline_unit=plant, figure_id=figure.pk, value=values[i])


def _water(boss: User, desk: User, works: LifelineUnit) -> None:
    out = figure_create(
        actor=boss, lifeline_unit=works, name="日供水量", kind=FigureKind.OUTPUT, unit_label="m³"
    )
    sealed = figure_create(
        actor=boss, lifeline_unit=works, name="闭环驻厂人数", kind=FigureKind.OTHER, unit_label="人"
    )
    roles = [
        critical_role_create(
            actor=boss, lifeline_unit=works, name=name, minimum=least, guidance=guidance
        )
        for name, least, _counts, guidance in ROLES
    ]
    for i in range(DAYS + 1):
        with clock.frozen_at(_at(DAYS - i)):
            figure_report(actor=desk, lifeline_unit=works, figure_id=out.pk, value=WATER_OUT[i])
            figure_report(actor=desk, lifeline_unit=works, figure_id=sealed.pk, value=208)
            for role, (_name, _least, counts, _g) in zip(roles, ROLES, strict=True):
                staff_report(actor=desk, lifeline_unit=works, role_id=role.pk, on_site=counts[i])


def _hospital(boss: User, hospital: Unit, city: Area) -> None:
    unit = lifeline_unit_create(
        actor=boss,
        unit=hospital,
        area=city,
        sector=Sector.HOSPITAL,
    )
    use = figure_create(
        actor=boss, lifeline_unit=unit, name="日用氧量", kind=FigureKind.USE, unit_label="m³"
    )
    figure_create(
        actor=boss,
        lifeline_unit=unit,
        name="液氧储量",
        kind=FigureKind.STOCK,
        unit_label="m³",
        use=use,
    )
    critical_role_create(actor=boss, lifeline_unit=unit, name="重症护士", minimum=40)
