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

A chunk's rows are checked against the stored rows as the whole import checks them
(a claim's quote against the claims holding it, a link against the links between
and out of its claims), but those reads are made for the whole chunk at once, a few
queries a chunk (``_ChunkImporter``): the work of a chunk does not grow with the
rows stored, nor with the chunks before it.

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
from claims.choices import DERIVING_RELATIONS, SYMMETRIC_RELATIONS
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
from claims.models import Claim, Link

CHUNK = 2_000
#: Ids a query asks for at most (``IN`` lists).
BATCH = 500
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
            with _young_garbage_only(), transaction.atomic():
                if counts["links"]:
                    services.lock_link_graph()
                result = _Stream(handle, keys, counts, user, progress, chunk).run()
                caching.bump_all()  # bulk writes send no signals
            return result
    finally:
        keys.close()


@contextmanager
def _young_garbage_only() -> Iterator[None]:
    """The objects alive before the import (the interpreter's, Django's, the
    caller's) left out of the garbage collections made during it: each chunk's
    collection then reads the objects made since, not every object in the
    process."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


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


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _batches(values, size: int = BATCH) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _ChunkImporter(_Importer):
    """The bundle import of one chunk, with the stored rows its validation reads
    asked for in a few queries a chunk rather than one or more a row: the rows its
    ids refer to, the stored claims that may hold a claim's quote, and the stored
    links between and out of its links' claims.

    A chunk's references to earlier chunks are stored ids, so the whole import's
    shortcuts (a claim of a source or document the bundle created has no stored
    duplicate; a link between claims the bundle created has no stored links) do
    not apply and every row is checked against the stored ones. The database does
    not change while a chunk is validated, so the answers read in advance are
    those each row's own query would get."""

    #: The most claims whose stored deriving links are kept while a chunk's links
    #: are validated (the graph walks of its cycle checks).
    MAX_STEPS = 100_000

    def prefetch(self, kind: str, rows: list[dict]) -> None:
        self._stored = {}
        self._quote_pairs: set[tuple[int, int]] = set()
        self._pairs_read: set[frozenset] = set()
        self._steps_read: dict[int, list[int]] = {}
        for name, target in REFERENCES.get(kind, {}).items():
            ids = {row[name] for row in rows if _is_id(row.get(name))}
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
        if kind == "claims":
            self._prefetch_quotes(rows)
        elif kind == "links":
            self._prefetch_links(rows)

    # Claims: the stored claims of each (source, document) pair of the chunk.

    def _prefetch_quotes(self, rows: list[dict]) -> None:
        """The stored claims of the chunk's pairs of a stored source and document,
        by span and by quote, the first in the claims' order (``first()``'s)."""
        self._quote_pairs = {
            (row["source"], row["document"])
            for row in rows
            if _is_id(row.get("source")) and _is_id(row.get("document"))
        }
        self._by_span: dict[tuple, int] = {}
        self._by_quote: dict[tuple, int] = {}
        pairs = sorted(self._quote_pairs, key=lambda pair: (pair[1], pair[0]))
        for part in _batches(pairs):
            # The query answers every claim of each pair whose source and document
            # it names, in the claims' order: of a pair the first batch naming it
            # holds them all.
            stored = Claim.objects.filter(
                document_id__in=sorted({document for _, document in part}),
                source_id__in=sorted({source for source, _ in part}),
            ).values_list(
                "pk", "source_id", "document_id", "quote_start", "quote_end", "quote"
            )
            for pk, source, document, start, end, quote in stored:
                if (source, document) not in self._quote_pairs:
                    continue
                if start is not None:
                    self._by_span.setdefault((source, document, start, end), pk)
                self._by_quote.setdefault((source, document, quote), pk)

    def _stored_duplicate_quote(self, claim: Claim) -> int | None:
        if (claim.source_id, claim.document_id) not in self._quote_pairs:
            return super()._stored_duplicate_quote(claim)
        if claim.quote_start is not None:
            key = (claim.source_id, claim.document_id, claim.quote_start)
            return self._by_span.get((*key, claim.quote_end))
        return self._by_quote.get((claim.source_id, claim.document_id, claim.quote))

    # Links: the stored relations between each pair, and the stored deriving links
    # out of every claim the cycle checks can reach.

    def _prefetch_links(self, rows: list[dict]) -> None:
        ends = [
            (row["from_claim"], row["to_claim"], row.get("relation"))
            for row in rows
            if _is_id(row.get("from_claim")) and _is_id(row.get("to_claim"))
        ]
        self._pairs_read = {
            frozenset((a, b))
            for a, b, relation in ends
            if relation in SYMMETRIC_RELATIONS
        }
        self._relations: dict[frozenset, set[str]] = {}
        for part in _batches(sorted(self._pairs_read, key=sorted), BATCH // 2):
            claims = sorted({claim for pair in part for claim in pair})
            stored = Link.objects.filter(
                from_claim__in=claims, to_claim__in=claims
            ).values_list("from_claim_id", "to_claim_id", "relation")
            for a, b, relation in stored:
                pair = frozenset((a, b))
                if pair in self._pairs_read:
                    self._relations.setdefault(pair, set()).add(relation)
        frontier = {b for a, b, relation in ends if relation in DERIVING_RELATIONS}
        while frontier and len(self._steps_read) < self.MAX_STEPS:
            self._read_steps(sorted(frontier))
            frontier = {
                target for node in frontier for target in self._steps_read[node]
            } - set(self._steps_read)

    def _read_steps(self, claims: list[int]) -> None:
        for part in _batches(claims):
            for claim in part:
                self._steps_read[claim] = []
            # Each claim's links in the order of their ids, as ``_stored_steps``
            # answers them (ordered by claim first, the index of the claims
            # gives that order).
            stored = (
                Link.objects.filter(
                    from_claim__in=part, relation__in=DERIVING_RELATIONS
                )
                .order_by("from_claim_id", "id")
                .values_list("from_claim_id", "to_claim_id")
            )
            for source, target in stored:
                self._steps_read[source].append(target)

    def _stored_relations(self, link) -> set[str]:
        pair = frozenset((link.from_claim_id, link.to_claim_id))
        if pair not in self._pairs_read:
            return super()._stored_relations(link)
        return set(self._relations.get(pair, ()))

    def _stored_steps(self, claims: list[int]) -> list[tuple[int, int]]:
        missing = [claim for claim in claims if claim not in self._steps_read]
        if missing:
            if len(self._steps_read) + len(missing) > self.MAX_STEPS:
                self._steps_read.clear()
                missing = list(claims)
            self._read_steps(missing)
        return [
            (claim, target) for claim in claims for target in self._steps_read[claim]
        ]
