"""Which comparisons a write can change, checked against a brute-force reference:
on random data, every measure whose comparison reads something different after a
random write is among those the write's plan names."""

import random

import pytest

from claims.choices import DERIVING_RELATIONS
from claims.dependencies import (
    DERIVING,
    ClaimRow,
    DocumentRow,
    FigureRow,
    Graph,
    LinkRow,
    Plan,
    SourceRow,
    plan_for,
    reachable,
)

RELATIONS = ["repeats", "based_on", "corroborates", "contradicts"]


def test_the_deriving_relations_are_the_models():
    assert DERIVING == {str(r) for r in DERIVING_RELATIONS}


def closure_by_fixpoint(start, edges) -> set[int]:
    """The brute-force reference: add every edge's end until nothing changes."""
    found = set(start)
    while True:
        more = {b for a in found for b in edges.get(a, ())} - found
        if not more:
            return found
        found |= more


@pytest.mark.parametrize("seed", range(200))
def test_reachable_is_the_closure_along_the_edges(seed):
    rng = random.Random(seed)
    nodes = range(rng.randint(1, 12))
    edges = {a: rng.sample(nodes, rng.randint(0, min(3, len(nodes)))) for a in nodes}
    start = rng.sample(nodes, rng.randint(0, len(nodes)))
    assert reachable(start, edges) == closure_by_fixpoint(start, edges)


def random_graph(rng: random.Random) -> Graph:
    graph = Graph()
    for pk in range(1, rng.randint(2, 8)):
        parent = rng.choice([None, *graph.sources]) if graph.sources else None
        graph.sources[pk] = SourceRow(f"source {pk}", parent)
    for pk in range(1, rng.randint(2, 5)):
        graph.documents[pk] = DocumentRow(rng.randint(1, 3))
    for pk in range(1, rng.randint(2, 12)):
        graph.claims[pk] = ClaimRow(
            rng.choice(list(graph.sources)), rng.choice(list(graph.documents))
        )
    for pk in range(1, rng.randint(2, 5)):
        graph.measures[pk] = ("measure", pk)
    for pk in range(1, rng.randint(1, 15)):
        graph.figures[pk] = (
            rng.choice(list(graph.claims)),
            rng.choice(list(graph.measures)),
            rng.randint(1, 5),
        )
    claims = sorted(graph.claims)
    for pk in range(1, rng.randint(1, 12)):
        a, b = rng.sample(claims, 2) if len(claims) > 1 else (claims[0], claims[0])
        if a != b:
            # Deriving links go to earlier claims only: never a cycle.
            graph.links[pk] = LinkRow(max(a, b), min(a, b), rng.choice(RELATIONS))
    return graph


def copy(graph: Graph) -> Graph:
    return Graph(
        dict(graph.measures),
        dict(graph.figures),
        dict(graph.claims),
        dict(graph.links),
        dict(graph.sources),
        dict(graph.documents),
    )


def random_write(rng: random.Random, graph: Graph):
    """Apply one random write to ``graph``; return (kind, pk, before, after)."""
    kind = rng.choice(["figure", "claim", "link", "source", "document", "measure"])
    if kind == "measure":
        pk = rng.choice(list(graph.measures))
        graph.measures[pk] = ("measure", pk, rng.random())
        return kind, pk, None, None
    if kind == "figure":
        pk = rng.choice([*graph.figures, max(graph.figures, default=0) + 1])
        old = graph.figures.get(pk)
        before = old and FigureRow(old[0], old[1])
        if old and rng.random() < 0.3:
            del graph.figures[pk]
            return kind, pk, before, None
        new = (
            rng.choice(list(graph.claims)),
            rng.choice(list(graph.measures)),
            rng.randint(1, 5),
        )
        graph.figures[pk] = new
        return kind, pk, before, FigureRow(new[0], new[1])
    if kind == "claim":
        referred = {c for c, _, _ in graph.figures.values()} | {
            end
            for link in graph.links.values()
            for end in (link.from_claim, link.to_claim)
        }
        if rng.random() < 0.2:  # a new claim
            pk = max(graph.claims) + 1
            row = ClaimRow(
                rng.choice(list(graph.sources)), rng.choice(list(graph.documents))
            )
            graph.claims[pk] = row
            return kind, pk, None, row
        pk = rng.choice(list(graph.claims))
        before = graph.claims[pk]
        if pk not in referred and rng.random() < 0.3:  # links and figures protect
            del graph.claims[pk]
            return kind, pk, before, None
        after = ClaimRow(
            rng.choice([before.source, *graph.sources]),
            rng.choice([before.document, *graph.documents]),
        )
        graph.claims[pk] = after
        return kind, pk, before, after
    if kind == "link":
        pk = rng.choice([*graph.links, max(graph.links, default=0) + 1])
        before = graph.links.get(pk)
        if before and rng.random() < 0.3:
            del graph.links[pk]
            return kind, pk, before, None
        claims = sorted(graph.claims)
        if len(claims) < 2:
            return kind, pk, before, before
        a, b = rng.sample(claims, 2)
        after = LinkRow(max(a, b), min(a, b), rng.choice(RELATIONS))
        graph.links[pk] = after
        return kind, pk, before, after
    if kind == "source":
        if rng.random() < 0.2:
            pk = max(graph.sources) + 1
            row = SourceRow(f"new {pk}", rng.choice([None, *graph.sources]))
            graph.sources[pk] = row
            return kind, pk, None, row
        pk = rng.choice(list(graph.sources))
        before = graph.sources[pk]
        # A parent that is not under it (validation refuses a cycle).
        allowed = [s for s in graph.sources if s not in graph.subtree({pk})]
        after = SourceRow(
            rng.choice([before.name, f"renamed {pk}"]),
            rng.choice([before.parent, None, *allowed]),
        )
        graph.sources[pk] = after
        return kind, pk, before, after
    pk = rng.choice(list(graph.documents))
    before = graph.documents[pk]
    after = DocumentRow(rng.choice([before.published, rng.randint(1, 3)]))
    graph.documents[pk] = after
    return kind, pk, before, after


@pytest.mark.parametrize("seed", range(400))
def test_every_changed_comparison_is_planned(seed):
    rng = random.Random(seed)
    graph = random_graph(rng)
    for _ in range(5):
        before_graph = copy(graph)
        kind, pk, before, after = random_write(rng, graph)
        measures = set(before_graph.measures) | set(graph.measures)
        changed = {m for m in measures if before_graph.reads(m) != graph.reads(m)}
        plan = plan_for(kind, pk, before, after)
        planned = before_graph.resolve(plan) | graph.resolve(plan)
        assert changed <= planned, (kind, pk, before, after)


def test_the_plans_are_narrow():
    """The rules drop no more than they must on a small graph of two stories."""
    graph = Graph(
        measures={1: "troops", 2: "shells"},
        figures={1: (1, 1, 0), 2: (2, 1, 0), 3: (3, 2, 0)},
        claims={
            1: ClaimRow(1, 1),
            2: ClaimRow(2, 1),
            3: ClaimRow(3, 2),
            4: ClaimRow(3, 2),
        },
        links={1: LinkRow(2, 1, "repeats"), 2: LinkRow(3, 4, "corroborates")},
        sources={
            1: SourceRow("a", None),
            2: SourceRow("b", 1),
            3: SourceRow("c", None),
        },
        documents={1: DocumentRow(1), 2: DocumentRow(2)},
    )

    def dropped(kind, pk, before, after):
        return graph.resolve(plan_for(kind, pk, before, after))

    # Claim 1 is relayed by claim 2: both figures on measure 1 read its source.
    assert dropped("claim", 1, ClaimRow(1, 1), ClaimRow(3, 1)) == {1}
    assert dropped("claim", 4, ClaimRow(3, 2), ClaimRow(1, 2)) == set()
    assert dropped("claim", 5, None, ClaimRow(1, 1)) == set()
    # A corroboration is read by no comparison; a new repeats is.
    assert dropped("link", 3, None, LinkRow(4, 3, "corroborates")) == set()
    assert dropped("link", 3, None, LinkRow(3, 4, "repeats")) == {2}
    # Renaming source 3 changes the comparison of measure 2 only.
    assert dropped("source", 3, SourceRow("c", None), SourceRow("C", None)) == {2}
    assert dropped("source", 1, SourceRow("a", None), SourceRow("a", 3)) == {1}
    assert dropped("document", 2, DocumentRow(2), DocumentRow(3)) == {2}
    assert dropped("document", 2, DocumentRow(2), DocumentRow(2)) == set()
    assert dropped("figure", 3, FigureRow(3, 2), FigureRow(3, 1)) == {1, 2}
    assert graph.resolve(Plan(everything=True)) == {1, 2}
