"""``manage.py benchmark``: the API's cost beside the floor, in one run.

For each case: the median time over repeated requests through the full Django stack
(middleware, URL resolution, view, serializer, renderer), the SQL queries one request
makes, and the floor: the same rows fetched by one hand-written SQL query and turned
into JSON by the standard library, timed the same way in the same run. The ratio is
ours over the floor.

Run it against a database of its own, e.g.:

    DATABASE_URL=sqlite:///bench.sqlite3 .venv/bin/python manage.py benchmark
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python manage.py \\
        benchmark

``--json FILE`` writes the rows with the corpus size and the database vendor
(``{"claims", "vendor", "rows"}``). ``--baseline FILE`` sets this run beside such a
file from an earlier run (or the first form, a plain list of rows): each case's
growth, the floor's beside it, and the query plan of every statement of each case
that grew more than 1.5x (``devtools.growth``).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, reset_queries, transaction
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from rest_framework.throttling import SimpleRateThrottle

from claims import representations, search, selectors
from claims.choices import Qualifier
from claims.exchange.bundle import import_bundle
from claims.exchange.intake.proposals import Report
from claims.exchange.intake.selectors import propose_report
from claims.figures import interval_for
from claims.models import Claim, Document, Figure, Link, Measure, Source
from claims.permissions import EDITORS, ensure_groups
from devtools import corpus, framework_floor, growth, http_bench, memory_bench

HOST = "localhost"
SEED_ARTICLE = Path(settings.BASE_DIR) / "fixtures" / "seed_article.txt"
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@dataclass
class Row:
    name: str
    median_ms: float
    queries: int
    floor_ms: float
    ratio: float
    #: A bare Django view's JsonResponse of the same values() rows, through the
    #: same middleware (devtools.framework_floor); None where there is none (import).
    framework_floor_ms: float | None = None
    framework_ratio: float | None = None


def statements(queries: CaptureQueriesContext) -> int:
    """How many SQL statements ran inside ``queries``, on any code path.

    Read it as the block ends: the captured statements are a slice of the
    connection's log, which the next request empties. The log keeps the last
    ``queries_limit`` statements, so it is emptied (``reset_queries``) before each
    capture, and a count that reaches the limit would be short: it is refused
    rather than reported."""
    if queries.final_queries >= queries.connection.queries_limit:
        raise RuntimeError(
            f"Over {queries.connection.queries_limit:,} queries: too many to count."
        )
    return len(queries)


def query_plans(captured: list[tuple[str, object]]) -> list[str]:
    """The plan of each statement, as the database makes it for the captured SQL and
    parameters: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL."""
    lines = []
    for number, (sql, params, times) in enumerate(growth.distinct(captured), 1):
        ran = f" (ran {times} times)" if times > 1 else ""
        lines.append(f"  [{number}] {growth.statement_line(sql)}{ran}")
        if params:
            lines.append(f"      params: {growth.shorten(repr(params), 160)}")
        if not growth.explainable(sql):
            lines.append("      (not a query: no plan)")
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute(growth.explain_sql(connection.vendor, sql), params)
                plan = growth.plan_lines(connection.vendor, cursor.fetchall())
        except DatabaseError as error:
            lines.append(f"      EXPLAIN failed: {growth.shorten(str(error), 160)}")
            continue
        lines += [f"      {line}" for line in plan]
        lines += [
            f"      => {note}" for note in growth.plan_notes(connection.vendor, plan)
        ]
    return lines


def median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warm caches and connections
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def interleaved_medians(
    actions: list[Callable[[], object]], repeat: int
) -> list[float]:
    """The median time of each action over ``repeat`` rounds, each round running
    every action once in turn: on a machine whose load comes and goes, each action
    meets the same load, and the ratios hold even when the times drift."""
    for action in actions:
        action()  # warm caches and connections
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(repeat):
        for action, taken in zip(actions, times, strict=True):
            started = time.perf_counter()
            action()
            taken.append((time.perf_counter() - started) * 1000)
    return [statistics.median(taken) for taken in times]


def floor(sql: str | tuple[str, ...], params: list) -> Callable[[], str]:
    """One hand-written query, its rows as JSON by the standard library; or, for an
    answer computed from rows of several tables, each of the statements ``sql``
    (with the parameters ``params`` holds for each), all their rows in one JSON."""
    if isinstance(sql, str):
        statements = [(sql, params)]
    else:
        statements = list(zip(sql, params, strict=True))

    def run() -> str:
        rows = []
        with connection.cursor() as cursor:
            for statement, values in statements:
                cursor.execute(statement, values)
                columns = [c[0] for c in cursor.description]
                rows += [dict(zip(columns, row, strict=True)) for row in cursor]
        return json.dumps(rows, default=str)

    return run


def framework_request(client, name: str, values: Callable[[], object]):
    """A request of the framework floor's answer of ``values()``: a bare Django view
    (``devtools.framework_floor``) through the same middleware."""
    key = f"case{len(framework_floor.ROWS)}"
    framework_floor.ROWS[key] = values
    path = f"/floor/{key}/"

    def request():
        answer = client.get(path)
        if answer.status_code != 200:
            raise RuntimeError(
                f"The framework floor of {name} answered {answer.status_code}"
            )
        return answer.content

    return request


def claim_values(claims):
    """Claims as the list's rows: the columns the API shows, in its order."""
    return claims.values(*representations.CLAIM_COLUMNS)


def figure_values(measure_id: int) -> Callable[[], object]:
    """A measure's figures with their claims' sources: the comparison's rows."""
    return lambda: (
        Figure.objects.filter(measure_id=measure_id)
        .order_by("as_of", "id")
        .values(
            "id",
            "claim_id",
            "claim__source_id",
            "text",
            "qualifier",
            "value",
            "low",
            "high",
            "as_of",
        )
    )


#: What a claim's corroboration is computed from, read by hand: the claim's row,
#: its links both ways, the ends of the repeats/based_on chains of it and of the
#: claims it is linked to (one recursive query), the source tree (for the groups),
#: and the figures of every measure the claim has a figure on (figure evidence).
CORROBORATION_SQL = (
    "SELECT id, source_id, attribution_status, credibility FROM claims_claim "
    "WHERE id = %s",
    "SELECT id, from_claim_id, to_claim_id, relation, note FROM claims_link "
    "WHERE from_claim_id = %s OR to_claim_id = %s",
    "WITH RECURSIVE walk(start_id, claim_id, depth) AS ("
    " SELECT s.id, s.id, 0 FROM (SELECT %s AS id"
    " UNION SELECT to_claim_id FROM claims_link WHERE from_claim_id = %s"
    " UNION SELECT from_claim_id FROM claims_link WHERE to_claim_id = %s) AS s"
    " UNION SELECT w.start_id, l.to_claim_id, w.depth + 1 FROM walk w"
    " JOIN claims_link l ON l.from_claim_id = w.claim_id"
    " WHERE CASE WHEN w.depth < 100 THEN l.relation END IN ('repeats', 'based_on'))"
    " SELECT DISTINCT w.start_id, w.claim_id, c.source_id FROM walk w"
    " JOIN claims_claim c ON c.id = w.claim_id WHERE NOT EXISTS (SELECT 1 FROM"
    " claims_link l2 WHERE l2.from_claim_id = w.claim_id"
    " AND l2.relation IN ('repeats', 'based_on'))",
    "SELECT id, parent_id, name FROM claims_source",
    "SELECT f.id, f.measure_id, f.claim_id, c.source_id, f.low, f.high, f.as_of "
    "FROM claims_figure f JOIN claims_claim c ON c.id = f.claim_id "
    "WHERE f.measure_id IN (SELECT measure_id FROM claims_figure WHERE claim_id = %s)",
)


def corroboration_values(claim_id: int) -> Callable[[], object]:
    """The same rows as ``CORROBORATION_SQL``, by ``values()`` (the chains' ends by
    the app's one recursive query, which no queryset expresses)."""

    def rows() -> list:
        figures = Figure.objects.filter(
            measure__in=Figure.objects.filter(claim_id=claim_id).values("measure_id")
        )
        links = Link.objects.filter(Q(from_claim=claim_id) | Q(to_claim=claim_id))
        partners = {claim_id}
        found = [
            *Claim.objects.filter(pk=claim_id).values(*selectors.CORROBORATION_COLUMNS)
        ]
        for link in links.values(
            "id", "from_claim_id", "to_claim_id", "relation", "note"
        ):
            found.append(link)
            partners |= {link["from_claim_id"], link["to_claim_id"]}
        found += [
            [start, origin.claim_id, origin.source_id]
            for start, ends in selectors.origins_of_claims(partners).items()
            for origin in ends
        ]
        found += Source.objects.values("id", "parent_id", "name")
        found += figures.values(
            "id", "measure_id", "claim_id", "claim__source_id", "low", "high", "as_of"
        )
        return found

    return rows


#: The cases timed over HTTP (``--http``).
HTTP_CASES = (
    "claims list, page of 50",
    "claims list, filtered",
    "claim detail",
    "claim corroboration",
    "comparison, 1,000 figures",
    "search",
)


def datasette_path(name: str, path: str, database: Path) -> str | None:
    """Datasette's nearest equivalent of a case's request (its answer's rows as
    objects), or None where it has none (the computed answers)."""
    table = f"/{http_bench.datasette_name(database)}/claims_claim"
    page = "?_shape=objects&_sort_desc=stated_on"
    if name == "claims list, page of 50":
        return f"{table}.json{page}&_size=50"
    if name == "claims list, filtered":
        return (
            f"{table}.json{page}&_size=50&attribution_kind=paraphrase"
            "&stated_on__gte=2023-01-01"
        )
    if name == "claim detail":
        pk = path.rstrip("/").rsplit("/", 1)[1]
        return f"{table}/{pk}.json?_shape=objects"
    if name == "search":
        return (
            f"{table}.json?_shape=objects&_size=20&_search=Kursk+drones"
            "&_fts_table=claims_claim_fts&_fts_pk=id"
        )
    return None


CLAIM_COLUMNS = (
    "id, source_id, document_id, statement, quote, quote_start, quote_end, "
    "attribution_kind, stated_on, stated_on_precision, attribution_status, "
    "credibility, version, created_at, updated_at"
)


class Command(BaseCommand):
    help = "Time the API against hand-written SQL on a corpus; print a table."

    def add_arguments(self, parser):
        parser.add_argument("--claims", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--repeat", type=int, default=15)
        parser.add_argument("--import-claims", type=int, default=10_000)
        parser.add_argument(
            "--json", dest="json_file", help="Also write the table here."
        )
        parser.add_argument(
            "--baseline",
            dest="baseline_file",
            help="An earlier run's --json (e.g. at 100,000 claims): print each case's "
            "growth from it, and the query plans of the cases grown over 1.5x.",
        )
        parser.add_argument(
            "--intake-only",
            action="store_true",
            help="Only time intake, on the rows the database holds (no corpus).",
        )
        parser.add_argument(
            "--csv-only",
            action="store_true",
            help="Measure the CSV of every claim only (rows a second, peak memory).",
        )
        parser.add_argument(
            "--csv-json", dest="csv_json_file", help="Also write the CSV figures here."
        )
        parser.add_argument(
            "--http",
            action="store_true",
            help="Serve the app, the HTTP floor and Datasette in turn under gunicorn "
            "on this machine's loopback (SQLite only), drive each with wrk and print "
            "requests/s, p50 and p99 (instead of the in-process table).",
        )
        parser.add_argument(
            "--memory",
            dest="memory_sizes",
            metavar="SIZES",
            help="Instead of the tables: the peak memory of import_bundle at each "
            "of these bundle sizes (claims, comma-separated) and of export_archive "
            "on this database, each run as a child process.",
        )
        parser.add_argument("--http-seconds", type=int, default=5)
        parser.add_argument("--http-rounds", type=int, default=3)
        parser.add_argument("--http-workers", type=int, default=2)
        parser.add_argument("--http-connections", type=int, default=8)

    def handle(self, *args, **options):
        # Timed as the app serves: without the debug log of queries, which on
        # SQLite asks the database again to quote each statement's parameters.
        with override_settings(DEBUG=False):
            self._handle(*args, **options)

    def _handle(self, *args, claims, seed, repeat, import_claims, json_file, **options):
        baseline = self._baseline(options)
        #: Each timed case's statements (SQL and parameters), for its query plans.
        self.statements: dict[str, list] = {}
        if options.get("intake_only"):
            self._intake(repeat)
            return
        if options.get("memory_sizes"):
            sizes = [int(n) for n in options["memory_sizes"].split(",") if n.strip()]
            peaks = memory_bench.report(self.stdout, sizes=sizes, seed=seed)
            if any(peak.returncode for peak in peaks):
                raise CommandError("A measured command failed.")
            return
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
        # One client making hundreds of requests a minute is the point here.
        SimpleRateThrottle.THROTTLE_RATES = dict.fromkeys(
            SimpleRateThrottle.THROTTLE_RATES
        )
        self._corpus(claims, seed)
        if options["http"]:
            self._http(json_file, options)
            return
        client = Client(HTTP_HOST=HOST)
        csv_figures = csv_stream(client)
        print_csv_stream(self.stdout, csv_figures)
        if options["csv_json_file"]:
            with open(options["csv_json_file"], "w", encoding="utf-8") as out:
                json.dump(asdict(csv_figures), out, indent=2)
        if options["csv_only"]:
            return
        rows: list[Row] = []
        cases = list(self._cases())
        # Every request computes: the cache would otherwise answer all but the first.
        with override_settings(CACHES=NO_CACHE):
            for name, path, floor_sql, params, values in cases:
                rows.append(
                    self._measure(
                        client, name, path, floor(floor_sql, params), repeat, values
                    )
                )
            rows.append(self._evolution(client, repeat))
        with override_settings(CACHES=LOCAL_CACHE):
            for name, path, floor_sql, params, values in cases:
                if name.startswith(("comparison, 10,000", "claims list")):
                    rows.append(
                        self._measure(
                            client,
                            f"{name}, cached",
                            path,
                            floor(floor_sql, params),
                            repeat,
                            values,
                        )
                    )
        rows.append(self._import(import_claims, seed, max(3, repeat // 5)))
        self._print(rows, claims)
        size = Claim.objects.count()
        grown = None
        if baseline is not None:
            grown = growth.growth_rows(baseline.rows, [asdict(row) for row in rows])
            self._growth(baseline, grown, size)
        self._intake(repeat)
        if json_file:
            data = growth.run_json(
                [asdict(row) for row in rows],
                claims=size,
                vendor=connection.vendor,
                growth=grown,
                baseline=baseline,
            )
            with open(json_file, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2)
            self.stdout.write(f"Wrote {json_file}.")

    # The growth from a baseline -----------------------------------------------------------

    def _baseline(self, options: dict) -> growth.Run | None:
        """The run ``--baseline`` names, read before the corpus is built."""
        path = options.get("baseline_file")
        if not path:
            return None
        if any(
            options.get(name)
            for name in ("intake_only", "memory_sizes", "http", "csv_only")
        ):
            raise CommandError(
                "--baseline compares the in-process table: it goes with none of "
                "--intake-only, --memory, --http, --csv-only."
            )
        try:
            with open(path, encoding="utf-8") as source:
                return growth.read_run(json.load(source))
        except (OSError, ValueError) as error:
            raise CommandError(f"--baseline {path}: {error}") from error

    def _growth(self, baseline: growth.Run, grown: list, size: int) -> None:
        """The growth table, the goal's verdict, and the query plans of each case
        grown over the limit."""
        self.stdout.write("")
        self.stdout.write(growth.heading(baseline, size, connection.vendor))
        for line in growth.table_lines(grown):
            self.stdout.write(line)
        self.stdout.write(growth.verdict(grown))
        for row in grown:
            if not row.over:
                continue
            self.stdout.write("")
            self.stdout.write(
                f"Query plans of {row.name} (grew {row.growth:.2f}x), each statement "
                "of one request:"
            )
            captured = self.statements.get(row.name)
            if not captured:
                self.stdout.write("  (no read request's statements: nothing to plan)")
                continue
            for line in query_plans(captured):
                self.stdout.write(line)

    # Over HTTP ----------------------------------------------------------------------------

    def _http(self, json_file: str | None, options: dict) -> None:
        if connection.vendor != "sqlite":
            raise CommandError(
                "--http serves Datasette on the same SQLite file: run it with an "
                "SQLite DATABASE_URL."
            )
        database = Path(settings.DATABASES["default"]["NAME"]).resolve()
        paths = {case[0]: case[1] for case in self._cases()}
        cases = [
            http_bench.Case(
                name, paths[name], datasette_path(name, paths[name], database)
            )
            for name in HTTP_CASES
            if name in paths
        ]
        connection.close()  # the servers read the file; this process is done with it
        peaks: dict = {}
        rows = http_bench.run(
            cases,
            database,
            workers=options["http_workers"],
            seconds=options["http_seconds"],
            rounds=options["http_rounds"],
            connections=options["http_connections"],
            log=self.stdout.write,
            app_peaks=peaks,
        )
        self.stdout.write("")
        self.stdout.write(
            f"{Claim.objects.count():,} claims · SQLite · gunicorn "
            f"{options['http_workers']} workers · wrk {options['http_connections']} "
            f"connections, the median of {options['http_rounds']} runs of "
            f"{options['http_seconds']} s a case · Python "
            f"{platform.python_version()} · {os.cpu_count()} CPUs · "
            f"{platform.machine()}"
        )
        for line in http_bench.table(rows):
            self.stdout.write(line)
        self.stdout.write(memory_bench.peaks_line(peaks))
        if json_file:
            http_bench.write_json(rows, json_file)
            self.stdout.write(f"Wrote {json_file}.")

    # The corpus -------------------------------------------------------------------------

    def _corpus(self, claims: int, seed: int) -> None:
        self._generate(claims, seed)
        # Made before any case is timed (its figures fall on corpus claims, the
        # corroboration's among them), so that every run times the same rows.
        self._evolution_measure()
        # Fresh bulk loads have no planner statistics, and on PostgreSQL no
        # visibility map (an index-only scan still reads the table's pages), until
        # autovacuum gets to them; a production database has both, so the
        # benchmark does too.
        with connection.cursor() as cursor:
            # VACUUM runs outside a transaction only (not in a test's).
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                cursor.execute("VACUUM ANALYZE")
            else:
                cursor.execute("ANALYZE")

    def _generate(self, claims: int, seed: int) -> None:
        have = Claim.objects.count()
        if corpus.corpus_exists() and have >= claims:
            self.stdout.write(f"Reusing the corpus: {have:,} claims.")
            return
        self.stdout.write(f"Generating a corpus of {claims:,} claims (seed {seed}) ...")
        started = time.perf_counter()
        summary = corpus.generate(claims=claims, seed=seed)
        self.stdout.write(
            f"  {summary.claims:,} claims, {summary.figures:,} figures, "
            f"{summary.links:,} links in {time.perf_counter() - started:.1f} s."
        )

    # The cases --------------------------------------------------------------------------

    def _cases(self):
        claim = (
            Claim.objects.annotate(n=Count("links_in"))
            .filter(n__gt=0)
            .order_by("-n", "id")
            .first()
        ) or Claim.objects.order_by("id").first()
        top = Source.objects.filter(parent=None).order_by("id").first()
        yield (
            "claims list, page of 50",
            "/api/claims/?page_size=50",
            f"SELECT {CLAIM_COLUMNS} FROM claims_claim "
            "ORDER BY stated_on DESC, id LIMIT 50",
            [],
            lambda: claim_values(Claim.objects.all())[:50],
        )
        yield (
            "claims list, filtered",
            "/api/claims/?page_size=50&attribution_kind=paraphrase"
            "&stated_after=2023-01-01",
            f"SELECT {CLAIM_COLUMNS} FROM claims_claim WHERE attribution_kind = %s "
            "AND stated_on >= %s ORDER BY stated_on DESC, id LIMIT 50",
            ["paraphrase", "2023-01-01"],
            lambda: claim_values(
                Claim.objects.filter(
                    attribution_kind="paraphrase", stated_on__gte="2023-01-01"
                )
            )[:50],
        )
        yield (
            "claims list, by source tree",
            f"/api/claims/?page_size=50&source={top.pk}",
            f"SELECT {CLAIM_COLUMNS} FROM claims_claim WHERE source_id IN "
            "(SELECT id FROM claims_source WHERE id = %s OR parent_id = %s OR parent_id "
            "IN (SELECT id FROM claims_source WHERE parent_id = %s)) "
            "ORDER BY stated_on DESC, id LIMIT 50",
            [top.pk, top.pk, top.pk],
            lambda: claim_values(
                Claim.objects.filter(
                    source__in=Source.objects.filter(
                        Q(pk=top.pk) | Q(parent=top.pk) | Q(parent__parent=top.pk)
                    )
                )
            )[:50],
        )
        yield (
            "claim detail",
            f"/api/claims/{claim.pk}/",
            f"SELECT {CLAIM_COLUMNS} FROM claims_claim WHERE id = %s",
            [claim.pk],
            lambda: claim_values(Claim.objects.filter(pk=claim.pk)),
        )
        yield (
            "claim corroboration",
            f"/api/claims/{claim.pk}/corroboration/",
            CORROBORATION_SQL,
            [[claim.pk], [claim.pk] * 2, [claim.pk] * 3, [], [claim.pk]],
            corroboration_values(claim.pk),
        )
        sized = {
            int(m.description): m
            for m in Measure.objects.filter(name__startswith=corpus.CORPUS_MARK)
            if m.description.isdigit()
        }
        for size in corpus.BENCHMARK_SIZES:
            measure = sized.get(size)
            if measure is None:
                continue
            yield (
                f"comparison, {size:,} figures",
                f"/api/measures/{measure.pk}/comparison/",
                "SELECT f.id, f.claim_id, c.source_id, f.text, f.qualifier, f.value, "
                "f.low, f.high, f.as_of FROM claims_figure f "
                "JOIN claims_claim c ON c.id = f.claim_id WHERE f.measure_id = %s "
                "ORDER BY f.as_of, f.id",
                [measure.pk],
                figure_values(measure.pk),
            )
        columns = ", ".join(f"c.{name.strip()}" for name in CLAIM_COLUMNS.split(","))
        if connection.vendor == "postgresql":
            search_sql = (
                f"SELECT {columns} FROM claims_claim_search s JOIN claims_claim c "
                "ON c.id = s.claim_id WHERE s.document @@ to_tsquery('english', %s) "
                "ORDER BY ts_rank(s.document, to_tsquery('english', %s)) DESC LIMIT 20"
            )
            terms = ["kursk & drones:*", "kursk & drones:*"]
        else:
            search_sql = (
                f"SELECT {columns} FROM claims_claim_fts f JOIN claims_claim c "
                "ON c.id = f.rowid WHERE claims_claim_fts MATCH %s "
                "ORDER BY bm25(claims_claim_fts, 1.0, 1.0, 0.5) LIMIT 20"
            )
            terms = ['"kursk" "drones"*']
        yield (
            "search",
            "/api/claims/?page_size=20&search=Kursk%20drones",
            search_sql,
            terms,
            lambda: claim_values(
                search.filter_claims(Claim.objects.all(), "Kursk drones").order_by(
                    "rank"
                )
            )[:20],
        )

    def _measure(self, client, name, path, floor_run, repeat, values=None) -> Row:
        client.get(path)  # the queries of a warm request: caches filled, if any
        reset_queries()
        recorder = growth.Recorder()
        with (
            CaptureQueriesContext(connection) as queries,
            connection.execute_wrapper(recorder),
        ):
            response = client.get(path)
        query_count = statements(queries)
        self.statements[name] = recorder.statements
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")

        def request():
            answer = client.get(path)
            if answer.status_code != 200:
                raise RuntimeError(f"{path} answered {answer.status_code}")
            return answer.content

        actions = [request, floor_run]
        if values is not None:
            actions.append(framework_request(client, name, values))
        # The app's URLs and the framework floor's, in one URLconf for both.
        with override_settings(ROOT_URLCONF="devtools.framework_floor"):
            ours, base, *rest = interleaved_medians(actions, repeat)
        framework = rest[0] if rest else None
        return Row(
            name,
            round(ours, 2),
            query_count,
            round(base, 2),
            round(ours / base, 2),
            None if framework is None else round(framework, 2),
            None if framework is None else round(ours / framework, 2),
        )

    def _import(self, count: int, seed: int, repeat: int) -> Row:
        """POST a bundle of ``count`` new claims to /api/import/, rolled back after
        each run; the floor inserts the same claim rows with one executemany."""
        ensure_groups()
        user, _ = get_user_model().objects.get_or_create(username="benchmark-editor")
        user.groups.add(Group.objects.get(name=EDITORS))
        client = Client(HTTP_HOST=HOST)
        client.force_login(user)
        bodies = [
            json.dumps(corpus.bundle(claims=count, seed=seed * 1000 + i))
            for i in range(repeat + 1)
        ]

        class Discard(Exception):
            pass

        def post(body):
            try:
                with transaction.atomic():
                    response = client.post(
                        "/api/import/", body, content_type="application/json"
                    )
                    if response.status_code != 201:
                        raise RuntimeError(response.content[:500])
                    raise Discard
            except Discard:
                pass

        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            post(bodies[0])
        query_count = statements(queries)
        times = []
        for body in bodies[1:]:
            started = time.perf_counter()
            post(body)
            times.append((time.perf_counter() - started) * 1000)
        ours = statistics.median(times)

        source = Source.objects.order_by("id").first()
        document_id = Claim.objects.order_by("id").values_list(
            "document_id", flat=True
        )[0]
        rows = [
            (
                source.pk,
                document_id,
                f"Statement {i}",
                f"Quote {i}",
                "paraphrase",
                "",
                "unverified",
                6,
                1,
            )
            for i in range(count)
        ]

        def insert():
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.executemany(
                            "INSERT INTO claims_claim (source_id, document_id, statement, "
                            "quote, attribution_kind, stated_on_precision, "
                            "attribution_status, credibility, version, created_at, "
                            "updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, "
                            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                            rows,
                        )
                    raise Discard
            except Discard:
                pass

        base = median_ms(insert, repeat)
        self.stdout.write(
            f"Import: {count:,} claims in {ours:.0f} ms median: "
            f"{count / (ours / 1000):,.0f} claims a second, with full validation."
        )
        return Row(
            f"import, {count:,} claims",
            round(ours, 2),
            query_count,
            round(base, 2),
            round(ours / base, 2),
        )

    # Intake -------------------------------------------------------------------------------

    def _intake(self, repeat: int) -> tuple[float, float]:
        """Reports a second for a report the size of the seed article (its text):
        read into proposals against the stored sources and measures, and read and
        imported (rolled back after each run), as ``manage.py intake`` does."""
        text = SEED_ARTICLE.read_text(encoding="utf-8")
        report = Report(
            text=text,
            title="Benchmark report",
            publisher="ICARO Media Group",
            url="https://benchmark.example/intake",
            published_at=datetime.datetime(2024, 10, 28, 16, 25, tzinfo=datetime.UTC),
        )

        class Discard(Exception):
            pass

        def propose_and_import():
            try:
                with transaction.atomic():
                    result = import_bundle(propose_report(report))
                    if not result.created.get("claims"):
                        raise RuntimeError("The report's claims were not imported.")
                    raise Discard
            except Discard:
                pass

        propose_ms = median_ms(lambda: propose_report(report), repeat)
        import_ms = median_ms(propose_and_import, repeat)
        self.stdout.write(
            f"Intake of a seed-sized report ({len(text):,} characters, "
            f"{Source.objects.count():,} stored sources): {1000 / propose_ms:,.1f} "
            f"reports a second proposed ({propose_ms:.1f} ms median), "
            f"{1000 / import_ms:,.1f} proposed and imported ({import_ms:.1f} ms)."
        )
        return propose_ms, import_ms

    # The evolution ------------------------------------------------------------------------

    EVOLUTION = f"{corpus.CORPUS_MARK} evolution: 1,000 figures over 100 days"

    def _evolution_measure(self) -> Measure:
        """A measure with 1,000 figures over 100 publication days: ten figures from
        claims of each of the first 100 days on which the corpus published, made
        once and kept with the corpus."""
        measure = Measure.objects.filter(name=self.EVOLUTION).first()
        if measure is not None:
            return measure
        days = sorted(
            {
                published.date()
                for published in Document.objects.values_list("published_at", flat=True)
            }
        )[:100]
        claims = []
        for day in days:
            claims += list(
                Claim.objects.filter(document__published_at__date=day)
                .order_by("id")
                .values_list("id", "stated_on")[:10]
            )
        with transaction.atomic():
            measure = Measure.objects.create(
                name=self.EVOLUTION, unit="personnel", description="evolution"
            )
            figures = []
            for i, (claim_id, stated_on) in enumerate(claims):
                qualifier = [Qualifier.APPROXIMATELY, Qualifier.AT_LEAST][i % 5 == 0]
                parsed = interval_for(qualifier, Decimal(1_000 + 10 * (i % 97)))
                figures.append(
                    Figure(
                        claim_id=claim_id,
                        measure=measure,
                        text=f"{qualifier} {parsed.value}",
                        qualifier=parsed.qualifier,
                        value=parsed.value,
                        low=parsed.low,
                        high=parsed.high,
                        as_of=stated_on,
                    )
                )
            Figure.objects.bulk_create(figures)
        return measure

    def _evolution(self, client, repeat: int) -> Row:
        """The evolution of a measure beside one comparison of the same figures: its
        floor is the comparison (goal: at most 10x)."""
        measure = self._evolution_measure()
        comparison = f"/api/measures/{measure.pk}/comparison/"

        def compare():
            answer = client.get(comparison)
            if answer.status_code != 200:
                raise RuntimeError(f"{comparison} answered {answer.status_code}")
            return answer.content

        row = self._measure(
            client,
            "evolution, 1,000 figures, 100 days (floor: their comparison)",
            f"/api/measures/{measure.pk}/evolution/",
            compare,
            repeat,
            figure_values(measure.pk),
        )
        steps = len(
            client.get(f"/api/measures/{measure.pk}/evolution/").json()["steps"]
        )
        self.stdout.write(
            f"Evolution: {steps} steps of {measure.figures.count():,} figures."
        )
        return row

    # The table ----------------------------------------------------------------------------

    def _print(self, rows: list[Row], claims: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT version()"
                if connection.vendor == "postgresql"
                else "SELECT 'SQLite ' || sqlite_version()"
            )
            database = cursor.fetchone()[0].split(",")[0]
        self.stdout.write("")
        self.stdout.write(
            f"{Claim.objects.count():,} claims · {database} · Python "
            f"{platform.python_version()} · {os.cpu_count()} CPUs · {platform.machine()}"
        )
        width = max(len(row.name) for row in rows) + 1
        header = (
            f"{'case':<{width}} {'median ms':>10} {'queries':>8} {'floor ms':>9} "
            f"{'ratio':>7} {'framework ms':>13} {'fw ratio':>9}"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for row in rows:
            framework = (
                f"{'-':>13} {'-':>9}"
                if row.framework_floor_ms is None
                else f"{row.framework_floor_ms:>13.2f} {row.framework_ratio:>9.2f}"
            )
            self.stdout.write(
                f"{row.name:<{width}} {row.median_ms:>10.2f} {row.queries:>8} "
                f"{row.floor_ms:>9.2f} {row.ratio:>7.2f} {framework}"
            )
        by_name = {row.name: row for row in rows}
        small = by_name.get("comparison, 1,000 figures")
        large = by_name.get("comparison, 10,000 figures")
        if small and large:
            self.stdout.write(
                f"Comparison growth from 1,000 to 10,000 figures: "
                f"{large.median_ms / small.median_ms:.1f}x (floor "
                f"{large.floor_ms / small.floor_ms:.1f}x)"
            )


# The CSV of every claim ---------------------------------------------------------------


@dataclass
class CsvStream:
    rows: int
    seconds: float
    rows_per_second: float
    queries: int
    #: Peak Python memory (tracemalloc) while streaming, after a tenth of the rows
    #: and after all of them: the same when the memory is constant.
    peak_mib_tenth: float
    peak_mib_all: float


TIMED_READS = 3


def csv_stream(client) -> CsvStream:
    """``GET /api/claims/?format=csv``, every claim, read to its end: once to warm
    up, once counting its queries, ``TIMED_READS`` times timed (the median), then
    once under tracemalloc (which slows Python) for the peak memory."""
    path = "/api/claims/?format=csv"

    def read(checkpoint: Callable[[int], None] = lambda lines: None) -> int:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        lines = 0
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            checkpoint(lines)
        response.close()
        return lines - 1  # the header

    read()  # warm: the first request also sets up what every later one reuses
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        rows = read()
    query_count = len(queries)
    times = []
    for _ in range(TIMED_READS):
        started = time.perf_counter()
        read()
        times.append(time.perf_counter() - started)
    seconds = statistics.median(times)
    tenth: list[float] = []

    def at_a_tenth(lines: int) -> None:
        if not tenth and lines > rows // 10:
            tenth.append(tracemalloc.get_traced_memory()[1])

    # Without the debug log of queries, which keeps each one's SQL.
    with override_settings(DEBUG=False):
        tracemalloc.start()
        try:
            read(at_a_tenth)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    mib = 1024 * 1024
    return CsvStream(
        rows=rows,
        seconds=round(seconds, 2),
        rows_per_second=round(rows / seconds),
        queries=query_count,
        peak_mib_tenth=round((tenth or [peak])[0] / mib, 1),
        peak_mib_all=round(peak / mib, 1),
    )


def print_csv_stream(out, figures: CsvStream) -> None:
    out.write(
        f"CSV of every claim: {figures.rows:,} rows in {figures.seconds:.2f} s, "
        f"{figures.rows_per_second:,} rows a second, {figures.queries} queries; "
        f"peak memory {figures.peak_mib_tenth} MiB after a tenth of the rows, "
        f"{figures.peak_mib_all} MiB after all"
    )
