"""The per-process copy of configuration tables is rebuilt after any change and only then."""

from __future__ import annotations

import pytest

from lifeline.core import config_cache
from lifeline.core.models import ConfigStamp

pytestmark = pytest.mark.django_db


def test_built_once_while_nothing_changes_and_again_after_a_bump() -> None:
    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        return len(builds)

    assert config_cache.cached("test.cfg", build) == 1
    assert config_cache.cached("test.cfg", build) == 1
    config_cache.bump("test.cfg")
    assert config_cache.cached("test.cfg", build) == 2
    assert len(builds) == 2


def test_a_stamp_written_by_another_process_is_noticed() -> None:
    def build() -> object:
        return object()

    first = config_cache.cached("test.other", build)
    assert config_cache.cached("test.other", build) is first
    # Another server process changed the tables: its bump is all this process can see.
    ConfigStamp.objects.filter(name="test.other").update(value=12345)
    assert config_cache.cached("test.other", build) is not first
