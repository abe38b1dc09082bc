"""The soak command, run briefly against a live server: Locust makes the load in a
child process, the command reports its figures and finds every acknowledged write in
the database and in history, and fails on a failed request or a lost write."""

import io
import re
import socket
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from claims import services
from claims.models import Figure, Source
from devtools.management.commands.soak import Command

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="soak runs are for PostgreSQL: the in-memory SQLite test database shares "
    "one connection between the server's threads and the test",
)
def test_a_short_soak_keeps_every_acknowledged_write(live_server, unthrottled_seed):
    out = io.StringIO()
    call_command(
        "soak",
        url=live_server.url,
        clients=3,
        seconds=30,
        max_requests=150,
        stdout=out,
    )
    report = out.getvalue()
    assert "150 requests from 3 clients" in report
    assert "Errors: 0." in report
    assert "every acknowledged write kept" in report
    created = Source.history.filter(history_type="+", name__startswith="Soak source")
    assert f"sources: {created.count():,} created" in report
    assert Figure.history.filter(history_user__username="soak").exists()
    # Locust ran in a process of its own: this one was not patched by gevent.
    monkey = sys.modules.get("gevent.monkey")
    assert monkey is None or not monkey.is_module_patched("socket")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="soak runs are for PostgreSQL (see above)",
)
def test_a_soak_stops_at_its_time_and_keeps_the_writes_in_flight(
    live_server, unthrottled_seed
):
    out = io.StringIO()
    call_command(
        "soak",
        url=live_server.url,
        clients=3,
        seconds=2,
        max_requests=1_000_000,
        seed=2,
        stdout=out,
    )
    report = out.getvalue()
    elapsed = float(re.search(r"requests from 3 clients in ([\d.]+) s", report)[1])
    assert 2 <= elapsed < 20
    assert "Errors: 0." in report
    assert "every acknowledged write kept" in report


def test_a_soak_goes_to_this_machine_only(db):
    with pytest.raises(CommandError, match="this machine only"):
        call_command("soak", url="http://example.com", seconds=1)
    assert not Source.objects.filter(name__startswith="Soak").exists()
    assert not get_user_model().objects.filter(username="soak").exists()


def test_requests_that_find_no_server_fail_the_soak(seed):
    with socket.socket() as closed:  # a port of this machine nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=r"^20 failed request\(s\), 0 acknowledged"):
        call_command(
            "soak",
            url=f"http://127.0.0.1:{port}",
            clients=2,
            seconds=30,
            max_requests=20,
            stdout=out,
            stderr=err,
        )
    assert "20 requests from 2 clients" in out.getvalue()
    assert "Errors: 20." in out.getvalue()
    assert "ConnectionRefusedError" in err.getvalue()
    assert not Source.objects.filter(name__startswith="Soak source").exists()


def test_an_acknowledged_write_missing_from_the_database_or_history_fails_the_soak(
    monkeypatch, seed
):
    soak = get_user_model().objects.create(username="soak")
    kept = services.source_create(user=soak, name="Kept", kind="person")
    by_another = services.source_create(
        user=get_user_model().objects.create(username="someone"),
        name="Written by someone else",
        kind="person",
    )
    acks = [
        {
            "model": "source",
            "pk": kept.pk,
            "version": kept.version,
            "history_type": "+",
        },
        # Acknowledged, but history holds no entry of that version.
        {
            "model": "source",
            "pk": kept.pk,
            "version": kept.version + 5,
            "history_type": "~",
        },
        # In the database, but its history entry is not the soak account's.
        {"model": "source", "pk": by_another.pk, "version": 1, "history_type": "+"},
        # Neither in the database nor in history.
        {"model": "figure", "pk": 10**9, "version": 1, "history_type": "+"},
    ]
    figures = {
        "requests": 4,
        "elapsed": 1.0,
        "statuses": {"201": 3, "200": 1},
        "kinds": [{"kind": "create a source", "count": 4, "p50": 10, "p99": 20}],
        "refused": {},
        "failures": 0,
        "errors": [],
        "acks": acks,
    }
    monkeypatch.setattr(Command, "_load", lambda self, settings: figures)
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"^0 failed request\(s\), 4 acknowledged"):
        call_command("soak", stdout=out)
    report = out.getvalue()
    assert "Errors: 0." in report
    assert (
        "sources: 2 created, 1 changed, 0 deleted, acknowledged; in the database: "
        "2 of 2 (and 0 of 0 deleted stay deleted); in history: 1 of 3." in report
    )
    assert "in the database: 0 of 1" in report
    assert "every acknowledged write kept" not in report
