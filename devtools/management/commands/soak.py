"""``manage.py soak``: mixed reads and writes from many clients against a running
server on this machine, then a count of every acknowledged write in the database
and in its history.

Run it against ``make serve`` with the same ``DATABASE_URL`` as the server: it
creates (or reuses) an editor account named ``soak`` with an API token, and reads
the database afterwards to check the writes the server acknowledged.

Locust makes the load (``devtools/soak_load.py``: its users, their weighted tasks
and the request budget). Locust patches the standard library for gevent as it is
imported, which is unsafe in a process that already runs threads and holds database
connections, so the load runs in a child interpreter: this command prepares the
targets and the token, hands them over as JSON, and gets back Locust's figures and
every acknowledged write, which it then looks up in the database.

``--fault worker|database|cache`` injects one fault mid-run (``devtools.faults``):
the run then reports the requests that overlapped it by status, the seconds until
the first success after it, and still fails on any 500, on any failure outside the
fault, or on a lost write. Before it looks the writes up, the command drops its own
database connection if the database ended it, and waits for the database to answer.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, namedtuple
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import Error as DatabaseError
from django.db import connection
from rest_framework.authtoken.models import Token

from claims.choices import SourceKind
from claims.models import Claim, Figure, Measure, Source
from claims.permissions import EDITORS, ensure_groups
from devtools import faults

#: The Locust side of the run, started as a script in its own interpreter.
LOAD = Path(__file__).resolve().parents[2] / "soak_load.py"
SHARED_SOURCES = 5
#: The editor account every request of the run is made as.
USERNAME = "soak"
#: Seconds the load may run past ``--seconds`` (its users finish the task they are
#: in) before the command gives up on it.
GRACE = 120
#: The longest fault, in seconds.
MAX_FAULT_SECONDS = 30
#: Seconds the command waits for the database to answer before it checks the writes.
RECONNECT_WITHIN = 60


#: A write the server acknowledged, as the load reports it (``soak_load.Ack``): the
#: row, its version, and the kind of history entry it must have left (+ created,
#: ~ changed, - deleted).
Ack = namedtuple("Ack", ["model", "pk", "version", "history_type"])


@dataclass(frozen=True)
class Targets:
    """What the clients work on: claim and measure ids, the shared sources every
    client edits, and how many pages of claims there are to list."""

    claims: list[int]
    measures: list[int]
    shared: list[int]
    pages: int


class Command(BaseCommand):
    help = (
        "Mixed reads and writes from many clients against a server on this machine "
        "for a bounded time and request count; then every acknowledged write is "
        "looked up in the database and in history. Exits non-zero on any error."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--clients", type=int, default=16)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--max-requests", type=int, default=200_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--write-every",
            type=int,
            help="One task in N writes (N at least 2; 3: writes in every third "
            "request); the writes keep their proportions among themselves. "
            "Default: the load's own mix.",
        )
        parser.add_argument(
            "--server-pid",
            type=int,
            help="The server's (gunicorn master's) pid: its workers' peak memory "
            "is printed after the run.",
        )
        parser.add_argument(
            "--fault",
            choices=faults.FAULTS,
            help="Inject one fault mid-run: SIGKILL a gunicorn worker; end the "
            "server's database connections; stop the run's own Redis server.",
        )
        parser.add_argument(
            "--fault-at",
            type=float,
            help="Seconds into the load when the fault begins (a third of --seconds).",
        )
        parser.add_argument(
            "--fault-seconds",
            type=float,
            default=3,
            help="How long the database and cache faults last (at most "
            f"{MAX_FAULT_SECONDS}).",
        )
        parser.add_argument(
            "--redis-port",
            type=int,
            default=6391,
            help="The port of the Redis server --fault cache starts (the server's "
            "REDIS_URL must name it).",
        )

    def handle(self, *args, url, clients, seconds, max_requests, seed, **options):
        host = urlsplit(url).hostname or ""
        loopback = host.startswith("127.") or host in ("localhost", "::1")
        if not url.startswith("http://") or not loopback:
            raise CommandError(f"Refusing {url}: soak runs go to this machine only.")
        self.fault = self._fault(url, seconds, options)
        try:
            if self.fault is not None:
                self.fault.prepare()
            targets = self._prepare()
            settings = {
                "url": url,
                "token": self._token(),
                "clients": clients,
                "seconds": seconds,
                "max_requests": max_requests,
                "seed": seed,
                "write_every": options.get("write_every"),
                "run_id": uuid.uuid4().hex[:8],  # names unique across runs
                **vars(targets),
            }
            result = self._load(settings)
        finally:
            if self.fault is not None:
                self.fault.close()
        self._report(result, clients)
        if options.get("server_pid"):
            self._report_memory(options["server_pid"])
        errors = result["errors"]
        failures = result["failures"]
        if not result["requests"]:
            errors, failures = [*errors, "No request was answered."], failures + 1
        if self.fault is not None:
            failures, fault_errors = self._report_fault(result, failures)
            errors = [*fault_errors, *errors]
        missing = self._verify_when_connected([Ack(**ack) for ack in result["acks"]])
        if failures or missing:
            for error in errors[:20]:
                self.stderr.write(error)
            raise CommandError(
                f"{failures} failed request(s), {missing} acknowledged "
                "write(s) missing from the database or its history."
            )
        self.stdout.write(
            self.style.SUCCESS("No errors; every acknowledged write kept.")
        )

    def _fault(self, url: str, seconds: int, options: dict) -> faults.Fault | None:
        """The fault to inject, its timing checked; None without ``--fault``."""
        kind = options.get("fault")
        self.fault_at = options.get("fault_at")
        if kind is None:
            return None
        if self.fault_at is None:
            self.fault_at = seconds / 3
        length = options.get("fault_seconds", 3)
        if not 0 <= self.fault_at < seconds or not 0 < length <= MAX_FAULT_SECONDS:
            raise CommandError(
                f"--fault-at must fall within the run ({seconds} s) and "
                f"--fault-seconds be over 0 and at most {MAX_FAULT_SECONDS}."
            )
        if kind == "worker":
            return faults.WorkerFault(urlsplit(url).port or 80)
        if kind == "database":
            return faults.DatabaseFault(length)
        return faults.CacheFault(options.get("redis_port", 6391), length)

    def _load(self, settings: dict) -> dict:
        """Run the Locust side in a child interpreter, inject the fault (if any) once
        its users have run ``fault_at`` seconds, and read back its figures."""
        limit = settings["seconds"] + GRACE
        with tempfile.TemporaryDirectory(prefix="soak-") as folder:
            figures = Path(folder) / "figures.json"
            started = Path(folder) / "started"
            errors = Path(folder) / "stderr"
            with errors.open("w+", encoding="utf-8") as stderr:
                child = subprocess.Popen(
                    [sys.executable, str(LOAD), str(figures), str(started)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    text=True,
                )
                try:
                    child.stdin.write(json.dumps(settings))
                    child.stdin.close()
                    if self.fault is not None:
                        self.injected = self._inject(child, started, limit)
                    child.wait(timeout=limit)
                except subprocess.TimeoutExpired as error:
                    raise CommandError(
                        f"The load did not end within {limit} s."
                    ) from error
                finally:
                    if child.poll() is None:
                        child.kill()
                        child.wait()
                stderr.seek(0)
                for line in stderr.read().splitlines()[-20:]:
                    self.stderr.write(line)  # Locust's warnings (a busy CPU, ...)
            if child.returncode or not figures.exists():
                raise CommandError(f"The load stopped (exit {child.returncode}).")
            return json.loads(figures.read_text(encoding="utf-8"))

    def _inject(self, child, started: Path, limit: float) -> faults.Injected | None:
        """Wait for the users to start, then ``fault_at`` seconds, and inject."""
        deadline = time.monotonic() + limit
        while not started.exists():
            if child.poll() is not None or time.monotonic() > deadline:
                return None
            time.sleep(0.05)
        time.sleep(self.fault_at)
        if child.poll() is not None:
            return None
        return self.fault.inject()

    def _prepare(self) -> Targets:
        claims = list(Claim.objects.order_by("?").values_list("pk", flat=True)[:2000])
        measures = list(Measure.objects.values_list("pk", flat=True)[:200])
        if not claims or not measures:
            raise CommandError("The database has no claims or measures to work on.")
        shared = []
        for n in range(SHARED_SOURCES):
            source, _ = Source.objects.get_or_create(
                name=f"Soak shared source {n}",
                defaults={"kind": SourceKind.ORGANIZATION},
            )
            shared.append(source.pk)
        pages = min(20, -(-Claim.objects.count() // 50))
        return Targets(claims=claims, measures=measures, shared=shared, pages=pages)

    def _token(self) -> str:
        ensure_groups()
        user, _ = get_user_model().objects.get_or_create(username=USERNAME)
        user.groups.add(Group.objects.get(name=EDITORS))
        return Token.objects.get_or_create(user=user)[0].key

    def _report(self, result: dict, clients: int) -> None:
        total, elapsed = result["requests"], result["elapsed"]
        statuses = sorted((int(s), n) for s, n in result["statuses"].items())
        self.stdout.write(
            f"{total:,} requests from {clients} clients in {elapsed:.1f} s: "
            f"{total / elapsed if elapsed else 0:,.1f} requests/s; statuses "
            + ", ".join(f"{s}: {n:,}" for s, n in statuses)
        )
        self.stdout.write(f"{'request':<24} {'count':>7} {'p50 ms':>8} {'p99 ms':>8}")
        for row in result["kinds"]:
            self.stdout.write(
                f"{row['kind']:<24} {row['count']:>7,} {row['p50']:>8,} "
                f"{row['p99']:>8,}"
            )
        for row in result["kinds"]:
            if row["kind"] == "compare a measure" and row["p50"]:
                self.stdout.write(
                    f"Comparison: p50 {row['p50']:,} ms, p99 {row['p99']:,} ms "
                    f"(p99 is {row['p99'] / row['p50']:.1f} times p50)."
                )
        for reason, n in result["refused"].items():
            self.stdout.write(f"Refused as designed: {n:,} ({reason}).")
        self.stdout.write(f"Errors: {result['failures']}.")

    def _report_memory(self, server_pid: int) -> None:
        from devtools.memory_bench import worker_peaks

        peaks = worker_peaks(server_pid)
        if not peaks:
            self.stdout.write(f"Server memory: no process {server_pid} to read.")
            return
        shown = ", ".join(
            f"{'server' if pid == server_pid else 'worker'} {pid}: {kib / 1024:,.0f} MiB"
            for pid, kib in sorted(peaks.items())
        )
        self.stdout.write(f"Peak memory (RSS) of the server's processes: {shown}.")

    def _report_fault(self, result: dict, failures: int) -> tuple[int, list[str]]:
        """Report the fault and the requests around it; return the failures that
        count (a 503 or no answer while the fault lasted does not) and what
        else makes the run fail: a fault that was not injected or did nothing, and
        any answer of 500."""
        injected = getattr(self, "injected", None)
        errors = []
        if injected is None:
            self.stdout.write("Fault: not injected (the load ended first).")
            return failures + 1, ["The fault was not injected."]
        started = result.get("started") or injected.start
        self.stdout.write(
            f"Fault: {injected.what}, {injected.start - started:.1f} s into the run."
        )
        if not injected.effective:
            errors.append(f"The fault had no effect: {injected.what}.")
            failures += 1
        figures = faults.fault_figures(result["timeline"], injected.start, injected.end)
        during = sorted(figures.during.items())
        self.stdout.write(
            f"During the fault: {sum(figures.during.values()):,} requests; statuses "
            + (", ".join(f"{s or 'no answer'}: {n:,}" for s, n in during) or "none")
            + "."
        )
        if figures.first_success is None:
            self.stdout.write("First success after the fault: none.")
            errors.append("No request succeeded after the fault.")
            failures += 1
        else:
            self.stdout.write(
                f"First success after the fault: {figures.first_success:.2f} s "
                "after it ended."
            )
        server_errors = result["statuses"].get("500", 0)
        self.stdout.write(f"Answers of 500: {server_errors:,}.")
        self.stdout.write(
            f"Failed during the fault, as designed (503 or no answer): "
            f"{figures.excused:,}; failed otherwise: {failures - figures.excused:,}."
        )
        return failures - figures.excused, errors

    def _verify_when_connected(self, acks: list[Ack]) -> int:
        """``_verify``, on a working connection: the database may have ended the
        command's own during the run (or be restarting), so a dead one is dropped and
        the check waits for the database to answer."""
        deadline = time.monotonic() + RECONNECT_WITHIN
        while True:
            if not connection.in_atomic_block and (
                connection.connection is not None and not connection.is_usable()
            ):
                connection.close()
            try:
                return self._verify(acks)
            except DatabaseError as error:
                if connection.in_atomic_block or time.monotonic() > deadline:
                    raise CommandError(
                        "The database did not answer, so the acknowledged writes "
                        f"could not be checked: {error}"
                    ) from error
                time.sleep(1)

    def _verify(self, acks: list[Ack]) -> int:
        """Report, per model, how many acknowledged writes the database and its
        history hold (history entries by the soak account, of the acknowledged
        version and type), and how many acknowledged writes were kept in all;
        return how many rows or history entries are missing. Nothing is reported
        before every query has answered."""
        models = {"source": Source, "figure": Figure}
        missing = 0
        lost = 0
        lines = []
        for name, model in models.items():
            # A delete with no answer, or answered otherwise than 204 or 404 (a
            # 503 during a fault), may or may not have happened: its row is
            # expected neither there nor gone (its creation's entry still is).
            unsure = {a.pk for a in acks if a.model == name and a.history_type == "?"}
            mine = [a for a in acks if a.model == name and a.history_type != "?"]
            if not mine:
                continue
            pks = {a.pk for a in mine}
            deleted = {a.pk for a in mine if a.history_type == "-"}
            stored = set(model.objects.filter(pk__in=pks).values_list("pk", flat=True))
            history = set(
                model.history.filter(
                    id__in=pks, history_user__username=USERNAME
                ).values_list("id", "version", "history_type")
            )
            history_types = {(pk, kind) for pk, _, kind in history}
            kept = pks - deleted - unsure
            lost_rows = kept - stored
            resurrected = deleted & stored
            lost_history = [
                a
                for a in mine
                if (
                    (a.pk, a.history_type) not in history_types
                    if a.version is None
                    else (a.pk, a.version, a.history_type) not in history
                )
            ]
            missing += len(lost_rows) + len(resurrected) + len(lost_history)
            lost += len(
                {a for a in mine if a.pk in lost_rows | resurrected} | set(lost_history)
            )
            counts = Counter(a.history_type for a in mine)
            lines.append(
                f"{name}s: {counts['+']:,} created, {counts['~']:,} changed, "
                f"{counts['-']:,} deleted, acknowledged; in the database: "
                f"{len(kept) - len(lost_rows):,} of {len(kept):,} "
                f"(and {len(deleted) - len(resurrected):,} of {len(deleted):,} deleted "
                f"stay deleted); in history: {len(mine) - len(lost_history):,} of "
                f"{len(mine):,}."
                + (
                    f" Deletes of unknown outcome (either is right): "
                    f"{len(unsure):,}, of which {len(unsure & stored):,} not done."
                    if unsure
                    else ""
                )
            )
        acknowledged = sum(a.history_type != "?" for a in acks)
        lines.append(
            f"Acknowledged writes kept: {acknowledged - lost:,} of {acknowledged:,}."
        )
        for line in lines:
            self.stdout.write(line)
        return missing
