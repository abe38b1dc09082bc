"""Claims with their figures as CSV, read into an import bundle (``bundle``).

One row a claim; the first line names the columns. What the bundle's claim rows
take, under the same names:

- ``source``: the id of a stored source (a whole number) or a source's name. A
  name is matched to the stored source of that name (as a bundle's sources are),
  or creates one, of the kind given in ``source_kind``;
- ``document``: the id of a stored document, or the URL of one;
- ``statement``, ``quote``, ``attribution_kind``, ``stated_on``,
  ``stated_on_precision``, ``quote_prefix``, ``quote_suffix``, ``quote_start``;
- ``topics``: topic names separated by ``;``;
- ``key``: the claim's key (by default ``line N``, its line in the file).

Its figures, in groups of columns, as many groups as the claim has figures: the
first ``figure_text``, ``figure_measure``, ``figure_as_of``, ``figure_note``; the
second ``figure2_text``, ``figure2_measure``, ... A group whose cells are all
empty is no figure. ``figure_measure`` is the id of a stored measure or a
measure's name, matched or created (with the unit in ``figure_unit``).

An empty cell is a value not given. Lines are counted as a spreadsheet numbers
its rows, the header being line 1: a cell holding a line break does not add one.

Pure: the rows are validated by the import, as a bundle's are; ``place`` says at
which line and column each bundle row's field was written, for the import's
errors.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

CLAIM_COLUMNS = (
    "key",
    "source",
    "source_kind",
    "document",
    "statement",
    "quote",
    "quote_prefix",
    "quote_suffix",
    "quote_start",
    "attribution_kind",
    "stated_on",
    "stated_on_precision",
    "topics",
)
FIGURE_FIELDS = ("text", "measure", "unit", "as_of", "note")
_FIGURE_COLUMN = re.compile(r"^figure(\d*)_(" + "|".join(FIGURE_FIELDS) + r")$")
TOPIC_SEPARATOR = ";"


@dataclass
class CSVError(Exception):
    """The CSV could not be read as claims (at ``line``, in ``column``)."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass
class CSVBundle:
    """A bundle read from CSV, and where each of its rows' fields came from."""

    bundle: dict
    places: dict[tuple[str, str, str], tuple[int, str]] = field(default_factory=dict)

    def place(self, kind: str, key: str, name: str) -> tuple[int, str] | None:
        """The (line, column) a row's field was read from, or the row's line."""
        return self.places.get((kind, key, name)) or self.places.get((kind, key, ""))


def figure_column(group: int, name: str) -> str:
    """The column of a figure group's field: ``figure_text``, ``figure2_text``."""
    return f"figure{group if group > 1 else ''}_{name}"


def _reference(text: str) -> int | str:
    return int(text) if text.isascii() and text.isdigit() else text


def read(text: str) -> CSVBundle:
    """The bundle of the claims in ``text``; ``CSVError`` when it is not CSV of
    claims (an unknown column, a line longer than the header, no rows)."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise CSVError(0, "", f"Not CSV: {error}.") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise CSVError(1, "", "The first line names the columns; it is missing.")
    header = [name.strip() for name in rows[0]]
    groups: set[int] = set()
    for name in header:
        match = _FIGURE_COLUMN.match(name)
        if match:
            groups.add(int(match.group(1) or 1))
        elif name not in CLAIM_COLUMNS:
            raise CSVError(1, name, f"Unknown column {name!r}.")
    if len(set(header)) != len(header):
        twice = next(name for name in header if header.count(name) > 1)
        raise CSVError(1, twice, f"The column {twice!r} is named twice.")
    reader = _Reader(groups)
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            raise CSVError(
                number, "", f"{len(cells)} cells, but {len(header)} columns named."
            )
        reader.add(number, dict(zip(header, cells, strict=False)))
    if not reader.result.bundle["claims"]:
        raise CSVError(2, "", "No claims: every line after the first is empty.")
    return reader.result


class _Reader:
    def __init__(self, groups: set[int]):
        self.groups = sorted(groups)
        self.result = CSVBundle(
            {
                "sources": [],
                "measures": [],
                "documents": [],
                "claims": [],
                "figures": [],
            }
        )
        self.named: dict[tuple[str, str], dict] = {}

    def _place(self, kind, key, name, line, column) -> None:
        self.result.places.setdefault((kind, key, name), (line, column))

    def _named(self, kind, text, line, column, extra: dict) -> str:
        """The key of the bundle row naming a source, measure or document."""
        identity = "url" if kind == "documents" else "name"
        found = self.named.get((kind, text.lower()))
        if found is None:
            key = f"{identity}: {text}"
            found = {"key": key, identity: text}
            self.named[(kind, text.lower())] = found
            self.result.bundle[kind].append(found)
            self._place(kind, key, "", line, column)
            self._place(kind, key, identity, line, column)
        for name, (value, where) in extra.items():
            self._place(kind, found["key"], name, line, where)
            if value and name not in found:
                found[name] = value
        return found["key"]

    def _reference(self, kind, text, line, column, extra=None):
        value = _reference(text)
        if isinstance(value, int):
            return value
        return self._named(kind, text, line, column, extra or {})

    def add(self, line: int, cells: dict[str, str]) -> None:
        given = {name: value.strip() for name, value in cells.items() if value.strip()}
        key = given.pop("key", "") or f"line {line}"
        claim: dict = {"key": key}
        self._place("claims", key, "", line, "")
        for name in CLAIM_COLUMNS:
            if name in ("key", "source_kind"):
                continue
            self._place("claims", key, name, line, name)
            if name not in given:
                continue
            value = given[name]
            if name == "source":
                kind = {"kind": (given.get("source_kind", ""), "source_kind")}
                value = self._reference("sources", value, line, name, kind)
            elif name == "document":
                value = self._reference("documents", value, line, name)
            elif name == "topics":
                value = [t.strip() for t in value.split(TOPIC_SEPARATOR) if t.strip()]
            elif name == "quote_start":
                value = _reference(value)
            claim[name] = value
        self.result.bundle["claims"].append(claim)
        for group in self.groups:
            self._figure(line, key, group, given)

    def _figure(self, line: int, claim: str, group: int, given: dict) -> None:
        cells = {
            name: given[figure_column(group, name)]
            for name in FIGURE_FIELDS
            if figure_column(group, name) in given
        }
        if not cells:
            return
        key = f"{claim} figure {group}"
        figure: dict = {"key": key, "claim": claim}
        self._place("figures", key, "", line, figure_column(group, "text"))
        self._place("figures", key, "claim", line, "")
        for name in FIGURE_FIELDS:
            self._place("figures", key, name, line, figure_column(group, name))
        for name, value in cells.items():
            if name == "unit":
                continue
            column = figure_column(group, name)
            if name == "measure":
                unit = {"unit": (cells.get("unit", ""), figure_column(group, "unit"))}
                value = self._reference("measures", value, line, column, unit)
            figure[name] = value
        self.result.bundle["figures"].append(figure)


def located(errors, read: CSVBundle) -> list[dict]:
    """The import's errors (``bundle.RowError``) with the CSV ``line`` and
    ``column`` each one is about."""
    answers = []
    unknown_documents = set()
    for error in errors:
        line, column = read.place(error.kind, error.key, error.field) or (0, "")
        reason = error.reason
        if error.kind == "documents" and error.field != "url":
            # Not matched, so read as a new document, which needs far more.
            if error.key in unknown_documents:
                continue
            unknown_documents.add(error.key)
            reason = (
                f"No stored document has the URL {error.key.removeprefix('url: ')!r}; "
                "a CSV names stored documents only (by id or URL)."
            )
        answers.append(
            {**error.as_dict(), "reason": reason, "line": line, "column": column}
        )
    return answers
