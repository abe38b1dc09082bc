"""Reads that span relations: load rows in a fixed number of queries, then hand plain
values to the pure modules (``comparison``, ``independence``).

The number of queries never depends on how many figures, claims or links there are:
origins are found by one recursive query, and the source hierarchy (hundreds of rows
at most) is read whole.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from claims import comparison, independence
from claims.choices import DERIVING_RELATIONS, Relation
from claims.models import Claim, Figure, Link, Measure, Source

#: How deep a chain of repeats/based_on links is followed; validation keeps chains
#: acyclic, and the bound keeps a damaged database from looping.
MAX_CHAIN_DEPTH = 100


@dataclass(frozen=True)
class SourceTree:
    """Every source's parent and name: enough to find any source's group."""

    parents: dict[int, int | None]
    names: dict[int, str]

    @classmethod
    def load(cls) -> SourceTree:
        rows = Source.objects.values_list("id", "parent_id", "name")
        parents, names = {}, {}
        for pk, parent, name in rows:
            parents[pk], names[pk] = parent, name
        return cls(parents, names)

    def group_of(self, source_id: int) -> int:
        return independence.group_of(source_id, self.parents)

    def ref(self, source_id: int | None) -> dict | None:
        if source_id is None:
            return None
        return {"id": source_id, "name": self.names.get(source_id, "")}

    def descendants(self, source_id: int) -> set[int]:
        """``source_id`` and every source under it."""
        children: dict[int, list[int]] = {}
        for pk, parent in self.parents.items():
            if parent is not None:
                children.setdefault(parent, []).append(pk)
        found, stack = {source_id}, [source_id]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return found


@dataclass(frozen=True)
class Origin:
    claim_id: int
    source_id: int


def origins(start_sql: str, params: list) -> dict[int, list[Origin]]:
    """The origins of every claim that ``start_sql`` selects, in one query.

    ``start_sql`` is a SELECT of claim ids. A claim's origins are the claims at the
    ends of its repeats/based_on chains (itself, when it has none); they come back
    sorted by id.
    """
    link = Link._meta.db_table
    claim = Claim._meta.db_table
    deriving = ", ".join(["%s"] * len(DERIVING_RELATIONS))
    relations = sorted(relation.value for relation in DERIVING_RELATIONS)
    sql = f"""
        WITH RECURSIVE walk(start_id, claim_id, depth) AS (
            SELECT s.id, s.id, 0 FROM ({start_sql}) AS s
            UNION
            SELECT w.start_id, l.to_claim_id, w.depth + 1
            FROM walk w
            JOIN {link} l ON l.from_claim_id = w.claim_id
            WHERE l.relation IN ({deriving}) AND w.depth < %s
        )
        SELECT DISTINCT w.start_id, w.claim_id, c.source_id
        FROM walk w
        JOIN {claim} c ON c.id = w.claim_id
        WHERE NOT EXISTS (
            SELECT 1 FROM {link} l2
            WHERE l2.from_claim_id = w.claim_id AND l2.relation IN ({deriving})
        )
        ORDER BY w.start_id, w.claim_id
    """
    found: dict[int, list[Origin]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *relations, MAX_CHAIN_DEPTH, *relations])
        for start, origin, source in cursor.fetchall():
            found.setdefault(start, []).append(Origin(origin, source))
    return found


def origins_of_claims(claim_ids: Iterable[int]) -> dict[int, list[Origin]]:
    ids = sorted(set(claim_ids))
    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    table = Claim._meta.db_table
    return origins(f"SELECT id FROM {table} WHERE id IN ({placeholders})", ids)


def origins_of_measures(measure_ids: Iterable[int]) -> dict[int, list[Origin]]:
    ids = sorted(set(measure_ids))
    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    table = Figure._meta.db_table
    return origins(
        f"SELECT DISTINCT claim_id AS id FROM {table} "
        f"WHERE measure_id IN ({placeholders})",
        ids,
    )


# Comparison --------------------------------------------------------------------------


def compare_measures(
    measures: list[Measure],
    *,
    as_of_after: datetime.date | None = None,
    as_of_before: datetime.date | None = None,
) -> list[dict]:
    """The comparison of each measure's figures, optionally within an as_of window.

    Three queries whatever the number of measures and figures: the figures, their
    origins, the source tree.
    """
    figures = Figure.objects.filter(measure__in=measures).order_by("as_of", "id")
    if as_of_after is not None:
        figures = figures.filter(as_of__gte=as_of_after)
    if as_of_before is not None:
        figures = figures.filter(as_of__lte=as_of_before)
    rows = list(
        figures.values(
            "id",
            "measure_id",
            "claim_id",
            "claim__source_id",
            "text",
            "qualifier",
            "value",
            "low",
            "high",
            "as_of",
        )
    )
    origin_map = origins_of_measures(m.pk for m in measures)
    tree = SourceTree.load()

    by_measure: dict[int, list[dict]] = {m.pk: [] for m in measures}
    for row in rows:
        by_measure[row["measure_id"]].append(row)
    return [
        _comparison_of(measure, by_measure[measure.pk], origin_map, tree)
        for measure in measures
    ]


def _comparison_of(
    measure: Measure,
    rows: list[dict],
    origin_map: dict[int, list[Origin]],
    tree: SourceTree,
) -> dict:
    figures, intervals = [], []
    for row in rows:
        claim_id = row["claim_id"]
        # A claim based on several others takes the first origin as the figure's.
        origin = (
            origin_map.get(claim_id) or [Origin(claim_id, row["claim__source_id"])]
        )[0]
        group = tree.group_of(origin.source_id)
        intervals.append(
            comparison.FigureInterval(
                id=row["id"],
                group=group,
                low=row["low"],
                high=row["high"],
                origin=origin.claim_id,
            )
        )
        figures.append(
            {
                "id": row["id"],
                "claim_id": claim_id,
                "source": tree.ref(row["claim__source_id"]),
                "group": tree.ref(group),
                "origin_claim_id": origin.claim_id,
                "text": row["text"],
                "qualifier": row["qualifier"],
                "value": row["value"],
                "low": row["low"],
                "high": row["high"],
                "as_of": row["as_of"],
            }
        )
    result = comparison.compare(intervals)
    return {
        "measure": {"id": measure.pk, "name": measure.name, "unit": measure.unit},
        "figures": figures,
        "conflicts": [
            {"figure_ids": list(c.figure_ids), "same_group": c.same_group}
            for c in result.conflicts
        ],
        "best_supported": [
            {
                "low": s.low,
                "high": s.high,
                "support": s.support,
                "supporting_groups": s.supporting_groups,
                "other_groups": s.other_groups,
            }
            for s in result.best_supported
        ],
        "spread": result.spread,
        "counts": {
            "figures": result.figures,
            "origins": result.origins,
            "groups": result.groups,
        },
    }


# Corroboration -------------------------------------------------------------------------


def claim_corroboration(claim: Claim) -> dict:
    """A claim's links both ways, its origin and group, the independent groups that
    corroborate and contradict it, and its suggested credibility.

    Three queries: the links, the origins of the claim and its partners, the sources.
    """
    links = list(
        Link.objects.filter(Q(from_claim=claim) | Q(to_claim=claim))
        .order_by("id")
        .values("id", "from_claim_id", "to_claim_id", "relation", "note")
    )
    partners = {
        link["to_claim_id"]
        if link["from_claim_id"] == claim.pk
        else link["from_claim_id"]
        for link in links
    }
    origin_map = origins_of_claims({claim.pk, *partners})
    tree = SourceTree.load()

    own_origins = origin_map.get(claim.pk) or [Origin(claim.pk, claim.source_id)]
    own_groups = {tree.group_of(o.source_id) for o in own_origins}

    def groups_of(relation: str) -> list[int]:
        groups: set[int] = set()
        for link in links:
            if link["relation"] != relation:
                continue
            other = (
                link["to_claim_id"]
                if link["from_claim_id"] == claim.pk
                else link["from_claim_id"]
            )
            groups |= {tree.group_of(o.source_id) for o in origin_map.get(other, [])}
        return sorted(groups - own_groups)

    corroborating = groups_of(Relation.CORROBORATES)
    contradicting = groups_of(Relation.CONTRADICTS)
    suggestion = independence.suggest_credibility(
        len(corroborating), len(contradicting)
    )
    own_group = tree.group_of(own_origins[0].source_id)
    return {
        "claim_id": claim.pk,
        "origin_claim_ids": [o.claim_id for o in own_origins],
        "group": tree.ref(own_group),
        "links": [
            {
                "id": link["id"],
                "relation": link["relation"],
                "direction": "outgoing"
                if link["from_claim_id"] == claim.pk
                else "incoming",
                "other_claim_id": link["to_claim_id"]
                if link["from_claim_id"] == claim.pk
                else link["from_claim_id"],
                "note": link["note"],
            }
            for link in links
        ],
        "corroborating_groups": [tree.ref(g) for g in corroborating],
        "contradicting_groups": [tree.ref(g) for g in contradicting],
        "suggested_credibility": {
            "credibility": suggestion.credibility,
            "reason": suggestion.reason,
        },
        "current": {
            "attribution_status": claim.attribution_status,
            "credibility": claim.credibility,
        },
    }
