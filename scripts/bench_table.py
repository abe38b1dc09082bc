"""Print the benchmark's JSON files side by side as a Markdown table, for the README.

    .venv/bin/python scripts/bench_table.py docs/benchmarks/sqlite.json \\
        docs/benchmarks/postgresql.json
    .venv/bin/python scripts/bench_table.py docs/benchmarks/http-sqlite.json

Either form of ``benchmark --json`` reads: a plain list of rows, or the rows with
the corpus size and the vendor (the size then joins the column's label).

A file written by ``benchmark --http`` (rows of requests/s) prints as the HTTP
table: ours, the floor's and Datasette's requests/s and the ratios the goals name.
"""

import json
import sys
from pathlib import Path


def http_table(rows: list[dict]) -> None:
    print(
        "| case | req/s | p50 ms | p99 ms | floor req/s | floor / ours "
        "| Datasette req/s | ours / Datasette |"
    )
    print("|---|" + "---:|" * 7)
    for row in rows:
        peer = row["peer_rps"]
        print(
            f"| {row['name']} | {row['rps']:,.1f} | {row['p50_ms']:,.1f} | "
            f"{row['p99_ms']:,.1f} | {row['floor_rps']:,.1f} | "
            f"{row['floor_rps'] / row['rps']:.1f} | "
            + (
                "– | – |"
                if peer is None
                else f"{peer:,.1f} | {row['rps'] / peer:.2f} |"
            )
        )


def _framework(row: dict) -> str:
    if row.get("framework_floor_ms") is None:
        return " – | – |"
    return f" {row['framework_floor_ms']:,.1f} | {row['framework_ratio']:.1f} |"


def rows_and_label(stem: str, data: list | dict) -> tuple[list[dict], str]:
    """A file's rows, and its column label: the file's name, with the corpus size
    where the file records it (``{"claims", "vendor", "rows"}``; the first form is a
    plain list of rows)."""
    if isinstance(data, dict):
        claims = data.get("claims")
        return data["rows"], stem if claims is None else f"{stem}, {claims:,} claims"
    return data, stem


def main(paths: list[str]) -> None:
    loaded = {}
    for path in paths:
        rows, label = rows_and_label(
            Path(path).stem, json.loads(Path(path).read_text())
        )
        loaded[label] = rows
    first = next(iter(loaded.values()))
    if first and "rps" in first[0]:
        http_table(first)
        return
    tables = {stem: {r["name"]: r for r in rows} for stem, rows in loaded.items()}
    framework = any("framework_floor_ms" in r for r in first)
    names = list(next(iter(tables.values())))
    columns = " {db} ms | queries | floor ms | ratio |" + (
        " framework ms | fw ratio |" if framework else ""
    )
    header = "| case |" + "".join(columns.format(db=db) for db in tables)
    print(header)
    print("|---|" + "---:|" * ((6 if framework else 4) * len(tables)))
    for name in names:
        cells = []
        for rows in tables.values():
            row = rows.get(name)
            if row is None:
                cells.append(" | | | |" + (" | |" if framework else ""))
                continue
            cells.append(
                f" {row['median_ms']:,.1f} | {row['queries']} | "
                f"{row['floor_ms']:,.1f} | {row['ratio']:.1f} |"
                + (_framework(row) if framework else "")
            )
        print(f"| {name} |" + "".join(cells))


if __name__ == "__main__":
    main(sys.argv[1:])
