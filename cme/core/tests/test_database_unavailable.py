"""Issue 8 §4: while the database is unreachable (restarting, failed over) every request
answers a clean 503 that says to retry — a page, or `{code, message}` under /api/v1/ —
never the 500 page or a traceback. bench/faults/pg_restart.py shows it against a real
PostgreSQL restart."""

import json
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory

from cme.core.views import server_error

MESSAGE = "服务暂时不可用，请稍后重试"


def database_down():
    """Every query fails the way psycopg fails while PostgreSQL restarts."""
    error = OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    return mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=error)


def test_a_public_page_answers_503_with_a_retry_message(db, caplog):
    with database_down():
        response = Client(raise_request_exception=False).get("/verify/ZS-2026-000001/")
    # one warning line, not Django's error with a traceback for every 503
    assert [(r.name, r.levelname) for r in caplog.records] == [("cme.unavailable", "WARNING")]
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert MESSAGE in body
    assert "Traceback" not in body and "Server Error" not in body


def test_the_api_answers_503_json(db):
    with database_down():
        response = Client(raise_request_exception=False).get(
            "/api/v1/certificates/ZS-2026-000001/verify"
        )
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body == {"code": "SERVICE_UNAVAILABLE", "message": MESSAGE + "。"}


def test_a_logged_in_page_answers_503_when_the_session_cannot_be_read(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast.users["changsha"])
    with database_down():
        response = client.get("/")
    assert response.status_code == 503
    assert MESSAGE in response.content.decode()


@pytest.mark.parametrize("error", [OperationalError("gone"), InterfaceError("closed")])
def test_handler500_turns_a_database_error_in_a_middleware_into_503(error):
    """A failure outside the view (saving the session after the response) reaches
    handler500, which answers 503 too; anything else stays the plain 500."""
    request = RequestFactory().get("/projects/")
    try:
        raise error
    except type(error):
        response = server_error(request)
    assert response.status_code == 503
    assert MESSAGE in response.content.decode()
    try:
        raise ValueError("bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
