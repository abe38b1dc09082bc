"""The benchmark command, run small: every case is timed, counted and set beside its
floor, and --json writes the same table."""

import io
import json

import pytest
from django.core.management import call_command

from devtools import corpus

pytestmark = pytest.mark.django_db


# The command runs as it does from the shell, in autocommit (its CSV read streams
# through a PostgreSQL server-side cursor), not inside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_a_small_benchmark_prints_and_writes_every_case(tmp_path):
    out = io.StringIO()
    path = tmp_path / "bench.json"
    call_command(
        "benchmark",
        claims=400,
        repeat=2,
        import_claims=100,
        json_file=str(path),
        stdout=out,
    )
    rows = json.loads(path.read_text())
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
    assert (
        cached["claims list, page of 50, cached"]["queries"]
        == cached["claims list, page of 50"]["queries"] - 1
    ), "the cached count saves the count query"
    report = out.getvalue()
    assert "Evolution: " in report and " steps of " in report
    assert "median ms" in report and "floor ms" in report and "ratio" in report
    assert "framework ms" in report and "fw ratio" in report


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
