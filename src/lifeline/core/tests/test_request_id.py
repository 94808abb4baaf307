"""Request ids are made by the server; a client's X-Request-ID is only kept beside them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from lifeline.core import requestid
from lifeline.core.audit import audit_log, audit_verify
from lifeline.core.middleware import RequestIdMiddleware
from lifeline.core.models import AuditRecord


def writing_view(request: HttpRequest) -> HttpResponse:
    audit_log(actor=None, action="test.write")
    return HttpResponse("ok")


def test_client_request_id_is_kept_apart_from_the_servers(db):
    # given a client that sends its own X-Request-ID
    request = RequestFactory().post("/x", headers={"X-Request-ID": "client-chosen-0001"})
    # when the request writes an audit record
    response = RequestIdMiddleware(writing_view)(request)
    # then the record carries a server-made id, and the client's only in its own field
    record = AuditRecord.objects.get()
    assert record.request_id != "client-chosen-0001"
    assert len(record.request_id) == 32 and int(record.request_id, 16) >= 0
    assert record.client_request_id == "client-chosen-0001"
    # and the response names the server's id
    assert response["X-Request-ID"] == record.request_id
    # and the client's id is covered by the record's hash
    AuditRecord.objects.filter(pk=record.pk).update(client_request_id="someone-else-01")
    assert [p.reason for p in audit_verify()] == ["content was altered"]


def test_two_requests_with_the_same_client_id_get_different_ids(db):
    # given two requests sending the same X-Request-ID
    factory = RequestFactory()
    middleware = RequestIdMiddleware(writing_view)
    # when both write
    first = middleware(factory.post("/x", headers={"X-Request-ID": "same-id-000001"}))
    second = middleware(factory.post("/x", headers={"X-Request-ID": "same-id-000001"}))
    # then each has its own server id, so the client cannot steer them onto one chain
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert AuditRecord.objects.values("request_id").distinct().count() == 2


def test_insane_client_request_id_is_dropped(db):
    # given a header with spaces and markup in it
    request = RequestFactory().post("/x", headers={"X-Request-ID": "<script> 1 2 3 4"})
    # when the request writes
    RequestIdMiddleware(writing_view)(request)
    # then nothing of it is kept
    assert AuditRecord.objects.get().client_request_id == ""


def test_request_ids_are_gone_after_the_request(db):
    # given the ids of a request that has ended
    RequestIdMiddleware(writing_view)(
        RequestFactory().get("/x", headers={"X-Request-ID": "client-chosen-0002"})
    )
    # then code running afterwards sees no client id and a thread id of its own
    assert requestid.client() == ""
    assert requestid.current().startswith("proc-")


def test_response_names_the_servers_id_not_the_clients(client, db):
    # given the installed middleware and a client sending its own id
    response = client.get("/", headers={"X-Request-ID": "client-chosen-0003"})
    # then the response's id is the server's
    assert response["X-Request-ID"] != "client-chosen-0003"
    assert len(response["X-Request-ID"]) == 32
