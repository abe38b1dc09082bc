"""Origins and independence groups, over plain values.

A claim that ``repeats`` or is ``based_on`` another carries that other claim's
information, not its own: following those links to claims that have none gives the
claim's *origins*. An origin's *independence group* is the top of its source's parent
chain. Corroboration counts groups, never claims.

Nothing here touches the database: callers load the links and parents they need and
pass them in as mappings, or pass a function that loads the next step on demand.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

Edges = Mapping[int, Iterable[int]]


def find_path(
    start: int,
    target: int,
    next_steps: Callable[[set[int]], Edges],
) -> list[int] | None:
    """The shortest path from ``start`` to ``target``, or ``None`` when there is none.

    ``next_steps`` receives a frontier of nodes and returns, for each, the nodes it
    leads to: one call per level, so a database-backed caller makes one query per
    step of depth rather than one per node.
    """
    if start == target:
        return [start]
    came_from: dict[int, int | None] = {start: None}
    frontier = {start}
    while frontier:
        steps = next_steps(frontier)
        next_frontier: set[int] = set()
        for node in sorted(frontier):
            for neighbour in steps.get(node, ()):
                if neighbour in came_from:
                    continue
                came_from[neighbour] = node
                if neighbour == target:
                    return _walk_back(came_from, target)
                next_frontier.add(neighbour)
        frontier = next_frontier
    return None


def _walk_back(came_from: Mapping[int, int | None], end: int) -> list[int]:
    path = [end]
    node = came_from[end]
    while node is not None:
        path.append(node)
        node = came_from[node]
    return path[::-1]


def path_that_a_link_would_close(
    from_claim: int, to_claim: int, next_steps: Callable[[set[int]], Edges]
) -> list[int] | None:
    """The cycle a new deriving link ``from_claim -> to_claim`` would close, if any.

    ``next_steps`` follows existing deriving links (``repeats``, ``based_on``) from a
    claim to the claims it derives from. The link closes a cycle when ``to_claim``
    already leads back to ``from_claim``; the answer is that cycle, starting and
    ending at ``from_claim``.
    """
    back = find_path(to_claim, from_claim, next_steps)
    if back is None:
        return None
    return [from_claim, *back]


def ancestors(node: int, parents: Mapping[int, int | None]) -> list[int]:
    """``node``'s parent chain, nearest first, stopping before any repeat."""
    chain: list[int] = []
    seen = {node}
    parent = parents.get(node)
    while parent is not None and parent not in seen:
        chain.append(parent)
        seen.add(parent)
        parent = parents.get(parent)
    return chain


def group_of(source: int, parents: Mapping[int, int | None]) -> int:
    """The independence group of a source: the top of its parent chain."""
    chain = ancestors(source, parents)
    return chain[-1] if chain else source


def origins_of(claim: int, derives_from: Edges) -> list[int]:
    """The claims at the end of ``claim``'s ``repeats``/``based_on`` chains.

    A claim with no deriving links is its own origin. A claim based on two others
    has both of their origins. A cycle (which validation refuses) ends where it
    would repeat itself, so it never loops.
    """
    found: list[int] = []
    seen = {claim}
    queue = deque([claim])
    while queue:
        node = queue.popleft()
        targets = list(derives_from.get(node, ()))
        if not targets:
            found.append(node)
        for target in targets:  # a claim may both repeat and be based on another
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return sorted(found) or [claim]


@dataclass(frozen=True)
class Suggestion:
    """A suggested credibility grade (Admiralty 1-6) and the reason in words."""

    credibility: int
    reason: str


def suggest_credibility(corroborating: int, contradicting: int) -> Suggestion:
    """Suggest a credibility grade from independent corroboration and contradiction.

    ``corroborating`` (C) and ``contradicting`` (X) count distinct independence
    groups, other than the claim's own, among the origins of the claims that
    corroborate and contradict it. A reviewer's grade overrides the suggestion.
    """
    c, x = corroborating, contradicting
    counted = f"{_groups(c, 'corroborate')} and {_groups(x, 'contradict')}"
    if c >= 2 and x == 0:
        return Suggestion(1, f"Confirmed: {counted}.")
    if c == 1 and x == 0:
        return Suggestion(2, f"Probably true: {counted}.")
    if c > x >= 1:
        return Suggestion(
            3, f"Possibly true: {counted}; more corroborate than contradict."
        )
    if c == 0 and x == 0:
        return Suggestion(
            6, "Cannot be judged: no independent source corroborates or contradicts it."
        )
    if c == 0 and x >= 2:
        return Suggestion(5, f"Improbable: {counted}.")
    if c == 0:
        return Suggestion(4, f"Doubtful: {counted}.")
    return Suggestion(
        4, f"Doubtful: {counted}; at least as many contradict as corroborate."
    )


def _groups(n: int, verb: str) -> str:
    """ "2 independent groups corroborate it", "1 independent group contradicts it"."""
    if n == 1:
        return f"1 independent group {verb}s it"
    return f"{'no' if n == 0 else n} independent groups {verb} it"
