"""``manage.py soak``: mixed reads and writes from many clients against a running
server on this machine, then a count of every acknowledged write in the database
and in its history.

Run it against ``make serve`` with the same ``DATABASE_URL`` as the server: it
creates (or reuses) an editor account named ``soak`` with an API token, and reads
the database afterwards to check the writes the server acknowledged.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from claims.choices import SourceKind
from claims.models import Claim, Figure, Measure, Source
from claims.permissions import EDITORS, ensure_groups

#: What each client does, and how often (weights).
MIX = {
    "list claims": 30,
    "compare a measure": 15,
    "read a claim": 10,
    "search": 5,
    "create a source": 10,
    "update a shared source": 15,
    "add a figure": 10,
    "delete an own source": 5,
}
SHARED_SOURCES = 5


@dataclass
class Ack:
    """A write the server acknowledged: the row, its version, and the kind of
    history entry it must have left (+ created, ~ changed, - deleted)."""

    model: str
    pk: int
    version: int | None
    history_type: str


@dataclass(frozen=True)
class Targets:
    """What the clients work on: claim and measure ids, the shared sources every
    client edits, and how many pages of claims there are to list."""

    claims: list[int]
    measures: list[int]
    shared: list[int]
    pages: int


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    acks: list[Ack] = field(default_factory=list)
    refused: Counter = field(default_factory=Counter)


class Client(threading.Thread):
    def __init__(
        self, number, base, token, deadline, budget, tally, targets, seed, run_id
    ):
        super().__init__(daemon=True)
        self.number, self.deadline = number, deadline
        self.budget, self.tally, self.targets = budget, tally, targets
        self.rng = random.Random(seed * 1000 + number)
        self.headers = {
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self.own_sources: list[int] = []
        self.run_id = run_id
        self.made = 0
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port or 80)

    def request(self, kind, method, path, body=None, headers=None):
        if not self.budget.take():
            return None, None, None
        started = time.perf_counter()
        try:
            self.connection.request(
                method,
                path,
                body=None if body is None else json.dumps(body),
                headers={**self.headers, **(headers or {})},
            )
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            with self.tally.lock:
                self.tally.errors.append(f"{kind}: {method} {path}: {error!r}")
            return None, None, None
        elapsed = time.perf_counter() - started
        with self.tally.lock:
            self.tally.latencies[kind].append(elapsed)
            self.tally.statuses[response.status] += 1
        data = json.loads(payload) if payload and response.status != 204 else None
        return response.status, data, response.getheader("ETag")

    def expect(self, kind, status, wanted, method, path, data) -> bool:
        if status in wanted:
            return True
        if status is not None:
            with self.tally.lock:
                self.tally.errors.append(
                    f"{kind}: {method} {path} answered {status}: {str(data)[:200]}"
                )
        return False

    def ack(self, ack: Ack):
        with self.tally.lock:
            self.tally.acks.append(ack)

    def run(self):
        kinds, weights = zip(*MIX.items(), strict=True)
        try:
            while time.monotonic() < self.deadline and self.budget.left > 0:
                kind = self.rng.choices(kinds, weights)[0]
                getattr(self, "do_" + kind.replace(" ", "_"))(kind)
        except Exception as error:  # a client that dies is an error of the run
            with self.tally.lock:
                self.tally.errors.append(f"client {self.number} stopped: {error!r}")

    # The requests -------------------------------------------------------------------

    def do_list_claims(self, kind):
        page = self.rng.randint(1, self.targets.pages)
        path = f"/api/claims/?page_size=50&page={page}"
        status, data, _ = self.request(kind, "GET", path)
        self.expect(kind, status, {200}, "GET", path, data)

    def do_compare_a_measure(self, kind):
        path = f"/api/measures/{self.rng.choice(self.targets.measures)}/comparison/"
        status, data, _ = self.request(kind, "GET", path)
        self.expect(kind, status, {200}, "GET", path, data)

    def do_read_a_claim(self, kind):
        path = f"/api/claims/{self.rng.choice(self.targets.claims)}/"
        status, data, _ = self.request(kind, "GET", path)
        self.expect(kind, status, {200}, "GET", path, data)

    def do_search(self, kind):
        word = self.rng.choice(["troops", "missiles", "officials", "Korea", "front"])
        path = f"/api/claims/?search={word}"
        status, data, _ = self.request(kind, "GET", path)
        self.expect(kind, status, {200}, "GET", path, data)

    def do_create_a_source(self, kind):
        self.made += 1
        body = {
            "name": f"Soak source {self.run_id}-{self.number}-{self.made}",
            "kind": "person",
            "aliases": [f"alias {self.made}"],
        }
        status, data, etag = self.request(kind, "POST", "/api/sources/", body)
        if self.expect(kind, status, {201}, "POST", "/api/sources/", data):
            self.own_sources.append(data["id"])
            self.ack(Ack("source", data["id"], int(etag.strip('"')), "+"))

    def do_update_a_shared_source(self, kind):
        pk = self.rng.choice(self.targets.shared)
        path = f"/api/sources/{pk}/"
        status, data, etag = self.request(kind, "GET", path)
        if not self.expect(kind, status, {200}, "GET", path, data):
            return
        body = {"description": f"Edited by client {self.number} at {time.time():.6f}"}
        status, data, new_etag = self.request(
            kind, "PATCH", path, body, headers={"If-Match": etag}
        )
        if status == 412:  # another client changed it first: refused, as designed
            with self.tally.lock:
                self.tally.refused["412 on a stale If-Match"] += 1
        elif self.expect(kind, status, {200}, "PATCH", path, data):
            self.ack(Ack("source", pk, int(new_etag.strip('"')), "~"))

    def do_add_a_figure(self, kind):
        body = {
            "claim": self.rng.choice(self.targets.claims),
            "measure": self.rng.choice(self.targets.measures),
            "text": f"about {self.rng.randint(1, 400) * 25:,}",
        }
        status, data, etag = self.request(kind, "POST", "/api/figures/", body)
        if self.expect(kind, status, {201}, "POST", "/api/figures/", data):
            self.ack(Ack("figure", data["id"], int(etag.strip('"')), "+"))

    def do_delete_an_own_source(self, kind):
        if not self.own_sources:
            return self.do_create_a_source("create a source")
        pk = self.own_sources.pop(self.rng.randrange(len(self.own_sources)))
        path = f"/api/sources/{pk}/"
        status, data, _ = self.request(kind, "DELETE", path)
        if self.expect(kind, status, {204}, "DELETE", path, data):
            self.ack(Ack("source", pk, None, "-"))


class Budget:
    """At most ``limit`` requests, shared by every client."""

    left: int

    def __init__(self, limit: int):
        self.left, self.lock = limit, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            self.left -= 1
            return self.left >= 0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


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
        token = self._token()
        tally = Tally()
        deadline = time.monotonic() + seconds
        budget = Budget(max_requests)
        run = uuid.uuid4().hex[:8]  # names unique across runs on one database
        threads = [
            Client(n, url, token, deadline, budget, tally, targets, seed, run)
            for n in range(clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        self._report(tally, elapsed, clients)
        missing = self._verify(tally.acks)
        if not any(tally.latencies.values()):
            tally.errors.append("No request was answered.")
        if tally.errors or missing:
            for error in tally.errors[:20]:
                self.stderr.write(error)
            raise CommandError(
                f"{len(tally.errors)} failed request(s), {missing} acknowledged "
                "write(s) missing from the database or its history."
            )
        self.stdout.write(
            self.style.SUCCESS("No errors; every acknowledged write kept.")
        )

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
        user, _ = get_user_model().objects.get_or_create(username="soak")
        user.groups.add(Group.objects.get(name=EDITORS))
        return Token.objects.get_or_create(user=user)[0].key

    def _report(self, tally: Tally, elapsed: float, clients: int) -> None:
        total = sum(len(v) for v in tally.latencies.values())
        self.stdout.write(
            f"{total:,} requests from {clients} clients in {elapsed:.1f} s: "
            f"{total / elapsed:,.1f} requests/s; statuses "
            + ", ".join(f"{s}: {n:,}" for s, n in sorted(tally.statuses.items()))
        )
        self.stdout.write(f"{'request':<24} {'count':>7} {'p50 ms':>8} {'p99 ms':>8}")
        for kind in MIX:
            values = tally.latencies.get(kind, [])
            if values:
                self.stdout.write(
                    f"{kind:<24} {len(values):>7,} "
                    f"{statistics.median(values) * 1000:>8.1f} "
                    f"{percentile(values, 0.99) * 1000:>8.1f}"
                )
        for reason, n in tally.refused.items():
            self.stdout.write(f"Refused as designed: {n:,} ({reason}).")
        self.stdout.write(f"Errors: {len(tally.errors)}.")

    def _verify(self, acks: list[Ack]) -> int:
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
                model.history.filter(id__in=pks).values_list(
                    "id", "version", "history_type"
                )
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
