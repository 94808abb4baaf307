"""The Content-Security-Policy header, and the templates it depends on: no inline script,
event handler, style attribute or htmx ``hx-on`` anywhere, so the policy never needs
'unsafe-inline'. (tests/browser/test_content_security_policy.py proves it in Chromium.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import lifeline

TEMPLATES = sorted(Path(lifeline.__file__).parent.glob("*/templates/**/*.html"))

FORBIDDEN = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "htmx hx-on": re.compile(r"\b(data-)?hx-on", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_templates_hold_no_inline_script_handler_or_style():
    assert TEMPLATES, "templates are found"
    found = [
        f"{path.relative_to(Path(lifeline.__file__).parent)}: {what}"
        for path in TEMPLATES
        for what, pattern in FORBIDDEN.items()
        if pattern.search(re.sub(r"{#.*?#}", "", path.read_text("utf-8")))
    ]
    assert found == []


@pytest.mark.parametrize("url", ["/login/", "/r/", "/api/v1/docs"])
def test_pages_carry_a_policy_without_unsafe_inline_scripts(db, url):
    response = Client().get(url)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_htmx_is_told_not_to_eval_run_fragment_scripts_or_inject_styles(db):
    html = Client().get("/login/").content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', html)
    assert config is not None
    assert '"allowEval":false' in config[1]
    assert '"allowScriptTags":false' in config[1]
    assert '"includeIndicatorStyles":false' in config[1]
