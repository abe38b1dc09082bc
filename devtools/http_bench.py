"""``manage.py benchmark --http``: the app over HTTP beside its floor and a peer.

On the same SQLite file, the same cores and the same load:

- the app, under gunicorn with the production settings and its shared cache, a
  Redis of the run's own (as ``make serve`` runs it);
- the HTTP floor (``devtools.floor_wsgi``): the same rows by hand-written SQL as
  JSON by orjson, behind the same gunicorn and number of workers;
- Datasette (pinned in the dev dependencies) on the same file, behind the same
  gunicorn and number of workers (uvicorn's worker class, Datasette being ASGI).

All three are served at once; each case is driven by wrk (Debian's package) against
each in turn, on this machine's loopback only, for a bounded time (a short warm-up
first, then ``rounds`` runs each), and gives requests/s, p50 and p99.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"
WARM_UP_SECONDS = 2
START_TIMEOUT = 60


@dataclass(frozen=True)
class Case:
    name: str
    #: The path on the app, which the floor answers too.
    path: str
    #: Datasette's nearest equivalent, or None where it has none.
    peer_path: str | None


@dataclass
class Load:
    """One wrk run: requests a second, median and 99th percentile latency."""

    rps: float
    p50_ms: float
    p99_ms: float


@dataclass
class HttpRow:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    floor_rps: float
    peer_rps: float | None


# wrk ----------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> Load:
    """Requests/s and the 50th and 99th latency percentiles of ``wrk --latency``;
    a run with any non-2xx answer or socket error is refused."""
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if bad:
        raise RuntimeError(f"{bad.group(1)} answers were not 2xx:\n{output}")
    errors = re.search(r"Socket errors: (.*)", output)
    if errors and re.search(r"[1-9]", errors.group(1)):
        raise RuntimeError(f"Socket errors: {errors.group(1)}\n{output}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (rps and p50 and p99):
        raise RuntimeError(f"Could not read wrk's output:\n{output}")
    return Load(
        rps=round(float(rps.group(1)), 1),
        p50_ms=round(_ms(p50.group(1)), 2),
        p99_ms=round(_ms(p99.group(1)), 2),
    )


def wrk(url: str, seconds: int, connections: int, threads: int = 2) -> Load:
    if not url.startswith(f"http://{LOOPBACK}:"):
        raise ValueError(f"Load goes to this machine's loopback only, not {url}")
    done = subprocess.run(
        [
            "wrk",
            "--latency",
            "-t",
            str(min(threads, connections)),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            url,
        ],
        check=True,
        text=True,
        capture_output=True,
    )
    return parse_wrk(done.stdout)


# Servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def serving(
    argv: list[str], env: dict, ready_path: str, pids: list[int] | None = None
) -> Iterator[str]:
    """A server started from ``argv`` on a free loopback port (``{port}`` in argv),
    until it answers ``ready_path`` with 200; stopped (the process group) after.
    Its process id is appended to ``pids`` when given."""
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    process = subprocess.Popen(
        [part.replace("{port}", str(port)) for part in argv],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        start_new_session=True,
    )
    if pids is not None:
        pids.append(process.pid)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(base + ready_path):
            if process.poll() is not None:
                raise RuntimeError(f"{argv[0]} ended with {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(argv)} did not answer {ready_path}")
            time.sleep(0.3)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _gunicorn(app: str, workers: int, *extra: str) -> list[str]:
    return [
        str(Path(sys.executable).parent / "gunicorn"),
        app,
        "--workers",
        str(workers),
        "--bind",
        f"{LOOPBACK}:{{port}}",
        "--log-level",
        "warning",
        *extra,
    ]


def app_server(
    database: Path, workers: int, redis_url: str | None = None
) -> tuple[list[str], dict]:
    """The app as ``make serve`` runs it: production settings, the shared cache in
    the Redis at ``redis_url`` (without one, nothing computed is cached: the workers
    would share nothing), throttling raised so that the server is measured, not the
    throttle (still counted on every request); database connections kept between
    requests."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": f"{LOOPBACK},localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{database}",
        "DATABASE_CONN_MAX_AGE": "600",
        # Raised, and counted over a second: a minute's history of every request
        # would be read and written whole on each one.
        "API_THROTTLE_ANON": "1000000000/second",
        "API_THROTTLE_USER": "1000000000/second",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return _gunicorn("tracker.wsgi", workers), env


def redis_peak(url: str) -> int | None:
    """The peak memory the Redis at ``url`` used for its data, in KiB (its
    ``used_memory_peak``); None if it does not say."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1)
    try:
        peak = client.info("memory").get("used_memory_peak")
    finally:
        client.close()
    return None if peak is None else int(peak) // 1024


@contextmanager
def redis_server() -> Iterator[str]:
    """A Redis of the run's own on a free loopback port, empty, stopped after: its
    URL. The cache the app is served with, as under ``make serve``."""
    import redis

    from devtools.faults import redis_server_command

    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is missing: apt-get install redis-server")
    port = free_port()
    process = subprocess.Popen(
        redis_server_command(binary, port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        client = redis.Redis(host=LOOPBACK, port=port, socket_timeout=1)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        client.close()
        yield f"redis://{LOOPBACK}:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def floor_server(database: Path, workers: int) -> tuple[list[str], dict]:
    return (
        _gunicorn("devtools.floor_wsgi:application", workers),
        {**os.environ, "FLOOR_DATABASE": str(database)},
    )


def datasette_app():
    """Datasette's ASGI app on ``DATASETTE_DATABASE`` (for gunicorn's
    ``devtools.http_bench:datasette_app()``). Facet suggestions are off: they are
    no part of the answers compared, and would only slow Datasette down."""
    from datasette.app import Datasette

    return Datasette(
        files=[os.environ["DATASETTE_DATABASE"]],
        settings={"suggest_facets": False},
    ).app()


def peer_server(database: Path, workers: int) -> tuple[list[str], dict]:
    return (
        _gunicorn(
            "devtools.http_bench:datasette_app()",
            workers,
            "--worker-class",
            "uvicorn.workers.UvicornWorker",
        ),
        {**os.environ, "DATASETTE_DATABASE": str(database)},
    )


def datasette_name(database: Path) -> str:
    """The name Datasette serves a database file under: the file's stem."""
    return database.stem


# The run ------------------------------------------------------------------------------


def median_load(loads: list[Load]) -> Load:
    """The run of median requests/s (its own percentiles with it)."""
    return sorted(loads, key=lambda load: load.rps)[len(loads) // 2]


def run(
    cases: list[Case],
    database: Path,
    *,
    workers: int = 2,
    seconds: int = 5,
    rounds: int = 3,
    connections: int = 8,
    log=print,
    app_peaks: dict | None = None,
) -> list[HttpRow]:
    """The app, the floor and Datasette, all three served at once (an idle server
    takes no time), each case driven by wrk against each in turn, ``rounds``
    times: on a machine whose other load comes and goes, the three meet the same
    load. Each figure is the round of median requests/s. ``app_peaks`` receives the
    peak memory of the app's gunicorn master and workers after the load
    (``memory_bench.server_peaks``)."""
    if not Path(database).is_file():
        raise RuntimeError(f"--http needs an SQLite file; {database} is not one.")
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: apt-get install wrk")
    servers = {
        "app": (app_server, "/healthz"),
        "floor": (floor_server, cases[0].path),
        "datasette": (peer_server, "/-/versions.json"),
    }
    loads: dict[tuple[str, str], list[Load]] = {}
    server_pids: dict[str, int] = {}
    with ExitStack() as stack:
        cache = stack.enter_context(redis_server())
        bases = {}
        for label, (server, ready) in servers.items():
            options = {"redis_url": cache} if label == "app" else {}
            argv, env = server(Path(database), workers, **options)
            log(f"Serving the {label} ({workers} workers) ...")
            pids: list[int] = []
            bases[label] = stack.enter_context(serving(argv, env, ready, pids))
            server_pids[label] = pids[0]
        targets = [
            (case, label, case.peer_path if label == "datasette" else case.path)
            for case in cases
            for label in servers
        ]
        targets = [(case, label, path) for case, label, path in targets if path]
        for _case, label, path in targets:
            url = bases[label] + path
            if not _answers(url):
                raise RuntimeError(f"{url} does not answer 200")
            wrk(url, WARM_UP_SECONDS, connections)
        for round_ in range(1, rounds + 1):
            log(f"Round {round_} of {rounds}: {seconds} s a case and server ...")
            for case, label, path in targets:
                load = wrk(bases[label] + path, seconds, connections)
                loads.setdefault((case.name, label), []).append(load)
        if app_peaks is not None:
            # Here, not at the top: Datasette's workers import this module to
            # serve, without Django set up; memory_bench imports the models.
            from devtools import memory_bench

            app_peaks.update(memory_bench.server_peaks(server_pids["app"]))
            app_peaks["cache"] = redis_peak(cache)
    rows = []
    for case in cases:
        ours = median_load(loads[case.name, "app"])
        base = median_load(loads[case.name, "floor"])
        peer = loads.get((case.name, "datasette"))
        rows.append(
            HttpRow(
                case.name,
                ours.rps,
                ours.p50_ms,
                ours.p99_ms,
                base.rps,
                None if peer is None else median_load(peer).rps,
            )
        )
    return rows


def write_json(rows: list[HttpRow], path: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump([asdict(row) for row in rows], out, indent=2)


def table(rows: list[HttpRow]) -> list[str]:
    """The rows as lines of text: ours, the floor's and Datasette's requests/s and
    the ratios the goals name."""
    width = max(len(row.name) for row in rows) + 1
    header = (
        f"{'case':<{width}} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'floor req/s':>12} {'floor/ours':>11} {'Datasette':>10} {'ours/DS':>8}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        peer = "-" if row.peer_rps is None else f"{row.peer_rps:,.1f}"
        versus = "-" if row.peer_rps is None else f"{row.rps / row.peer_rps:.2f}"
        lines.append(
            f"{row.name:<{width}} {row.rps:>8,.1f} {row.p50_ms:>8.1f} "
            f"{row.p99_ms:>8.1f} {row.floor_rps:>12,.1f} "
            f"{row.floor_rps / row.rps:>11.2f} {peer:>10} {versus:>8}"
        )
    return lines
