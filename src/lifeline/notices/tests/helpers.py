"""The notices tests' world: the small city with two more communities (three in all, each
with a grid and households), two district officers (one drafts, the other approves), a
grid worker of grid A and a resident's acknowledgement link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.notices.models import Notice, NoticeCategory, NoticeGroup
from lifeline.notices.services import notice_draft
from lifeline.registry.models import Area, AreaLevel, Household
from lifeline.testing.factories import SmallCity, make_area, make_household, make_user

DAY = dt.timedelta(days=1)


@dataclass
class NoticesCity:
    city: SmallCity
    communities: list[Area]
    grids: list[Area]
    drafter: User
    approver: User
    worker_a: User
    households: list[Household] = field(default_factory=list)


def make_notices_city(city: SmallCity, *, per_grid: int = 3) -> NoticesCity:
    communities = [city.community]
    grids = [city.grid_a, city.grid_b]
    for n in (2, 3):
        community = make_area(
            parent=city.street,
            level=AreaLevel.COMMUNITY,
            code=f"43021100100{n}",
            name=f"第{n}社区",
        )
        community.boundary = {
            "type": "Polygon",
            "coordinates": [
                [[113.1, 27.8], [113.2, 27.8], [113.2, 27.9], [113.1, 27.9], [113.1, 27.8]]
            ],
        }
        community.save()
        grid = make_area(
            parent=community, level=AreaLevel.GRID, code=f"43021100100{n}A", name="第一网格"
        )
        communities.append(community)
        grids.append(grid)
        for i in range(per_grid):
            make_household(grid=grid, unit_no=f"20{i + 1}")
    drafter = make_user("notice_drafter", role=Role.DISTRICT_STAFF, area=city.district)
    approver = make_user("notice_approver", role=Role.DISTRICT_STAFF, area=city.district)
    worker_a = make_user("notice_worker_a", role=Role.GRID_WORKER, area=city.grid_a)
    households = list(Household.objects.filter(area_path__startswith=city.street.path))
    return NoticesCity(city, communities, grids, drafter, approver, worker_a, households)


def sampling_notice(w: NoticesCity, **extra: Any) -> Notice:
    values: dict[str, Any] = {
        "category": NoticeCategory.TESTING,
        "title_zh": "核酸检测通知",
        "title_en": "Testing notice",
        "body_zh": "明日采样时间 7:00-11:00，地点：社区广场。",
        "body_en": "Sampling tomorrow 7:00-11:00 at the community square.",
        "groups": [NoticeGroup.HOUSEHOLDS],
        "must_reach": True,
        "expires_at": clock.now() + 2 * DAY,
    }
    values.update(extra)
    return notice_draft(actor=w.drafter, areas=w.communities, **values)
