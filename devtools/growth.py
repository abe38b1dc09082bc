"""How the benchmark's times grow with the corpus: one run beside an earlier one.

``manage.py benchmark --baseline FILE`` sets each case's median beside the same
case's in FILE (an earlier run's ``--json``, typically at 100,000 claims): the
growth (now over then), the floor's growth beside it, and a mark on each case that
grew more than ``LIMIT``. The goal names four cases (``GOAL_CASES``); every case is
shown. For each case over the limit the command prints the query plan of every
statement its request ran, formatted here.

Nothing here reads the database: the rows, the marks, the lines and the plans'
formatting are plain functions of their arguments.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

#: The most a goal's case may grow from the baseline's corpus to this one.
LIMIT = 1.5
#: The cases the goal names: "list, detail, search and corroboration growing at
#: most 1.5x from 100,000 claims to 1,000,000".
GOAL_CASES = (
    "claims list, page of 50",
    "claim detail",
    "search",
    "claim corroboration",
)
#: What a row of the in-process table holds at least (an ``--http`` row has none).
ROW_KEYS = frozenset({"name", "median_ms", "floor_ms"})


@dataclass(frozen=True)
class Run:
    """A ``--json`` file: the rows, and the corpus size and database vendor where
    the file records them (the first form, a plain list of rows, does not)."""

    rows: list[dict]
    claims: int | None = None
    vendor: str | None = None


def read_run(data: object) -> Run:
    """The run a ``--json`` file holds, in either form: a list of rows (the first
    form), or an object with ``rows``, ``claims`` and ``vendor``."""
    if isinstance(data, list):
        run = Run(data)
    elif isinstance(data, dict) and isinstance(data.get("rows"), list):
        claims = data.get("claims")
        run = Run(
            data["rows"],
            claims if isinstance(claims, int) else None,
            data.get("vendor") if isinstance(data.get("vendor"), str) else None,
        )
    else:
        raise ValueError(
            "Not a benchmark --json file: neither a list of rows nor an object "
            "with rows."
        )
    for row in run.rows:
        if (
            not isinstance(row, dict)
            or not ROW_KEYS <= row.keys()
            or not isinstance(row["name"], str)
            or not all(
                isinstance(row[key], int | float) and not isinstance(row[key], bool)
                for key in ("median_ms", "floor_ms")
            )
        ):
            raise ValueError(
                f"Not a row of the in-process table (name, median_ms, floor_ms): "
                f"{str(row)[:120]}"
            )
    return run


def run_json(
    rows: list[dict],
    claims: int,
    vendor: str,
    growth: list[Growth] | None = None,
    baseline: Run | None = None,
) -> dict:
    """What ``--json`` writes: the rows with the corpus size and the vendor and,
    beside a baseline, the growth of each case and the baseline's size."""
    data: dict = {"claims": claims, "vendor": vendor, "rows": rows}
    if growth is not None:
        data["growth"] = [asdict(row) for row in growth]
        data["baseline"] = {
            "claims": None if baseline is None else baseline.claims,
            "vendor": None if baseline is None else baseline.vendor,
        }
    return data


# The growth ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Growth:
    name: str
    baseline_ms: float
    ms: float
    #: Now over the baseline; None where the baseline's time is zero.
    growth: float | None
    floor_growth: float | None
    #: One of the cases the goal names.
    goal: bool
    #: Grew more than LIMIT.
    over: bool


def ratio(now: float, before: float) -> float | None:
    if not before:
        return None
    return round(now / before, 2)


def growth_rows(baseline: list[dict], rows: list[dict]) -> list[Growth]:
    """Each case present in both runs, in this run's order."""
    before = {row["name"]: row for row in baseline}
    found = []
    for row in rows:
        old = before.get(row["name"])
        if old is None:
            continue
        growth = ratio(row["median_ms"], old["median_ms"])
        found.append(
            Growth(
                name=row["name"],
                baseline_ms=old["median_ms"],
                ms=row["median_ms"],
                growth=growth,
                floor_growth=ratio(row["floor_ms"], old["floor_ms"]),
                goal=row["name"] in GOAL_CASES,
                over=growth is not None and growth > LIMIT,
            )
        )
    return found


def size(claims: int | None) -> str:
    return "an unrecorded number of claims" if claims is None else f"{claims:,} claims"


def heading(baseline: Run, claims: int, vendor: str) -> str:
    """The two corpus sizes (and the vendors, where they differ)."""
    line = f"Growth from {size(baseline.claims)} (baseline) to {size(claims)} (now)"
    if baseline.claims:
        line += f", {claims / baseline.claims:,.1f}x the corpus"
    if baseline.vendor and baseline.vendor != vendor:
        line += f"; the baseline ran on {baseline.vendor}, this run on {vendor}"
    return line + f"; goal: at most {LIMIT}x for the cases marked goal"


def mark(row: Growth) -> str:
    if row.growth is None:
        return "no baseline time"
    if row.over:
        return f"<< OVER {LIMIT}x, the goal's" if row.goal else f"<< over {LIMIT}x"
    return "goal met" if row.goal else ""


def _times(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def table_lines(rows: list[Growth]) -> list[str]:
    """The growth table: baseline ms, now ms, growth, the floor's growth, whether
    the goal names the case, and the mark of a case over the limit."""
    width = max([len("case"), *(len(row.name) for row in rows)]) + 1
    header = (
        f"{'case':<{width}} {'baseline ms':>12} {'now ms':>10} {'growth':>8} "
        f"{'floor growth':>13} {'goal':>5}  mark"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row.name:<{width}} {row.baseline_ms:>12.2f} {row.ms:>10.2f} "
            f"{_times(row.growth):>8} {_times(row.floor_growth):>13} "
            f"{'goal' if row.goal else '':>5}  {mark(row)}".rstrip()
        )
    return lines


def verdict(rows: list[Growth]) -> str:
    """One line: whether the goal's cases grew at most LIMIT, and which did not."""
    by_name = {row.name: row for row in rows}
    missing = [name for name in GOAL_CASES if name not in by_name]
    over = [by_name[n] for n in GOAL_CASES if n in by_name and by_name[n].over]
    untimed = [n for n in GOAL_CASES if n in by_name and by_name[n].growth is None]
    parts = []
    if over:
        parts.append(
            "Goal missed: "
            + ", ".join(f"{row.name} {row.growth:.2f}x" for row in over)
            + f" (at most {LIMIT}x)"
        )
    elif not missing and not untimed:
        parts.append(f"Goal met: {', '.join(GOAL_CASES)} grew at most {LIMIT}x")
    if untimed:
        parts.append(f"no baseline time: {', '.join(untimed)}")
    if missing:
        parts.append(f"not in both runs: {', '.join(missing)}")
    return "; ".join(parts) + "."


# The query plans ----------------------------------------------------------------------


@dataclass
class Recorder:
    """A ``connection.execute_wrapper``: the SQL and the parameters of each
    statement run while it is installed, as the database received them."""

    statements: list[tuple[str, object]] = field(default_factory=list)

    def __call__(self, execute, sql, params, many, context):
        if not many:  # an executemany writes rows: no query to plan
            self.statements.append((sql, params))
        return execute(sql, params, many, context)


def distinct(statements: list[tuple[str, object]]) -> list[tuple[str, object, int]]:
    """Each statement once, in the order first run, with how many times it ran."""
    counts: dict[tuple[str, str], list] = {}
    for sql, params in statements:
        key = (sql, repr(params))
        if key in counts:
            counts[key][2] += 1
        else:
            counts[key] = [sql, params, 1]
    return [tuple(entry) for entry in counts.values()]


def explainable(sql: str) -> bool:
    """A query with a plan (not a SAVEPOINT, a SET, ...)."""
    words = sql.lstrip(" (\n\t").split(None, 1)
    return bool(words) and words[0].upper() in {"SELECT", "WITH", "VALUES"}


def explain_sql(vendor: str, sql: str) -> str:
    """The statement that shows ``sql``'s plan: EXPLAIN QUERY PLAN on SQLite,
    EXPLAIN on PostgreSQL."""
    return f"EXPLAIN QUERY PLAN {sql}" if vendor == "sqlite" else f"EXPLAIN {sql}"


def shorten(text: str, width: int = 240) -> str:
    """One line of at most ``width`` characters."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= width else text[: width - 3] + "..."


def statement_line(sql: str, width: int = 320) -> str:
    """A statement on one line, its select list (when long) cut to how many columns
    it names, so the FROM and the WHERE a plan is about stay in view."""
    text = re.sub(r"\s+", " ", sql).strip()
    if text[:7].upper() == "SELECT ":
        depth, commas = 0, 0
        for at in range(7, len(text)):
            char = text[at]
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and char == ",":
                commas += 1
            elif depth == 0 and text[at : at + 6].upper() == " FROM ":
                if at - 7 > 60:
                    text = f"SELECT <{commas + 1} columns>{text[at:]}"
                break
    return shorten(text, width)


def plan_lines(vendor: str, rows: list[tuple]) -> list[str]:
    """EXPLAIN's rows as lines: SQLite's (id, parent, notused, detail) as the tree
    its parents make, indented like the sqlite3 shell; PostgreSQL's lines as they
    are."""
    if vendor != "sqlite":
        return [str(row[0]) for row in rows]
    depth: dict[int, int] = {}
    lines = []
    for row in rows:
        node, parent, detail = row[0], row[1], row[-1]
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + str(detail))
    return lines


_SQLITE_SCAN = re.compile(r"^SCAN (\S+)(.*)$")
_POSTGRES_SCAN = re.compile(r"Seq Scan on (\S+)")


def plan_notes(vendor: str, lines: list[str]) -> list[str]:
    """What a reader looks for first in a plan: the tables read whole (no index),
    and the sorts done apart from an index."""
    scans, sorts = [], False
    for line in (line.strip() for line in lines):
        if vendor == "sqlite":
            found = _SQLITE_SCAN.match(line)
            if found and not re.search(
                r"USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|VIRTUAL TABLE",
                found.group(2),
            ):
                # Not a table: a constant row, a materialized subquery.
                if found.group(1) != "CONSTANT" and not found.group(1).startswith("("):
                    scans.append(found.group(1))
            sorts = sorts or "USE TEMP B-TREE" in line
        else:
            found = _POSTGRES_SCAN.search(line)
            if found:
                scans.append(found.group(1))
            sorts = sorts or bool(re.match(r"(-> +)?(Incremental )?Sort\b", line))
    notes = [
        f"full scan of {', '.join(dict.fromkeys(scans))}"
        if scans
        else "no full table scan"
    ]
    if sorts:
        notes.append("sorts apart from an index")
    return notes
