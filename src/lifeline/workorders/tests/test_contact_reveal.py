"""The order's contact phone: masked on the page, revealed once with a reason by those
who may reveal at the order's place, counted and audited without the value."""

from __future__ import annotations

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import client_for
from lifeline.core.models import AuditRecord
from lifeline.testing.factories import make_user
from lifeline.workorders.services import workorder_create

PHONE = "13911112222"


def _order(actor, area):
    return workorder_create(
        actor=actor,
        category_code="other",
        area=area,
        description="需要帮助",
        address="1栋",
        contact_phone=PHONE,
    ).order


def test_community_staff_reveal_the_phone_with_a_reason_and_it_is_audited(
    city, ladder, categories, grid_worker_a
):
    staff = make_user("community_staff", role=Role.COMMUNITY_STAFF, area=city.community)
    order = _order(grid_worker_a, city.grid_a)
    client = client_for(staff)
    page = client.get(f"/workorders/{order.pk}/").content.decode()
    assert PHONE not in page and "139****2222" in page and "contact/reveal/" in page
    # without words: refused, not shown
    refused = client.post(
        f"/workorders/{order.pk}/contact/reveal/", {"reason": "callback", "purpose": ""}
    )
    assert refused.status_code == 400 and PHONE not in refused.content.decode()
    # with a reason and words: shown once, and audited without the value
    shown = client.post(
        f"/workorders/{order.pk}/contact/reveal/",
        {"reason": "callback", "purpose": "回访确认"},
        HTTP_HX_REQUEST="true",
    )
    assert shown.status_code == 200 and PHONE in shown.content.decode()
    record = AuditRecord.objects.get(action="workorder.contact_reveal")
    assert record.fields == ["contact_phone"] and "callback" in record.purpose
    assert PHONE not in str(record.__dict__)


def test_a_role_without_reveal_gets_no_form_and_is_refused(
    city, ladder, categories, grid_worker_a, committee_staff
):
    order = _order(grid_worker_a, city.grid_a)
    client = client_for(committee_staff)
    page = client.get(f"/workorders/{order.pk}/").content.decode()
    assert "contact/reveal/" not in page
    response = client.post(
        f"/workorders/{order.pk}/contact/reveal/", {"reason": "callback", "purpose": "回访"}
    )
    assert response.status_code == 403 and PHONE not in response.content.decode()
