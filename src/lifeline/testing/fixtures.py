"""pytest fixtures: the small city and the personas every app's tests use."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from lifeline.accounts.models import Role, User
from lifeline.core import config_cache, db
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


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> None:
    """Each test starts with empty per-process copies (core/config_cache.py) and no drawn
    ids (core/db.py): a test's rolled-back rows can reappear under the same ids in the next
    test on SQLite, and a flush may reset PostgreSQL's sequences."""
    config_cache.forget_all()
    db.forget_ids()


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Tests make thousands of users and sign many in: the production hasher (PBKDF2, a
    million rounds, about half a second each here) would be a large share of the suite's
    time. Production keeps it: ``tests/test_password_hashing.py`` checks the settings."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _audit_checkpoints_apart(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test writes audit checkpoints to a folder of its own: its chains are rolled back
    after it, so checkpoints left by one test would contradict the next one's chains (and
    the developer's var/ must not fill with them). The folder is made only when written."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path_factory.getbasetemp() / f"audit-{uuid.uuid4().hex}"
