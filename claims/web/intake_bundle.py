"""The intake page's proposals, as an editor left them, -> one bundle for the import.

Pure: no database, no forms. The page's forms answer, for each proposed row (by its
key in the proposals: ``c1``, ``f1``, ``l1``), the editor's choices; ``build_bundle``
turns them into the bundle ``claims.exchange.bundle.import_bundle`` takes, keeping
only the rows checked (and the figures and links of checked claims), and says which
of the page's rows each of the bundle's rows came from, so that the import's errors
(``RowError(kind, key, field, reason)``) can be shown beside them (``place_errors``).

A choice of source or measure is ``"stored:<id>"`` (a stored row, referred to by its
id) or ``"new"`` (a new row from the name, kind and parent, or name and unit, given
beside it; new rows of the same name are one row). A new source's parent is named:
``resolve_parents`` makes the name a stored source's id, or keeps it when it names
another new source of the same post, which ``build_bundle`` refers to by its key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

NEW = "new"
STORED = "stored:"
#: The form row the document's errors are shown in.
REPORT = "report"
#: Where an error no row holds is shown: above the proposals.
ELSEWHERE = ""


def stored(pk: int) -> str:
    """The choice of a stored row."""
    return f"{STORED}{pk}"


def stored_id(choice: str) -> int | None:
    """The stored id a choice names, or None for a new row (or no choice)."""
    if choice and choice.startswith(STORED):
        rest = choice[len(STORED) :]
        return int(rest) if rest.isdigit() else None
    return None


@dataclass
class Accepted:
    """The bundle to import, and for each of its rows, by ``(kind, key)``, the page's
    rows it came from (a new source chosen by two claims came from both)."""

    bundle: dict
    rows: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def came_from(self, kind: str, key: str, row: str) -> None:
        owners = self.rows.setdefault((kind, key), [])
        if row not in owners:
            owners.append(row)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def build_bundle(
    report: Mapping, proposals: Mapping, choices: Mapping[str, Mapping]
) -> Accepted:
    """The bundle of what the editor accepted.

    ``report``: the document's ``title``, ``publisher``, ``url``, ``published_at``
    (a datetime or None) and ``text``. ``proposals``: intake's bundle of proposals
    (``claims.exchange.intake.proposals``). ``choices``: for each proposed claim,
    figure and link key, the editor's choices: every row ``include``; a claim
    ``source`` (with ``new_source_name``, ``new_source_kind``,
    ``new_source_parent`` for a new one: a stored id, a new source's name or
    None), ``statement``, ``attribution_kind``,
    ``stated_on`` (a date or None), ``stated_on_precision``; a figure ``text``,
    ``claim`` (a claim's key), ``measure`` (with ``new_measure_name`` and
    ``new_measure_unit``). A row without choices is not accepted."""
    accepted = Accepted(
        {
            "documents": [
                {
                    "key": "d1",
                    "title": report.get("title", ""),
                    "publisher": report.get("publisher", ""),
                    "url": report.get("url", ""),
                    "published_at": _iso(report.get("published_at")),
                    "text": report.get("text", ""),
                }
            ],
            "sources": [],
            "measures": [],
            "claims": [],
            "figures": [],
            "links": [],
        }
    )
    accepted.came_from("documents", "d1", REPORT)
    new_rows: dict[tuple[str, str], str] = {}

    def new_row(kind: str, prefix: str, values: dict, owner: str) -> str:
        """The key of the new source or measure named so, added once."""
        identity = (kind, str(values["name"]).strip().lower())
        if identity not in new_rows:
            key = f"{prefix}{len(accepted.bundle[kind]) + 1}"
            new_rows[identity] = key
            accepted.bundle[kind].append({"key": key, **values})
        accepted.came_from(kind, new_rows[identity], owner)
        return new_rows[identity]

    def chosen(rows: Iterable[Mapping]) -> list[tuple[Mapping, Mapping]]:
        return [
            (row, choices[row["key"]])
            for row in rows
            if choices.get(row["key"], {}).get("include")
        ]

    claims = set()
    for row, choice in chosen(proposals.get("claims", [])):
        key = row["key"]
        source: int | str | None = stored_id(choice.get("source", ""))
        if source is None:
            source = new_row(
                "sources",
                "s",
                {
                    "name": (choice.get("new_source_name") or "").strip(),
                    "kind": choice.get("new_source_kind") or "",
                    "parent": choice.get("new_source_parent") or None,
                },
                key,
            )
        claim = {
            "key": key,
            "source": source,
            "document": "d1",
            "quote": row.get("quote", ""),
            "statement": (choice.get("statement") or "").strip(),
            "attribution_kind": choice.get("attribution_kind") or "",
            "stated_on": _iso(choice.get("stated_on")),
            "stated_on_precision": choice.get("stated_on_precision") or "",
        }
        if row.get("quote_start") is not None:
            claim["quote_start"] = row["quote_start"]
        accepted.bundle["claims"].append(claim)
        accepted.came_from("claims", key, key)
        claims.add(key)

    for source in accepted.bundle["sources"]:
        if isinstance(source["parent"], str):  # another new source, by name
            source["parent"] = new_rows.get(("sources", source["parent"].lower()))

    for row, choice in chosen(proposals.get("figures", [])):
        key, claim = row["key"], choice.get("claim") or row.get("claim")
        if claim not in claims:
            continue  # the figure of a claim not accepted
        measure: int | str | None = stored_id(choice.get("measure", ""))
        if measure is None:
            measure = new_row(
                "measures",
                "m",
                {
                    "name": (choice.get("new_measure_name") or "").strip(),
                    "unit": (choice.get("new_measure_unit") or "").strip(),
                },
                key,
            )
        text = (choice.get("text") or "").strip()
        figure = {
            "key": key,
            "claim": claim,
            "measure": measure,
            "text": text,
            "note": row.get("note", ""),
        }
        if row.get("bounds_overridden") and text == row.get("text"):
            # A total the text states in parts: its bounds were read, not parsed.
            for name in ("qualifier", "value", "low", "high", "bounds_overridden"):
                figure[name] = row[name]
        accepted.bundle["figures"].append(figure)
        accepted.came_from("figures", key, key)

    for row, _choice in chosen(proposals.get("links", [])):
        if row.get("from_claim") in claims and row.get("to_claim") in claims:
            accepted.bundle["links"].append(
                {
                    name: row[name]
                    for name in ("key", "from_claim", "to_claim", "relation", "note")
                    if name in row
                }
            )
            accepted.came_from("links", row["key"], row["key"])
    return accepted


#: A new source's or measure's field -> the field of the page's row that gives it.
ROW_FIELDS = {
    "sources": {
        "name": "new_source_name",
        "kind": "new_source_kind",
        "parent": "new_source_parent",
    },
    "measures": {"name": "new_measure_name", "unit": "new_measure_unit"},
}
#: How an error of a row the page shows inside another is introduced.
WHOSE = {"sources": "The new source", "measures": "The new measure"}


def resolve_parents(
    choices: Mapping[str, dict], stored: Mapping[str, int]
) -> dict[str, str]:
    """Each accepted claim's new source's parent, given by name, made a stored id
    (``stored``: stored ids by lower-case name) or left a name when it is another
    new source of the same post; answers the rows whose parent is neither, with
    why. ``choices`` is changed in place."""
    new = {
        (c.get("new_source_name") or "").strip().lower()
        for c in choices.values()
        if c.get("include") and c.get("source") == NEW
    }
    errors = {}
    for key, choice in choices.items():
        name = (choice.get("new_source_parent") or "").strip()
        if not (choice.get("include") and choice.get("source") == NEW and name):
            continue
        if name.lower() in stored:
            choice["new_source_parent"] = stored[name.lower()]
        elif (
            name.lower() in new
            and name.lower() != (choice.get("new_source_name") or "").strip().lower()
        ):
            choice["new_source_parent"] = name
        else:
            errors[key] = f"No stored source, nor another new one, is named {name!r}."
    return errors


def parent_names(choices: Mapping[str, Mapping]) -> set[str]:
    """The lower-case names given as new sources' parents."""
    return {
        (c.get("new_source_parent") or "").strip().lower()
        for c in choices.values()
        if c.get("include") and c.get("source") == NEW and c.get("new_source_parent")
    }


def place_errors(
    errors: Iterable, rows: Mapping[tuple[str, str], list[str]]
) -> dict[str, list[tuple[str, str]]]:
    """The import's errors (``kind``, ``key``, ``field``, ``reason``) by the page's
    row they belong beside, each as ``(field, reason)``: the field of that row (a
    new source's ``name`` is its claim's ``new_source_name``), or "" for the row
    as a whole. Errors of no row are under ``ELSEWHERE``."""
    placed: dict[str, list[tuple[str, str]]] = {}
    for error in errors:
        owners = rows.get((error.kind, str(error.key))) or [ELSEWHERE]
        name = ROW_FIELDS.get(error.kind, {}).get(error.field, error.field)
        reason = error.reason
        if error.kind in WHOSE and name == error.field:
            name = ""
            reason = f"{WHOSE[error.kind]}: {reason}"
        for owner in owners:
            placed.setdefault(owner, []).append((name, reason))
    return placed
