"""A reading scored against a gold standard (a fixture's claims and figures).

Pure: the gold is plain data read from a Django fixture's JSON list, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from claims.exchange.intake.reading import Gazetteer, KnownMeasure, KnownSource, Reading
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


@dataclass(frozen=True)
class Gold:
    text: str
    published_at: datetime | None
    sources: tuple[KnownSource, ...]
    measures: tuple[KnownMeasure, ...]
    claims: tuple[GoldClaim, ...]
    figures: tuple[GoldFigure, ...]

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
            f"missed claim {c.id} (source {c.source}): {c.quote[:80]!r}"
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
        )
        for r in by_model.get("claims.figure", [])
        if r["fields"]["claim"] in claim_ids
    )
    return Gold(doc["fields"]["text"], published_at, sources, measures, claims, figures)


def _same_group(a: int | None, b: int, parents: dict[int, int | None]) -> bool:
    if a is None:
        return False
    return a == b or group_of(a, parents) == group_of(b, parents)


def evaluate(reading: Reading, gold: Gold) -> Scores:
    """Recall over the gold's attributed (not own-voice) claims, precision over the
    proposed attributed claims (a match: quote spans overlap and the source is the
    gold's or one in its independence group), and the gold figures proposed with
    the same interval."""
    parents = gold.parents
    attributed = [c for c in gold.claims if c.attribution_kind != "own_voice"]
    proposed = [c for c in reading.claims if c.attribution_kind != "own_voice"]

    def matches(p, g: GoldClaim) -> bool:
        overlap = p.quote_start < g.quote_end and g.quote_start < p.quote_end
        return overlap and _same_group(p.source_id, g.source, parents)

    found = tuple(g.id for g in attributed if any(matches(p, g) for p in proposed))
    missed = tuple(g for g in attributed if g.id not in found)
    good = [p for p in proposed if any(matches(p, g) for g in attributed)]
    wrong = tuple(
        f"{p.quote[:80]!r} (source {p.source_id or p.new_source})"
        for p in proposed
        if p not in good
    )
    intervals = {(f.low, f.high) for f in reading.figures}
    figures_found = tuple(f.id for f in gold.figures if (f.low, f.high) in intervals)
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
    )
