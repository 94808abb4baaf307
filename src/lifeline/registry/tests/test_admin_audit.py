"""Reference data changed in the Django admin leaves audit records."""

from __future__ import annotations

from django.test import Client

from lifeline.accounts.models import User
from lifeline.core.models import AuditRecord
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity


def test_deleting_a_unit_in_the_admin_is_audited(admin_client: Client, city: SmallCity) -> None:
    # given a unit nobody refers to
    unit = Unit.objects.create(code="U-TMP", name="临时小组", kind=Unit.Kind.UTILITY_TEAM)
    unit_id = unit.pk
    # when an administrator deletes it
    response = admin_client.post(f"/admin/registry/unit/{unit_id}/delete/", {"post": "yes"})
    # then it is gone and its deletion is audited, by the administrator
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Unit.objects.filter(pk=unit_id).exists()
    (record,) = AuditRecord.objects.filter(action="unit.delete")
    assert (record.object_type, record.object_id) == ("registry.unit", str(unit_id))
    assert record.actor_id == User.objects.get(username="admin").pk


def test_bulk_deleting_units_in_the_admin_audits_each(admin_client: Client, db: None) -> None:
    units = [
        Unit.objects.create(code=f"U-T{n}", name=f"小组{n}", kind=Unit.Kind.UTILITY_TEAM)
        for n in range(2)
    ]
    response = admin_client.post(
        "/admin/registry/unit/",
        {"action": "delete_selected", "_selected_action": [u.pk for u in units], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Unit.objects.filter(code__startswith="U-T").exists()
    audited = set(
        AuditRecord.objects.filter(action="unit.delete").values_list("object_id", flat=True)
    )
    assert audited == {str(u.pk) for u in units}


def test_changing_a_units_areas_in_the_admin_names_the_field(
    admin_client: Client, city: SmallCity
) -> None:
    # given the community's committee serving the community
    unit = city.units["committee"]
    # when an administrator gives it grid B only
    data = {
        "code": unit.code,
        "name": unit.name,
        "name_en": unit.name_en,
        "kind": unit.kind,
        "parent": str(unit.parent_id or ""),
        "phone": unit.phone,
        "areas": [str(city.grid_b.pk)],
    }
    response = admin_client.post(f"/admin/registry/unit/{unit.pk}/change/", data)
    # then the change is audited naming "areas", never which areas
    assert response.status_code == 302, response.content.decode()[:2000]
    (record,) = AuditRecord.objects.filter(action="unit.change")
    assert record.fields == ["areas"]
