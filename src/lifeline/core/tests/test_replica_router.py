"""The read router: which reads may go to the replica, and when the primary answers."""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from lifeline.accounts.models import User
from lifeline.core import replica


@pytest.fixture
def with_replica(monkeypatch, settings):
    """A replica that is configured and 0.5 s behind (no second database is opened: the
    router only names the alias)."""
    monkeypatch.setattr(replica, "configured", lambda: True)
    lag = replica.Lag(0.5, 0, time.monotonic())
    monkeypatch.setattr(replica, "replica_lag", lambda: lag)
    settings.LIFELINE_REPLICA_MAX_LAG = 30
    return lag


def _reads_from() -> str | None:
    return replica.ReplicaRouter().db_for_read(User)


def test_only_marked_reads_go_to_the_replica(with_replica):
    assert _reads_from() is None  # Django's default: the primary
    with replica.stale_reads():
        assert _reads_from() == replica.REPLICA
    assert replica.ReplicaRouter().db_for_write(User) == replica.PRIMARY


def test_a_marked_selector_binds_its_queryset_to_the_replica(with_replica):
    @replica.reads_replica
    def user_list():
        return User.objects.all()

    assert user_list()._db == replica.REPLICA


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary(with_replica):
    with transaction.atomic(), replica.stale_reads():
        assert _reads_from() is None


def test_a_replica_too_far_behind_is_not_read(with_replica, monkeypatch, settings):
    settings.LIFELINE_REPLICA_MAX_LAG = 30
    far = replica.Lag(45.0, 10_000_000, time.monotonic())
    monkeypatch.setattr(replica, "replica_lag", lambda: far)
    with replica.stale_reads():
        assert _reads_from() is None


def test_an_unreachable_replica_is_not_read(with_replica, monkeypatch):
    monkeypatch.setattr(replica, "replica_lag", lambda: None)
    with replica.stale_reads():
        assert _reads_from() is None


def test_without_a_replica_nothing_is_routed(settings):
    assert "replica" not in settings.DATABASES
    with replica.stale_reads():
        assert _reads_from() is None
    assert replica.measure_lag() is None


def test_a_browser_that_wrote_reads_from_the_primary_for_a_while(with_replica, settings):
    settings.LIFELINE_REPLICA_PIN_SECONDS = 10
    seen: list[str | None] = []

    def view(request):
        with replica.stale_reads():
            seen.append(_reads_from())
        return HttpResponse("ok")

    middleware = replica.PinAfterWriteMiddleware(view)
    factory = RequestFactory()
    # Given a plain read, when it runs, then the replica answers.
    middleware(factory.get("/"))
    # When the browser writes, then that request reads from the primary and gets the pin.
    written = middleware(factory.post("/"))
    cookie = written.cookies[replica.PIN_COOKIE]
    assert cookie["max-age"] == 10 and cookie["httponly"]
    # Then its next read, with the pin, reads from the primary too.
    request = factory.get("/")
    request.COOKIES[replica.PIN_COOKIE] = cookie.value
    middleware(request)
    # And a pin that has run out, or is garbage, does not hold.
    for stale in (f"{time.time() - 1:.0f}", "not-a-time"):
        request = factory.get("/")
        request.COOKIES[replica.PIN_COOKIE] = stale
        middleware(request)
    assert seen == [replica.REPLICA, None, None, replica.REPLICA, replica.REPLICA]


@pytest.mark.django_db
def test_the_dashboard_says_how_far_behind_its_figures_are(with_replica, client, city):
    from lifeline.accounts.models import Role
    from lifeline.testing.factories import make_user

    user = make_user("command-lag", role=Role.COMMAND_STAFF, area=city.city)
    client.force_login(user)
    response = client.get(f"/command/areas/{city.city.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Read from a copy of the database 0.5 s behind the main one." in text
