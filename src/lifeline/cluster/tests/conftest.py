from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The commands' lines are read in English here (zh-Hans is the default language)."""
    with translation.override("en"):
        yield
