"""Importing a bundle from a file without holding it: the rows are read as they
come (``ijson``), a chunk at a time, and imported by the bundle import's own rules
(``claims.exchange.bundle``), all of them or none, in one transaction.

The file is read once to check its shape and count its rows, then once per kind,
in the order a kind's references need (documents, sources, measures, claims,
figures, links), so the kinds may come in any order in the file; standard input is
first copied to a temporary file. A chunk's references to rows of earlier chunks
are given as the ids those rows were stored with, which the import takes as it
takes any stored id; the keys and their ids are kept in a temporary SQLite file,
not in memory. So memory holds one chunk, whatever the size of the file.

Differences from importing the bundle whole: the sources are imported as one chunk
(a parent may come after its child, and there are few); a document, source or
measure of a later chunk that has the URL or name of one an earlier chunk created
is matched to it, as to any stored one; at most ``MAX_ERRORS`` bad rows are listed.
"""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from typing import IO

import ijson
from django.db import connection, transaction

from claims import caching, services
from claims.exchange.bundle import (
    BUNDLE_ANNOTATION,
    KINDS,
    MODELS,
    REFERENCES,
    BundleError,
    ImportResult,
    Progress,
    RowError,
    _Importer,
    _shape_errors,
)
from claims.models import Claim

CHUNK = 2_000
MAX_ERRORS = 1_000
#: Rows imported between two collections of the garbage they leave.
COLLECT_EVERY = 2_000
_SCALARS = ("null", "boolean", "integer", "double", "number", "string")
_ENDS = ("end_map", "end_array")


@contextmanager
def _seekable(file: str | IO[bytes]) -> Iterator[IO[bytes]]:
    """The bundle as a binary file that can be read more than once."""
    if file == "-":
        file = sys.stdin.buffer
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            yield handle
        return
    with tempfile.TemporaryFile() as copy:
        shutil.copyfileobj(file, copy, 1 << 20)
        copy.seek(0)
        yield copy


class NotJSON(ValueError):
    """The file is not JSON (or is cut short)."""


class _Keys:
    """Each stored row's key and id, by kind, in a temporary SQLite file."""

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="bundle-keys-")
        self.db = sqlite3.connect(os.path.join(self.folder.name, "keys.sqlite3"))
        self.db.execute(
            "CREATE TABLE keys (kind TEXT, key TEXT, pk INTEGER, "
            "PRIMARY KEY (kind, key)) WITHOUT ROWID"
        )

    def close(self) -> None:
        self.db.close()
        self.folder.cleanup()

    def ids(self, kind: str, keys: list[str]) -> dict[str, int]:
        found = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ", ".join("?" * len(part))
            found.update(
                self.db.execute(
                    f"SELECT key, pk FROM keys WHERE kind = ? AND key IN ({marks})",
                    [kind, *part],
                )
            )
        return found

    def add(self, kind: str, ids: dict[str, int]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO keys VALUES (?, ?, ?)",
            [(kind, key, pk) for key, pk in ids.items()],
        )


def _shape(handle: IO[bytes]) -> tuple[Counter, list[RowError]]:
    """The number of rows of each kind, and what is wrong with the file's shape
    (a top level that is not an object, an unknown kind, a kind that is not a
    list), reading the file once."""
    counts: Counter = Counter()
    errors: list[RowError] = []
    handle.seek(0)
    try:
        for prefix, event, value in ijson.parse(handle):
            if not prefix:
                if event == "map_key":
                    if value not in KINDS and value != BUNDLE_ANNOTATION:
                        errors.append(
                            RowError(
                                value,
                                "",
                                "",
                                f"Unknown kind; expected {', '.join(KINDS)}.",
                            )
                        )
                elif event not in ("start_map", "end_map"):
                    return counts, [
                        RowError(
                            "bundle", "", "", "A bundle is a JSON object of lists."
                        )
                    ]
            elif prefix in KINDS:
                if event.startswith("start_") and event != "start_array":
                    errors.append(RowError(prefix, "", "", "Must be a list of rows."))
                elif event in _SCALARS:
                    errors.append(RowError(prefix, "", "", "Must be a list of rows."))
            elif event not in _ENDS and event != "map_key" and prefix.endswith(".item"):
                kind, _, rest = prefix.partition(".")
                if rest == "item" and kind in KINDS:
                    counts[kind] += 1
    except ijson.JSONError as error:
        raise NotJSON(str(error)) from error
    return counts, errors


def _rows(handle: IO[bytes], kind: str) -> Iterator[dict]:
    handle.seek(0)
    yield from ijson.items(handle, f"{kind}.item", use_float=True)


def import_bundle_file(
    file, *, user=None, progress: Progress | None = None, chunk: int = CHUNK
) -> ImportResult:
    """Import the bundle in ``file`` (a path, ``-`` for standard input, or a binary
    file) as ``claims.exchange.bundle.import_bundle`` does, reading it a chunk of
    rows at a time; raise ``BundleError`` and write nothing if any row is bad. The
    result counts what was created and matched; its ``ids`` are left empty."""
    progress = progress or (lambda *a: None)
    keys = _Keys()
    try:
        with _seekable(file) as handle:
            counts, errors = _shape(handle)
            if errors:
                raise BundleError(errors)
            with transaction.atomic():
                if counts["links"]:
                    services.lock_link_graph()
                result = _Stream(handle, keys, counts, user, progress, chunk).run()
                caching.bump_all()  # bulk writes send no signals
            return result
    finally:
        keys.close()


class _Stream:
    def __init__(self, handle, keys, counts, user, progress, chunk):
        self.handle, self.keys, self.counts = handle, keys, counts
        self.user, self.progress, self.chunk = user, progress, chunk
        self.result = ImportResult()
        self.errors: list[RowError] = []
        self.uncollected = 0

    def run(self) -> ImportResult:
        for kind in KINDS:
            rows = _rows(self.handle, kind)
            size = self.counts[kind] if kind == "sources" else self.chunk
            done = 0
            while part := list(islice(rows, max(size, 1))):
                self._import(kind, part)
                # Under DEBUG the connection logs every query (up to 9,000, some
                # of a whole batch of rows): one chunk's at most.
                connection.queries_log.clear()
                done += len(part)
                self.uncollected += len(part)
                if self.uncollected >= COLLECT_EVERY:
                    # Model instances hold cycles (a claim's quote check refers to
                    # the claim): collected now, not whenever the oldest
                    # generation next is.
                    gc.collect()
                    self.uncollected = 0
                self.progress(kind, done, self.counts[kind])
                if len(self.errors) >= MAX_ERRORS:
                    break
            if self.errors:
                raise BundleError(self.errors[:MAX_ERRORS])
        return self.result

    def _import(self, kind: str, rows: list[dict]) -> None:
        errors = _shape_errors({kind: rows})
        labelled = [str(r.get("key", "")) for r in rows if isinstance(r, dict)]
        for key in self.keys.ids(kind, [k for k in labelled if k]):
            errors.append(RowError(kind, key, "key", "This key is used twice."))
        if errors:
            self.errors += errors
            return
        references = REFERENCES.get(kind, {})
        wanted: dict[str, set[str]] = {}
        for row in rows:
            for name, target in references.items():
                value = row.get(name)
                if isinstance(value, str) and not (kind == target):
                    wanted.setdefault(target, set()).add(value)
        found = {t: self.keys.ids(t, sorted(v)) for t, v in wanted.items()}
        for row in rows:
            for name, target in references.items():
                value = row.get(name)
                if isinstance(value, str) and value in found.get(target, {}):
                    row[name] = found[target][value]
        importer = _ChunkImporter({kind: rows}, user=self.user, progress=_quiet)
        importer.prefetch(kind, rows)
        try:
            importer.run()
        except BundleError as error:
            self.errors += error.errors
            return
        result = importer.result
        for name, count in result.created.items():
            self.result.created[name] = self.result.created.get(name, 0) + count
        for name, count in result.matched.items():
            self.result.matched[name] = self.result.matched.get(name, 0) + count
        self.keys.add(kind, result.ids.get(kind, {}))


def _quiet(*args) -> None:
    return None


class _ChunkImporter(_Importer):
    """The bundle import of one chunk, with the stored rows its ids refer to read
    in one query per kind rather than one per id."""

    def prefetch(self, kind: str, rows: list[dict]) -> None:
        self._stored = {}
        for name, target in REFERENCES.get(kind, {}).items():
            ids = {
                row[name]
                for row in rows
                if isinstance(row.get(name), int) and not isinstance(row[name], bool)
            }
            if not ids:
                continue
            model = MODELS[target]
            queryset = model.objects.all()
            if model is Claim:
                queryset = queryset.select_related("document")
            cache = self._stored.setdefault(target, {})
            cache.update(queryset.in_bulk(sorted(ids)))
            for pk in ids - set(cache):
                cache[pk] = None
