"""Building heads (楼栋长): a coordinator names the building a volunteer looks after; the
volunteer's task sheet then carries that building's supply orders and the neighbours to
check on (masked by the registry)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.registry import selectors as registry_selectors
from lifeline.volunteers.models import Volunteer, VolunteerStatus
from lifeline.volunteers.services.common import invalid


def volunteer_building_set(
    *, actor: Actor, volunteer: Volunteer, building_id: int | None
) -> Volunteer:
    """Make an active volunteer the head of a building of the area they serve in (or, with
    ``building_id=None``, of no building). Checked against the coordinator's area; the
    change is audited."""
    require(
        actor,
        Perm.VOLUNTEERS_MANAGE,
        path=volunteer.area_path,
        message=_("You may not manage volunteers here."),
    )
    building = None
    if building_id is not None:
        building = (
            registry_selectors.buildings_public(area_path=volunteer.area_path)
            .filter(pk=building_id)
            .first()
        )
        if building is None:
            raise invalid({"building": [_("Choose a building of the area the volunteer serves.")]})
        if volunteer.status != VolunteerStatus.ACTIVE:
            raise invalid({"building": [_("Only an approved volunteer can head a building.")]})
    with transaction.atomic():
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        before = locked.building_id
        if before == (building.pk if building else None):
            return locked
        locked.building = building
        locked.save(update_fields=["building"])
        audit_log(
            actor=actor,
            action="volunteers.volunteer_building_set",
            obj=locked,
            area_path=locked.area_path,
            fields=["building"],
        )
    return locked
