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


#: The delimiters a spreadsheet writes CSV with: commas, or semicolons where the
#: comma is the decimal mark (and tabs, "tab-separated values").
DELIMITERS = (",", ";", "\t")


def _known(name: str) -> bool:
    return name in CLAIM_COLUMNS or bool(_FIGURE_COLUMN.match(name))


def delimiter_of(first_line: str) -> str:
    """The delimiter the header is written with: the first of ``DELIMITERS`` that
    splits it into more than one column, every one known; else a comma."""
    for delimiter in DELIMITERS:
        names = next(csv.reader([first_line], delimiter=delimiter), [])
        names = [name.strip().lower() for name in names]
        named = [name for name in names if name]
        if len(named) > 1 and all(_known(name) for name in named):
            return delimiter
    return ","


#: What the csv module's complaints mean, said for someone with a spreadsheet.
_CSV_ERRORS = {
    "unexpected end of data": 'a quoted cell is never closed (a " is missing)',
    "expected after": 'a " inside a quoted cell is not doubled ("")',
    "field larger than field limit": (
        f"a cell is longer than {csv.field_size_limit():,} characters"
    ),
}


def _rows(text: str) -> list[list[str]]:
    """The rows of ``text``, strictly read: a malformed line is a ``CSVError``
    naming it, not cells silently run together."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise CSVError(
            line, "", f"Line {line} holds a NUL character: this is not a text file."
        )
    first_line = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    reader = csv.reader(
        io.StringIO(text.lstrip("\ufeff"), newline=""),
        delimiter=delimiter_of(first_line),
        strict=True,
    )
    rows: list[list[str]] = []
    try:
        for cells in reader:
            rows.append(cells)
    except csv.Error as error:
        line = len(rows) + 1
        reason = next(
            (said for known, said in _CSV_ERRORS.items() if known in str(error)),
            str(error),
        )
        raise CSVError(line, "", f"Line {line} is not CSV: {reason}.") from None
    return rows


def read(text: str) -> CSVBundle:
    """The bundle of the claims in ``text``; ``CSVError`` when it is not CSV of
    claims (malformed, an unknown column or one named twice, text in a column the
    header does not name, no rows).

    Spreadsheets' ways are taken: a byte order mark, CRLF line ends, semicolons
    or tabs between the cells (``delimiter_of``), column names in any case, and
    empty columns with no name (trailing delimiters) are all read as meant."""
    rows = _rows(text)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise CSVError(1, "", "The first line names the columns; it is missing.")
    written = [name.strip() for name in rows[0]]
    header = [name.lower() for name in written]
    groups: set[int] = set()
    for name, as_written in zip(header, written, strict=True):
        match = _FIGURE_COLUMN.match(name)
        if match:
            groups.add(int(match.group(1) or 1))
        elif name and name not in CLAIM_COLUMNS:
            raise CSVError(1, as_written, f"Unknown column {as_written!r}.")
    named = [name for name in header if name]
    if len(set(named)) != len(named):
        twice = next(name for name in named if named.count(name) > 1)
        raise CSVError(1, twice, f"The column {twice!r} is named twice.")
    unnamed = [index for index, name in enumerate(header) if not name]
    reader = _Reader(groups)
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        beyond = [cell for cell in cells[len(header) :] if cell.strip()]
        if beyond:
            raise CSVError(
                number, "", f"{len(cells)} cells, but {len(header)} columns named."
            )
        for index in unnamed:
            if index < len(cells) and cells[index].strip():
                raise CSVError(
                    number,
                    "",
                    f"Line {number} has text in column {index + 1}, which the "
                    "first line does not name.",
                )
        reader.add(
            number,
            {name: cell for name, cell in zip(header, cells, strict=False) if name},
        )
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
