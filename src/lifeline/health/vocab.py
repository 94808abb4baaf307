"""The words of medical access: the inputs and outputs of the decision table.

Kept apart from the models so the pure rule engine (``rules.py``) and the seed data can use
them without touching the ORM.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CodeColour(models.TextChoices):
    GREEN = "green", _("Green code")
    YELLOW = "yellow", _("Yellow code")
    RED = "red", _("Red code")


class Quarantine(models.TextChoices):
    NONE = "none", _("None")
    # 居家健康监测: stays home, reports temperature; the lightest measure.
    HOME_MONITORING = "home_monitoring", _("Home health monitoring")
    # 居家隔离医学观察: should be in a central site but was approved to stay home.
    HOME_QUARANTINE = "home_quarantine", _("Home quarantine")
    CENTRALISED = "centralised", _("Centralised quarantine")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")


RISK_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}
# From the least to the most restrictive: a rule raising a status never lowers it.
COLOUR_ORDER = (CodeColour.GREEN, CodeColour.YELLOW, CodeColour.RED)
QUARANTINE_ORDER = (
    Quarantine.NONE,
    Quarantine.HOME_MONITORING,
    Quarantine.HOME_QUARANTINE,
    Quarantine.CENTRALISED,
)

# What a positive test makes of a person (colour, quarantine), set by a rule: the members
# of a positive pool are suspected cases (混管阳性, 待复核), kept at home until their
# single-tube recheck; a positive single tube makes its person a case, at home until
# taken to care. Both answer "stay home, call for help" in the decision table.
SUSPECTED_CASE = (CodeColour.YELLOW, Quarantine.HOME_QUARANTINE)
POSITIVE_CASE = (CodeColour.RED, Quarantine.HOME_QUARANTINE)
# Whoever holds one of these must not leave home: their household is supported there.
STAY_HOME_COLOURS = (CodeColour.RED,)
STAY_HOME_QUARANTINES = (Quarantine.HOME_MONITORING, Quarantine.HOME_QUARANTINE)


class StatusSource(models.TextChoices):
    MANUAL = "manual", _("Entered by staff")
    IMPORT = "import", _("Imported list")
    API = "api", _("Health-code system")
    RULE = "rule", _("Set by a rule")


class Need(models.TextChoices):
    CRITICAL = "critical", _("Critical or emergency condition")
    DIALYSIS = "dialysis", _("Dialysis")
    PREGNANT = "pregnant", _("Pregnant or postpartum")
    NEWBORN = "newborn", _("Newborn")
    CHEMO = "chemo", _("Chemo- or radiotherapy")
    FEVER = "fever", _("Fever")
    # Stands for "no special need" so a rule can ask for exactly that.
    NONE = "none", _("No special need")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Can wait")
    NECESSARY = "necessary", _("Care truly needed now")
    EMERGENCY = "emergency", _("Emergency")


class Where(models.TextChoices):
    DESIGNATED = "designated", _("Designated hospital of the district")
    SPECIAL = "special", _("Named special hospital")
    NEAREST = "nearest", _("Nearest capable hospital")
    FEVER_CLINIC = "fever_clinic", _("Fever clinic")
    INTERNET = "internet", _("Internet hospital")
    WAIT_GREEN = "wait_green", _("Wait until the code is green")


class How(models.TextChoices):
    TRANSFER_120 = "transfer_120", _("120 closed-loop transfer")
    COMMUNITY_VEHICLE = "community_vehicle", _("Community point-to-point vehicle")
    OWN_WAY_MASKED = "own_way_masked", _("Own way, with mask and distance")
    NONE = "none", _("No travel")


class Notify(models.TextChoices):
    RECEIVING_HOSPITAL = "receiving_hospital", _("The receiving hospital")
    COMMUNITY_LEAD = "community_lead", _("The community or quarantine-site lead")
    OPERATOR_120 = "operator_120", _("The 120 operator, told the health status")


class HospitalRole(models.TextChoices):
    DESIGNATED = "designated", _("Designated hospital")
    SPECIAL = "special", _("Designated hospital for a special group")
    GENERAL = "general", _("General hospital")
    FEVER_CLINIC = "fever_clinic", _("Fever clinic")
    INTERNET = "internet", _("Internet hospital")


# Registry vulnerability tags that are medical needs in the table's words.
VULNERABILITY_NEEDS = {
    "pregnant": Need.PREGNANT,
    "infant": Need.NEWBORN,
    "dialysis": Need.DIALYSIS,
    "chemo": Need.CHEMO,
}
SPECIAL_NEEDS = tuple(n.value for n in Need if n != Need.NONE)


class TransferStep(models.TextChoices):
    """The closed loop of a transfer, in the order it happens (the seed's aneurysm case:
    120 called 20:06, ambulance there 4 minutes later, emergency room 20:20)."""

    CALL = "call", _("120 called or transport requested")
    DISPATCH = "dispatch", _("Vehicle dispatched")
    ARRIVAL = "arrival", _("Vehicle arrived at the patient")
    HANDOVER = "handover", _("Handed over to the hospital")


# Each step's time field on MedicalTransfer, in order.
TRANSFER_FIELDS = {
    TransferStep.CALL: "call_at",
    TransferStep.DISPATCH: "dispatched_at",
    TransferStep.ARRIVAL: "arrived_at",
    TransferStep.HANDOVER: "handed_over_at",
}
