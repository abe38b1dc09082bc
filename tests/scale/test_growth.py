"""The benchmark's growth from a baseline run: the rows, the marks, the lines, the
plans' formatting (devtools.growth), and the table script reading both forms of
--json."""

import importlib.util
import json
from pathlib import Path

import pytest

from devtools import growth


def row(name, ms, floor_ms=1.0):
    return {"name": name, "median_ms": ms, "queries": 2, "floor_ms": floor_ms}


# The files -----------------------------------------------------------------------------


def test_a_plain_list_of_rows_is_a_run_of_unknown_size():
    run = growth.read_run([row("claim detail", 1.0)])
    assert run.rows == [row("claim detail", 1.0)]
    assert run.claims is None and run.vendor is None


def test_the_object_form_records_the_size_and_the_vendor():
    data = growth.run_json([row("search", 2.0)], claims=100_000, vendor="sqlite")
    assert data == {"claims": 100_000, "vendor": "sqlite", "rows": [row("search", 2.0)]}
    run = growth.read_run(json.loads(json.dumps(data)))
    assert (run.claims, run.vendor, run.rows) == (
        100_000,
        "sqlite",
        [row("search", 2.0)],
    )


@pytest.mark.parametrize(
    "data",
    [
        {"claims": 5},
        "rows",
        [{"name": "x", "rps": 10.0}],  # an --http run's rows
        [["claim detail", 1.0]],
    ],
)
def test_what_is_not_an_in_process_run_is_refused(data):
    with pytest.raises(ValueError, match="Not a"):
        growth.read_run(data)


def test_the_json_beside_a_baseline_writes_the_growth_and_the_baseline_s_size():
    baseline = growth.Run([row("claim detail", 1.0)], claims=100_000, vendor="sqlite")
    grown = growth.growth_rows(baseline.rows, [row("claim detail", 2.0)])
    data = growth.run_json(
        [row("claim detail", 2.0)],
        claims=1_000_000,
        vendor="sqlite",
        growth=grown,
        baseline=baseline,
    )
    assert data["claims"] == 1_000_000
    assert data["baseline"] == {"claims": 100_000, "vendor": "sqlite"}
    assert data["growth"] == [
        {
            "name": "claim detail",
            "baseline_ms": 1.0,
            "ms": 2.0,
            "growth": 2.0,
            "floor_growth": 1.0,
            "goal": True,
            "over": True,
        }
    ]


# The growth ----------------------------------------------------------------------------


def test_growth_covers_the_cases_of_both_runs_in_this_run_s_order():
    baseline = [
        row("search", 4.0, 0.5),
        row("claim detail", 1.0, 0.1),
        row("gone", 1.0),
    ]
    now = [
        row("claim detail", 1.2, 0.3),
        row("new", 1.0),
        row("search", 3.0, 0.5),
    ]
    grown = growth.growth_rows(baseline, now)
    assert [g.name for g in grown] == ["claim detail", "search"]
    detail, search = grown
    assert (detail.baseline_ms, detail.ms, detail.growth) == (1.0, 1.2, 1.2)
    assert detail.floor_growth == 3.0
    assert search.growth == 0.75 and search.floor_growth == 1.0


def test_over_is_more_than_one_and_a_half_times_and_goal_names_four_cases():
    baseline = [
        row(name, 1.0) for name in (*growth.GOAL_CASES, "claims list, filtered")
    ]
    now = [
        row("claims list, page of 50", 1.5),
        row("claim detail", 1.51),
        row("search", 0.9),
        row("claim corroboration", 1.49),
        row("claims list, filtered", 9.0),
    ]
    grown = {g.name: g for g in growth.growth_rows(baseline, now)}
    assert not grown["claims list, page of 50"].over  # at most 1.5x: met
    assert grown["claim detail"].over
    assert grown["claims list, filtered"].over
    assert not grown["search"].over and not grown["claim corroboration"].over
    assert {name for name, g in grown.items() if g.goal} == set(growth.GOAL_CASES)


def test_a_zero_baseline_has_no_growth_and_is_not_over():
    (grown,) = growth.growth_rows(
        [row("claim detail", 0.0, 0.0)], [row("claim detail", 5.0)]
    )
    assert grown.growth is None and grown.floor_growth is None and not grown.over
    assert growth.mark(grown) == "no baseline time"


def test_the_table_marks_each_case_over_and_the_goal_s_cases():
    baseline = [
        row(n, 1.0) for n in ("claim detail", "search", "claims list, filtered")
    ]
    now = [
        row("claim detail", 2.0, 1.1),
        row("search", 1.1),
        row("claims list, filtered", 3.0),
    ]
    header, rule, detail, search, filtered = growth.table_lines(
        growth.growth_rows(baseline, now)
    )
    assert "baseline ms" in header and "now ms" in header
    assert "growth" in header and "floor growth" in header
    assert set(rule) == {"-"}
    assert "2.00x" in detail and "1.10x" in detail and "goal" in detail
    assert "<< OVER 1.5x" in detail
    assert "goal met" in search and "OVER" not in search.upper()
    assert "<< over 1.5x" in filtered and "goal" not in filtered


def test_the_heading_names_both_sizes_or_an_unrecorded_one():
    known = growth.heading(growth.Run([], 100_000, "sqlite"), 1_000_000, "sqlite")
    assert "100,000 claims" in known and "1,000,000 claims" in known
    assert "10.0x the corpus" in known and "ran on" not in known
    unknown = growth.heading(growth.Run([]), 1_000_000, "postgresql")
    assert "an unrecorded number of claims" in unknown and "1,000,000" in unknown
    other = growth.heading(growth.Run([], 10, "sqlite"), 100, "postgresql")
    assert "the baseline ran on sqlite, this run on postgresql" in other


def test_the_verdict_names_the_goal_s_cases_over_and_the_missing_ones():
    baseline = [row(name, 1.0) for name in growth.GOAL_CASES]
    met = growth.growth_rows(baseline, [row(n, 1.2) for n in growth.GOAL_CASES])
    assert growth.verdict(met).startswith("Goal met")
    missed = growth.growth_rows(
        baseline,
        [row("claim detail", 2.0), row("search", 1.0), row("claim corroboration", 1)],
    )
    text = growth.verdict(missed)
    assert text.startswith("Goal missed: claim detail 2.00x")
    assert "not in both runs: claims list, page of 50" in text
    assert "search" not in text.split(";")[0]


# The plans -----------------------------------------------------------------------------


def test_the_recorder_keeps_each_statement_with_its_parameters():
    recorder = growth.Recorder()
    ran = []

    def execute(sql, params, many, context):
        ran.append(sql)
        return "result"

    assert recorder(execute, "SELECT %s", [1], False, {}) == "result"
    recorder(execute, "INSERT INTO t VALUES (%s)", [[1], [2]], True, {})
    assert recorder.statements == [("SELECT %s", [1])]
    assert ran == ["SELECT %s", "INSERT INTO t VALUES (%s)"]


def test_distinct_statements_count_their_repeats():
    statements = [("SELECT 1", None), ("SELECT %s", [2]), ("SELECT 1", None)]
    statements.append(("SELECT %s", [3]))
    assert growth.distinct(statements) == [
        ("SELECT 1", None, 2),
        ("SELECT %s", [2], 1),
        ("SELECT %s", [3], 1),
    ]


def test_only_queries_are_explained_and_each_vendor_its_way():
    assert growth.explainable(' SELECT "id" FROM t')
    assert growth.explainable("WITH x AS (SELECT 1) SELECT * FROM x")
    assert growth.explainable("(SELECT 1) UNION (SELECT 2)")
    assert not growth.explainable('SAVEPOINT "s1"')
    assert not growth.explainable("")
    assert growth.explain_sql("sqlite", "SELECT 1") == "EXPLAIN QUERY PLAN SELECT 1"
    assert growth.explain_sql("postgresql", "SELECT 1") == "EXPLAIN SELECT 1"


def test_shorten_keeps_one_line_within_its_width():
    assert growth.shorten("SELECT  a,\n  b FROM t") == "SELECT a, b FROM t"
    long = growth.shorten("x" * 500, 40)
    assert len(long) == 40 and long.endswith("...")


def test_a_statement_s_long_select_list_is_cut_to_its_column_count():
    columns = ", ".join(f'"claims_claim"."column_{i}"' for i in range(12))
    sql = f"SELECT {columns}, (SELECT COUNT(*) FROM l WHERE a IN (1, 2)) AS n\n"
    sql += 'FROM "claims_claim" WHERE "claims_claim"."id" = %s LIMIT 21'
    assert growth.statement_line(sql) == (
        'SELECT <13 columns> FROM "claims_claim" WHERE "claims_claim"."id" = %s '
        "LIMIT 21"
    )
    short = "SELECT id, name FROM t WHERE id = %s"
    assert growth.statement_line(short) == short
    assert growth.statement_line('SAVEPOINT "s1"') == 'SAVEPOINT "s1"'
    assert len(growth.statement_line(f"SELECT 1 FROM t WHERE {'x' * 900}")) == 320


def test_sqlite_s_plan_rows_indent_as_their_tree():
    rows = [
        (3, 0, 0, "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)"),
        (7, 0, 0, "CORRELATED SCALAR SUBQUERY 1"),
        (11, 7, 0, "SEARCH l USING INDEX claims_link_from (from_claim_id=?)"),
        (20, 0, 0, "USE TEMP B-TREE FOR ORDER BY"),
    ]
    assert growth.plan_lines("sqlite", rows) == [
        "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)",
        "CORRELATED SCALAR SUBQUERY 1",
        "  SEARCH l USING INDEX claims_link_from (from_claim_id=?)",
        "USE TEMP B-TREE FOR ORDER BY",
    ]
    rows = [("Limit  (cost=0.42..3.1 rows=50 width=8)",), ("  ->  Index Scan",)]
    assert growth.plan_lines("postgresql", rows) == [
        "Limit  (cost=0.42..3.1 rows=50 width=8)",
        "  ->  Index Scan",
    ]


def test_the_notes_name_full_scans_and_sorts_apart_from_an_index():
    indexed = [
        "SCAN claims_claim USING INDEX claims_claim_stated_on",
        "SEARCH claims_link USING COVERING INDEX x (from_claim_id=?)",
        "SCAN f VIRTUAL TABLE INDEX 0:M2",
        "SCAN CONSTANT ROW",
        "SCAN (subquery-1)",
    ]
    assert growth.plan_notes("sqlite", indexed) == ["no full table scan"]
    whole = [
        "SCAN claims_claim",
        "  SCAN claims_source",
        "USE TEMP B-TREE FOR ORDER BY",
    ]
    assert growth.plan_notes("sqlite", whole) == [
        "full scan of claims_claim, claims_source",
        "sorts apart from an index",
    ]
    postgres = [
        "Limit  (cost=1.0..2.0 rows=50 width=8)",
        "  ->  Sort  (cost=1.0..2.0 rows=400 width=8)",
        "        Sort Key: stated_on DESC, id",
        "        ->  Seq Scan on claims_claim  (cost=0.00..9.00 rows=400 width=8)",
    ]
    assert growth.plan_notes("postgresql", postgres) == [
        "full scan of claims_claim",
        "sorts apart from an index",
    ]
    assert growth.plan_notes(
        "postgresql",
        ["Index Scan using claims_claim_pkey on claims_claim  (cost=0.29..8.30)"],
    ) == ["no full table scan"]


# The table script ----------------------------------------------------------------------


def bench_table():
    path = Path(__file__).resolve().parents[2] / "scripts" / "bench_table.py"
    spec = importlib.util.spec_from_file_location("bench_table", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table_script_reads_both_forms_of_the_json(tmp_path, capsys):
    old = tmp_path / "sqlite.json"
    old.write_text(json.dumps([{**row("claim detail", 1.25, 0.5), "ratio": 2.5}]))
    new = tmp_path / "postgresql.json"
    new.write_text(
        json.dumps(
            growth.run_json(
                [{**row("claim detail", 2.5, 0.5), "ratio": 5.0}],
                claims=1_000_000,
                vendor="postgresql",
            )
        )
    )
    bench_table().main([str(old), str(new)])
    header, _rule, line = capsys.readouterr().out.splitlines()
    assert "sqlite ms" in header and "postgresql, 1,000,000 claims ms" in header
    assert line == "| claim detail | 1.2 | 2 | 0.5 | 2.5 | 2.5 | 2 | 0.5 | 5.0 |"


def test_a_goal_case_without_a_baseline_time_is_not_called_met():
    rows = growth.growth_rows(
        [{"name": name, "median_ms": 0, "floor_ms": 1} for name in growth.GOAL_CASES],
        [{"name": name, "median_ms": 1, "floor_ms": 1} for name in growth.GOAL_CASES],
    )
    verdict = growth.verdict(rows)
    assert "Goal met" not in verdict and "no baseline time" in verdict


def test_a_baseline_row_whose_times_are_not_numbers_is_refused():
    data = json.loads('[{"name": "claim detail", "median_ms": "5", "floor_ms": 1}]')
    with pytest.raises(ValueError, match="Not a row of the in-process table"):
        growth.read_run(data)
