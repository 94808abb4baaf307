"""A member of the command centre, in a real browser: the texts that could not be sent are
listed with the number masked, in Chinese and in English, and a retry puts one back in the
queue."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.accounts.models import Role
from lifeline.core import clock
from lifeline.core.models import OutboxMessage, OutboxStatus
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser
SHOTS = screenshots_dir()


def _dead_letter(object_id: str) -> OutboxMessage:
    return OutboxMessage.objects.create(
        recipient="13800001234",
        body="张三您好，您的诉求已受理",
        status=OutboxStatus.FAILED,
        attempts=6,
        last_error="gateway answered 503",
        object_type="workorders.workorder",
        object_id=object_id,
        failed_at=clock.now(),
    )


def test_command_staff_see_and_retry_failed_texts_in_chinese_and_english(
    live_server: Any, transactional_db: None, browser: Any, city: SmallCity
) -> None:
    # given two texts the outbox gave up on, and a member of the command centre
    first, second = _dead_letter("42"), _dead_letter("43")
    make_user("command", role=Role.COMMAND_STAFF, area=city.city)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/?next=/outbox/")
    page.fill("#id_username", "command")
    page.fill("#id_password", "pass-word-123")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/outbox/")

    # when the page opens in Chinese
    table = page.locator("[data-testid=outbox-failed]")
    row = table.locator(f"tr[data-message='{first.pk}']")
    # then each failed text shows its masked number, what it was about and its error
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(row).to_contain_text("138****1234")
    expect(row).to_contain_text("工单 #42")
    expect(row).to_contain_text("gateway answered 503")
    # (these need the outbox page's strings in the compiled catalogue)
    expect(page.locator("h1")).to_have_text("未送达的短信")
    expect(page.locator("[data-testid=outbox-count]")).to_have_text("共 2 条短信未能发送。")
    body = page.locator("body")
    for hidden in ("13800001234", "张三", "Undelivered", "Retry"):
        expect(body).not_to_contain_text(hidden)
    page.screenshot(path=str(SHOTS / "outbox-zh.png"), full_page=True)

    # when the retry of the first is pressed
    row.get_by_role("button").click()
    # then it leaves the list and is queued again
    expect(page.locator(".messages")).to_contain_text("已将 1 条短信重新排队发送。")
    expect(table.locator(f"tr[data-message='{first.pk}']")).to_have_count(0)
    first.refresh_from_db()
    assert first.status == OutboxStatus.PENDING and first.attempts == 0

    # when the page is switched to English
    page.locator(".langswitch button[value=en]").click()
    row = table.locator(f"tr[data-message='{second.pk}']")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Undelivered text messages")
    expect(page.locator("[data-testid=outbox-count]")).to_have_text("1 message could not be sent.")
    expect(row).to_contain_text("Work order #43")
    expect(row).to_contain_text("138****1234")
    expect(body).not_to_contain_text("工单")
    page.screenshot(path=str(SHOTS / "outbox-en.png"), full_page=True)
    row.get_by_role("button", name="Retry").click()
    # then the second is queued too and the list is empty
    expect(page.locator(".messages")).to_contain_text("1 message queued to be sent again.")
    expect(table).to_contain_text("Every message was delivered.")
    second.refresh_from_db()
    assert second.status == OutboxStatus.PENDING
    context.close()
