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
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import uuid
from collections import Counter, namedtuple
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from claims.choices import SourceKind
from claims.models import Claim, Figure, Measure, Source
from claims.permissions import EDITORS, ensure_groups

#: The Locust side of the run, started as a script in its own interpreter.
LOAD = Path(__file__).resolve().parents[2] / "soak_load.py"
SHARED_SOURCES = 5
#: The editor account every request of the run is made as.
USERNAME = "soak"
#: Seconds the load may run past ``--seconds`` (its users finish the task they are
#: in) before the command gives up on it.
GRACE = 120


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

    def handle(self, *args, url, clients, seconds, max_requests, seed, **options):
        host = urlsplit(url).hostname or ""
        loopback = host.startswith("127.") or host in ("localhost", "::1")
        if not url.startswith("http://") or not loopback:
            raise CommandError(f"Refusing {url}: soak runs go to this machine only.")
        targets = self._prepare()
        settings = {
            "url": url,
            "token": self._token(),
            "clients": clients,
            "seconds": seconds,
            "max_requests": max_requests,
            "seed": seed,
            "run_id": uuid.uuid4().hex[:8],  # names unique across runs on one database
            **vars(targets),
        }
        result = self._load(settings)
        self._report(result, clients)
        errors = result["errors"]
        failures = result["failures"]
        if not result["requests"]:
            errors, failures = [*errors, "No request was answered."], failures + 1
        missing = self._verify([Ack(**ack) for ack in result["acks"]])
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

    def _load(self, settings: dict) -> dict:
        """Run the Locust side in a child interpreter and read back its figures."""
        with tempfile.TemporaryDirectory(prefix="soak-") as folder:
            figures = Path(folder) / "figures.json"
            try:
                done = subprocess.run(
                    [sys.executable, str(LOAD), str(figures)],
                    input=json.dumps(settings),
                    capture_output=True,
                    text=True,
                    timeout=settings["seconds"] + GRACE,
                    check=False,
                )
            except subprocess.TimeoutExpired as error:
                raise CommandError(
                    f"The load did not end within {settings['seconds'] + GRACE} s."
                ) from error
            for line in done.stderr.splitlines()[-20:]:
                self.stderr.write(line)  # Locust's warnings (a busy CPU, ...)
            if done.returncode or not figures.exists():
                raise CommandError(f"The load stopped (exit {done.returncode}).")
            return json.loads(figures.read_text(encoding="utf-8"))

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
        for reason, n in result["refused"].items():
            self.stdout.write(f"Refused as designed: {n:,} ({reason}).")
        self.stdout.write(f"Errors: {result['failures']}.")

    def _verify(self, acks: list[Ack]) -> int:
        """Report, per model, how many acknowledged writes the database and its
        history hold (history entries by the soak account, of the acknowledged
        version and type); return how many are missing."""
        models = {"source": Source, "figure": Figure}
        missing = 0
        for name, model in models.items():
            mine = [a for a in acks if a.model == name]
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
            lost_rows = (pks - deleted) - stored
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
            counts = Counter(a.history_type for a in mine)
            self.stdout.write(
                f"{name}s: {counts['+']:,} created, {counts['~']:,} changed, "
                f"{counts['-']:,} deleted, acknowledged; in the database: "
                f"{len(pks - deleted) - len(lost_rows):,} of {len(pks - deleted):,} "
                f"(and {len(deleted) - len(resurrected):,} of {len(deleted):,} deleted "
                f"stay deleted); in history: {len(mine) - len(lost_history):,} of "
                f"{len(mine):,}."
            )
        return missing
