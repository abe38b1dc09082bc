"""``benchmark --http``'s plumbing, without starting a server: wrk's output read,
the table written as JSON, Datasette's equivalents, and the HTTP floor's answers
equal to the API's."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from claims.models import Claim
from devtools import corpus, floor_wsgi, http_bench, memory_bench
from devtools.management.commands.benchmark import HTTP_CASES, datasette_path

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8000/api/claims/?page_size=50
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    62.87ms   20.14ms 250.33ms   80.12%
    Req/Sec    63.91     15.02   101.00     70.00%
  Latency Distribution
     50%   58.21ms
     75%   70.02ms
     90%   85.40ms
     99%    1.20s
  1278 requests in 10.01s, 31.43MB read
Requests/sec:    127.68
Transfer/sec:      3.14MB
"""


def test_wrk_s_requests_a_second_and_percentiles_are_read():
    load = http_bench.parse_wrk(WRK_OUTPUT)
    assert load == http_bench.Load(rps=127.7, p50_ms=58.21, p99_ms=1200.0)
    assert http_bench.parse_wrk(WRK_OUTPUT.replace("58.21ms", "850.00us")).p50_ms == (
        0.85
    )


@pytest.mark.parametrize(
    "trouble",
    [
        "  Non-2xx or 3xx responses: 12\n",
        "  Socket errors: connect 0, read 3, write 0, timeout 0\n",
    ],
)
def test_a_run_with_failed_answers_is_refused(trouble):
    with pytest.raises(RuntimeError):
        http_bench.parse_wrk(WRK_OUTPUT + trouble)
    # No errors at all is no trouble.
    clean = "  Socket errors: connect 0, read 0, write 0, timeout 0\n"
    assert http_bench.parse_wrk(WRK_OUTPUT + clean).rps == 127.7


def test_load_goes_to_the_loopback_only():
    with pytest.raises(ValueError, match="loopback"):
        http_bench.wrk("http://example.com/api/claims/", 1, 1)


def test_the_table_is_written_as_json_with_the_named_fields(tmp_path):
    rows = [
        http_bench.HttpRow(
            "claims list, page of 50", 127.7, 58.2, 120.0, 1303.0, 101.0
        ),
        http_bench.HttpRow("claim corroboration", 80.0, 90.0, 200.0, 900.0, None),
    ]
    path = tmp_path / "http.json"
    http_bench.write_json(rows, str(path))
    written = json.loads(path.read_text())
    assert written == [
        {
            "name": "claims list, page of 50",
            "rps": 127.7,
            "p50_ms": 58.2,
            "p99_ms": 120.0,
            "floor_rps": 1303.0,
            "peer_rps": 101.0,
        },
        {
            "name": "claim corroboration",
            "rps": 80.0,
            "p50_ms": 90.0,
            "p99_ms": 200.0,
            "floor_rps": 900.0,
            "peer_rps": None,
        },
    ]
    lines = http_bench.table(rows)
    assert "Datasette" in lines[0] and "floor req/s" in lines[0]
    # The floor's requests/s over ours, ours over Datasette's; none without a peer.
    assert "10.20" in lines[2] and "1.26" in lines[2]
    assert lines[3].rstrip().endswith("-")


def test_datasette_is_asked_for_the_same_rows_where_it_has_them():
    database = Path("/data/bench.sqlite3")
    paths = {
        "claims list, page of 50": "/api/claims/?page_size=50",
        "claims list, filtered": "/api/claims/?page_size=50&attribution_kind=x",
        "claim detail": "/api/claims/42/",
        "claim corroboration": "/api/claims/42/corroboration/",
        "comparison, 1,000 figures": "/api/measures/3/comparison/",
        "search": "/api/claims/?page_size=20&search=Kursk%20drones",
    }
    assert set(paths) == set(HTTP_CASES)
    peers = {name: datasette_path(name, path, database) for name, path in paths.items()}
    assert peers["claims list, page of 50"] == (
        "/bench/claims_claim.json?_shape=objects&_sort_desc=stated_on&_size=50"
    )
    assert "attribution_kind=paraphrase" in peers["claims list, filtered"]
    assert peers["claim detail"] == "/bench/claims_claim/42.json?_shape=objects"
    assert "_search=Kursk+drones&_fts_table=claims_claim_fts" in peers["search"]
    assert peers["claim corroboration"] is None
    assert peers["comparison, 1,000 figures"] is None


@pytest.fixture
def floor_on_the_test_database(monkeypatch):
    """The floor app reading through the test database's own SQLite connection."""
    connection.ensure_connection()
    monkeypatch.setattr(floor_wsgi, "_connection", connection.connection)
    monkeypatch.setattr(floor_wsgi, "_counts", {})


def floor_get(path: str):
    path, _, query = path.partition("?")
    answers = []

    def start_response(status, headers):
        answers.append((status, dict(headers)))

    environ = {"PATH_INFO": path, "QUERY_STRING": query, "HTTP_HOST": "testserver"}
    body = b"".join(floor_wsgi.application(environ, start_response))
    status, headers = answers[0]
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) == len(body)
    return int(status.split()[0]), json.loads(body)


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the HTTP floor reads the SQLite file"
)
@pytest.mark.django_db
def test_the_floor_answers_the_api_s_rows(seed, anonymous, floor_on_the_test_database):
    corpus.generate(claims=300, seed=9)
    claim = Claim.objects.filter(topics__isnull=False).order_by("id").first()
    paths = [
        "/api/claims/?page_size=50",
        "/api/claims/?page=3&page_size=50",
        "/api/claims/?page_size=50&attribution_kind=paraphrase&stated_after=2024-06-01",
        "/api/claims/?page_size=20&search=Kursk%20drones",
        f"/api/claims/{claim.pk}/",
    ]
    for path in paths:
        api = anonymous.get(path)
        assert api.status_code == 200, path
        status, floor = floor_get(path)
        assert status == 200
        assert floor == api.json(), path
    assert floor["topics"], "a claim with topics"
    searched = floor_get("/api/claims/?page_size=20&search=Kursk%20drones")[1]
    assert searched["count"] > 0
    assert floor_get("/api/claims/0/")[0] == 404

    # The computed answers' floors are their rows.
    status, links = floor_get(f"/api/claims/{claim.pk}/corroboration/")
    assert status == 200
    assert {link["id"] for link in links} == set(
        claim.links_out.values_list("id", flat=True)
    ) | set(claim.links_in.values_list("id", flat=True))


def test_each_figure_is_the_run_of_median_requests_a_second():
    runs = [
        http_bench.Load(rps=90.0, p50_ms=20.0, p99_ms=90.0),
        http_bench.Load(rps=120.0, p50_ms=15.0, p99_ms=60.0),
        http_bench.Load(rps=40.0, p50_ms=80.0, p99_ms=400.0),
    ]
    assert http_bench.median_load(runs) == runs[0]


def test_a_server_s_process_and_its_workers_peak_memory_are_read():
    """The app's gunicorn is asked for its workers' peak memory after the load: a
    server with one child stands in for it (the child is its worker)."""
    child = "import time; time.sleep(60)"
    server = (
        "import http.server, subprocess, sys; "
        f"subprocess.Popen([sys.executable, '-c', {child!r}]); "
        "http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), "
        "http.server.SimpleHTTPRequestHandler).serve_forever()"
    )
    pids: list[int] = []
    argv = [sys.executable, "-c", server, "{port}"]
    with http_bench.serving(argv, dict(os.environ), "/", pids) as base:
        assert base.startswith("http://127.0.0.1:")
        time.sleep(0.5)  # the child started
        peaks = memory_bench.server_peaks(pids[0])
    assert len(pids) == 1
    assert peaks["master"] > 1024  # KiB: a Python process holds more than 1 MiB
    assert len(peaks["workers"]) == 1 and peaks["workers"][0] > 1024
    line = memory_bench.peaks_line(peaks)
    assert line.startswith("Peak memory of the app's 1 workers after the load: ")
    assert "their master" in line


def test_peak_memory_is_said_in_mebibytes_or_said_unread():
    line = memory_bench.peaks_line({"master": 50 * 1024, "workers": [2048, 3072]})
    assert line == (
        "Peak memory of the app's 2 workers after the load: 2.0, 3.0 MiB; "
        "their master 50.0 MiB."
    )
    assert "not read" in memory_bench.peaks_line({"master": None, "workers": []})


def test_benchmark_memory_measures_the_import_and_export_only(monkeypatch):
    asked = []

    def report(out, *, sizes, seed):
        asked.append((sizes, seed))
        return []

    monkeypatch.setattr(memory_bench, "report", report)
    call_command("benchmark", "--memory", "10000,100000", "--seed", "3")
    assert asked == [([10_000, 100_000], 3)]


def test_datasette_s_workers_can_import_the_module_without_django():
    """gunicorn serves Datasette from ``devtools.http_bench:datasette_app()``: its
    workers import this module with no Django set up."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", "import devtools.http_bench"],
        cwd=Path(http_bench.__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_the_app_is_served_with_a_redis_of_the_run_s_own(tmp_path, monkeypatch):
    """As ``make serve`` runs it: with its shared cache (without one, production
    settings keep nothing computed: the workers would share nothing)."""
    import shutil

    import redis

    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server")
    monkeypatch.setenv("REDIS_URL", "redis://elsewhere:6379/0")
    _, without = http_bench.app_server(tmp_path / "db.sqlite3", 2)
    assert "REDIS_URL" not in without
    with http_bench.redis_server() as url:
        assert url.startswith("redis://127.0.0.1:")
        _, env = http_bench.app_server(tmp_path / "db.sqlite3", 2, redis_url=url)
        assert env["REDIS_URL"] == url
        client = redis.Redis.from_url(url, socket_timeout=1)
        assert client.ping() and client.dbsize() == 0
        before = http_bench.redis_peak(url)
        client.set("big", b"x" * 4_000_000)
        assert http_bench.redis_peak(url) >= before + 3_900
        line = memory_bench.peaks_line(
            {"master": 1024, "workers": [2048], "cache": 9 * 1024 + 512}
        )
        assert line.endswith("; their Redis's data at most 9.5 MiB.")
    with pytest.raises(redis.ConnectionError):
        client.ping()
