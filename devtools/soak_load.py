"""The load of ``manage.py soak``, driven by Locust in a process of its own.

Locust runs its users as gevent greenlets and patches the standard library (sockets,
threads, time) when it is imported. Patching a process that already runs threads and
holds database connections, such as a Django management command or a test run with a
live server, is unreliable, so the command starts this file as a script in a fresh
interpreter: it reads the run's settings as JSON on standard input, runs the weighted
mix of requests with ``FastHttpUser``s for a bounded time and request count, and writes
Locust's figures and every write the server acknowledged, as JSON, to the file named
by its one argument. It imports nothing of the project and touches no database.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

import gevent
from locust import FastHttpUser, constant, task
from locust.env import Environment
from locust.runners import STATE_RUNNING
from locust.stats import StatsEntry

#: What each user does, and how often (the weights of its tasks).
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
#: The kinds of MIX that write (an update reads the row first, then writes it).
WRITES = (
    "create a source",
    "update a shared source",
    "add a figure",
    "delete an own source",
)


def weights(write_every: int | None) -> dict[str, int]:
    """MIX, or with ``write_every`` N, the write kinds scaled (among themselves as
    in MIX) so that about one task in N writes."""
    if not write_every:
        return dict(MIX)
    if write_every < 2:
        raise ValueError("write_every is at least 2 (one task in N writes).")
    reads = sum(w for kind, w in MIX.items() if kind not in WRITES)
    writes = sum(MIX[kind] for kind in WRITES)
    wanted = reads / (write_every - 1)  # writes / (reads + writes) = 1 / N
    return {
        kind: max(1, round(w * wanted / writes)) if kind in WRITES else w
        for kind, w in MIX.items()
    }


#: Seconds a user may take to finish the task it is in when the run stops, so that
#: every write it sent is answered (and, if acknowledged, recorded) before the end.
STOP_TIMEOUT = 60


@dataclass
class Ack:
    """A write the server acknowledged: the row, its version, and the kind of
    history entry it must have left (+ created, ~ changed, - deleted); or ``?``, a
    delete sent whose answer never came, which may or may not have happened."""

    model: str
    pk: int
    version: int | None
    history_type: str


@dataclass
class Run:
    """One soak run: its settings, the request budget every user draws from, and
    what the users saw that Locust's statistics do not hold."""

    token: str
    claims: list[int]
    measures: list[int]
    shared: list[int]
    pages: int
    seed: int
    run_id: str
    left: int
    acks: list[Ack] = field(default_factory=list)
    #: Every request: when it was sent and answered (``time.time()``), its status
    #: (0: no answer) and whether it succeeded; the command reads it around a fault.
    timeline: list[list] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    users: int = 0

    def take(self) -> bool:
        """One request from the budget; False once it is spent. Users are greenlets
        of one thread, switching only at I/O, so no lock is needed."""
        self.left -= 1
        return self.left >= 0


class SoakUser(FastHttpUser):
    """A client of the API: an editor with a token, doing the weighted mix with no
    pause between tasks, on one keep-alive connection."""

    wait_time = constant(0)
    concurrency = 1
    soak: Run  # set by ``main`` before the users start

    def on_start(self):
        self.number = self.soak.users
        self.soak.users += 1
        self.rng = random.Random(self.soak.seed * 1000 + self.number)
        self.own_sources: list[int] = []
        self.made = 0

    def send(self, kind, method, path, body=None, wanted=(200,), headers=None):
        """Send one request of the budget, named by its kind in Locust's statistics;
        an answer outside ``wanted`` (or no answer) is a failure, except a 412 on a
        stale ``If-Match``, refused as designed. None once the budget is spent."""
        if not self.soak.take():
            return None
        sent = time.time()
        with self.client.request(
            method,
            path,
            name=kind,
            json=body,
            headers={
                "Authorization": f"Token {self.soak.token}",
                "Accept": "application/json",
                **(headers or {}),
            },
            catch_response=True,
        ) as response:
            answered = time.time()
            status = response.status_code or 0
            ok = False
            if status:
                self.soak.statuses[status] += 1
            if status in wanted:
                response.success()
                ok = True
            elif status == 412 and "If-Match" in (headers or {}):
                self.soak.refused["412 on a stale If-Match"] += 1
                response.success()
                ok = True
            elif not status:
                response.failure(f"{path}: {getattr(response, 'error', None)!r}")
            else:
                response.failure(
                    f"{path} answered {status}: {(response.text or '')[:200]}"
                )
            self.soak.timeline.append([sent, answered, status, ok])
        return response

    @staticmethod
    def version(response) -> int:
        return int(response.headers.get("ETag").strip('"'))

    # The tasks, one a kind of MIX ------------------------------------------------

    @task(MIX["list claims"])
    def list_claims(self):
        page = self.rng.randint(1, self.soak.pages)
        self.send("list claims", "GET", f"/api/claims/?page_size=50&page={page}")

    @task(MIX["compare a measure"])
    def compare_a_measure(self):
        measure = self.rng.choice(self.soak.measures)
        self.send("compare a measure", "GET", f"/api/measures/{measure}/comparison/")

    @task(MIX["read a claim"])
    def read_a_claim(self):
        claim = self.rng.choice(self.soak.claims)
        self.send("read a claim", "GET", f"/api/claims/{claim}/")

    @task(MIX["search"])
    def search(self):
        word = self.rng.choice(["troops", "missiles", "officials", "Korea", "front"])
        self.send("search", "GET", f"/api/claims/?search={word}")

    @task(MIX["create a source"])
    def create_a_source(self):
        self.made += 1
        body = {
            "name": f"Soak source {self.soak.run_id}-{self.number}-{self.made}",
            "kind": "person",
            "aliases": [f"alias {self.made}"],
        }
        kind = "create a source"
        response = self.send(kind, "POST", "/api/sources/", body, wanted=(201,))
        if response is not None and response.status_code == 201:
            pk = response.json()["id"]
            self.own_sources.append(pk)
            self.soak.acks.append(Ack("source", pk, self.version(response), "+"))

    @task(MIX["update a shared source"])
    def update_a_shared_source(self):
        kind = "update a shared source"
        pk = self.rng.choice(self.soak.shared)
        path = f"/api/sources/{pk}/"
        read = self.send(kind, "GET", path)
        if read is None or read.status_code != 200:
            return
        body = {"description": f"Edited by client {self.number} at {time.time():.6f}"}
        match = {"If-Match": read.headers.get("ETag")}
        response = self.send(kind, "PATCH", path, body, headers=match)
        if response is not None and response.status_code == 200:
            self.soak.acks.append(Ack("source", pk, self.version(response), "~"))

    @task(MIX["add a figure"])
    def add_a_figure(self):
        body = {
            "claim": self.rng.choice(self.soak.claims),
            "measure": self.rng.choice(self.soak.measures),
            "text": f"about {self.rng.randint(1, 400) * 25:,}",
        }
        response = self.send("add a figure", "POST", "/api/figures/", body, (201,))
        if response is not None and response.status_code == 201:
            pk = response.json()["id"]
            self.soak.acks.append(Ack("figure", pk, self.version(response), "+"))

    @task(MIX["delete an own source"])
    def delete_an_own_source(self):
        if not self.own_sources:
            return self.create_a_source()
        if self.soak.left <= 0:
            return  # keep the source: the delete could not be sent
        pk = self.own_sources.pop(self.rng.randrange(len(self.own_sources)))
        path = f"/api/sources/{pk}/"
        response = self.send("delete an own source", "DELETE", path, wanted=(204, 404))
        if response is None:
            return
        if response.status_code == 404:
            # Only this user made the source, and it deletes it once: a 404 means an
            # earlier delivery of this same DELETE deleted it. The HTTP client sends
            # an idempotent request again when its connection closes before the
            # answer (a worker killed mid-request), as HTTP allows. The delete is
            # checked like any other: the row gone, and the soak account's history
            # entry of it there, so a source lost any other way still fails the run.
            self.soak.refused["404 on a DELETE sent again: already deleted"] += 1
        if response.status_code in (204, 404):
            self.soak.acks.append(Ack("source", pk, None, "-"))
        else:
            # No answer, or another (a 503 during a fault): a delivery whose
            # answer was lost may have deleted it. The request counts as failed.
            self.soak.acks.append(Ack("source", pk, None, "?"))


#: Each kind of MIX and the task doing it.
TASKS = {
    "list claims": "list_claims",
    "compare a measure": "compare_a_measure",
    "read a claim": "read_a_claim",
    "search": "search",
    "create a source": "create_a_source",
    "update a shared source": "update_a_shared_source",
    "add a figure": "add_a_figure",
    "delete an own source": "delete_an_own_source",
}


def figures(env: Environment, run: Run, elapsed: float) -> dict:
    """Locust's figures of the run: requests, failures and latencies per kind (the
    GET and PATCH of an update count as one kind), and the errors it saw."""
    kinds = []
    for kind in MIX:
        entry = StatsEntry(env.stats, kind, "")
        for (name, _), found in env.stats.entries.items():
            if name == kind:
                entry.extend(found)
        if entry.num_requests:
            kinds.append(
                {
                    "kind": kind,
                    "count": entry.num_requests,
                    "p50": entry.get_response_time_percentile(0.5),
                    "p99": entry.get_response_time_percentile(0.99),
                }
            )
    errors = [
        f"{error.to_name()} (x{error.occurrences:,})"
        for error in env.stats.errors.values()
    ]
    crashes = list(env.runner.exceptions.values())
    errors += [
        f"a task stopped (x{row['count']:,}): {row['msg']}\n{row['traceback']}"
        for row in crashes
    ]
    return {
        "requests": env.stats.total.num_requests,
        "elapsed": elapsed,
        "statuses": dict(run.statuses),
        "kinds": kinds,
        "refused": dict(run.refused),
        "failures": env.stats.total.num_failures + sum(r["count"] for r in crashes),
        "errors": errors,
        "acks": [asdict(ack) for ack in run.acks],
        "timeline": run.timeline,
    }


def main(settings: dict, started_file: str | None = None) -> dict:
    """Run the users until the time or the request budget is spent; users stop only
    between tasks, so no acknowledged write goes unrecorded. Once they are started,
    the file ``started_file`` (if named) is written, for the command to time its fault."""
    random.seed(settings["seed"])  # Locust picks each next task with ``random``
    run = Run(
        token=settings["token"],
        claims=settings["claims"],
        measures=settings["measures"],
        shared=settings["shared"],
        pages=settings["pages"],
        seed=settings["seed"],
        run_id=settings["run_id"],
        left=settings["max_requests"],
    )
    SoakUser.soak = run
    # The weights of this run: MIX, or its writes scaled to one task in N.
    chosen = weights(settings.get("write_every"))
    by_kind = {kind: getattr(SoakUser, name) for kind, name in TASKS.items()}
    SoakUser.tasks = [by_kind[kind] for kind, w in chosen.items() for _ in range(w)]
    env = Environment(
        user_classes=[SoakUser], host=settings["url"], stop_timeout=STOP_TIMEOUT
    )
    runner = env.create_local_runner()
    clients = settings["clients"]
    started = time.perf_counter()
    began = time.time()
    lost = 0
    if clients > 0:
        deadline = time.monotonic() + settings["seconds"]
        runner.start(clients, spawn_rate=clients)
        began = time.time()
        if started_file:
            with open(started_file, "w", encoding="utf-8") as out:
                out.write(str(time.time()))
        while time.monotonic() < deadline and run.left > 0:
            if runner.state == STATE_RUNNING and runner.user_count < clients:
                break  # a user died outside its tasks: the run is broken
            gevent.sleep(0.05)
        if runner.state == STATE_RUNNING:
            lost = clients - runner.user_count
    runner.quit()
    result = figures(env, run, time.perf_counter() - started)
    result["started"] = began
    if lost:
        result["errors"].append(f"{lost} of {clients} users stopped before the end.")
        result["failures"] += lost
    return result


if __name__ == "__main__":
    result = main(json.load(sys.stdin), *sys.argv[2:3])
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(result, out)
