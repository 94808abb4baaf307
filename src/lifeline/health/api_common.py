"""What several health endpoints return: the decision as every channel shows it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from lifeline.health.models import Decision
from lifeline.health.vocab import How, Notify, Where


def decision_out(decision: Decision) -> dict[str, Any]:
    """The decision as every channel shows it, instructions in the request's language."""
    hospital = decision.hospital
    english = (get_language() or "").startswith("en")
    return {
        "id": decision.pk,
        "rule_version": decision.rule_version,
        "rule": decision.rule.name,
        "inputs": decision.inputs,
        "where": decision.where,
        "where_label": str(Where(decision.where).label),
        "hospital": None
        if hospital is None
        else {
            "name": hospital.facility.name,
            "address": hospital.facility.address,
            "phones": list(hospital.phones or []) or [hospital.facility.phone],
            "notes": hospital.notes,
            "name_en": hospital.name_en,
            "district": hospital.district_name,
            "duty_phone": hospital.duty_phone,
            "capabilities": list(hospital.capabilities or []),
        },
        "how": decision.how,
        "how_label": str(How(decision.how).label),
        "notify": decision.notify,
        "notify_labels": [str(Notify(n).label) for n in decision.notify],
        "instructions": decision.instructions_en if english else decision.instructions_zh,
        "instructions_zh": decision.instructions_zh,
        "instructions_en": decision.instructions_en,
        "created_at": decision.created_at.isoformat(),
        "rule_label": decision.rule_label,
        "capabilities": list(decision.capabilities or []),
        "cross_district": decision.cross_district,
    }
