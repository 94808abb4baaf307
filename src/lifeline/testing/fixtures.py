"""pytest fixtures: the small city and the personas every app's tests use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from lifeline.accounts.models import Role, User
from lifeline.testing.factories import SmallCity, make_small_city, make_user


@pytest.fixture
def city(db: None) -> SmallCity:
    return make_small_city()


@pytest.fixture
def grid_worker_a(city: SmallCity) -> User:
    return make_user("grid_a", role=Role.GRID_WORKER, area=city.grid_a)


@pytest.fixture
def grid_worker_b(city: SmallCity) -> User:
    return make_user("grid_b", role=Role.GRID_WORKER, area=city.grid_b)


@pytest.fixture
def community_staff(city: SmallCity) -> User:
    return make_user("community", role=Role.COMMUNITY_STAFF, area=city.community)


@pytest.fixture
def command_staff(city: SmallCity) -> User:
    return make_user("command", role=Role.COMMAND_STAFF, area=city.city)


@pytest.fixture
def hotline_operator(city: SmallCity) -> User:
    return make_user("hotline", role=Role.HOTLINE_OPERATOR, area=city.city)


@pytest.fixture
def outsider(city: SmallCity) -> User:
    """Logged in, but with no membership: must see nothing."""
    return make_user("outsider")


@pytest.fixture(autouse=True)
def _reset_language() -> Iterator[None]:
    """Each test starts in the default language (zh-Hans), whatever the last request chose."""
    translation.deactivate()
    yield
    translation.deactivate()
