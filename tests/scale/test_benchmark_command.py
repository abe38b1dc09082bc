"""The benchmark command, run small: every case is timed, counted and set beside its
floor, and --json writes the same table."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from claims.models import Claim
from devtools import corpus

pytestmark = pytest.mark.django_db


def small_benchmark(tmp_path, **options):
    """Run the benchmark on a corpus of 400 claims, two requests a case; its output
    and the path of its --json."""
    out = io.StringIO()
    path = tmp_path / "bench.json"
    call_command(
        "benchmark",
        claims=400,
        repeat=2,
        import_claims=100,
        json_file=str(path),
        stdout=out,
        **options,
    )
    return out, path


# The command runs as it does from the shell, in autocommit (its CSV read streams
# through a PostgreSQL server-side cursor), not inside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_a_small_benchmark_prints_and_writes_every_case(tmp_path):
    out, path = small_benchmark(tmp_path)
    written = json.loads(path.read_text())
    # The rows with the corpus's size and the database's vendor.
    assert set(written) == {"claims", "vendor", "rows"}
    assert written["claims"] == Claim.objects.count() >= 400
    assert written["vendor"] == connection.vendor
    rows = written["rows"]
    names = [row["name"] for row in rows]
    for expected in (
        "claims list, page of 50",
        "claims list, filtered",
        "claim detail",
        "claim corroboration",
        "search",
        "import, 100 claims",
        "claims list, page of 50, cached",
    ):
        assert expected in names, names
    assert any(name.startswith("comparison, ") for name in names)
    assert any(name.startswith("evolution, 1,000 figures") for name in names)
    for row in rows:
        assert set(row) == {
            "name",
            "median_ms",
            "queries",
            "floor_ms",
            "ratio",
            "framework_floor_ms",
            "framework_ratio",
        }
        # The framework floor: a bare Django view's JsonResponse of the same
        # values() rows, for every read (an import has none).
        if row["name"].startswith("import"):
            assert row["framework_floor_ms"] is None is row["framework_ratio"]
        else:
            assert row["framework_floor_ms"] > 0, row
            assert row["framework_ratio"] == pytest.approx(
                row["median_ms"] / row["framework_floor_ms"], 0.3
            )
        assert row["median_ms"] > 0 and row["floor_ms"] > 0, row
        # A cached count of no rows needs no query at all (no page to read).
        assert row["queries"] >= (0 if row["name"].endswith("cached") else 1), row
        # Written rounded: the ratio of the rounded times is near, not equal.
        assert row["ratio"] == pytest.approx(row["median_ms"] / row["floor_ms"], 0.3)
    cached = {r["name"]: r for r in rows}
    for name in ("claims list, page of 50", "claims list, filtered"):
        assert cached[name]["queries"] > 0
        assert cached[f"{name}, cached"]["queries"] == 0, (
            "a repeated read is answered whole from the cache"
        )
    report = out.getvalue()
    assert "Evolution: " in report and " steps of " in report
    assert "median ms" in report and "floor ms" in report and "ratio" in report
    assert "framework ms" in report and "fw ratio" in report


def plans_of(report: str, name: str) -> str | None:
    """The query plans the report prints for a case, or None."""
    heading = f"Query plans of {name} ("
    if heading not in report:
        return None
    section = report.split(heading, 1)[1]
    return section.split("Query plans of ", 1)[0].split("Intake of ", 1)[0]


@pytest.mark.django_db(transaction=True)
def test_a_baseline_prints_the_growth_and_the_plans_of_a_case_over(tmp_path):
    # The first form of --json, a plain list of rows: no corpus size recorded. The
    # detail's baseline is made tiny (it grows far over 1.5x), the others' huge.
    baseline = tmp_path / "baseline.json"
    slow = {"queries": 2, "floor_ms": 1000.0, "ratio": 1.0}
    baseline.write_text(
        json.dumps(
            [
                {"name": "claim detail", "median_ms": 0.001, "floor_ms": 0.001},
                {"name": "search", "median_ms": 100_000.0, **slow},
                {"name": "claims list, page of 50", "median_ms": 100_000.0, **slow},
                {"name": "claims list, filtered", "median_ms": 100_000.0, **slow},
            ]
        )
    )
    out, path = small_benchmark(tmp_path, baseline_file=str(baseline))
    report = out.getvalue()
    size = Claim.objects.count()
    assert (
        f"Growth from an unrecorded number of claims (baseline) to {size:,} claims"
        in report
    )
    table = report.split("Growth from ", 1)[1].split("\n\n", 1)[0].splitlines()
    detail = next(line for line in table if line.startswith("claim detail "))
    assert "<< OVER 1.5x" in detail and " goal " in detail
    search = next(line for line in table if line.startswith("search "))
    assert search.endswith("goal met")
    filtered = next(line for line in table if line.startswith("claims list, filtered"))
    assert "goal" not in filtered.split("filtered", 1)[1] and "over" not in filtered
    # Only the cases of both runs.
    assert not any(line.startswith(("claim corroboration", "import")) for line in table)
    assert "Goal missed: claim detail " in report
    assert "not in both runs: claim corroboration" in report

    # The detail's statements, each with its plan; none for the cases under 1.5x.
    plans = plans_of(report, "claim detail")
    assert plans is not None
    assert "columns> FROM " in plans and "claims_claim" in plans
    assert "params: " in plans
    marker = "SEARCH claims_claim" if connection.vendor == "sqlite" else "cost="
    assert marker in plans
    assert "=> no full table scan" in plans or "=> full scan of" in plans
    for name in ("search", "claims list, page of 50", "claims list, filtered"):
        assert plans_of(report, name) is None, name

    written = json.loads(path.read_text())
    assert written["baseline"] == {"claims": None, "vendor": None}
    growth = {row["name"]: row for row in written["growth"]}
    assert set(growth) == {
        "claim detail",
        "search",
        "claims list, page of 50",
        "claims list, filtered",
    }
    assert growth["claim detail"]["over"] and growth["claim detail"]["goal"]
    assert growth["claim detail"]["growth"] > 1.5
    assert not growth["search"]["over"] and growth["search"]["goal"]
    assert not growth["claims list, filtered"]["goal"]
    rows = {row["name"]: row for row in written["rows"]}
    assert growth["search"]["ms"] == rows["search"]["median_ms"]
    assert growth["search"]["baseline_ms"] == 100_000.0
    assert set(growth["search"]) == {
        "name",
        "baseline_ms",
        "ms",
        "growth",
        "floor_growth",
        "goal",
        "over",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "--baseline"),
        ('[{"name": "search", "rps": 10.0}]', "Not a row of the in-process table"),
    ],
)
def test_a_baseline_that_is_not_a_run_is_refused_before_the_corpus(
    tmp_path, text, message
):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(text)
    with pytest.raises(CommandError, match=message):
        call_command("benchmark", claims=400, baseline_file=str(baseline))
    assert not corpus.corpus_exists()


def test_a_query_count_is_read_from_django_s_capture(monkeypatch):
    from collections import deque

    from django.db import connections, reset_queries
    from django.test.utils import CaptureQueriesContext

    from claims.models import Claim
    from devtools.management.commands.benchmark import statements

    # The wrapper itself, not the ``connection`` proxy: undoing a patch through the
    # proxy would leave the wrapper without its log.
    connection = connections["default"]
    monkeypatch.setattr(connection, "queries_limit", 3)
    monkeypatch.setattr(connection, "queries_log", deque(maxlen=3))
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        Claim.objects.count()
        Claim.objects.exists()
    assert statements(queries) == 2
    # The log keeps only the last three statements: a fourth would be lost.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(4):
            Claim.objects.count()
    with pytest.raises(RuntimeError, match="too many to count"):
        statements(queries)


def test_the_framework_floor_answers_the_values_rows_as_json(client):
    from django.test.utils import override_settings

    from claims.models import Claim
    from devtools import framework_floor
    from devtools.management.commands.benchmark import claim_values

    corpus.generate(claims=30, seed=2)
    framework_floor.ROWS["test-page"] = lambda: claim_values(Claim.objects.all())[:5]
    with override_settings(ROOT_URLCONF="devtools.framework_floor"):
        answer = client.get("/floor/test-page/")
        # The app's own URLs answer in the same URLconf.
        assert client.get("/api/claims/?page_size=5").status_code == 200
    rows = answer.json()
    assert answer.status_code == 200 and len(rows) == 5
    first = Claim.objects.order_by("-stated_on", "id").first()
    assert rows[0]["id"] == first.pk and rows[0]["statement"] == first.statement


def test_the_benchmark_times_without_the_debug_log_of_queries(monkeypatch, settings):
    """As the app serves: on SQLite the log asks the database again to quote each
    statement's parameters, which would weigh on the cases of several queries."""
    from django.conf import settings as live

    from devtools.management.commands.benchmark import Command

    settings.DEBUG = True
    seen = []
    monkeypatch.setattr(
        Command,
        "_intake",
        lambda self, repeat: seen.append((live.DEBUG, connection.queries_logged)),
    )
    call_command("benchmark", intake_only=True, stdout=io.StringIO())
    assert seen == [(False, False)]
    assert live.DEBUG  # as it was, after the run
