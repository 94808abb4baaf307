"""Medical access ("can I go to hospital, where and how"): evaluate the table in force for
one person (or a caller's answers), resolve the concrete hospital, and log the decision
with the rule version that made it.

``access_preview`` answers without writing anything (pages shown by a GET); every other
entry point records the decision it gives, with an audit record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import cast

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere, require, scope_for
from lifeline.core import clock
from lifeline.core.actors import Actor, reason_of, system, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError
from lifeline.health.models import Decision, RuleTable
from lifeline.health.rules import Inputs, RuleSpec, first_match
from lifeline.health.selectors import area_risk_level, effective_status
from lifeline.health.services.hospitals import (
    Place,
    Resolved,
    cross_district_sentences,
    hospital_for,
)
from lifeline.health.services.tables import table_specs
from lifeline.health.vocab import (
    SPECIAL_NEEDS,
    VULNERABILITY_NEEDS,
    Capability,
    CodeColour,
    Notify,
    Quarantine,
    RiskLevel,
    Urgency,
    Where,
)
from lifeline.registry.models import Area, Person

CHANNELS = ("person_page", "hotline", "resident_form", "api", "standing_need")
# A decision shown again (person page) is reused while its inputs, the table in force and
# this age hold; past it the hospitals may have changed, so it is made afresh.
REUSE_FOR = dt.timedelta(hours=12)
# Said in place of {hospital} when no hospital of that kind is on record for the place.
FALLBACK_NAMES = {
    Where.DESIGNATED: ("辖区定点医院", "the designated hospital of your district"),
    Where.SPECIAL: ("指定的定点医院", "the named designated hospital"),
    Where.NEAREST: ("就近的医疗机构", "the nearest hospital"),
    Where.FEVER_CLINIC: ("就近的发热门诊", "the nearest fever clinic"),
    Where.INTERNET: ("互联网医院", "the internet hospital"),
    Where.WAIT_GREEN: ("辖区医疗机构", "a hospital of your district"),
}


def _clean_needs(needs: Iterable[str]) -> frozenset[str]:
    values = frozenset(str(n) for n in needs)
    unknown = values - set(SPECIAL_NEEDS)
    if unknown:
        raise ServiceError(
            _("Unknown special need: %(needs)s.") % {"needs": ", ".join(sorted(unknown))},
            fields={"needs": [_("Unknown value.")]},
        )
    return values


def _clean_capabilities(asked: Iterable[str]) -> frozenset[str]:
    values = frozenset(str(c) for c in asked if c)
    unknown = values - set(Capability.values)
    if unknown:
        raise ServiceError(
            _("Unknown specialist care: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            fields={"capabilities": [_("Unknown value.")]},
        )
    return values


def _person_inputs(person: Person, declared: frozenset[str], urgency: str) -> Inputs:
    status = effective_status(person_id=person.pk)
    kinds = person.vulnerabilities.values_list("kind", flat=True)
    tagged = {VULNERABILITY_NEEDS[k] for k in kinds if k in VULNERABILITY_NEEDS}
    return Inputs(
        colour=status.colour,
        quarantine=status.quarantine,
        risk=area_risk_level(path=person.area_path),
        needs=frozenset(str(n) for n in tagged) | declared,
        urgency=urgency,
    )


def _person_place(person: Person) -> Place:
    building = person.household.building
    lat, lng = building.lat, building.lng
    if lat is None or lng is None:
        lat, lng = person.grid.lat, person.grid.lng
    return Place(person.area_path, lat, lng)


def _anonymous_inputs(
    *,
    colour: str,
    quarantine: str,
    risk: str | None,
    place: Place,
    needs: frozenset[str],
    urgency: str,
) -> Inputs:
    fields: dict[str, list[str]] = {}
    if colour not in CodeColour.values:
        fields["colour"] = [_("Choose green, yellow or red.")]
    if quarantine not in Quarantine.values:
        fields["quarantine"] = [_("Unknown quarantine status.")]
    if risk is not None and risk not in RiskLevel.values:
        fields["risk"] = [_("Choose low, medium or high.")]
    if fields:
        raise ServiceError(_("Please correct the marked fields."), fields=fields)
    # The declared risk can only raise what is on record for the area, never lower it.
    recorded = area_risk_level(path=place.path)
    order = list(RiskLevel.values)
    effective = max(recorded, risk or RiskLevel.LOW, key=order.index)
    return Inputs(colour, quarantine, effective, needs, urgency)


def access_decide(
    *,
    actor: Actor,
    urgency: str,
    person: Person | None = None,
    needs: Iterable[str] = (),
    area: Area | None = None,
    colour: str = CodeColour.GREEN,
    quarantine: str = Quarantine.NONE,
    risk: str | None = None,
    channel: str = "",
    capabilities: Iterable[str] = (),
) -> Decision:
    """Answer "where, how, who first" with the table in force, and log the answer.

    For a registry ``person`` the code, quarantine and area risk come from the records and
    the registry's tags add to the declared ``needs``. Without one (an unidentified caller),
    the caller's answers are used, with ``area`` placing them. ``capabilities`` name the
    specialist care needed beyond the needs (an aneurysm: neurosurgery, vascular); a
    critical case its district's designated hospitals cannot treat is sent to another
    district's (``cross_district``). Needs ``HEALTH_VIEW`` at the person's (or the area's)
    place; an unplaced caller, somewhere.
    """
    if urgency not in Urgency.values:
        raise ServiceError(_("Say how urgent it is."), fields={"urgency": [_("Unknown value.")]})
    if channel and channel not in CHANNELS:
        raise ServiceError(_("Unknown channel."), fields={"channel": [_("Unknown value.")]})
    declared = _clean_needs(needs)
    asked = _clean_capabilities(capabilities)
    if person is not None:
        require(actor, Perm.HEALTH_VIEW, path=person.area_path)
        inputs = _person_inputs(person, declared, urgency)
        place = _person_place(person)
    else:
        if area is not None:
            require(actor, Perm.HEALTH_VIEW, path=area.path)
        elif not can_anywhere(actor, Perm.HEALTH_VIEW):
            if scope_for(actor).is_empty:
                raise NotFound(_("No such record in your area."))
            raise PermissionDenied()
        place = Place(
            area.path if area else "", area.lat if area else None, area.lng if area else None
        )
        inputs = _anonymous_inputs(
            colour=colour,
            quarantine=quarantine,
            risk=risk,
            place=place,
            needs=declared,
            urgency=urgency,
        )
    return _decide_and_log(
        actor=actor, person=person, inputs=inputs, place=place, channel=channel, asked=asked
    )


def _hospital(spec: RuleSpec, inputs: Inputs, place: Place, asked: frozenset[str]) -> Resolved:
    restricted = inputs.colour != CodeColour.GREEN or inputs.quarantine != Quarantine.NONE
    return hospital_for(
        where=spec.where,
        special_group=spec.special_group,
        needs=inputs.needs,
        place=place,
        asked=asked,
        restricted=restricted,
        emergency=inputs.urgency == Urgency.EMERGENCY,
    )


def _evaluate(
    *,
    actor: Actor,
    person: Person | None,
    inputs: Inputs,
    place: Place,
    channel: str,
    asked: frozenset[str] = frozenset(),
) -> Decision:
    """The answer of the table in force, as an unsaved decision (nothing is written)."""
    # No lock: a publish racing this decision only means the decision truthfully
    # records the version it was evaluated with.
    table = RuleTable.objects.filter(status=RuleTable.Status.ACTIVE).first()
    if table is None:
        raise ServiceError(_("No medical-access rules are in force."), code="no_rules")
    specs = table_specs(table)
    index = first_match(specs, inputs)
    if index is None:  # a published table always ends with a default; defend anyway
        raise ServiceError(_("No rule matches; the table is incomplete."), code="no_rules")
    spec = specs[index]
    resolved = _hospital(spec, inputs, place, asked)
    hospital = resolved.hospital
    zh_name, en_name = FALLBACK_NAMES[Where(spec.where)]
    name_zh = hospital.facility.name if hospital else zh_name
    name_en = (hospital.name_en or hospital.facility.name) if hospital else en_name
    notify = list(spec.notify)
    instructions_zh = spec.instructions_zh.replace("{hospital}", name_zh)
    instructions_en = spec.instructions_en.replace("{hospital}", name_en)
    if resolved.cross_district:
        # The receiving hospital of another district is told before anyone else (S2).
        notify = [Notify.RECEIVING_HOSPITAL.value] + [
            n for n in notify if n != Notify.RECEIVING_HOSPITAL
        ]
        zh, en = cross_district_sentences(resolved)
        instructions_zh, instructions_en = f"{zh}{instructions_zh}", f"{en} {instructions_en}"
    return Decision(
        person=person,
        area_path=place.path,
        inputs=inputs.as_dict(),
        rule_table=table,
        rule_version=table.version,
        rule_id=cast(int, spec.extra["pk"]),
        where=spec.where,
        hospital=hospital,
        hospital_name=hospital.facility.name if hospital else "",
        how=spec.how,
        notify=notify,
        instructions_zh=instructions_zh,
        instructions_en=instructions_en,
        capabilities=sorted(resolved.capabilities),
        cross_district=resolved.cross_district,
        channel=channel,
        actor=user_of(actor),
        created_at=clock.now(),
    )


def _decide_and_log(
    *,
    actor: Actor,
    person: Person | None,
    inputs: Inputs,
    place: Place,
    channel: str,
    asked: frozenset[str] = frozenset(),
) -> Decision:
    with transaction.atomic():
        decision = _evaluate(
            actor=actor, person=person, inputs=inputs, place=place, channel=channel, asked=asked
        )
        decision.save(force_insert=True)
        audit_log(
            actor=actor,
            action="health.access_decide",
            obj=decision,
            purpose=reason_of(actor),
            fields=["colour", "quarantine", "risk", "needs", "urgency", "capabilities"]
            + (["cross_district"] if decision.cross_district else []),
        )
    return decision


def _still_holds(person: Person, inputs: Inputs) -> Decision | None:
    """The person's latest decision when it still holds: same inputs, the same table in
    force, recent enough (``REUSE_FOR``)."""
    latest = (
        Decision.objects.filter(person=person, created_at__gte=clock.now() - REUSE_FOR)
        .select_related("rule", "rule_table", "hospital__facility")
        .order_by("-created_at", "-id")
        .first()
    )
    if (
        latest is not None
        and latest.rule_table.status == RuleTable.Status.ACTIVE
        and latest.inputs == inputs.as_dict()
    ):
        return latest
    return None


def access_current(*, actor: Actor, person: Person, channel: str = "person_page") -> Decision:
    """The answer for ``person`` if care is needed now (no declared need): the latest
    decision when it still holds (same inputs, same table in force, recent), otherwise a
    new one, logged like any other. Needs ``HEALTH_VIEW`` where the person lives."""
    require(actor, Perm.HEALTH_VIEW, path=person.area_path)
    inputs = _person_inputs(person, frozenset(), Urgency.NECESSARY)
    return _still_holds(person, inputs) or _decide_and_log(
        actor=actor, person=person, inputs=inputs, place=_person_place(person), channel=channel
    )


def access_preview(*, actor: Actor, person: Person, channel: str = "person_page") -> Decision:
    """What ``access_current`` would answer, without writing anything: the latest decision
    when it still holds, otherwise the table's answer now as an unsaved decision (no
    ``pk``; asking through the "ask" form records one). For pages shown by a GET. Needs
    ``HEALTH_VIEW`` where the person lives."""
    require(actor, Perm.HEALTH_VIEW, path=person.area_path)
    inputs = _person_inputs(person, frozenset(), Urgency.NECESSARY)
    return _still_holds(person, inputs) or _evaluate(
        actor=actor, person=person, inputs=inputs, place=_person_place(person), channel=channel
    )


def access_decide_for_resident(
    *,
    phone: str,
    person_id: int,
    urgency: str,
    needs: Iterable[str] = (),
    capabilities: Iterable[str] = (),
) -> Decision:
    """A resident's own question, "can I go to hospital": ``phone`` was proven by a
    one-time code and must be the phone of ``person_id`` in the registry. Anyone else is
    not found, exactly like a person who does not exist."""
    if urgency not in Urgency.values:
        raise ServiceError(_("Say how urgent it is."), fields={"urgency": [_("Unknown value.")]})
    declared = _clean_needs(needs)
    asked = _clean_capabilities(capabilities)
    person = (
        Person.objects.filter(pk=person_id, phone=phone).select_related("household__building")
        if phone
        else Person.objects.none()
    ).first()
    if person is None:
        raise NotFound(_("No record in the registry has this phone number."))
    inputs = _person_inputs(person, declared, urgency)
    return _decide_and_log(
        actor=system("resident's own question"),
        person=person,
        inputs=inputs,
        place=_person_place(person),
        channel="resident_form",
        asked=asked,
    )
