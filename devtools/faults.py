"""The faults ``manage.py soak --fault`` injects once, mid-run, and what it measures
around them.

Each fault is bounded and touches only what the run owns:

- ``worker``: SIGKILL of one gunicorn worker serving the run's address (a worker of
  the gunicorn master listening on its port on this machine), one serving a request
  if there is one; the fault lasts until the master has booted its replacement.
- ``database``: the server's PostgreSQL connections to the run's database (every
  client connection to it but the command's own) are ended with
  ``pg_terminate_backend``, again and again for ``--fault-seconds``; connections
  to any other database are never touched.
- ``cache``: a Redis server the command started itself, on a port of its own
  (``--redis-port``; the server must use it: ``REDIS_URL``), is stopped for
  ``--fault-seconds`` and then started again.

``fault_figures`` reads the run's timeline (every request: sent, answered, status,
success) against the fault's start and end.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import redis
from django.core.management.base import CommandError
from django.db import connection

FAULTS = ("worker", "database", "cache")
#: Seconds to wait for a gunicorn master to replace a killed worker, or for Redis to
#: answer once started.
SETTLE = 30
#: Seconds between two passes that end the server's database connections.
TERMINATE_EVERY = 0.05
#: Statuses a request overlapping the fault may get without failing the run: the
#: server's retryable refusal, or no answer at all (a killed worker's request).
EXCUSED = (0, 503)
#: The commands the run itself sends its Redis server.
OWN_COMMANDS = {"info", "hello", "client", "ping"}


@dataclass
class Injected:
    """When the fault began and ended (``time.time()``), and what it did."""

    start: float
    end: float
    what: str
    effective: bool = True


@dataclass
class FaultFigures:
    """The requests that overlapped the fault (sent before it ended, answered after
    it began) by status, 0 for no answer; those that failed with an excused status;
    and the seconds from the fault's end to the answer of the first request sent
    after it that succeeded (None: no such request)."""

    during: Counter = field(default_factory=Counter)
    excused: int = 0
    first_success: float | None = None


def fault_figures(timeline: list[list], start: float, end: float) -> FaultFigures:
    """``timeline``: ``[sent, answered, status, ok]`` per request."""
    figures = FaultFigures()
    successes = []
    for sent, answered, status, ok in timeline:
        if sent <= end and answered >= start:
            figures.during[status] += 1
            if not ok and status in EXCUSED:
                figures.excused += 1
        elif sent >= end and ok:
            successes.append(answered)
    if successes:
        figures.first_success = max(0.0, min(successes) - end)
    return figures


class Fault:
    """One fault: ``prepare`` before the load (refusing what it cannot do),
    ``inject`` mid-run, ``close`` always at the end."""

    def prepare(self) -> None:
        pass

    def inject(self) -> Injected:
        raise NotImplementedError

    def close(self) -> None:
        pass


class WorkerFault(Fault):
    """SIGKILL one worker of the gunicorn master that listens on ``port``."""

    def __init__(self, port: int):
        self.port = port
        self.master: psutil.Process | None = None

    def prepare(self) -> None:
        self.master = gunicorn_master(self.port)
        if self.master is None or not self.master.children():
            raise CommandError(
                f"No gunicorn master with workers listens on port {self.port} of "
                "this machine: --fault worker kills a gunicorn worker (make serve)."
            )

    def inject(self) -> Injected:
        workers = {child.pid for child in self.master.children()}
        victim = self._busy_worker() or min(workers)
        start = time.time()
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + SETTLE
        while time.monotonic() < deadline:
            now = {child.pid for child in self.master.children()}
            if victim not in now and len(now) >= len(workers):
                end = time.time()
                return Injected(
                    start,
                    end,
                    f"worker {victim} killed (SIGKILL), replaced by "
                    f"{', '.join(map(str, sorted(now - workers)))} in "
                    f"{end - start:.1f} s",
                )
            time.sleep(0.05)
        return Injected(
            start, time.time(), f"worker {victim} killed and not replaced", False
        )

    def _busy_worker(self) -> int | None:
        """A worker serving a request (holding a client's connection), so that the
        kill cuts one short; None if none is found within a second."""
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            for worker in self.master.children():
                try:
                    held = worker.net_connections(kind="tcp")
                except psutil.Error:
                    continue
                if any(
                    c.status == psutil.CONN_ESTABLISHED and c.laddr.port == self.port
                    for c in held
                ):
                    return worker.pid
            time.sleep(0.01)
        return None


def gunicorn_master(port: int) -> psutil.Process | None:
    """The gunicorn master whose workers listen on ``port`` of this machine, if
    any: the listening process (the system names one of those that share the
    socket) if gunicorn runs it, up to its furthest gunicorn ancestor."""
    for conn in psutil.net_connections(kind="tcp"):
        if not (
            conn.status == psutil.CONN_LISTEN
            and conn.laddr
            and conn.laddr.port == port
            and conn.pid
        ):
            continue
        try:
            process = psutil.Process(conn.pid)
            if not _is_gunicorn(process):
                continue
            while (parent := process.parent()) is not None and _is_gunicorn(parent):
                process = parent
            return process
        except psutil.Error:
            continue
    return None


def _is_gunicorn(process: psutil.Process) -> bool:
    return any(Path(part).name == "gunicorn" for part in process.cmdline()[:2])


class DatabaseFault(Fault):
    """End the server's connections to this database for ``seconds``."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def prepare(self) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "--fault database ends the server's PostgreSQL connections: run it "
                "with DATABASE_URL set to the server's PostgreSQL database."
            )

    def inject(self) -> Injected:
        ended = 0
        start = time.time()
        deadline = time.monotonic() + self.seconds
        with connection.cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                    "FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                )
                ended += cursor.fetchone()[0]
                time.sleep(TERMINATE_EVERY)
        end = time.time()
        name = connection.settings_dict["NAME"]
        return Injected(
            start,
            end,
            f"{ended} connection(s) to {name} ended over {end - start:.1f} s",
            ended > 0,
        )


class CacheFault(Fault):
    """A Redis server of the run's own on ``port``, stopped for ``seconds``."""

    def __init__(self, port: int, seconds: float):
        self.port = port
        self.seconds = seconds
        self.server: subprocess.Popen | None = None
        self.binary = shutil.which("redis-server")

    def prepare(self) -> None:
        if self.binary is None:
            raise CommandError("--fault cache needs redis-server on the PATH.")
        with socket.socket() as probe:
            # As Redis binds: a port left in TIME_WAIT is free, a listened one not.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", self.port))
            except OSError as error:
                raise CommandError(
                    f"Port {self.port} is taken: --fault cache starts a Redis server "
                    "of its own, on a port of its own (--redis-port)."
                ) from error
        self._start()

    def inject(self) -> Injected:
        used = self._commands()
        start = time.time()
        self._stop()
        time.sleep(max(0.0, start + self.seconds - time.time()))
        self._start()
        end = time.time()
        return Injected(
            start,
            end,
            f"Redis on port {self.port} stopped for {end - start:.1f} s "
            f"({used:,} command(s) served before)",
            used > 0,
        )

    def close(self) -> None:
        self._stop()

    def _commands(self) -> int:
        """Commands this Redis has served, but those of the command's own questions
        (``INFO``, and what a client says as it connects)."""
        stats = self._client().info("commandstats")
        return sum(
            row["calls"]
            for name, row in stats.items()
            if name.removeprefix("cmdstat_").split("|")[0] not in OWN_COMMANDS
        )

    def _client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def _start(self) -> None:
        self.server = subprocess.Popen(
            redis_server_command(self.binary, self.port),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + SETTLE
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                self.server = None
                raise CommandError(
                    f"Redis could not start on port {self.port} (is it taken?): "
                    "--fault cache needs a port of its own (--redis-port)."
                )
            try:
                answered = self._client().info("server")["process_id"]
            except redis.ConnectionError:
                time.sleep(0.05)
                continue
            if answered == self.server.pid:
                return
            self._stop()
            raise CommandError(f"Another Redis answers on port {self.port}.")
        self._stop()
        raise CommandError(f"Redis did not answer on port {self.port}.")

    def _stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            try:
                self.server.wait(timeout=SETTLE)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
            self.server = None


def redis_server_command(binary: str, port: int) -> list[str]:
    """A throwaway redis-server on loopback: nothing saved to disk, no log of
    appends, refusing any address but this machine's."""
    return [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--protected-mode",
        "yes",
    ]
