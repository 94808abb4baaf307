"""Failed log-ins lock the account (and the address) in every process: the login page and
the admin's, audited, in the user's language; an administrator unlocks."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import translation

from lifeline.accounts.lockout import USER, Refusal, login_failure_record, login_refusal
from lifeline.accounts.models import User
from lifeline.core.clock import frozen_at
from lifeline.core.models import AuditRecord
from lifeline.testing.factories import make_user

# The start of a 15-minute window: a lock then lasts the whole window, and says so.
WINDOW_START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
RIGHT = "pass-word-123"


def _attempt(client: Client, url: str, username: str, password: str, **headers: str):
    return client.post(url, {"username": username, "password": password}, **headers)


def _records(action: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=action).order_by("chain", "seq"))


def _no_secret_in_audit(*secrets: str) -> None:
    for record in AuditRecord.objects.all():
        text = " ".join(
            str(v)
            for v in (
                record.actor_label,
                record.object_type,
                record.object_id,
                record.purpose,
                record.fields,
            )
        )
        for secret in secrets:
            assert secret not in text, (record.action, text)


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_forty_wrong_passwords_then_the_right_one_does_not_log_in(db: None, url: str) -> None:
    # given a staff account (the admin's login wants staff)
    user = make_user("duty_officer")
    user.is_staff = True
    user.save()
    client = Client()
    with frozen_at(WINDOW_START):
        # when 40 wrong passwords are tried, then the right one
        for n in range(40):
            _attempt(client, url, "duty_officer", f"guess-{n}")
        response = _attempt(client, url, "duty_officer", RIGHT, HTTP_ACCEPT_LANGUAGE="en")
    # then nobody is logged in, and the page says the account is locked, never a 500
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    html = response.content.decode()
    assert "This account is locked after too many failed log-ins." in html
    assert "Try again in 15 minutes" in html
    # and the failures up to the lock and the lock itself are audited against the account
    failed, locked = _records("login.failed"), _records("login.locked")
    assert len(failed) == 10 and len(locked) == 1
    for record in (*failed, *locked):
        assert (record.object_type, record.object_id) == ("accounts.user", str(user.pk))
        assert record.actor_id is None
    _no_secret_in_audit(RIGHT, "guess-")


def test_locked_page_speaks_the_default_language(db: None) -> None:
    # given a locked account
    make_user("duty_officer")
    client = Client()
    with frozen_at(WINDOW_START):
        for n in range(10):
            _attempt(client, "/login/", "duty_officer", f"guess-{n}")
        # when the right password is tried without asking for a language
        response = _attempt(client, "/login/", "duty_officer", RIGHT)
    # then the refusal is in zh-Hans, the platform's default language
    with translation.override("zh-hans"):
        expected = Refusal(USER, dt.timedelta(minutes=15)).message()
    assert expected in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_account_logs_in_again_when_the_window_ends(db: None) -> None:
    make_user("duty_officer")
    client = Client()
    with frozen_at(WINDOW_START):
        for n in range(10):
            _attempt(client, "/login/", "duty_officer", f"guess-{n}")
    with frozen_at(WINDOW_START + dt.timedelta(minutes=15)):
        response = _attempt(client, "/login/", "duty_officer", RIGHT)
    assert response.status_code == 302
    assert SESSION_KEY in client.session


def test_an_unknown_username_is_locked_alike_and_never_recorded(db: None) -> None:
    # given no account named "ghost"
    client = Client()
    with frozen_at(WINDOW_START):
        # when it is tried ten times, then once more
        for n in range(10):
            _attempt(client, "/login/", "ghost", f"guess-{n}")
        response = _attempt(client, "/login/", "ghost", "anything", HTTP_ACCEPT_LANGUAGE="en")
    # then the answer is the same as for a real account
    assert "This account is locked" in response.content.decode()
    # and the audit records name no account and never the username
    failed = _records("login.failed")
    assert len(failed) == 10 and len(_records("login.locked")) == 1
    assert all(r.object_id == "" for r in failed)
    _no_secret_in_audit("ghost", "guess-")


def test_one_address_trying_many_usernames_is_locked(db: None, settings) -> None:
    # given a cap of 5 failures per address
    settings.LIFELINE_LOGIN_FAILURES_PER_ADDRESS = 5
    make_user("duty_officer")
    sprayer = Client(REMOTE_ADDR="198.51.100.7")
    with frozen_at(WINDOW_START):
        # when one address tries 5 different usernames
        for n in range(5):
            _attempt(sprayer, "/login/", f"user{n}", "guess")
        # then it may not log in even with a right password
        response = _attempt(sprayer, "/login/", "duty_officer", RIGHT, HTTP_ACCEPT_LANGUAGE="en")
        assert "Too many failed log-ins from your network address" in response.content.decode()
        assert SESSION_KEY not in sprayer.session
        # while another address still may
        other = Client(REMOTE_ADDR="198.51.100.8")
        assert _attempt(other, "/login/", "duty_officer", RIGHT).status_code == 302


def test_unlock_command_lets_a_locked_account_log_in(db: None) -> None:
    # given a locked account
    user = make_user("duty_officer")
    client = Client()
    with frozen_at(WINDOW_START):
        for n in range(10):
            _attempt(client, "/login/", "duty_officer", f"guess-{n}")
        # when an operator unlocks it
        call_command("unlock", "duty_officer")
        # then the right password logs in, and the unlock is audited
        assert _attempt(client, "/login/", "duty_officer", RIGHT).status_code == 302
    unlock = _records("login.unlock")
    assert [(r.object_type, r.object_id) for r in unlock] == [("accounts.user", str(user.pk))]


def test_unlock_command_refuses_an_unknown_username(db: None) -> None:
    with pytest.raises(CommandError):
        call_command("unlock", "ghost")
    assert not _records("login.unlock")


def test_admin_action_unlocks_an_account(db: None, admin_client: Client) -> None:
    # given a locked account
    user = make_user("duty_officer")
    with frozen_at(WINDOW_START):
        for n in range(10):
            _attempt(Client(), "/login/", "duty_officer", f"guess-{n}")
        # when an administrator runs the unlock action on it
        response = admin_client.post(
            "/admin/accounts/user/",
            {"action": "unlock_login", "_selected_action": [user.pk]},
        )
        assert response.status_code == 302
        # then it logs in again, and the unlock names the administrator
        assert _attempt(Client(), "/login/", "duty_officer", RIGHT).status_code == 302
    (unlock,) = _records("login.unlock")
    assert unlock.actor_id == User.objects.get(username="admin").pk


def test_test_client_login_is_not_counted(db: None) -> None:
    # given ten wrong passwords through Client.login (tests and shells, not the forms)
    make_user("duty_officer")
    client = Client()
    with frozen_at(WINDOW_START):
        for n in range(10):
            assert not client.login(username="duty_officer", password=f"guess-{n}")
        # then nothing is locked
        assert client.login(username="duty_officer", password=RIGHT)
    assert not _records("login.failed")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_lock_once_and_count_every_one() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers need PostgreSQL")
    # given an account, and 20 failures arriving at once from 20 threads
    user = make_user("duty_officer")
    start = threading.Barrier(20)
    errors: list[BaseException] = []

    def fail(n: int) -> None:
        try:
            start.wait()
            login_failure_record(
                actor=None, username="duty_officer", address=f"198.51.100.{n}", channel="t"
            )
        except BaseException as exc:  # surfaced below: a thread must not fail silently
            errors.append(exc)
        finally:
            connection.close()

    with frozen_at(WINDOW_START):
        threads = [threading.Thread(target=fail, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # then every failure is audited, the lock exactly once, and the account is locked
        assert not errors, errors
        assert AuditRecord.objects.filter(action="login.failed").count() == 20
        assert AuditRecord.objects.filter(action="login.locked").count() == 1
        refusal = login_refusal(username="duty_officer", address="203.0.113.1")
    assert refusal is not None and refusal.reason == USER
    assert AuditRecord.objects.get(action="login.locked").object_id == str(user.pk)
