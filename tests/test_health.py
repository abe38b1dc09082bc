"""Health checks (tracker.health): /healthz, the process answers; /readyz, the
database answers and is migrated, and the cache's state. Cheap, open, unthrottled,
sessionless, outside the API's schema."""

import importlib
import sys

import pytest
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import override_settings

from tracker import health

from .helpers import RedisServer, free_port, redis_cache, redis_server_at_hand

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def migration_check_not_yet_made(monkeypatch):
    """Each test starts as a new process would: the migrations not yet checked."""
    monkeypatch.setattr(health, "_migrated", False)


def test_healthz_answers_without_touching_the_database(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_answers_ready_with_the_database_and_the_cache(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_readyz_checks_the_migrations_once_per_process(
    client, django_assert_num_queries
):
    client.get("/readyz")  # the migrations found applied
    with django_assert_num_queries(1):  # then only: does the database answer?
        assert client.get("/readyz").status_code == 200


def test_readyz_is_unavailable_while_a_migration_is_not_applied(client, monkeypatch):
    def a_migration_left(executor, targets):
        return [(executor.loader.graph.nodes[targets[0]], False)]

    monkeypatch.setattr(MigrationExecutor, "migration_plan", a_migration_left)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unmigrated"
    assert response.json()["status"] == "unavailable"
    assert health._migrated is False  # asked again next time


def test_readyz_is_unavailable_while_the_database_does_not_answer(client, monkeypatch):
    def refused():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refused)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unreachable",
        "cache": "ok",
    }


def test_readyz_is_ready_but_degraded_while_redis_is_unavailable(client):
    with redis_cache(free_port()):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "degraded"}


@pytest.mark.skipif(not redis_server_at_hand(), reason="no redis-server to start")
def test_readyz_reports_a_reachable_redis(client):
    server = RedisServer()
    try:
        with redis_cache(server.port):
            assert client.get("/readyz").json()["cache"] == "ok"
            server.freeze()
            assert client.get("/readyz").json()["cache"] == "degraded"
    finally:
        server.stop()


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_are_not_throttled_and_keep_no_session(path, tight_rates):
    client = Client()
    codes = {client.get(path).status_code for _ in range(10)}
    assert codes == {200}
    assert not client.cookies


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_only_read(client, path):
    assert client.head(path).status_code == 200
    assert client.post(path).status_code == 405


def test_health_checks_are_outside_the_api_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert not [path for path in schema["paths"] if "healthz" in path]
    assert not [path for path in schema["paths"] if "readyz" in path]


def test_production_answers_health_checks_over_plain_http(monkeypatch):
    """Probes reach the process directly, without the proxy's HTTPS header."""
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x7!kq" * 12)
    production = importlib.import_module("tracker.settings.production")
    monkeypatch.delitem(sys.modules, "tracker.settings.production")
    client = Client()
    with override_settings(
        SECURE_SSL_REDIRECT=True,
        SECURE_REDIRECT_EXEMPT=production.SECURE_REDIRECT_EXEMPT,
    ):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert client.get("/").status_code == 301
