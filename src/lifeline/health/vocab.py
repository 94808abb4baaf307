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


class Capability(models.TextChoices):
    """What a hospital can treat: the departments a patient's need may call for."""

    EMERGENCY = "emergency", _("Emergency department")
    ICU = "icu", _("Intensive care")
    DIALYSIS = "dialysis", _("Dialysis")
    OBSTETRICS = "obstetrics", _("Obstetrics")
    PAEDIATRICS = "paediatrics", _("Paediatrics and newborns")
    ONCOLOGY = "oncology", _("Chemo- and radiotherapy")
    CARDIAC_SURGERY = "cardiac_surgery", _("Cardiac surgery")
    NEUROSURGERY = "neurosurgery", _("Neurosurgery")
    VASCULAR = "vascular", _("Vascular and interventional surgery")
    INFECTIOUS = "infectious", _("Infectious diseases")


# What each need of the table calls for at the receiving hospital (fever: a fever clinic,
# which is a role of its own).
NEED_CAPABILITIES: dict[str, frozenset[str]] = {
    Need.CRITICAL: frozenset({Capability.EMERGENCY, Capability.ICU}),
    Need.DIALYSIS: frozenset({Capability.DIALYSIS}),
    Need.PREGNANT: frozenset({Capability.OBSTETRICS}),
    Need.NEWBORN: frozenset({Capability.PAEDIATRICS}),
    Need.CHEMO: frozenset({Capability.ONCOLOGY}),
}


def capabilities_for(needs: frozenset[str], asked: frozenset[str] = frozenset()) -> frozenset[str]:
    """The capabilities a patient with ``needs`` needs, with the ones asked for by name."""
    wanted = set(asked)
    for need in needs:
        wanted |= NEED_CAPABILITIES.get(need, frozenset())
    return frozenset(wanted)


# The seeded rules' names in words a person reads (the table's own ``name`` is a key).
RULE_LABELS = {
    "emergency_120": _("Emergency: call 120"),
    "pregnant_red": _("Pregnant woman with a red code"),
    "pregnant_yellow_risk_area": _("Pregnant woman, yellow code in a risk area"),
    "pregnant_quarantined": _("Pregnant woman under quarantine"),
    "pregnant_other": _("Pregnant or postpartum woman"),
    "special_needs_red": _("Special medical need, red code"),
    "special_needs_yellow_risk_area": _("Special medical need, yellow code in a risk area"),
    "special_needs_quarantined": _("Special medical need under quarantine"),
    "special_needs_other": _("Special medical need"),
    "red_any_need": _("Red code"),
    "yellow_risk_area_any_need": _("Yellow code in a medium- or high-risk area"),
    "quarantined_any_need": _("Under quarantine"),
    "yellow_routine_wait": _("Yellow code, can wait: wait for green"),
    "home_monitoring_routine_wait": _("Home health monitoring, can wait: wait for green"),
    "yellow_necessary": _("Yellow code, care truly needed"),
    "home_monitoring_necessary": _("Home health monitoring, care truly needed"),
    "green_fever": _("Fever"),
    "green_default": _("Green code"),
}
