"""The donation desk's pages: lists, a pledge recorded with a new donor, a receipt per
line (refusals shown on the form with nothing written), the donor's trace and its print,
a need's sources; in Chinese and English, without codes or full phone numbers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lifeline.api.tests.helpers import client_for
from lifeline.supplies.models import Donor, Lot, Pledge
from lifeline.supplies.tests.scope_cases_donations import DonationsWorld, item, make_donations_world
from lifeline.testing.factories import SmallCity


@pytest.fixture
def w(city: SmallCity) -> DonationsWorld:
    return make_donations_world(city)


def _pledge_form(w: DonationsWorld, **extra: object) -> dict[str, object]:
    return {
        "new_donor": "新捐赠企业",
        "donor_kind": "organisation",
        "contact_name": "周女士",
        "contact_phone": "13600001111",
        "unit": w.logistics_b.pk,
        "channel": w.red_cross.pk,
        "warehouse": w.warehouse_b.pk,
        "value": "7000",
        "item_0": item("protective_suit").pk,
        "quantity_0": "4",
        "unit_0": "suit_case50",
        **extra,
    }


def test_the_officer_records_a_pledge_with_a_new_donor_and_receives_it(w):
    client = client_for(w.officer_b)
    response = client.post(reverse("supplies:pledge_new"), _pledge_form(w))
    assert response.status_code == 302, response.content.decode()[:2000]
    pledge = Pledge.objects.get(donor__name="新捐赠企业")
    assert response["Location"] == reverse("supplies:pledge", args=[pledge.pk])
    line = pledge.lines.get()
    assert line.quantity == 200
    page = client.get(response["Location"])
    assert page.status_code == 200 and "防护服" in page.content.decode()
    # an over-receipt without a reason is shown on the form, and nothing is written
    refused = client.post(
        response["Location"],
        {"r-line_id": line.pk, "r-received": "201", "r-expires_on": "2030-01-01"},
    )
    assert refused.status_code == 400
    assert "201" in refused.content.decode()
    assert not Lot.objects.filter(pledge_line=line).exists()
    done = client.post(
        response["Location"],
        {"r-line_id": line.pk, "r-received": "200", "r-expires_on": "2030-01-01"},
    )
    assert done.status_code == 302
    assert Lot.objects.get(pledge_line=line).on_hand == 200


def test_a_pledge_to_a_community_store_is_refused_on_the_form_and_no_donor_is_left(w):
    client = client_for(w.officer_b)
    # the officer's own area membership would list the store; offer it by its id
    response = client.post(
        reverse("supplies:pledge_new"), _pledge_form(w, warehouse=w.community_store.pk)
    )
    assert response.status_code == 400
    assert not Donor.objects.filter(name="新捐赠企业").exists()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_donor_page_and_its_print_show_the_trace_in_both_languages(w, language):
    client = client_for(w.officer_b)
    client.cookies["django_language"] = language
    for name in ("supplies:donations", "supplies:donor", "supplies:donor_trace_print"):
        args = [] if name == "supplies:donations" else [w.donor_b.pk]
        response = client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE=language)
        body = response.content.decode()
        assert response.status_code == 200, (name, body[:500])
        assert "某科技有限公司" in body
        assert "13812345678" not in body  # the donor's phone is masked
        assert "protective_suit" not in body and "U-LOG" not in body
    assert 'class="topbar"' not in body and "donations-print.css" in body


def test_people_outside_the_group_do_not_reach_its_donors(w):
    for user in (w.officer_a, w.worker_b, w.outsider):
        response = client_for(user).get(reverse("supplies:donor", args=[w.donor_b.pk]))
        assert response.status_code in (403, 404), user
    response = client_for(w.officer_a).get(reverse("supplies:pledge", args=[w.pledge_b.pk]))
    assert response.status_code in (403, 404)
