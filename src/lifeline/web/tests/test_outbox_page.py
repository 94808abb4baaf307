"""The dead-letter page: command staff see the failed texts (envelope only) and retry them;
others are refused."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from lifeline.accounts.models import Role
from lifeline.core.models import AuditRecord, OutboxMessage, OutboxStatus
from lifeline.testing.factories import SmallCity, make_user

URL = "/outbox/"


def _dead_letter(**more: object) -> OutboxMessage:
    fields = {
        "recipient": "13800001234",
        "body": "张三您好，您的通行证已批准",
        "status": OutboxStatus.FAILED,
        "attempts": 6,
        "last_error": "gateway answered 503",
        "object_type": "workorders.workorder",
        "object_id": "42",
    }
    fields.update(more)
    return OutboxMessage.objects.create(**fields)


def _client(user: object) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_command_staff_see_failed_texts_masked_without_their_body(city: SmallCity):
    # given a dead letter, a pending text and a member of the command centre
    _dead_letter()
    OutboxMessage.objects.create(recipient="13900005678", body="pending")
    staff = make_user("command", role=Role.COMMAND_STAFF, area=city.city)
    # when they open the page
    response = _client(staff).get(URL)
    # then they see the failed one's envelope: masked number, what it was about, the error
    assert response.status_code == 200
    text = response.content.decode()
    assert "138****1234" in text and "Work order #42" in text and "gateway answered 503" in text
    assert "1 message could not be sent." in text
    assert "13800001234" not in text and "张三" not in text and "139****5678" not in text
    assert reverse("web:outbox") == URL


def test_retry_puts_the_message_back_and_is_audited(city: SmallCity):
    message = _dead_letter()
    staff = make_user("command", role=Role.COMMAND_STAFF, area=city.city)
    response = _client(staff).post(URL, {"message": str(message.pk)}, follow=True)
    assert "1 message queued to be sent again." in response.content.decode()
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 0
    record = AuditRecord.objects.get(action="outbox.retry")
    assert record.actor_id == staff.pk and record.object_id == str(message.pk)


def test_retrying_a_message_no_longer_failed_says_so(city: SmallCity):
    message = _dead_letter(status=OutboxStatus.SENT)
    staff = make_user("command", role=Role.COMMAND_STAFF, area=city.city)
    response = _client(staff).post(URL, {"message": [str(message.pk), "x"]}, follow=True)
    assert "no longer in the failed list" in response.content.decode()
    assert not AuditRecord.objects.filter(action="outbox.retry").exists()


def test_people_without_outbox_manage_are_refused_and_change_nothing(city: SmallCity):
    message = _dead_letter()
    for user in (
        make_user("grid", role=Role.GRID_WORKER, area=city.grid_a),
        make_user("hotline", role=Role.HOTLINE_OPERATOR, area=city.city),
        make_user("nobody"),
    ):
        client = _client(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"message": str(message.pk)}).status_code == 403
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert Client().get(URL).status_code == 302  # to the login page


def test_the_admin_action_retries_and_audits(city: SmallCity):
    message = _dead_letter()
    admin = make_user("root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    response = _client(admin).post(
        "/admin/core/outboxmessage/",
        {"action": "retry_dead_letters", "_selected_action": [str(message.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert AuditRecord.objects.filter(action="outbox.retry", actor=admin).count() == 1
