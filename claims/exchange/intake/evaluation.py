"""A reading scored against a gold standard (a report's annotated claims and figures).

Pure: the gold is plain data read from JSON (a Django fixture's list, or an annotated
report written by hand), no database. An annotated-report directory holds, for each
report NAME, ``NAME.txt`` (the text) and ``NAME.json`` (its metadata and gold, see
``gold_from_annotation``), or ``NAME.json`` alone pointing at a Django fixture
(``{"fixture": "../seed.json", "document": 1}``, the path relative to the file).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from claims.choices import AttributionKind
from claims.exchange.intake.reading import (
    Gazetteer,
    KnownMeasure,
    KnownSource,
    Reading,
    read,
)
from claims.independence import group_of


@dataclass(frozen=True)
class GoldClaim:
    id: int
    source: int
    quote_start: int
    quote_end: int
    quote: str
    attribution_kind: str


@dataclass(frozen=True)
class GoldFigure:
    id: int
    text: str
    low: Decimal | None
    high: Decimal | None
    claim: int | None = None
    measure: int | None = None


@dataclass(frozen=True)
class Gold:
    text: str
    published_at: datetime | None
    sources: tuple[KnownSource, ...]
    measures: tuple[KnownMeasure, ...]
    claims: tuple[GoldClaim, ...]
    figures: tuple[GoldFigure, ...]
    #: The publisher's source (the speaker of own-voice sentences), if known.
    publisher: int | None = None
    title: str = ""

    @property
    def parents(self) -> dict[int, int | None]:
        return {s.id: s.parent_id for s in self.sources}

    def gazetteer(self) -> Gazetteer:
        return Gazetteer(self.sources)


@dataclass(frozen=True)
class Scores:
    found: tuple[int, ...]  # gold claim ids found
    missed: tuple[GoldClaim, ...]
    attributed_gold: int
    proposed: int  # proposed attributed claims
    proposed_matching: int
    figures_found: tuple[int, ...]
    figures_missed: tuple[GoldFigure, ...]
    wrong: tuple[str, ...]  # proposals matching no gold claim, as text
    names: dict[int, str] = field(default_factory=dict)  # source id -> name

    @property
    def recall(self) -> float:
        return len(self.found) / self.attributed_gold if self.attributed_gold else 1.0

    @property
    def precision(self) -> float:
        return self.proposed_matching / self.proposed if self.proposed else 1.0

    def report(self) -> str:
        lines = [
            f"recall {len(self.found)}/{self.attributed_gold}, precision "
            f"{self.proposed_matching}/{self.proposed}, figures "
            f"{len(self.figures_found)}/{len(self.figures_found) + len(self.figures_missed)}"
        ]
        lines += [
            f"missed claim {c.id} (source {c.source}, "
            f"{self.names.get(c.source, '?')}): {c.quote[:80]!r}"
            for c in self.missed
        ]
        lines += [f"proposal matching no claim: {w}" for w in self.wrong]
        lines += [
            f"missed figure {f.id}: {f.text!r} {f.low}..{f.high}"
            for f in self.figures_missed
        ]
        return "\n".join(lines)


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def gold_from_fixture(rows: list[dict], document: int | None = None) -> Gold:
    """The gold standard in a fixture list (sources, document, claims, figures)."""
    by_model: dict[str, list[dict]] = {}
    for row in rows:
        by_model.setdefault(row["model"], []).append(row)
    docs = by_model.get("claims.document", [])
    doc = next(d for d in docs if document is None or d["pk"] == document)
    published = doc["fields"].get("published_at")
    published_at = (
        datetime.fromisoformat(published.replace("Z", "+00:00")) if published else None
    )
    sources = tuple(
        KnownSource(
            id=r["pk"],
            name=r["fields"]["name"],
            aliases=tuple(r["fields"].get("aliases") or ()),
            kind=r["fields"].get("kind", ""),
            parent_id=r["fields"].get("parent"),
        )
        for r in by_model.get("claims.source", [])
    )
    measures = tuple(
        KnownMeasure(
            id=r["pk"],
            name=r["fields"]["name"],
            unit=r["fields"].get("unit", ""),
            tolerance=_dec(r["fields"].get("tolerance", "0.10")),
            lower_limit=_dec(r["fields"].get("lower_limit")),
        )
        for r in by_model.get("claims.measure", [])
    )
    claims = tuple(
        GoldClaim(
            id=r["pk"],
            source=r["fields"]["source"],
            quote_start=r["fields"]["quote_start"],
            quote_end=r["fields"]["quote_end"],
            quote=r["fields"]["quote"],
            attribution_kind=r["fields"]["attribution_kind"],
        )
        for r in by_model.get("claims.claim", [])
        if r["fields"]["document"] == doc["pk"]
    )
    claim_ids = {c.id for c in claims}
    figures = tuple(
        GoldFigure(
            id=r["pk"],
            text=r["fields"]["text"],
            low=_dec(r["fields"]["low"]),
            high=_dec(r["fields"]["high"]),
            claim=r["fields"]["claim"],
            measure=r["fields"].get("measure"),
        )
        for r in by_model.get("claims.figure", [])
        if r["fields"]["claim"] in claim_ids
    )
    return Gold(
        doc["fields"]["text"],
        published_at,
        sources,
        measures,
        claims,
        figures,
        publisher=Gazetteer(sources).lookup(doc["fields"].get("publisher") or ""),
        title=doc["fields"].get("title", ""),
    )


class AnnotationError(ValueError):
    """An annotated report that cannot be read: the file, the field and why."""

    def __init__(self, file: str | Path, where: str, reason: str):
        self.file, self.where, self.reason = str(file), where, reason
        super().__init__(f"{file}: {where}: {reason}" if where else f"{file}: {reason}")


_KINDS = tuple(AttributionKind.values)


def _need(obj: dict, key: str, where: str, file, kinds=(str,), optional=False):
    if key not in obj or obj[key] is None:
        if optional:
            return None
        raise AnnotationError(file, f"{where}{key}", "is required")
    value = obj[key]
    if not isinstance(value, kinds) or isinstance(value, bool):
        names = " or ".join(k.__name__ for k in kinds)
        raise AnnotationError(
            file, f"{where}{key}", f"must be {names}, not {type(value).__name__}"
        )
    return value


def _number(value, file, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise AnnotationError(file, where, f"must be a number or null, not {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise AnnotationError(file, where, f"is not a number: {value!r}") from None
    if not number.is_finite():
        raise AnnotationError(file, where, f"is not a number: {value!r}")
    return number


def gold_from_annotation(meta: dict, text: str, file: str | Path = "report") -> Gold:
    """The gold standard of a report annotated by hand: ``meta`` is the report's JSON,

    ``{"title", "publisher", "url", "published_at" (ISO 8601 with a zone),
    "sources": [{"id", "name", "aliases", "kind", "parent"}],
    "measures": [{"id", "name", "unit", "tolerance", "lower_limit"}],
    "claims": [{"source", "quote", "attribution_kind", "stated_on", "occurrence"}],
    "figures": [{"claim", "measure", "text", "low", "high"}]}``

    Source and measure ids are any distinct strings or numbers, referred to by
    ``parent``, ``source`` and ``measure``; a claim's ``quote`` is exactly as in
    ``text`` (``occurrence``, counted from 1, picks one when it occurs more than
    once); a figure's ``claim`` is the claim's number in the list, counted from 1, and
    its ``text`` occurs in that claim's quote (a sum "A ... B" with both parts in it);
    ``low`` and ``high`` are the interval, ``null`` for an open end. The publisher is
    a source's name or alias when the report has own-voice claims. Anything else
    raises ``AnnotationError`` naming the field and the reason."""
    if not isinstance(meta, dict):
        raise AnnotationError(file, "", "must be a JSON object")
    title = _need(meta, "title", "", file)
    publisher_name = _need(meta, "publisher", "", file)
    published = _need(meta, "published_at", "", file)
    try:
        published_at = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        raise AnnotationError(
            file, "published_at", f"is not an ISO 8601 time: {published!r}"
        ) from None
    if published_at.tzinfo is None:
        raise AnnotationError(file, "published_at", "needs a time zone (Z or +hh:mm)")

    rows = _need(meta, "sources", "", file, (list,))
    keys: dict[object, int] = {}
    for i, row in enumerate(rows):
        where = f"sources[{i}]."
        if not isinstance(row, dict):
            raise AnnotationError(file, f"sources[{i}]", "must be an object")
        key = _need(row, "id", where, file, (str, int))
        if key in keys:
            raise AnnotationError(file, f"{where}id", f"{key!r} is used twice")
        keys[key] = i + 1
    sources = []
    for i, row in enumerate(rows):
        where = f"sources[{i}]."
        aliases = _need(row, "aliases", where, file, (list,), optional=True) or []
        if not all(isinstance(a, str) and a.strip() for a in aliases):
            raise AnnotationError(file, f"{where}aliases", "must be non-empty strings")
        parent = row.get("parent")
        if parent is not None and parent not in keys:
            raise AnnotationError(
                file, f"{where}parent", f"{parent!r} is not a source of the report"
            )
        sources.append(
            KnownSource(
                id=i + 1,
                name=_need(row, "name", where, file),
                aliases=tuple(aliases),
                kind=_need(row, "kind", where, file, optional=True) or "",
                parent_id=None if parent is None else keys[parent],
            )
        )
    parents = {s.id: s.parent_id for s in sources}
    for s in sources:
        seen, node = {s.id}, s.parent_id
        while node is not None:
            if node in seen:
                raise AnnotationError(
                    file, f"sources[{s.id - 1}].parent", "makes a cycle of parents"
                )
            seen.add(node)
            node = parents[node]

    measure_keys: dict[object, int] = {}
    measures = []
    for i, row in enumerate(_need(meta, "measures", "", file, (list,), True) or []):
        where = f"measures[{i}]."
        if not isinstance(row, dict):
            raise AnnotationError(file, f"measures[{i}]", "must be an object")
        key = _need(row, "id", where, file, (str, int))
        if key in measure_keys:
            raise AnnotationError(file, f"{where}id", f"{key!r} is used twice")
        measure_keys[key] = i + 1
        tolerance = _number(row.get("tolerance", "0.10"), file, f"{where}tolerance")
        measures.append(
            KnownMeasure(
                id=i + 1,
                name=_need(row, "name", where, file),
                unit=_need(row, "unit", where, file, optional=True) or "",
                tolerance=Decimal("0.10") if tolerance is None else tolerance,
                lower_limit=_number(
                    row.get("lower_limit", "0"), file, f"{where}lower_limit"
                ),
            )
        )

    claims = []
    for i, row in enumerate(_need(meta, "claims", "", file, (list,))):
        where = f"claims[{i}]."
        if not isinstance(row, dict):
            raise AnnotationError(file, f"claims[{i}]", "must be an object")
        source = row.get("source")
        if source not in keys:
            raise AnnotationError(
                file, f"{where}source", f"{source!r} is not a source of the report"
            )
        kind = _need(row, "attribution_kind", where, file)
        if kind not in _KINDS:
            raise AnnotationError(
                file,
                f"{where}attribution_kind",
                f"{kind!r} is not one of {', '.join(_KINDS)}",
            )
        quote = _need(row, "quote", where, file)
        starts = [j for j in range(len(text)) if text.startswith(quote, j)]
        occurrence = _need(row, "occurrence", where, file, (int,), optional=True)
        if not quote.strip() or not starts:
            raise AnnotationError(
                file, f"{where}quote", f"does not occur in the text: {quote[:60]!r}"
            )
        if occurrence is None and len(starts) > 1:
            raise AnnotationError(
                file,
                f"{where}quote",
                f"occurs {len(starts)} times in the text; say which with occurrence",
            )
        if occurrence is not None and not 1 <= occurrence <= len(starts):
            raise AnnotationError(
                file,
                f"{where}occurrence",
                f"must be 1 to {len(starts)}, the times the quote occurs",
            )
        stated_on = _need(row, "stated_on", where, file, optional=True)
        if stated_on is not None:
            try:
                date.fromisoformat(stated_on)
            except ValueError:
                raise AnnotationError(
                    file, f"{where}stated_on", f"is not a date: {stated_on!r}"
                ) from None
        start = starts[(occurrence or 1) - 1]
        claims.append(
            GoldClaim(
                id=i + 1,
                source=keys[source],
                quote_start=start,
                quote_end=start + len(quote),
                quote=quote,
                attribution_kind=kind,
            )
        )

    figures = []
    for i, row in enumerate(_need(meta, "figures", "", file, (list,), True) or []):
        where = f"figures[{i}]."
        if not isinstance(row, dict):
            raise AnnotationError(file, f"figures[{i}]", "must be an object")
        number = _need(row, "claim", where, file, (int,))
        if not 1 <= number <= len(claims):
            raise AnnotationError(
                file, f"{where}claim", f"must be a claim's number, 1 to {len(claims)}"
            )
        measure = row.get("measure")
        if measure is not None and measure not in measure_keys:
            raise AnnotationError(
                file, f"{where}measure", f"{measure!r} is not a measure of the report"
            )
        figure_text = _need(row, "text", where, file)
        claim = claims[number - 1]
        if not all(part in claim.quote for part in figure_text.split(" ... ")):
            raise AnnotationError(
                file,
                f"{where}text",
                f"{figure_text!r} is not in claim {number}'s quote",
            )
        for end in ("low", "high"):
            if end not in row:
                raise AnnotationError(file, f"{where}{end}", "is required (or null)")
        low = _number(row["low"], file, f"{where}low")
        high = _number(row["high"], file, f"{where}high")
        if low is not None and high is not None and low > high:
            raise AnnotationError(file, f"{where}low", f"{low} is above high {high}")
        figures.append(
            GoldFigure(
                id=i + 1,
                text=figure_text,
                low=low,
                high=high,
                claim=claim.id,
                measure=None if measure is None else measure_keys[measure],
            )
        )
    return Gold(
        text,
        published_at,
        tuple(sources),
        tuple(measures),
        tuple(claims),
        tuple(figures),
        publisher=Gazetteer(sources).lookup(publisher_name),
        title=title,
    )


@dataclass(frozen=True)
class Report:
    name: str
    gold: Gold


def _load_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise AnnotationError(path, "", f"cannot be read: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise AnnotationError(path, "", f"is not JSON: {error}") from None


def load_report(path: str | Path) -> Report:
    """One report of a directory from its ``NAME.json``: a Django fixture list, a
    pointer to one (``{"fixture": PATH, "document": PK}``), or an annotation with
    its text in ``NAME.txt`` beside it."""
    path = Path(path)
    name = path.stem
    data = _load_json(path)
    if isinstance(data, dict) and "fixture" in data:
        fixture = path.parent / _need(data, "fixture", "", path)
        document = _need(data, "document", "", path, (int,), optional=True)
        data = _load_json(fixture)
        path = fixture
    else:
        document = None
    if isinstance(data, list):
        try:
            return Report(name, gold_from_fixture(data, document))
        except (KeyError, TypeError, StopIteration, ValueError) as error:
            raise AnnotationError(
                path, "", f"is not a Django fixture with that document ({error!r})"
            ) from None
    text_path = path.with_suffix(".txt")
    try:
        text = text_path.read_text(encoding="utf-8")
    except OSError:
        raise AnnotationError(
            path, "", f"has no text beside it ({text_path.name} is missing)"
        ) from None
    return Report(name, gold_from_annotation(data, text, path))


def load_directory(path: str | Path) -> list[Report]:
    """Every report of an annotated-report directory, by name. A ``NAME.txt``
    without its ``NAME.json`` is an error, as is a directory without reports."""
    path = Path(path)
    if not path.is_dir():
        raise AnnotationError(path, "", "is not a directory")
    annotations = sorted(path.glob("*.json"))
    for text in sorted(path.glob("*.txt")):
        if not text.with_suffix(".json").exists():
            raise AnnotationError(
                text, "", f"has no annotation ({text.with_suffix('.json').name})"
            )
    if not annotations:
        raise AnnotationError(path, "", "holds no annotated report (NAME.json)")
    return [load_report(p) for p in annotations]


def read_report(gold: Gold) -> Reading:
    """Intake's reading of a gold report's text, its sources and measures known."""
    return read(
        gold.text,
        gold.published_at,
        gold.gazetteer(),
        gold.measures,
        publisher=gold.publisher,
    )


def _same_group(a: int | None, b: int, parents: dict[int, int | None]) -> bool:
    if a is None:
        return False
    return a == b or group_of(a, parents) == group_of(b, parents)


def evaluate(reading: Reading, gold: Gold) -> Scores:
    """Recall over the gold's attributed (not own-voice) claims, precision over the
    proposed attributed claims (a match: quote spans overlap and the source is the
    gold's or one in its independence group), and the gold figures proposed with
    the same interval inside the gold claim's quote."""
    parents = gold.parents
    attributed = [c for c in gold.claims if c.attribution_kind != "own_voice"]
    proposed = [c for c in reading.claims if c.attribution_kind != "own_voice"]

    def matches(p, g: GoldClaim) -> bool:
        overlap = p.quote_start < g.quote_end and g.quote_start < p.quote_end
        return overlap and _same_group(p.source_id, g.source, parents)

    found = tuple(g.id for g in attributed if any(matches(p, g) for p in proposed))
    missed = tuple(g for g in attributed if g.id not in found)
    good = [p for p in proposed if any(matches(p, g) for g in attributed)]
    names = {s.id: s.name for s in gold.sources}

    def who(p) -> str:
        if p.source_id is not None:
            return f"source {p.source_id}, {names.get(p.source_id, '?')}"
        return f"new source {p.new_source.name!r}" if p.new_source else "no source"

    wrong = tuple(f"{p.quote[:80]!r} ({who(p)})" for p in proposed if p not in good)
    spans = {c.id: (c.quote_start, c.quote_end) for c in gold.claims}

    def proposed_figure(f: GoldFigure) -> bool:
        """A figure with the gold's interval, inside the gold claim's quote."""
        start, end = spans.get(f.claim, (0, len(gold.text)))
        return any(
            (p.low, p.high) == (f.low, f.high) and start <= p.start < end
            for p in reading.figures
        )

    figures_found = tuple(f.id for f in gold.figures if proposed_figure(f))
    figures_missed = tuple(f for f in gold.figures if f.id not in figures_found)
    return Scores(
        found=found,
        missed=missed,
        attributed_gold=len(attributed),
        proposed=len(proposed),
        proposed_matching=len(good),
        figures_found=figures_found,
        figures_missed=figures_missed,
        wrong=wrong,
        names=names,
    )


def _fraction(n: int, d: int) -> str:
    return f"{n}/{d} {100 * n / d:.0f}%" if d else f"{n}/{d}  -"


def table(rows: list[tuple[str, Scores]]) -> str:
    """Recall, precision and figures of each report and of them all, as a
    Markdown table."""
    lines = [
        "| report | recall | precision | figures |",
        "|---|---|---|---|",
    ]
    totals = [0, 0, 0, 0, 0, 0]
    for name, sc in rows:
        figures_gold = len(sc.figures_found) + len(sc.figures_missed)
        counts = [
            len(sc.found),
            sc.attributed_gold,
            sc.proposed_matching,
            sc.proposed,
            len(sc.figures_found),
            figures_gold,
        ]
        totals = [t + c for t, c in zip(totals, counts, strict=True)]
        lines.append(_row(name, counts))
    lines.append(_row("total", totals))
    return "\n".join(lines)


def _row(name: str, c: list[int]) -> str:
    return (
        f"| {name} | {_fraction(c[0], c[1])} | {_fraction(c[2], c[3])} "
        f"| {c[4]}/{c[5]} |"
    )
