"""A reading of a report -> proposals in the bundle import's own format.

Pure: no database. ``propose`` takes the report, what is stored (the gazetteer of
sources, the measures, the document already stored at the report's URL) and answers
a bundle (``claims.exchange.bundle``) whose rows also carry what they were read from,
which the import reads past and never stores:

- every row: ``matched``, the id of the stored object it was matched to (null for a
  new one), and ``confidence``, ``{"score": 0.0-1.0, "word": "high|medium|low"}``;
- a claim: ``speaker_span``, ``cue_span`` and ``quote_span``, ``[start, end]``
  offsets into the text, with ``speaker`` and ``cue``, the words at them;
- a new source: ``candidates``, stored sources whose name shares a word with it;
- a figure: ``span`` and ``interval`` (qualifier, value, low, high as read);
- the bundle: ``intake``, with ``reason`` (why nothing was proposed, or "") and
  ``notes`` (what was read but could not be proposed).

Posted back to ``POST /api/import/`` as it is, or as edited, it is stored all or none.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from claims.exchange.bundle import BUNDLE_ANNOTATION
from claims.exchange.intake.reading import (
    Confidence,
    Gazetteer,
    KnownMeasure,
    NewSource,
    ProposedClaim,
    Reading,
    read,
)

#: Why a reading may propose nothing.
NO_ATTRIBUTION = (
    "No attributed statement was found: no attribution cue (said, told, according "
    "to, citing, ...) or quotation with a speaker, and no figure in the outlet's "
    "own voice."
)
OTHER_SCRIPT = (
    "The text is mostly in {script} script; intake reads reports in English "
    "(Latin script) only, so nothing was proposed."
)


@dataclass(frozen=True)
class Report:
    """What an editor pastes: the text with its metadata."""

    text: str
    title: str = ""
    publisher: str = ""
    url: str = ""
    published_at: datetime | None = None


@dataclass(frozen=True)
class Stored:
    """What is stored that a report may match: sources (the gazetteer), measures,
    and the id of the document stored at the report's URL, if any."""

    gazetteer: Gazetteer
    measures: tuple[KnownMeasure, ...] = ()
    document_id: int | None = None


#: The longest text intake reads: a long report is some 30,000 characters.
MAX_TEXT = 200_000
#: How far ahead of the server's clock a publication time may be (clocks differ).
CLOCK_SKEW = timedelta(minutes=5)


_SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable(text: str) -> str:
    """Why no database could store this text (a NUL character, or a lone surrogate,
    which a JSON file may escape as "\\ud800" but which is no character), or ""."""
    if "\x00" in text:
        return "Null characters are not allowed."
    found = _SURROGATE.search(text)
    if found:
        return (
            f"Surrogate characters are not allowed: U+{ord(found[0]):04X} at "
            f"{found.start():,}."
        )
    return ""


def report_errors(report: Report, now: datetime) -> dict[str, str]:
    """What is wrong with a report before it is read, by field: an empty or overlong
    text, characters no database stores (in any field), a publication time in the
    future. {} when it may be read."""
    errors = {}
    for name in ("title", "publisher", "url"):
        reason = unstorable(getattr(report, name) or "")
        if reason:
            errors[name] = reason
    if not report.text.strip():
        errors["text"] = "Paste the report's text: it is empty."
    elif len(report.text) > MAX_TEXT:
        errors["text"] = (
            f"The text has {len(report.text):,} characters; intake reads at most "
            f"{MAX_TEXT:,} (split a longer text into its reports)."
        )
    elif unstorable(report.text):
        errors["text"] = unstorable(report.text)
    if report.published_at is not None and report.published_at > now + CLOCK_SKEW:
        errors["published_at"] = (
            f"{report.published_at.isoformat()} is in the future; a report is read "
            "relative to when it was published."
        )
    return errors


_ASCII_LETTER = re.compile(r"[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def main_script(text: str) -> str:
    """The script most of the text's letters are written in (``"Latin"``,
    ``"Cyrillic"``, ``"CJK"``, ...), from the Unicode names of its letters; "" for
    a text without letters."""
    counts: Counter[str] = Counter()
    # ASCII letters, most of an English text, are Latin without asking their names.
    ascii_letters = len(_ASCII_LETTER.findall(text))
    if ascii_letters:
        counts["LATIN"] = ascii_letters
    for char in _NON_ASCII.findall(text):
        if char.isalpha():
            name = unicodedata.name(char, "")
            script = name.split(" ", 1)[0] if name else "unknown"
            counts["CJK" if script in {"CJK", "HIRAGANA", "KATAKANA"} else script] += 1
    if not counts:
        return ""
    script = counts.most_common(1)[0][0]
    return "CJK" if script == "CJK" else script.title()


def propose(report: Report, stored: Stored) -> dict:
    """Read the report and answer its proposals as a bundle (see the module)."""
    script = main_script(report.text)
    if script and script != "Latin":
        return _empty(report, stored, OTHER_SCRIPT.format(script=script))
    publisher_id = (
        stored.gazetteer.lookup(report.publisher) if report.publisher else None
    )
    reading = read(
        report.text,
        report.published_at,
        stored.gazetteer,
        stored.measures,
        publisher=publisher_id,
    )
    if not reading.claims:
        return _empty(report, stored, NO_ATTRIBUTION)
    return _Bundle(report, stored, publisher_id).build(reading)


def _empty(report: Report, stored: Stored, reason: str) -> dict:
    return {
        "documents": [_document_row(report, stored)],
        "sources": [],
        "measures": [],
        "claims": [],
        "figures": [],
        "links": [],
        BUNDLE_ANNOTATION: {"reason": reason, "notes": []},
    }


def _document_row(report: Report, stored: Stored) -> dict:
    row = {
        "key": "d1",
        "title": report.title,
        "publisher": report.publisher,
        "url": report.url,
        "published_at": report.published_at.isoformat()
        if report.published_at
        else None,
        "text": report.text,
        "matched": stored.document_id,
    }
    return row


def _confidence(confidence: Confidence) -> dict:
    return {"score": confidence.score, "word": confidence.word}


def _words(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{3,}", name.lower()) if w not in _STOPWORDS}


_STOPWORDS = {"the", "and", "for", "who", "with", "former", "senior", "official"}
#: How many stored sources a new source offers as candidates.
CANDIDATES = 5


class CandidateIndex:
    """The stored sources by the words of their names and aliases, split once: a new
    source's candidates are the stored sources sharing the most words with its name
    (those of any one of their names), then by name, then by id."""

    def __init__(self, gazetteer: Gazetteer):
        #: word -> [(source id, which of its names)]
        self.postings: dict[str, list[tuple[int, int]]] = {}
        self.sorting: dict[int, tuple[str, int]] = {}
        for known in gazetteer.sources.values():
            self.sorting[known.id] = (known.name.lower(), known.id)
            for index, name in enumerate((known.name, *known.aliases)):
                for word in _words(name):
                    self.postings.setdefault(word, []).append((known.id, index))

    def candidates(self, name: str, limit: int = CANDIDATES) -> list[int]:
        hits: Counter[tuple[int, int]] = Counter()
        for word in _words(name):
            hits.update(self.postings.get(word, ()))
        shared: dict[int, int] = {}
        for (source_id, _name), count in hits.items():
            shared[source_id] = max(shared.get(source_id, 0), count)
        ranked = sorted(shared, key=lambda s: (-shared[s], self.sorting[s]))
        return ranked[:limit]


#: The index of each gazetteer in use (a gazetteer is immutable; the selectors keep
#: one per state of the stored sources).
_INDEXES: weakref.WeakKeyDictionary[Gazetteer, CandidateIndex] = (
    weakref.WeakKeyDictionary()
)


def candidate_index(gazetteer: Gazetteer) -> CandidateIndex:
    index = _INDEXES.get(gazetteer)
    if index is None:
        index = _INDEXES[gazetteer] = CandidateIndex(gazetteer)
    return index


class _Bundle:
    def __init__(self, report: Report, stored: Stored, publisher_id: int | None):
        self.report = report
        self.stored = stored
        self.publisher_id = publisher_id
        self.sources: list[dict] = []
        self.source_keys: dict[object, str] = {}
        self.measures: list[dict] = []
        self.measure_keys: dict[object, str] = {}
        self.claims: list[dict] = []
        self.notes: list[str] = []

    # Sources ----------------------------------------------------------------

    def source(self, source_id: int | None, new: NewSource | None) -> str:
        """The key of the bundle's row for a stored or new source, added once."""
        if source_id is not None:
            if source_id in self.source_keys:
                return self.source_keys[source_id]
            known = self.stored.gazetteer.sources[source_id]
            row = {
                "key": f"s{len(self.sources) + 1}",
                "name": known.name,
                "kind": known.kind,
                "matched": known.id,
                "confidence": {"score": 1.0, "word": "high"},
            }
            self.source_keys[source_id] = row["key"]
            self.sources.append(row)
            return row["key"]
        if new is None:  # own voice of a publisher not stored
            name, kind, parent = self.report.publisher or "The publisher", "media", None
        else:
            name, kind, parent = new.name, new.kind, new.parent_id
        name = _source_name(name)
        identity = name.lower()
        if identity in self.source_keys:
            return self.source_keys[identity]
        row = {
            "key": f"s{len(self.sources) + 1}",
            "name": name,
            "kind": kind,
            "parent": parent,
            "matched": None,
            "confidence": {"score": 0.6, "word": "medium"},
            "candidates": self._candidates(name),
        }
        self.source_keys[identity] = row["key"]
        self.sources.append(row)
        return row["key"]

    def _candidates(self, name: str) -> list[dict]:
        sources = self.stored.gazetteer.sources
        return [
            {"id": pk, "name": sources[pk].name}
            for pk in candidate_index(self.stored.gazetteer).candidates(name)
        ]

    # Measures ---------------------------------------------------------------

    def measure(self, measure_id: int | None, new_name: str, figure_text: str) -> str:
        if measure_id is not None:
            if measure_id not in self.measure_keys:
                known = next(m for m in self.stored.measures if m.id == measure_id)
                self.measure_keys[measure_id] = f"m{len(self.measures) + 1}"
                self.measures.append(
                    {
                        "key": self.measure_keys[measure_id],
                        "name": known.name,
                        "unit": known.unit,
                        "matched": known.id,
                        "confidence": {"score": 0.8, "word": "high"},
                    }
                )
            return self.measure_keys[measure_id]
        name = (new_name.strip() or f"Figures like {figure_text}")[:300]
        identity = name.lower()
        if identity not in self.measure_keys:
            unit = (new_name.split() or ["count"])[0][:100]
            self.measure_keys[identity] = f"m{len(self.measures) + 1}"
            self.measures.append(
                {
                    "key": self.measure_keys[identity],
                    "name": name[:1].upper() + name[1:],
                    "unit": unit,
                    "matched": None,
                    "confidence": {"score": 0.4, "word": "low"},
                }
            )
        return self.measure_keys[identity]

    # Claims, figures, links ---------------------------------------------------

    def claim_row(self, claim: ProposedClaim, source_key: str) -> dict:
        text = self.report.text
        row = {
            "key": f"c{len(self.claims) + 1}",
            "source": source_key,
            "document": "d1",
            "quote": claim.quote,
            "quote_start": claim.quote_start,
            "statement": _statement(claim, text),
            "attribution_kind": claim.attribution_kind,
            "stated_on": claim.stated_on.isoformat() if claim.stated_on else None,
            "stated_on_precision": claim.stated_on_precision,
            "matched": None,
            "confidence": _confidence(claim.confidence),
            "speaker": text[claim.speaker_start : claim.speaker_end],
            "speaker_span": [claim.speaker_start, claim.speaker_end],
            "cue": text[claim.cue_start : claim.cue_end],
            "cue_span": [claim.cue_start, claim.cue_end],
            "quote_span": [claim.quote_start, claim.quote_end],
        }
        self.claims.append(row)
        return row

    def build(self, reading: Reading) -> dict:
        claim_keys: list[str] = []
        for claim in reading.claims:
            row = self.claim_row(claim, self.source(claim.source_id, claim.new_source))
            claim_keys.append(row["key"])

        links: list[dict] = []

        def link(from_key: str, to_key: str, relation: str, note: str, score) -> None:
            links.append(
                {
                    "key": f"l{len(links) + 1}",
                    "from_claim": from_key,
                    "to_claim": to_key,
                    "relation": relation,
                    "note": note,
                    "confidence": score,
                }
            )

        for proposed in reading.links:
            from_key = claim_keys[proposed.from_claim]
            if proposed.to_claim is not None:
                link(
                    from_key,
                    claim_keys[proposed.to_claim],
                    proposed.relation,
                    proposed.note,
                    {"score": 0.6, "word": "medium"},
                )
                continue
            claim = reading.claims[proposed.from_claim]
            if proposed.relation == "based_on" and (
                claim.based_on_source_id is not None or claim.based_on_new is not None
            ):
                # "X, citing Y, said ...": Y's own (indirect) claim of the same
                # words, which X's is based on.
                cited = self.source(claim.based_on_source_id, claim.based_on_new)
                if cited == self.claims[proposed.from_claim]["source"]:
                    continue
                row = self.claim_row(claim, cited)
                row["attribution_kind"] = "indirect"
                row["confidence"] = {"score": 0.5, "word": "medium"}
                link(from_key, row["key"], "based_on", "", row["confidence"])
            else:
                self.notes.append(
                    f"A {proposed.relation} link from {from_key} was read, but not "
                    "the claim it points to."
                )

        figures = []
        for figure in reading.figures:
            owner = figure.claim_index
            if owner is None:
                owner = self._claim_of_sentence(figure.start, reading)
            if owner is None:
                self.notes.append(
                    f"The figure {figure.text!r} at {figure.start} belongs to no "
                    "proposed claim."
                )
                continue
            # A total the text states in parts ("around 1,500 ... with an
            # additional 1,500") is no text the parser reads: its bounds are given.
            given = (
                {
                    "qualifier": figure.qualifier,
                    "value": _number(figure.value),
                    "low": _number(figure.low),
                    "high": _number(figure.high),
                    "bounds_overridden": True,
                }
                if figure.note
                else {}
            )
            figures.append(
                {
                    "key": f"f{len(figures) + 1}",
                    **given,
                    "claim": claim_keys[owner],
                    "measure": self.measure(
                        figure.measure_id, figure.new_measure, figure.text
                    ),
                    "text": figure.text,
                    "note": figure.note,
                    "matched": None,
                    "confidence": {"score": 0.9, "word": "high"}
                    if figure.measure_id is not None
                    else {"score": 0.5, "word": "medium"},
                    "span": [figure.start, figure.end],
                    "interval": {
                        "qualifier": figure.qualifier,
                        "value": _number(figure.value),
                        "low": _number(figure.low),
                        "high": _number(figure.high),
                    },
                }
            )

        return {
            "documents": [_document_row(self.report, self.stored)],
            "sources": self.sources,
            "measures": self.measures,
            "claims": self.claims,
            "figures": figures,
            "links": links,
            BUNDLE_ANNOTATION: {"reason": "", "notes": self.notes},
        }

    @staticmethod
    def _claim_of_sentence(offset: int, reading: Reading) -> int | None:
        """The claim whose sentence holds a figure read outside every quote: the
        nearest claim starting before it."""
        before = [
            (c.quote_start, i)
            for i, c in enumerate(reading.claims)
            if c.quote_start <= offset
        ]
        return max(before)[1] if before else None


def _number(value) -> str | None:
    return None if value is None else format(value, "f")


def _source_name(phrase: str) -> str:
    name = re.sub(r"\s+", " ", phrase).strip(" ,.;:")
    name = re.sub(r"^(?:the|The)\s+", "", name)
    return (name[:1].upper() + name[1:])[:200] or "Unnamed source"


def _statement(claim: ProposedClaim, text: str) -> str:
    """What the claim says, for the editor to reword: the words after its speaker
    and cue ("Rutte announced on Monday that [...]", "According to the NIS, [...]"),
    else the quote without its quotation marks."""
    statement = ""
    if claim.attribution_kind != "direct_quote":
        after = max(claim.cue_end, claim.speaker_end)
        if claim.quote_start <= after < claim.quote_end:
            tail = text[after : claim.quote_end]
            that = re.match(r"^[^.\"\u201c]{0,60}?\bthat\s+", tail)
            tail = tail[that.end() :] if that else tail
            statement = tail.strip(" ,;:")
            if len(statement.split()) < 3:
                statement = ""
    if not statement:
        quote = claim.quote.strip()
        statement = quote.strip('"\u201c\u201d').strip() or quote
    return statement[:1].upper() + statement[1:]
