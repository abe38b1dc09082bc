"""Which cached comparisons a write can change (pure Python).

A measure's comparison (``selectors.compare_measure``, ``measure_evolution``) reads:

- the measure's own row (name, unit, kind, tolerance, lower limit);
- its figures (their rows);
- for each figure, its claim's source (its name is shown) and its claim's
  document (the publication time decides what is known at K and what supersedes);
- the claim's origins: the claims at the ends of its ``repeats``/``based_on``
  chains, the sources of those origins, and each such source's independence group
  (the top of its parent chain) with that group's name.

So a write changes the comparisons of the measures with a figure on a claim that
*reaches* what it wrote, where a claim reaches itself and every claim its deriving
links lead to, directly or along a chain:

=================  ==================================================================
write              comparisons it can change
=================  ==================================================================
figure             its measure, before and after the write
measure            its own
claim              those with a figure on a claim reaching it (its source or document
                   changed, or it was deleted); none when neither changed, or when
                   it is new (nothing reaches it yet)
link               those with a figure on a claim reaching its ``from_claim`` (before
                   and after), when the link is deriving before or after; none for
                   corroborates/contradicts, which no comparison reads
source             those with a figure on a claim reaching a claim of the source or
                   of any source under it, when its name or parent changed (or it was
                   deleted); none for its other fields, or when it is new
document           those with a figure on a claim of the document, when its
                   publication time changed (or it was deleted); none when new
=================  ==================================================================

``plan_for`` turns a write into a ``Plan`` (the measures, claims, sources and
documents to start from); ``Graph.resolve`` finds the measures of a plan over plain
values, as ``claims.caching`` does in SQL. ``Graph.reads`` is what a comparison of a
measure reads, for checking the rules against a brute-force reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: The link relations that make origins (``claims.choices.DERIVING_RELATIONS``).
DERIVING = frozenset({"repeats", "based_on"})


def reachable(start: Iterable[int], edges: Mapping[int, Iterable[int]]) -> set[int]:
    """``start`` and every node reached from it along ``edges`` (node -> nodes)."""
    found, stack = set(start), list(start)
    while stack:
        for node in edges.get(stack.pop(), ()):
            if node not in found:
                found.add(node)
                stack.append(node)
    return found


@dataclass(frozen=True)
class Plan:
    """What a write touched: the measures it changes directly, and the claims,
    source subtrees and documents whose dependent figures' measures it changes."""

    measures: frozenset = frozenset()
    claims: frozenset = frozenset()  # figures on claims reaching these
    sources: frozenset = frozenset()  # ... reaching a claim of these sources' subtrees
    documents: frozenset = frozenset()  # figures on claims of these documents
    everything: bool = False

    @property
    def empty(self) -> bool:
        return not (
            self.everything
            or self.measures
            or self.claims
            or self.sources
            or self.documents
        )

    def __or__(self, other: Plan) -> Plan:
        return Plan(
            measures=self.measures | other.measures,
            claims=self.claims | other.claims,
            sources=self.sources | other.sources,
            documents=self.documents | other.documents,
            everything=self.everything or other.everything,
        )


# The rows of a write, before and after (None: it did not exist) -------------------------


@dataclass(frozen=True)
class FigureRow:
    claim: int
    measure: int


@dataclass(frozen=True)
class ClaimRow:
    source: int
    document: int


@dataclass(frozen=True)
class LinkRow:
    from_claim: int
    to_claim: int
    relation: str


@dataclass(frozen=True)
class SourceRow:
    name: str
    parent: int | None


@dataclass(frozen=True)
class DocumentRow:
    published: object


def plan_for(kind: str, pk: int, before, after) -> Plan:
    """The plan of one write of ``kind`` to row ``pk``: its rows before and after
    (``None`` when it did not exist, or does not any more). Only the fields a
    comparison reads are compared; a row seen neither before nor after is a write
    this module cannot judge, which drops everything."""
    if before is None and after is None and kind != "measure":
        return Plan(everything=True)
    if kind == "measure":
        return Plan(measures=frozenset({pk}))
    if kind == "figure":
        return Plan(measures=frozenset(row.measure for row in (before, after) if row))
    if before == after:
        return Plan()
    if before is None and kind in ("claim", "source", "document"):
        return Plan()  # a new row: no figure's claim reaches it yet
    if kind == "claim":
        return Plan(claims=frozenset({pk}))
    if kind == "link":
        return Plan(
            claims=frozenset(
                row.from_claim
                for row in (before, after)
                if row is not None and row.relation in DERIVING
            )
        )
    if kind == "source":
        return Plan(sources=frozenset({pk}))
    if kind == "document":
        return Plan(documents=frozenset({pk}))
    return Plan(everything=True)


# A plain model of the rows, for the rules' reference ----------------------------------


@dataclass
class Graph:
    """Every row a comparison reads, as plain values."""

    measures: dict[int, object] = field(default_factory=dict)
    figures: dict[int, tuple] = field(default_factory=dict)  # id: (claim, measure, v)
    claims: dict[int, ClaimRow] = field(default_factory=dict)
    links: dict[int, LinkRow] = field(default_factory=dict)
    sources: dict[int, SourceRow] = field(default_factory=dict)
    documents: dict[int, DocumentRow] = field(default_factory=dict)

    # What a comparison reads ---------------------------------------------------------

    def derives(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        for link in self.links.values():
            if link.relation in DERIVING:
                found.setdefault(link.from_claim, []).append(link.to_claim)
        return found

    def origins(self, claim: int, derives: Mapping) -> frozenset:
        seen, stack, found = {claim}, [claim], set()
        while stack:
            node = stack.pop()
            targets = derives.get(node, ())
            if not targets:
                found.add(node)
            for target in targets:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return frozenset(found)

    def group(self, source: int) -> int:
        seen = {source}
        while (
            parent := self.sources[source].parent
        ) is not None and parent not in seen:
            seen.add(parent)
            source = parent
        return source

    def reads(self, measure: int) -> tuple:
        """Everything a comparison of ``measure`` reads: equal before and after a
        write exactly when the write cannot change the comparison."""
        derives = self.derives()
        figures = []
        for pk, (claim_id, figure_measure, value) in sorted(self.figures.items()):
            if figure_measure != measure:
                continue
            claim = self.claims[claim_id]
            voices = []
            for origin in sorted(self.origins(claim_id, derives)):
                source = self.claims[origin].source
                group = self.group(source)
                voices.append((origin, source, group, self.sources[group].name))
            figures.append(
                (
                    pk,
                    value,
                    claim.source,
                    self.sources[claim.source].name,
                    self.documents[claim.document].published,
                    tuple(voices),
                )
            )
        return (self.measures.get(measure), tuple(figures))

    # A plan's measures ---------------------------------------------------------------

    def reaching(self, claims) -> set[int]:
        """``claims`` and every claim whose deriving links lead to one of them."""
        derived_by: dict[int, list[int]] = {}
        for link in self.links.values():
            if link.relation in DERIVING:
                derived_by.setdefault(link.to_claim, []).append(link.from_claim)
        return reachable(claims, derived_by)

    def subtree(self, sources) -> set[int]:
        children: dict[int, list[int]] = {}
        for pk, row in self.sources.items():
            if row.parent is not None:
                children.setdefault(row.parent, []).append(pk)
        return reachable(sources, children)

    def resolve(self, plan: Plan) -> set[int]:
        """The measures whose comparisons ``plan`` drops (every measure when it
        says everything)."""
        if plan.everything:
            return set(self.measures)
        subtree = self.subtree(plan.sources)
        seeds = set(plan.claims) | {
            pk for pk, claim in self.claims.items() if claim.source in subtree
        }
        claims = self.reaching(seeds) | {
            pk for pk, claim in self.claims.items() if claim.document in plan.documents
        }
        return set(plan.measures) | {
            measure for claim, measure, _ in self.figures.values() if claim in claims
        }
