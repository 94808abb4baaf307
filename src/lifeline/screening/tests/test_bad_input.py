"""Bad input to screening pages and imports: a clear 400 (the one error shape for JSON, a
message on a page), never a 500 and never a partial write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lifeline.api.tests.helpers import assert_error, client_for
from lifeline.screening.models import Sample, Site, TubeResult
from lifeline.screening.tests.conftest import pool

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.parametrize(
    "day", ["9999-99-99", "0000-01-01", "9999-12-31", "0001-01-01", "2022-02-30", "x"]
)
def test_the_daily_review_refuses_an_unreadable_or_far_off_day(city, community_staff, day):
    response = client_for(community_staff).get(f"/screening/review/?day={day}", **EN)
    assert response.status_code == 400
    assert "Give a date as YYYY-MM-DD" in response.content.decode()


def test_the_daily_review_still_reads_a_good_day(city, community_staff):
    response = client_for(community_staff).get("/screening/review/?day=2022-11-05")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        '{"items": ' + "[" * 50_000 + "]" * 50_000 + "}",
        '{"items": [{"client_id": "a", "pool_size": Infinity}]}',
        '{"items": [',
    ],
)
def test_the_console_sync_refuses_a_deep_or_unreadable_body(city, sampler, body):
    response = client_for(sampler).post(
        "/screening/console/sync/", data=body, content_type="application/json", **EN
    )
    assert_error(response, 400, "bad_json")
    assert Sample.objects.count() == 0


def test_the_console_sync_refuses_a_body_over_its_size_limit(city, sampler):
    body = '{"items": [], "pad": "' + "x" * 1_100_000 + '"}'
    response = client_for(sampler).post(
        "/screening/console/sync/", data=body, content_type="application/json", **EN
    )
    assert_error(response, 400, "bad_json")


@pytest.mark.parametrize("when", ["2026-13-45T00:00", "2022-02-30T08:00", "9999-12-31T23:59"])
def test_a_results_csv_with_an_impossible_time_is_refused_whole(city, sampler, lab, when):
    # given a closed tube, and a lab file whose second row has an impossible time
    barcode = pool(sampler, city.people_a[:2], day=dt.date(2022, 11, 5))
    content = f"barcode,result,reported_at\n{barcode},negative,\n{barcode},negative,{when}\n"
    upload = SimpleUploadedFile("results.csv", content.encode(), content_type="text/csv")
    # when the lab sends it
    response = client_for(lab).post("/api/v1/screening/results/csv", {"file": upload}, **EN)
    # then it is a 400 naming the row, in the one error shape, and nothing is imported
    error = assert_error(response, 400)
    assert error["fields"]["rows"] == ["Row 3: unreadable time."]
    assert TubeResult.objects.count() == 0


@pytest.mark.parametrize("char", ["\x00", "\u202e"])
def test_a_screening_form_refuses_control_characters_and_direction_overrides(
    city, community_staff, char
):
    response = client_for(community_staff).post(
        reverse("screening:site_new"),
        {"name": f"上门{char}一队", "kind": "door_to_door", "area": city.community.pk},
        **EN,
    )
    assert response.status_code == 400
    assert "control characters" in response.content.decode()
    assert Site.objects.count() == 0
