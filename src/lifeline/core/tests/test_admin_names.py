"""The admin speaks the page's language: its title, every app and every model's plural
(no "审计记录s", no "Django 管理", no English third-party names on a Chinese page)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lifeline.accounts.models import User


@pytest.mark.parametrize(
    ("language", "present", "absent"),
    [
        (
            "zh-hans",
            ["生命线管理后台", "审计记录", "待发消息", "任务结果", "后台任务", "审计与消息"],
            ["Django", "Task Results", "Lifeline core", "Api tokens", "Outbox messages"],
        ),
        ("en", ["Lifeline administration", "Audit records", "Task results"], ["Django 管理"]),
    ],
)
def test_the_admin_index_is_in_the_pages_language(db, language, present, absent):
    root = User.objects.create_superuser("root", "root@example.org", "x" * 12)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(root)
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    text = re.sub(r"<[^>]+>", " ", page)
    for words in present:
        assert words.lower() in text.lower(), words
    for words in absent:
        assert words not in text, words
    found = re.search(r".{40}[\u4e00-\u9fff]s\b.{20}", text, re.S)
    assert found is None, found.group() if found else ""
