"""The duty desk's pages: the register (masked), a new planned interruption, its preview,
the notice refusal on the page, the command centre's override, the outage form."""

from __future__ import annotations

import pytest

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import client_for
from lifeline.core.clock import frozen_at
from lifeline.core.models import OutboxMessage
from lifeline.keyusers.models import Interruption, InterruptionStatus, KeyUser, KeyUserKind
from lifeline.keyusers.tests.helpers import (
    Grid,
    days_later,
    key_user,
    make_power_grid,
    monday,
    vulnerable_households,
)
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid(city: SmallCity) -> Grid:
    power = make_power_grid(city)
    key_user(power, 1, power.feeder_a, special_plan="改为集中隔离医院：双回路供电")
    key_user(
        power,
        2,
        power.feeder_a,
        kind=KeyUserKind.HOME_LIFE_SUPPORT,
        name="李秀英",
        address="泰山路12号3栋402",
        contact_phone="13700009999",
    )
    key_user(power, 3, power.feeder_b)
    vulnerable_households(power.buildings_a, 4, serial=5)
    return power


def _local(days: int, hour: int = 9) -> str:
    return days_later(days, hour).astimezone().strftime("%Y-%m-%dT%H:%M")


def test_the_register_masks_contacts_and_a_person_at_home(grid: Grid) -> None:
    page = client_for(grid.duty, HTTP_ACCEPT_LANGUAGE="en").get("/keyusers/?q=")
    text = page.content.decode()
    assert page.status_code == 200 and "3 key users" in text
    assert "137****9999" in text and "13700009999" not in text
    assert "李*英" in text and "泰山路12号" not in text
    found = client_for(grid.duty).get("/keyusers/?q=10KV-102").content.decode()
    assert "第3医院" in found and "第1医院" not in found
    plan = client_for(grid.duty).get(f"/keyusers/{KeyUser.objects.get(name='第1医院').pk}/")
    assert "改为集中隔离医院" in plan.content.decode()


def test_a_short_notice_is_refused_on_the_page_and_overridden_by_the_command_centre(
    grid: Grid,
) -> None:
    duty = client_for(grid.duty, HTTP_ACCEPT_LANGUAGE="en")
    with frozen_at(monday()):
        made = duty.post(
            "/keyusers/interruptions/new/",
            {
                "supply_points": [grid.feeder_a.pk],
                "starts_at": _local(2),
                "ends_at": _local(2, 17),
                "reason": "线路检修",
            },
        )
        draft = Interruption.objects.get()
        assert (
            made.status_code == 302 and made["Location"] == f"/keyusers/interruptions/{draft.pk}/"
        )
        preview = duty.get(made["Location"]).content.decode()
        assert "2 key users affected" in preview and "4 households with a need" in preview
        assert "李*英" in preview and "137****9999" in preview and "13700009999" not in preview
        refused = duty.post(f"/keyusers/interruptions/{draft.pk}/publish/")
        assert refused.status_code == 400
        assert "Too short notice" in refused.content.decode()
        assert OutboxMessage.objects.count() == 0
        command = client_for(grid.command, HTTP_ACCEPT_LANGUAGE="en")
        done = command.post(
            f"/keyusers/interruptions/{draft.pk}/publish/",
            {"override_reason": "变压器过热，必须抢修"},
        )
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == InterruptionStatus.PUBLISHED and OutboxMessage.objects.count() == 6


def test_an_end_before_the_start_is_shown_on_the_form(grid: Grid) -> None:
    duty = client_for(grid.duty, HTTP_ACCEPT_LANGUAGE="en")
    with frozen_at(monday()):
        refused = duty.post(
            "/keyusers/interruptions/new/",
            {
                "supply_points": [grid.feeder_a.pk],
                "starts_at": _local(7, 12),
                "ends_at": _local(7, 8),
                "reason": "检修",
            },
        )
    assert refused.status_code == 400
    assert "The end must come after the start." in refused.content.decode()
    assert not Interruption.objects.exists()


def test_other_roles_get_nothing(grid: Grid, city: SmallCity) -> None:
    worker = make_user("ku_worker", role=Role.GRID_WORKER, area=city.grid_a)
    assert client_for(worker).get("/keyusers/").status_code == 404
    assert client_for(worker).get("/keyusers/interruptions/new/").status_code == 404
