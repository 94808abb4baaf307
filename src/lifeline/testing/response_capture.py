"""pytest plugin: no response of the whole test session may carry a full ID number or a
full mobile number, except an explicitly marked reveal.

Every response Django produces in this process (test ``Client``, ``live_server`` for the
browser tests) and every response of ninja's ``TestClient`` is scanned for

- an 18-character ID number with a valid birth date and check digit, and
- an 11-digit mobile number ``1[3-9]\\d{9}`` not adjacent to other digits.

Responses to ``/reveal`` URLs, and any response produced inside ``allow_pii()``, are exempt.
At the end of the session any finding fails the run and each offending URL is printed
(with the value masked).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from lifeline.core.personal import id_number_is_valid, mask_id_number, mask_phone

ID_CANDIDATE = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
REVEAL_PATH = re.compile(r"/reveal/?$")
_TEXTUAL = ("text/", "json", "xml", "javascript", "csv")


@dataclass(frozen=True)
class Finding:
    url: str
    kind: str
    masked: str
    test: str

    def __str__(self) -> str:
        return f"{self.url}: full {self.kind} {self.masked} (in {self.test or '?'})"


def find_pii(text: str) -> list[tuple[str, str]]:
    """``(kind, masked value)`` for each full ID number and mobile number in ``text``."""
    found: list[tuple[str, str]] = []
    for match in ID_CANDIDATE.finditer(text):
        value = match.group().upper()
        if id_number_is_valid(value):
            found.append(("id_number", mask_id_number(value)))
    for match in MOBILE.finditer(text):
        found.append(("phone", mask_phone(match.group())))
    return found


class LeakCollector:
    """Collects findings; the session-wide instance is ``COLLECTOR``."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.current_test = ""
        self._allowed = 0
        self._divert: list[list[Finding]] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def allow(self) -> Iterator[None]:
        with self._lock:
            self._allowed += 1
        try:
            yield
        finally:
            with self._lock:
                self._allowed -= 1

    @contextlib.contextmanager
    def diverted(self) -> Iterator[list[Finding]]:
        """Findings inside go to the yielded list instead of failing the session."""
        bucket: list[Finding] = []
        self._divert.append(bucket)
        try:
            yield bucket
        finally:
            self._divert.remove(bucket)

    def scan(self, *, method: str, path: str, response: Any) -> None:
        if self._allowed or (method.upper() == "POST" and REVEAL_PATH.search(path)):
            return
        if getattr(response, "streaming", False):
            return
        content_type = str(response.get("Content-Type", "") if hasattr(response, "get") else "")
        if content_type and not any(t in content_type for t in _TEXTUAL):
            return
        content = getattr(response, "content", b"")
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content)
        hits = [Finding(path, kind, masked, self.current_test) for kind, masked in find_pii(text)]
        if hits:
            target = self._divert[-1] if self._divert else self.findings
            with self._lock:
                target.extend(hits)

    def finish(self, session: Any) -> None:
        if not self.findings:
            return
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["", f"PII LEAK: {len(self.findings)} full personal value(s) in responses:"]
        lines += [f"  {finding}" for finding in self.findings]
        for line in lines:
            if reporter is not None:
                reporter.write_line(line, red=True)
            else:  # pragma: no cover - only without the terminal plugin
                print(line)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


COLLECTOR = LeakCollector()


def allow_pii() -> contextlib.AbstractContextManager[None]:
    """Mark responses produced inside as an intended reveal (tests of the reveal itself)."""
    return COLLECTOR.allow()


def _patch_django_handler() -> None:
    from django.core.handlers.base import BaseHandler

    original = BaseHandler.get_response
    if getattr(original, "_lifeline_scanned", False):
        return

    def get_response(self: BaseHandler, request: Any) -> Any:
        response = original(self, request)
        COLLECTOR.scan(method=request.method or "", path=request.path, response=response)
        return response

    get_response._lifeline_scanned = True  # type: ignore[attr-defined]
    BaseHandler.get_response = get_response  # type: ignore[method-assign]


def _patch_ninja_client() -> None:
    try:
        from ninja.testing.client import TestClient
    except ImportError:  # pragma: no cover - ninja is a dependency
        return
    original = TestClient._call
    if getattr(original, "_lifeline_scanned", False):
        return

    def _call(self: Any, func: Any, request: Any, kwargs: Any) -> Any:
        response = original(self, func, request, kwargs)
        COLLECTOR.scan(method=request.method or "", path=request.path, response=response)
        return response

    _call._lifeline_scanned = True  # type: ignore[attr-defined]
    TestClient._call = _call  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    _patch_django_handler()
    _patch_ninja_client()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    COLLECTOR.current_test = item.nodeid
    yield
    COLLECTOR.current_test = ""


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    COLLECTOR.finish(session)
