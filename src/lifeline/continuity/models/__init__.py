"""Continuity models: lifeline units with their figures and staff (``units``), thresholds
and the problem list (``problems``)."""

from lifeline.continuity.models.problems import SETTLED, Measure, Problem, Threshold
from lifeline.continuity.models.units import (
    CriticalRole,
    Figure,
    FigureKind,
    FigureReport,
    LifelineUnit,
    Sector,
    StaffReport,
    days_of_cover,
)

__all__ = [
    "SETTLED",
    "CriticalRole",
    "Figure",
    "FigureKind",
    "FigureReport",
    "LifelineUnit",
    "Measure",
    "Problem",
    "Sector",
    "StaffReport",
    "Threshold",
    "days_of_cover",
]
