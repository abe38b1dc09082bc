"""Time one API request on this checkout and on an earlier revision, side by side.

    .venv/bin/python scripts/bench_against.py REV [--database sqlite|postgresql]
        [--claims 100000] [--figures 10000] [--rounds 3] [--repeat 25]

A goal such as "at most 1.5x its time before" needs the earlier code timed on the same
machine in the same run: the script checks REV out into a temporary worktree (sharing
this checkout's virtual environment), builds the same corpus (same seed) for each tree
in a database of its own, then times the case on each tree in turn, ``--rounds`` times,
each time the median of ``--repeat`` requests through the full Django stack with no
cache, and prints every round and the ratio of the medians.

The case is the corpus's measure of ``--figures`` figures; the request is
``/api/measures/{id}/comparison/`` (the address both revisions answer). For PostgreSQL,
``BENCH_POSTGRES`` names the server (default: the local one, user postgres).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
#: The PostgreSQL server, and the two databases (earlier revision, this checkout).
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASES = ("bench_against_0", "bench_against_1")

TIMER = r"""
import os, statistics, sys, time
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
from rest_framework.throttling import SimpleRateThrottle
try:
    from devtools import corpus
except ImportError:  # a revision from before the developer tools had an app
    from claims import corpus
from claims.models import Measure

SimpleRateThrottle.THROTTLE_RATES = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES)
settings.ALLOWED_HOSTS = ["*"]
size, repeat = sys.argv[1], int(sys.argv[2])
measure = next(
    m for m in Measure.objects.filter(name__startswith=corpus.CORPUS_MARK)
    if m.description == size
)
path = f"/api/measures/{measure.pk}/comparison/"
client = Client()
dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
with override_settings(CACHES=dummy):
    client.get(path)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.status_code
print(statistics.median(times))
"""


def run(tree: Path, url: str, *args: str, capture: bool = False) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "tracker.settings.local",
        "PYTHONPATH": str(tree),
    }
    done = subprocess.run(
        [sys.executable, *args],
        cwd=tree,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return done.stdout or ""


def database(kind: str, name: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / name}.sqlite3"
    for statement in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        psql(statement, check=True)
    return f"{POSTGRES}/{name}"


def psql(statement: str, check: bool) -> None:
    subprocess.run(["psql", f"{POSTGRES}/postgres", "-q", "-c", statement], check=check)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev")
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql"], default="sqlite"
    )
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--figures", default="10000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=25)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-against-") as scratch:
        workdir = Path(scratch)
        earlier = workdir / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(earlier), options.rev],
            cwd=HERE,
            check=True,
        )
        try:
            trees = {options.rev: earlier, "this checkout": HERE}
            urls = {}
            for index, (label, tree) in enumerate(trees.items()):
                url = database(options.database, DATABASES[index], workdir)
                run(tree, url, "manage.py", "migrate", "-v0")
                run(
                    tree,
                    url,
                    "manage.py",
                    "generate_corpus",
                    "--claims",
                    str(options.claims),
                )
                urls[label] = url
            medians: dict[str, list[float]] = {label: [] for label in trees}
            for round_ in range(1, options.rounds + 1):
                for label, tree in trees.items():
                    ms = float(
                        run(
                            tree,
                            urls[label],
                            "-c",
                            TIMER,
                            options.figures,
                            str(options.repeat),
                            capture=True,
                        ).strip()
                    )
                    medians[label].append(ms)
                    print(f"round {round_}  {label:<14} {ms:8.1f} ms", flush=True)
            before, now = (statistics.median(m) for m in medians.values())
            print(
                f"comparison of {int(options.figures):,} figures on "
                f"{options.database}: {options.rev} {before:.1f} ms, this checkout "
                f"{now:.1f} ms, ratio {now / before:.2f}"
            )
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(earlier)],
                cwd=HERE,
                check=False,
            )
            if options.database == "postgresql":  # SQLite files go with the scratch
                for name in DATABASES:
                    psql(f"DROP DATABASE IF EXISTS {name}", check=False)


if __name__ == "__main__":
    main()
