"""The power plant and the water plant of the seeds, their duty desks and the command
centre, for the continuity tests."""

from __future__ import annotations

from dataclasses import dataclass

from lifeline.accounts.models import Role, User
from lifeline.continuity.models import (
    CriticalRole,
    Figure,
    FigureKind,
    LifelineUnit,
    Measure,
    Sector,
    Threshold,
)
from lifeline.continuity.services import (
    critical_role_create,
    figure_create,
    lifeline_unit_create,
    threshold_create,
)
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity, make_user

COAL_GUIDANCE = "联系铁路局加开电煤专列；启用战略储备煤"


@dataclass
class Plants:
    city: SmallCity
    command_centre: Unit
    command: User  # command-centre staff of the city
    power_desk: User  # utility staff of the power plant
    water_desk: User  # utility staff of the water plant
    power: LifelineUnit
    water: LifelineUnit
    coal: Figure  # reserve, t
    burn: Figure  # daily use, t/day
    output: Figure  # MWh
    cover: Threshold  # coal days of cover below 5
    operators: CriticalRole  # water plant: at least 60 on site


def _unit(code: str, name: str, kind: str, city: SmallCity) -> Unit:
    unit = Unit.objects.create(code=code, name=name, kind=kind, phone="13900000099")
    unit.areas.set([city.city])
    return unit


def make_plants(city: SmallCity) -> Plants:
    centre = _unit("U-CMD", "市疫情防控指挥部", Unit.Kind.COMMAND_CENTRE, city)
    power_unit = _unit("POWER", "株洲电厂", Unit.Kind.UTILITY, city)
    water_unit = _unit("WATER", "株洲自来水厂", Unit.Kind.UTILITY, city)
    command = make_user("cont_command", role=Role.COMMAND_STAFF, area=city.city, unit=centre)
    power_desk = make_user("power_desk", role=Role.UTILITY_STAFF, unit=power_unit)
    water_desk = make_user("water_desk", role=Role.UTILITY_STAFF, unit=water_unit)
    power = lifeline_unit_create(
        actor=command, unit=power_unit, area=city.city, sector=Sector.POWER
    )
    water = lifeline_unit_create(
        actor=command, unit=water_unit, area=city.city, sector=Sector.WATER
    )
    burn = figure_create(
        actor=command, lifeline_unit=power, name="日耗煤", kind=FigureKind.USE, unit_label="t"
    )
    coal = figure_create(
        actor=command,
        lifeline_unit=power,
        name="存煤",
        kind=FigureKind.STOCK,
        unit_label="t",
        use=burn,
    )
    output = figure_create(
        actor=command, lifeline_unit=power, name="发电量", kind=FigureKind.OUTPUT, unit_label="MWh"
    )
    cover = threshold_create(
        actor=command,
        figure=coal,
        measure=Measure.DAYS_OF_COVER,
        below=5,
        title="存煤可用天数不足5天",
        guidance=COAL_GUIDANCE,
    )
    operators = critical_role_create(
        actor=command,
        lifeline_unit=water,
        name="制水运行工",
        minimum=60,
        guidance="从备用班组调人，闭环入厂",
    )
    return Plants(
        city,
        centre,
        command,
        power_desk,
        water_desk,
        power,
        water,
        coal,
        burn,
        output,
        cover,
        operators,
    )
