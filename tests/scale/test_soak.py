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


def test_a_delete_answered_404_or_never_answered_is_judged_by_the_database(
    monkeypatch, seed
):
    """A DELETE sent again by the HTTP client after its first delivery's answer was
    lost (a worker killed mid-request) is answered 404: it counts as the delete it
    was, checked by the row being gone and its history entry. One never answered
    may or may not have happened: either outcome is right, the creation still
    counts."""
    soak = get_user_model().objects.create(username="soak")
    resent, unanswered_done, unanswered_not = (
        services.source_create(user=soak, name=name, kind="person")
        for name in ("Deleted, answer lost", "Deleted, no answer", "Kept, no answer")
    )
    acks = [
        {"model": "source", "pk": s.pk, "version": s.version, "history_type": "+"}
        for s in (resent, unanswered_done, unanswered_not)
    ] + [
        {"model": "source", "pk": resent.pk, "version": None, "history_type": "-"},
        {
            "model": "source",
            "pk": unanswered_done.pk,
            "version": None,
            "history_type": "?",
        },
        {
            "model": "source",
            "pk": unanswered_not.pk,
            "version": None,
            "history_type": "?",
        },
    ]
    services.source_delete(user=soak, source=resent)
    services.source_delete(user=soak, source=unanswered_done)
    figures = {
        "requests": 6,
        "elapsed": 1.0,
        "statuses": {"201": 3, "404": 1},
        "kinds": [{"kind": "create a source", "count": 3, "p50": 10, "p99": 20}],
        "refused": {"404 on a DELETE sent again: already deleted": 1},
        "failures": 0,
        "errors": [],
        "acks": acks,
    }
    monkeypatch.setattr(Command, "_load", lambda self, settings: figures)
    out = io.StringIO()
    call_command("soak", stdout=out)
    report = out.getvalue()
    assert (
        "sources: 3 created, 0 changed, 1 deleted, acknowledged; in the database: "
        "0 of 0 (and 1 of 1 deleted stay deleted); in history: 4 of 4. Deletes of "
        "unknown outcome (either is right): 2, of which 1 not done." in report
    )
    assert "Acknowledged writes kept: 4 of 4." in report
    assert "Refused as designed: 1 (404 on a DELETE sent again" in report
    assert "every acknowledged write kept" in report

    # A 404 for a source the soak account did not delete (lost some other way:
    # here, deleted by another account) fails the run: its history has no "-".
    lost = acks[5] = {**acks[5], "history_type": "-"}
    services.source_delete(
        user=get_user_model().objects.create(username="x"), source=unanswered_not
    )
    assert not Source.objects.filter(pk=lost["pk"]).exists()
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"^0 failed request\(s\), 1 acknowledged"):
        call_command("soak", stdout=out)
    assert "in history: 4 of 5." in out.getvalue()


LOAD_DELETE = """
import json, random, types
from devtools.soak_load import SoakUser, Run

run = Run(token="t", claims=[], measures=[], shared=[], pages=1, seed=1, run_id="r",
          left=10)
answers = iter([204, 404, 0, 500])
user = types.SimpleNamespace(soak=run, rng=random.Random(1), own_sources=[1, 2, 3, 4])
user.send = lambda *a, **k: types.SimpleNamespace(status_code=next(answers))
user.create_a_source = lambda: None
sent = []
for _ in range(4):
    before = set(user.own_sources)
    SoakUser.delete_an_own_source(user)
    sent.append((before - set(user.own_sources)).pop())
print(json.dumps({"sent": sent, "acks": [[a.pk, a.history_type] for a in run.acks],
                  "refused": run.refused}))
"""


def test_the_load_records_a_delete_by_its_answer():
    """204 or 404 (sent again, already done): deleted; no answer or any other
    answer: unknown (a delivery whose answer was lost may have deleted it; the
    request itself counts as failed). In a child interpreter: Locust patches the
    process that imports it."""
    import json
    import subprocess

    child = subprocess.run(
        [sys.executable, "-c", LOAD_DELETE], capture_output=True, text=True, check=True
    )
    got = json.loads(child.stdout.splitlines()[-1])
    one, two, three, four = got["sent"]
    assert got["acks"] == [[one, "-"], [two, "-"], [three, "?"], [four, "?"]]
    assert got["refused"] == {"404 on a DELETE sent again: already deleted": 1}
