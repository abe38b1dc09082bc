"""A database outage answers 503 with Retry-After, never 500 (claims.outage): JSON
under /api/, a plain page elsewhere; a write that met it is not acknowledged and
left nothing behind; the next request connects again and succeeds.

On PostgreSQL the outage is real: a second connection ends the test's own with
``pg_terminate_backend``, between requests and during one (after a write's rows are
inserted, before its commit). The tests use real transactions
(``transaction=True``): a connection ended inside a test's wrapping transaction
would take the test's database connection with it."""

import sqlite3

import psycopg
import pytest
from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
)
from django.db.models.signals import post_save
from django.test import RequestFactory
from django.urls import reverse

from claims import outage
from claims.models import Claim, Review, Source
from claims.web.views import server_error

from .factories import SourceFactory
from .helpers import api_client, stored, terminate_this_connection
from .test_settings import manage

pytestmark = pytest.mark.django_db(transaction=True)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a lost connection is made with PostgreSQL's pg_terminate_backend; the "
    "SQLite test database is a file (or memory) with no server to lose",
)


@pytest.fixture(autouse=True)
def fresh_connection_after():
    """Whatever a test left of its connection, the next one starts anew."""
    yield
    connection.close()


def assert_outage_answer(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(outage.RETRY_AFTER)


def outage_error(cause: Exception) -> OperationalError:
    """Django's error for ``cause``, as its database layer raises it."""
    try:
        try:
            raise cause
        except Exception as error:
            raise OperationalError(str(error)) from error
    except OperationalError as wrapped:
        return wrapped


# Which errors are an outage -----------------------------------------------------------


@pytest.mark.parametrize(
    "cause",
    [
        psycopg.errors.AdminShutdown("terminating connection (pg_terminate_backend)"),
        psycopg.errors.CrashShutdown("terminating connection (a crash)"),
        psycopg.errors.CannotConnectNow("the database system is starting up"),
        psycopg.errors.TooManyConnections("sorry, too many clients already"),
        psycopg.errors.ConnectionFailure("connection failure"),
        psycopg.OperationalError("server closed the connection unexpectedly"),
        psycopg.OperationalError("connection refused"),
    ],
    ids=lambda cause: type(cause).__name__,
)
def test_a_lost_or_refused_connection_is_an_outage(cause):
    assert outage.is_outage(outage_error(cause))


def test_a_closed_connection_used_again_is_an_outage():
    assert outage.is_outage(InterfaceError("connection already closed"))


@pytest.mark.parametrize(
    "error",
    [
        outage_error(psycopg.errors.LockNotAvailable("lock timeout")),
        outage_error(psycopg.errors.QueryCanceled("statement timeout")),
        outage_error(psycopg.errors.DeadlockDetected("deadlock detected")),
        outage_error(sqlite3.OperationalError("database is locked")),
        outage_error(sqlite3.OperationalError("no such table: claims_source")),
        ValueError("not a database error"),
        None,
    ],
    ids=[
        "lock timeout",
        "statement timeout",
        "deadlock",
        "SQLite locked",
        "SQLite no table",
        "not a database error",
        "no error",
    ],
)
def test_an_error_on_a_working_connection_is_not_an_outage(error):
    assert not outage.is_outage(error)


# How an outage is answered, on any database ---------------------------------------------


def test_an_outage_met_by_an_api_view_answers_503_in_json(monkeypatch, editor):
    def lost(*args, **kwargs):
        raise outage_error(psycopg.errors.AdminShutdown("terminating connection"))

    monkeypatch.setattr("claims.api.views.SourceViewSet.get_queryset", lost)
    response = editor.get("/api/sources/")
    assert_outage_answer(response)
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": outage.DETAIL}


def test_an_outage_met_by_a_page_answers_a_plain_503_page(monkeypatch, client, seed):
    def lost(*args, **kwargs):
        raise outage_error(psycopg.OperationalError("server closed the connection"))

    monkeypatch.setattr("claims.web.views.presentation.claim_page", lost)
    response = client.get(reverse("claim", args=[Claim.objects.first().pk]))
    assert_outage_answer(response)
    assert response["Content-Type"].startswith("text/html")
    assert "Temporarily unavailable" in response.content.decode()


def test_any_other_database_error_stays_a_server_error(monkeypatch, editor_user):
    def timed_out(*args, **kwargs):
        raise outage_error(psycopg.errors.LockNotAvailable("lock timeout"))

    monkeypatch.setattr("claims.api.views.SourceViewSet.get_queryset", timed_out)
    client = api_client(editor_user)
    client.raise_request_exception = False
    response = client.get("/api/sources/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert response.json() == {"detail": "Server error."}


@pytest.mark.parametrize(
    "path, content_type",
    [("/api/sources/", "application/json"), ("/review/", "text/html")],
)
def test_an_outage_outside_any_view_answers_503_from_the_error_handler(
    path, content_type
):
    """What fails in a middleware reaches ``handler500`` with its exception."""
    try:
        raise outage_error(psycopg.errors.AdminShutdown("terminating connection"))
    except OperationalError:
        response = server_error(RequestFactory().get(path))
    assert_outage_answer(response)
    assert response["Content-Type"].startswith(content_type)
    try:
        raise outage_error(psycopg.errors.LockNotAvailable("lock timeout"))
    except OperationalError:
        assert server_error(RequestFactory().get(path)).status_code == 500


def test_kept_connections_are_checked_before_a_request_reuses_them():
    """In every environment: a connection kept between requests
    (DATABASE_CONN_MAX_AGE) that the database ended is replaced, not used."""
    check = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    result = manage(
        "shell",
        "-c",
        check,
        DJANGO_SECRET_KEY="x7!kq" * 12,
        DATABASE_CONN_MAX_AGE="60",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "60 True"


# A real outage, on PostgreSQL -------------------------------------------------------------


@postgresql_only
def test_an_api_read_after_the_connection_was_ended_answers_503_then_200(editor):
    SourceFactory(name="Before the outage")
    assert editor.get("/api/sources/").status_code == 200
    terminate_this_connection()
    response = editor.get("/api/sources/")
    assert_outage_answer(response)
    assert response.json() == {"detail": outage.DETAIL}
    # The broken connection was dropped: the next request connects again.
    response = editor.get("/api/sources/")
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Before the outage"]


@postgresql_only
def test_a_page_after_the_connection_was_ended_answers_503_then_200(client, seed):
    url = reverse("claim", args=[Claim.objects.first().pk])
    assert client.get(url).status_code == 200
    terminate_this_connection()
    response = client.get(url)
    assert_outage_answer(response)
    assert "Temporarily unavailable" in response.content.decode()
    assert client.get(url).status_code == 200


@postgresql_only
@pytest.mark.parametrize("health_checks, first_status", [(True, 200), (False, 503)])
def test_with_kept_connections_the_first_request_after_an_outage_succeeds(
    editor, health_checks, first_status
):
    """With persistent connections, the health check Django makes as each request
    starts finds the ended connection and replaces it (without it, the first
    request meets the outage)."""
    SourceFactory()  # a page of one row: listing it asks the database
    kept = {"CONN_MAX_AGE": None, "CONN_HEALTH_CHECKS": health_checks}
    saved = {name: connection.settings_dict[name] for name in kept}
    connection.settings_dict.update(kept)
    connection.close()  # connect again as a kept connection
    try:
        assert editor.get("/api/sources/").status_code == 200
        pid = connection.connection.info.backend_pid
        terminate_this_connection()
        # What the request_started signal runs under a real server (Django's test
        # client leaves it out).
        close_old_connections()
        assert editor.get("/api/sources/").status_code == first_status
        assert editor.get("/api/sources/").status_code == 200
        assert connection.connection.info.backend_pid != pid
    finally:
        connection.settings_dict.update(saved)


@pytest.fixture
def connection_lost_before_commit():
    """End the connection when a Source or a Review is saved: its row and its history
    entry are written, its transaction not yet committed."""

    def lose(sender, **kwargs):
        terminate_this_connection()

    for model in (Source, Review):
        post_save.connect(lose, sender=model, dispatch_uid=f"lose-{model.__name__}")
    yield
    for model in (Source, Review):
        post_save.disconnect(sender=model, dispatch_uid=f"lose-{model.__name__}")


@postgresql_only
def test_an_api_write_that_lost_its_connection_is_not_acknowledged_nor_kept(
    editor, request
):
    body = {"name": "Written during the outage", "kind": "person"}
    before = stored(Source)
    request.getfixturevalue("connection_lost_before_commit")
    response = editor.post("/api/sources/", body)
    assert_outage_answer(response)
    assert response.json() == {"detail": outage.DETAIL}
    post_save.disconnect(sender=Source, dispatch_uid="lose-Source")
    assert stored(Source) == before  # neither the row nor its history entry
    # Sent again once the database is back, the write is made once.
    response = editor.post("/api/sources/", body)
    assert response.status_code == 201
    assert Source.objects.filter(name=body["name"]).count() == 1
    assert Source.history.filter(name=body["name"]).count() == 1


@postgresql_only
def test_a_source_update_that_lost_its_connection_changes_nothing(editor, request):
    source = SourceFactory(name="Shared")
    url = f"/api/sources/{source.pk}/"
    version = editor.get(url)["ETag"]
    before = stored(Source)
    request.getfixturevalue("connection_lost_before_commit")
    response = editor.patch(url, {"description": "Lost"}, HTTP_IF_MATCH=version)
    assert_outage_answer(response)
    post_save.disconnect(sender=Source, dispatch_uid="lose-Source")
    assert stored(Source) == before
    response = editor.patch(url, {"description": "Kept"}, HTTP_IF_MATCH=version)
    assert response.status_code == 200
    source.refresh_from_db()
    assert source.description == "Kept"


@postgresql_only
def test_a_review_that_lost_its_connection_answers_a_503_page_and_is_not_kept(
    client, reviewer_user, seed, request
):
    client.force_login(reviewer_user)
    claim = Claim.objects.first()
    url = reverse("claim", args=[claim.pk])
    data = {
        "attribution_status": "verified",
        "credibility": "2",
        "rationale": "The agency's statement says so.",
    }
    before = stored(Claim, Review)
    request.getfixturevalue("connection_lost_before_commit")
    response = client.post(url, data)
    assert_outage_answer(response)
    assert "not confirmed" in response.content.decode()
    post_save.disconnect(sender=Review, dispatch_uid="lose-Review")
    assert stored(Claim, Review) == before
    assert client.post(url, data).status_code == 302
    assert Review.objects.filter(claim=claim).count() == 1
