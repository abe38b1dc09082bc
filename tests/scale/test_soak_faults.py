"""``manage.py soak --fault``: one fault injected mid-run, the requests around it
counted, the run failed by a 500 or a failure outside the fault but not by a 503
during it, and the acknowledged writes checked on a connection that works again."""

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from claims import services
from claims.models import Source
from devtools import faults
from devtools.management.commands.soak import Command

from ..helpers import terminate_this_connection

pytestmark = pytest.mark.django_db(transaction=True)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the database fault ends PostgreSQL connections, and soak runs against a "
    "live server need PostgreSQL (the in-memory SQLite test database shares one "
    "connection between the server's threads and the test)",
)
needs_redis = pytest.mark.skipif(
    shutil.which("redis-server") is None,
    reason="the cache fault starts a redis-server of its own; none is installed",
)


ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# What is measured around a fault -----------------------------------------------------


def test_the_requests_that_overlapped_the_fault_are_counted_by_status():
    timeline = [
        [1.0, 2.0, 200, True],  # answered before the fault
        [2.5, 3.5, 200, True],  # sent before, answered during
        [4.0, 4.1, 503, False],  # during
        [4.5, 6.5, 0, False],  # sent during, never answered
        [5.5, 5.9, 500, False],  # during, a server error: not excused
        [6.2, 6.4, 503, False],  # sent after: not excused
        [6.1, 6.3, 200, True],  # the first success sent after the fault
        [6.05, 7.0, 201, True],
    ]
    figures = faults.fault_figures(timeline, start=3.0, end=6.0)
    assert figures.during == {200: 1, 503: 1, 0: 1, 500: 1}
    assert figures.excused == 2
    assert figures.first_success == pytest.approx(0.3)


def test_no_success_after_the_fault_is_none():
    figures = faults.fault_figures([[1.0, 2.0, 503, False]], start=0.5, end=1.5)
    assert figures.during == {503: 1}
    assert figures.first_success is None


@pytest.fixture
def synthetic_fault_run(monkeypatch):
    """A soak run whose load and fault are given: ``run(timeline, statuses)``
    gives what the command reports, or raises its CommandError."""

    def run(timeline, statuses):
        def load(self, settings):
            self.injected = faults.Injected(10.0, 13.0, "a fault of the test's")
            failures = sum(1 for *_, ok in timeline if not ok)
            return {
                "requests": len(timeline),
                "elapsed": 20.0,
                "started": 5.0,
                "statuses": statuses,
                "kinds": [],
                "refused": {},
                "failures": failures,
                "errors": [],
                "acks": [],
                "timeline": timeline,
            }

        monkeypatch.setattr(Command, "_load", load)
        monkeypatch.setattr(faults, "DatabaseFault", lambda seconds: faults.Fault())
        out = io.StringIO()
        call_command("soak", fault="database", seconds=20, stdout=out, stderr=out)
        return out.getvalue()

    return run


def test_503s_and_lost_answers_during_the_fault_do_not_fail_the_run(
    synthetic_fault_run, seed
):
    report = synthetic_fault_run(
        [
            [9.0, 11.0, 0, False],
            [11.0, 11.5, 503, False],
            [12.0, 12.2, 200, True],
            [13.1, 13.4, 200, True],
        ],
        {"503": 1, "200": 2},
    )
    assert "Fault: a fault of the test's, 5.0 s into the run." in report
    assert "During the fault: 3 requests; statuses no answer: 1, 200: 1, 503: 1." in (
        report
    )
    assert "First success after the fault: 0.40 s after it ended." in report
    assert "Answers of 500: 0." in report
    assert "(503 or no answer): 2; failed otherwise: 0." in report
    assert "every acknowledged write kept" in report


@pytest.mark.parametrize(
    "timeline, statuses",
    [
        # A 500 during the fault.
        ([[11.0, 11.5, 500, False], [13.1, 13.4, 200, True]], {"500": 1, "200": 1}),
        # A 503 once the fault was over.
        ([[13.1, 13.2, 503, False], [13.3, 13.4, 200, True]], {"503": 1, "200": 1}),
        # Nothing succeeded after the fault.
        ([[11.0, 11.5, 503, False]], {"503": 1}),
    ],
    ids=["a 500 during", "a 503 after", "no success after"],
)
def test_a_server_error_or_a_failure_outside_the_fault_fails_the_run(
    synthetic_fault_run, seed, timeline, statuses
):
    with pytest.raises(CommandError, match=r"^1 failed request\(s\)"):
        synthetic_fault_run(timeline, statuses)


# The faults themselves --------------------------------------------------------------


def test_a_worker_fault_needs_a_gunicorn_server_on_the_port(seed):
    port = free_port()
    with pytest.raises(CommandError, match=f"No gunicorn master .* port {port}"):
        call_command("soak", url=f"http://127.0.0.1:{port}", fault="worker")
    assert not get_user_model().objects.filter(username="soak").exists()
    assert not Source.objects.filter(name__startswith="Soak").exists()


def test_a_fault_must_fall_within_the_run(seed):
    with pytest.raises(CommandError, match="--fault-at must fall within the run"):
        call_command("soak", fault="database", seconds=10, fault_at=10)
    with pytest.raises(CommandError, match="at most 30"):
        call_command("soak", fault="database", fault_seconds=31)
    assert not get_user_model().objects.filter(username="soak").exists()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="for other databases")
def test_a_database_fault_needs_postgresql(seed):
    with pytest.raises(CommandError, match="ends the server's PostgreSQL connections"):
        call_command("soak", fault="database")
    assert not get_user_model().objects.filter(username="soak").exists()


@needs_redis
def test_a_cache_fault_refuses_a_port_that_is_taken(seed):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"Port {port} is taken"):
            call_command("soak", fault="cache", redis_port=port)
    assert not get_user_model().objects.filter(username="soak").exists()


@needs_redis
def test_the_cache_fault_stops_its_own_redis_and_starts_it_again():
    port = free_port()
    fault = faults.CacheFault(port, seconds=0.5)
    fault.prepare()
    try:
        client = redis.Redis(host="127.0.0.1", port=port)
        first = client.info("server")["process_id"]
        assert first == fault.server.pid
        client.set("a key", "a value")  # the server's use of it
        injected = fault.inject()
        assert injected.effective
        assert injected.end - injected.start >= 0.5
        assert "(1 command(s) served before)" in injected.what
        # Started again, a new process, empty.
        assert client.info("server")["process_id"] not in (first, None)
        assert client.get("a key") is None
    finally:
        fault.close()
    with pytest.raises(redis.ConnectionError):
        redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping()


@needs_redis
def test_a_cache_fault_on_a_redis_nobody_used_had_no_effect():
    fault = faults.CacheFault(free_port(), seconds=0.1)
    fault.prepare()
    try:
        assert not fault.inject().effective
    finally:
        fault.close()


# Real runs, on PostgreSQL ------------------------------------------------------------


@postgresql_only
def test_a_database_fault_answers_503s_and_keeps_every_acknowledged_write(
    live_server, unthrottled_seed
):
    out = io.StringIO()
    call_command(
        "soak",
        url=live_server.url,
        clients=3,
        seconds=8,
        fault="database",
        fault_at=2,
        fault_seconds=2,
        stdout=out,
    )
    report = out.getvalue()
    ended = re.search(
        r"Fault: (\d+) connection\(s\) to (\S+) ended over 2.\d s", report
    )
    assert ended, report
    assert int(ended[1]) > 0
    assert ended[2] == connection.settings_dict["NAME"]
    assert re.search(r"During the fault: [\d,]+ requests; statuses .*503: \d", report)
    assert re.search(r"First success after the fault: [\d.]+ s after it ended", report)
    assert "Answers of 500: 0." in report
    kept = re.search(r"Acknowledged writes kept: ([\d,]+) of ([\d,]+)\.", report)
    assert kept[1] == kept[2]
    assert "every acknowledged write kept" in report


@postgresql_only
def test_the_writes_are_checked_on_a_new_connection_if_the_run_ended_the_old(
    monkeypatch, seed
):
    soak = get_user_model().objects.create(username="soak")
    kept = services.source_create(user=soak, name="Kept", kind="person")
    ack = {"model": "source", "pk": kept.pk, "version": kept.version}

    def load(self, settings):
        terminate_this_connection()  # the database restarted during the run
        return {
            "requests": 1,
            "elapsed": 1.0,
            "statuses": {"201": 1},
            "kinds": [],
            "refused": {},
            "failures": 0,
            "errors": [],
            "acks": [{**ack, "history_type": "+"}],
            "timeline": [[time.time(), time.time(), 201, True]],
        }

    monkeypatch.setattr(Command, "_load", load)
    out = io.StringIO()
    call_command("soak", stdout=out)
    assert "Acknowledged writes kept: 1 of 1." in out.getvalue()
    assert "every acknowledged write kept" in out.getvalue()


@pytest.fixture
def gunicorn(transactional_db, tmp_path):
    """``start(**env)``: gunicorn with two workers on a free port of this machine,
    on the test database, as ``make serve`` runs it; gives its address. Stopped at
    the end of the test."""
    servers = []

    def start(**extra) -> str:
        port = free_port()
        db = connection.settings_dict
        password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("DJANGO_") and k != "REDIS_URL"
        }
        env |= {
            "DJANGO_SETTINGS_MODULE": "tracker.settings.test",
            "DATABASE_URL": f"postgres://{quote(db['USER'])}{password}@"
            f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "API_THROTTLE_USER": "1000000/minute",
            **extra,
        }
        log = (tmp_path / f"gunicorn-{port}.log").open("w")
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "tracker.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        servers.append(server)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{url}/api/", timeout=5).close()
            except urllib.error.HTTPError:
                return url  # answering, if not well (a cache not started yet)
            except (urllib.error.URLError, OSError):  # not yet listening, or slow
                time.sleep(0.2)
            else:
                return url
        pytest.fail(f"gunicorn did not answer on {url}")

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=30)


@postgresql_only
def test_a_worker_killed_mid_run_is_replaced_and_no_write_is_lost(gunicorn, seed):
    url = gunicorn()
    master = faults.gunicorn_master(int(url.rsplit(":", 1)[1]))
    before = {worker.pid for worker in master.children()}
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            "soak",
            url=url,
            clients=3,
            seconds=8,
            fault="worker",
            fault_at=2,
            stdout=out,
            stderr=err,
        )
    except CommandError as error:
        pytest.fail(f"{error}\n{out.getvalue()}{err.getvalue()}")
    report = out.getvalue()
    killed = re.search(
        r"Fault: worker (\d+) killed \(SIGKILL\), replaced by (\d+)", report
    )
    assert killed, report
    assert int(killed[1]) in before
    after = {worker.pid for worker in master.children()}
    assert int(killed[1]) not in after
    assert int(killed[2]) in after
    assert len(after) == 2
    assert "Answers of 500: 0." in report
    assert "every acknowledged write kept" in report


@postgresql_only
@needs_redis
def test_a_cache_fault_answers_no_500_and_keeps_every_write(gunicorn, seed):
    port = free_port()
    url = gunicorn(REDIS_URL=f"redis://127.0.0.1:{port}/0")
    out = io.StringIO()
    try:
        call_command(
            "soak",
            url=url,
            clients=3,
            seconds=8,
            fault="cache",
            fault_at=2,
            fault_seconds=2,
            redis_port=port,
            stdout=out,
            stderr=io.StringIO(),
        )
    finally:
        report = out.getvalue()
        assert re.search(rf"Fault: Redis on port {port} stopped for 2.\d s", report)
        assert "Acknowledged writes kept: " in report
    assert "Answers of 500: 0." in report
    assert "every acknowledged write kept" in report
