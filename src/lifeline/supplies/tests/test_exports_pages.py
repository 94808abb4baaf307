"""The supplies home and the exports page: links by permission, a few figures, downloads in
the page's language, a clear refusal for bad input and for users without a part here."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from lifeline.api.tests.helpers import client_for
from lifeline.supplies.tests.test_exports_files import make_distributions

HOME = "/supplies/"


def test_the_officer_sees_their_parts_and_figures(city):
    world = make_distributions(city)
    response = client_for(world.officer).get(HOME)
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("supplies:exports") in page
    assert 'data-testid="supplies-figures"' in page and "物资保障组仓库" in page
    # parts their role does not open are not linked (packages, building deliveries)
    assert 'data-part="supplies:packages"' not in page
    assert 'data-part="supplies:picklists"' not in page


def test_a_user_without_a_part_in_supplies_is_refused(city):
    world = make_distributions(city)
    assert client_for(world.outsider).get(HOME).status_code == 403
    assert client_for(world.outsider).get(reverse("supplies:exports")).status_code == 403
    assert client_for(None).get(HOME).status_code == 302  # to the login page


def test_downloads_follow_the_page_language(city):
    world = make_distributions(city)
    client = client_for(world.officer)
    url = reverse("supplies:exports_download", kwargs={"fmt": "hxl"})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="distributions-hxl')
    header, tags, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert header[0] == "运单号" and tags[0] == "#meta+waybill" and len(rows) == 3
    client.post(reverse("set_language"), {"language": "en", "next": HOME})
    english = client.get(reverse("supplies:exports_download", kwargs={"fmt": "csv"}))
    assert english.content.decode("utf-8-sig").startswith("Waybill,Sent by,")


def test_bad_input_is_a_clear_400(city):
    world = make_distributions(city)
    client = client_for(world.officer)
    bad_day = client.get(reverse("supplies:exports"), {"since": "2022-02-30"})
    assert bad_day.status_code == 400 and "2022-04-01" in bad_day.content.decode()
    bad_format = client.get(reverse("supplies:exports_download", kwargs={"fmt": "pdf"}))
    assert bad_format.status_code == 400
