"""Print the benchmark's JSON files side by side as a Markdown table, for the README.

    .venv/bin/python scripts/bench_table.py docs/benchmarks/sqlite.json \\
        docs/benchmarks/postgresql.json
"""

import json
import sys
from pathlib import Path


def main(paths: list[str]) -> None:
    tables = {
        Path(p).stem: {r["name"]: r for r in json.loads(Path(p).read_text())}
        for p in paths
    }
    names = list(next(iter(tables.values())))
    header = "| case |" + "".join(
        f" {db} ms | queries | floor ms | ratio |" for db in tables
    )
    print(header)
    print("|---|" + "---:|" * (4 * len(tables)))
    for name in names:
        cells = []
        for rows in tables.values():
            row = rows.get(name)
            cells.append(
                f" {row['median_ms']:,.1f} | {row['queries']} | {row['floor_ms']:,.1f} | "
                f"{row['ratio']:.1f} |"
                if row
                else " | | | |"
            )
        print(f"| {name} |" + "".join(cells))


if __name__ == "__main__":
    main(sys.argv[1:])
