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
from functools import lru_cache
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Exists, F, FloatField, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone

from claims import independence, search, timeline
from claims.choices import (
    DERIVING_RELATIONS,
    AttributionStatus,
    Credibility,
    Relation,
)
from claims.dependencies import reachable
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source

#: How deep a chain of repeats/based_on links is followed; validation keeps chains
#: acyclic, and the bound keeps a damaged database from looping.
MAX_CHAIN_DEPTH = 100
#: Conflicts listed in a comparison unless asked otherwise; all are counted.
DEFAULT_CONFLICT_LIMIT = 1_000


_SOURCE_TREE_SQL = f"SELECT id, parent_id, name FROM {Source._meta.db_table}"
#: Some sources (``%s``: their ids' placeholders) and their ancestors, up the
#: parents (validation keeps the parents acyclic; UNION ends a damaged cycle).
_SOURCE_LINEAGE_SQL = f"""
    WITH RECURSIVE lineage(id, parent_id, name) AS (
        SELECT id, parent_id, name FROM {Source._meta.db_table} WHERE id IN (%s)
        UNION
        SELECT s.id, s.parent_id, s.name FROM lineage
        JOIN {Source._meta.db_table} s ON s.id = lineage.parent_id
    )
    SELECT id, parent_id, name FROM lineage
"""
#: Up to this many sources, a comparison reads their lineage rather than every
#: source: the walk costs a few microseconds a source, the whole table (600
#: sources) about as much as the lineage of 80 (SQLite, 100,000-claim corpus).
LINEAGE_UP_TO = 64


@dataclass(frozen=True)
class SourceTree:
    """Every source's parent and name: enough to find any source's group."""

    parents: dict[int, int | None]
    names: dict[int, str]

    @classmethod
    def load(cls, among: Iterable[int] | None = None) -> SourceTree:
        """Every source; or, given ``among``, those sources and their ancestors
        (all that their groups and names need), however many others there are."""
        # Read on every comparison and corroboration: plain rows by one statement
        # (three plain columns, nothing for the ORM to convert).
        sql, params = _SOURCE_TREE_SQL, []
        if among is not None:
            params = sorted(set(among))
            if not params:
                return cls({}, {})
            sql = _SOURCE_LINEAGE_SQL % ", ".join(["%s"] * len(params))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return cls(
            {pk: parent for pk, parent, _ in rows}, {pk: name for pk, _, name in rows}
        )

    def group_of(self, source_id: int) -> int:
        groups = self.__dict__.setdefault("_groups", {})
        if source_id not in groups:
            groups[source_id] = independence.group_of(source_id, self.parents)
        return groups[source_id]

    def own_voice(self, source_id: int) -> tuple[frozenset, frozenset]:
        """The sources and groups of a claim that is its own origin: ``source_id``
        and its group, one pair of sets shared by all its claims."""
        voices = self.__dict__.setdefault("_own_voices", {})
        found = voices.get(source_id)
        if found is None:
            found = voices[source_id] = (
                frozenset((source_id,)),
                frozenset((self.group_of(source_id),)),
            )
        return found

    def ref(self, source_id: int | None) -> dict | None:
        """``{"id", "name"}`` of a source, one shared dict per source."""
        if source_id is None:
            return None
        refs = self.__dict__.setdefault("_refs", {})
        if source_id not in refs:
            refs[source_id] = {"id": source_id, "name": self.names.get(source_id, "")}
        return refs[source_id]

    def descendants(self, source_id: int) -> set[int]:
        """``source_id`` and every source under it."""
        children: dict[int, list[int]] = {}
        for pk, parent in self.parents.items():
            if parent is not None:
                children.setdefault(parent, []).append(pk)
        return reachable([source_id], children)


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
    # Each claim of the walk looks its links up by the link index, whatever the
    # planner guesses of the walk's size (a recursive query's size is unknown to
    # it). PostgreSQL: a lateral lookup per claim of the walk, at each step and at
    # the end (a join, planned for a walk of thousands, merged or hashed the whole
    # link table: 170 ms for 162 claims among 300,000 links; OFFSET 0 keeps the
    # planner from making the lookup a join again). SQLite, which has no
    # lateral join: the step's condition names both the walk and the link (the
    # relation only within the depth bound), since a condition on the link alone
    # lets it (3.38 and later, once ANALYZE has run) build a Bloom filter of the
    # whole link table on every walk (22 ms for four claims).
    if connection.vendor == "postgresql":
        sql = f"""
            WITH RECURSIVE walk(start_id, claim_id, depth) AS (
                SELECT s.id, s.id, 0 FROM ({start_sql}) AS s
                UNION
                SELECT w.start_id, l.to_claim_id, w.depth + 1
                FROM walk w CROSS JOIN LATERAL (
                    SELECT to_claim_id FROM {link}
                    WHERE from_claim_id = w.claim_id AND relation IN ({deriving})
                    OFFSET 0
                ) l
                WHERE w.depth < %s
            )
            SELECT DISTINCT w.start_id, w.claim_id,
                (SELECT c.source_id FROM {claim} c WHERE c.id = w.claim_id)
            FROM walk w LEFT JOIN LATERAL (
                SELECT 1 AS derives FROM {link} l2
                WHERE l2.from_claim_id = w.claim_id AND l2.relation IN ({deriving})
                LIMIT 1
            ) d ON TRUE
            WHERE d.derives IS NULL
            ORDER BY w.start_id, w.claim_id
        """
        values = [*params, *relations, MAX_CHAIN_DEPTH, *relations]
    else:
        sql = f"""
            WITH RECURSIVE walk(start_id, claim_id, depth) AS (
                SELECT s.id, s.id, 0 FROM ({start_sql}) AS s
                UNION
                SELECT w.start_id, l.to_claim_id, w.depth + 1
                FROM walk w
                JOIN {link} l ON l.from_claim_id = w.claim_id
                WHERE CASE WHEN w.depth < %s THEN l.relation END IN ({deriving})
            )
            SELECT DISTINCT w.start_id, w.claim_id,
                (SELECT c.source_id FROM {claim} c WHERE c.id = w.claim_id)
            FROM walk w
            WHERE NOT EXISTS (
                SELECT 1 FROM {link} l2
                WHERE l2.from_claim_id = w.claim_id AND l2.relation IN ({deriving})
            )
            ORDER BY w.start_id, w.claim_id
        """
        values = [*params, MAX_CHAIN_DEPTH, *relations, *relations]
    found: dict[int, list[Origin]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        for start, origin, source in cursor.fetchall():
            found.setdefault(start, []).append(Origin(origin, source))
    return found


def _origins_among(
    ids: Iterable[int], table: str, column: str, claim: str
) -> dict[int, list[Origin]]:
    """The origins of the claims (``claim``) of the rows of ``table`` whose
    ``column`` is one of ``ids``."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    return origins(
        f"SELECT DISTINCT {claim} AS id FROM {table} "
        f"WHERE {column} IN ({placeholders})",
        ids,
    )


def origins_of_claims(claim_ids: Iterable[int]) -> dict[int, list[Origin]]:
    return _origins_among(claim_ids, Claim._meta.db_table, "id", "id")


def origins_of_measures(measure_ids: Iterable[int]) -> dict[int, list[Origin]]:
    """The origins of the claims of the measures' figures that repeat or are based
    on another claim; a claim absent from the answer derives from none, so it is
    its own origin (as ``Voices.of`` takes it). The chains are walked from those
    claims only: most figures' claims have none to walk."""
    ids = sorted(set(measure_ids))
    if not ids:
        return {}
    figure, link = Figure._meta.db_table, Link._meta.db_table
    relations = sorted(relation.value for relation in DERIVING_RELATIONS)
    return origins(
        f"SELECT DISTINCT f.claim_id AS id FROM {figure} f "
        f"WHERE f.measure_id IN ({', '.join(['%s'] * len(ids))}) AND EXISTS ("
        f"SELECT 1 FROM {link} d WHERE d.from_claim_id = f.claim_id "
        f"AND d.relation IN ({', '.join(['%s'] * len(relations))}) "
        # A lookup by the link index for each figure's claim: without the limit
        # PostgreSQL makes this a join and hashes every deriving link first.
        "LIMIT 1 OFFSET 0)",
        [*ids, *relations],
    )


# Comparison --------------------------------------------------------------------------


class FigureRow(NamedTuple):
    """A figure as a comparison reads it: its own columns, its claim's source and
    document's publication time, its numbers as floats. In the order the query
    gives them (its columns, then the numbers it casts)."""

    id: int
    measure_id: int
    claim_id: int
    claim__source_id: int
    claim__document__published_at: datetime.datetime | None
    text: str
    qualifier: str
    as_of: datetime.date | None
    bounds_overridden: bool
    # Figures travel as floats (JSON numbers either way, and the encoder writes
    # floats itself), read as floats: a comparison of 10,000 figures would
    # otherwise build 30,000 Decimals only to turn them into floats.
    value_number: float | None
    low_number: float | None
    high_number: float | None


def _figure_rows(
    measures: list[Measure], known_at=None, after=None, before=None
) -> list[FigureRow]:
    """The figures of ``measures`` a comparison may consider (known at K, inside the
    window), with what the time rules need, in one query. The publication time is
    made aware, and the override a bool, when each becomes a ``DatedFigure``."""
    if known_at is None and after is None and before is None:
        found = _all_figure_tuples([m.pk for m in measures])
    else:
        found = _figure_values(measures, known_at, after, before)
    return list(map(FigureRow._make, found))


@lru_cache(maxsize=32)
def _all_figures_sql(vendor: str, measures: int) -> str:
    """The query of every figure of ``measures`` measures (their ids its only
    parameters), as the ORM writes it, in the columns of ``FigureRow``: compiled
    once a backend and number of measures, not once a comparison."""
    ids = list(range(1, measures + 1))
    query = _figure_values(ids).query
    sql, params = query.sql_with_params()
    assert list(params) == ids, params
    names = (*query.values_select, *query.annotation_select)
    assert names == FigureRow._fields, names
    return sql


def _all_figure_tuples(measure_ids: list[int]) -> list[tuple]:
    """Every figure of the measures, as the database gives them (in the columns of
    ``FigureRow``), by the SQL compiled once."""
    measure_ids = list(dict.fromkeys(measure_ids))  # as the ORM's IN: each once
    if not measure_ids:
        return []
    sql = _all_figures_sql(connection.vendor, len(measure_ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, measure_ids)
        return cursor.fetchall()


def _aware_moments():
    """A function making a publication time aware, as the ORM does (a naive time
    from the backend is in the connection's zone), once a distinct time."""
    zone = connection.timezone
    made: dict = {}

    def aware(moment):
        if moment is None or moment.tzinfo is not None:
            return moment
        found = made.get(moment)
        if found is None:
            found = made[moment] = moment.replace(tzinfo=zone)
        return found

    return aware


def _figure_values(measures, known_at=None, after=None, before=None):
    """The queryset of ``_figure_rows``: tuples in the columns of ``FigureRow``."""
    figures = Figure.objects.filter(measure__in=measures).order_by("as_of", "id")
    if after is not None:
        figures = figures.filter(as_of__gte=after)
    if before is not None:
        figures = figures.filter(as_of__lte=before)
    if known_at is not None:
        figures = figures.filter(
            Q(claim__document__published_at__lte=known_at)
            | Q(claim__document__published_at__isnull=True)
        )
    return figures.annotate(
        value_number=Cast("value", FloatField()),
        low_number=Cast("low", FloatField()),
        high_number=Cast("high", FloatField()),
    ).values_list(*FigureRow._fields)


class Voices(NamedTuple):
    """Whom a claim speaks for: the sources, groups and claims of all its origins
    (itself, when it repeats or is based on nothing). One rule, used everywhere.
    ``origin_set`` is ``origins`` as a set, made once for all the claim's figures."""

    origins: tuple
    sources: frozenset
    groups: frozenset
    origin_set: frozenset

    @classmethod
    def of(
        cls, claim_id: int, source_id: int, origin_map: dict, tree: SourceTree
    ) -> Voices:
        found = origin_map.get(claim_id)
        if not found:  # most claims: their own origin, speaking for their source
            sources, groups = tree.own_voice(source_id)
            return cls((claim_id,), sources, groups, frozenset((claim_id,)))
        sources = frozenset(o.source_id for o in found)
        origins = tuple(o.claim_id for o in found)
        return cls(
            origins,
            sources,
            frozenset(tree.group_of(s) for s in sources),
            frozenset(origins),
        )


def _dated(row: FigureRow, voices: Voices, aware) -> timeline.DatedFigure:
    return timeline.DatedFigure(
        row.id,
        row.low_number,
        row.high_number,
        row.qualifier,
        row.as_of,
        aware(row.claim__document__published_at),
        voices.sources,
        voices.groups,
        voices.origin_set,
        bool(row.bounds_overridden),
    )


def _read_figures(
    measures: list[Measure], known_at=None, after=None, before=None, tree=None
) -> tuple[dict, dict, dict, SourceTree]:
    """The figures of ``measures`` (``_figure_rows``), each measure's as rows and
    as ``DatedFigure``s with the voices of their claims; the voices by claim; the
    source tree. Three queries."""
    rows = _figure_rows(measures, known_at, after, before)
    origin_map = origins_of_measures(m.pk for m in measures)
    if tree is None:  # the sources that speak here and their ancestors, if few
        speaking = {row.claim__source_id for row in rows}
        speaking.update(o.source_id for found in origin_map.values() for o in found)
        tree = SourceTree.load(speaking if len(speaking) <= LINEAGE_UP_TO else None)
    voices: dict[int, Voices] = {}
    by_measure: dict[int, list[FigureRow]] = {m.pk: [] for m in measures}
    dated: dict[int, list] = {m.pk: [] for m in measures}
    aware = _aware_moments()
    for row in rows:
        claim_id = row.claim_id
        voice = voices.get(claim_id)
        if voice is None:
            voice = voices[claim_id] = Voices.of(
                claim_id, row.claim__source_id, origin_map, tree
            )
        by_measure[row.measure_id].append(row)
        dated[row.measure_id].append(_dated(row, voice, aware))
    return by_measure, dated, voices, tree


def _situations(
    measures: list[Measure],
    *,
    at=None,
    known_at=None,
    after=None,
    before=None,
    conflict_limit: int | None = DEFAULT_CONFLICT_LIMIT,
    tree: SourceTree | None = None,
) -> tuple[dict, SourceTree, dict]:
    """Each measure's ``timeline.Result`` with its rows and the voices of their
    claims, in three queries whatever the number of measures and figures."""
    by_measure, dated, voices, tree = _read_figures(
        measures, known_at, after, before, tree
    )
    results = {
        measure.pk: (
            timeline.compare_at(
                dated[measure.pk],
                kind=measure.kind,
                at=at,
                known_at=known_at,
                after=after,
                before=before,
                conflict_limit=conflict_limit,
            ),
            by_measure[measure.pk],
        )
        for measure in measures
    }
    return results, tree, voices


def compare_measures(
    measures: list[Measure],
    *,
    at: datetime.date | None = None,
    known_at: datetime.datetime | None = None,
    as_of_after: datetime.date | None = None,
    as_of_before: datetime.date | None = None,
    conflict_limit: int | None = DEFAULT_CONFLICT_LIMIT,
) -> list[dict]:
    """The comparison of each measure's figures at ``at``, known at ``known_at``,
    within an optional as_of window (see ``claims.timeline``).

    Three queries whatever the number of measures and figures: the figures, their
    origins, the source tree.
    """
    results, tree, voices = _situations(
        measures,
        at=at,
        known_at=known_at,
        after=as_of_after,
        before=as_of_before,
        conflict_limit=conflict_limit,
    )
    return [
        _comparison_of(measure, *results[measure.pk], tree, voices)
        for measure in measures
    ]


def _group_refs(groups: Iterable[int], tree: SourceTree) -> list[dict]:
    return [tree.ref(g) for g in sorted(groups)]


def _measure_ref(measure: Measure) -> dict:
    return {
        "id": measure.pk,
        "name": measure.name,
        "unit": measure.unit,
        "kind": measure.kind,
    }


def _comparison_of(
    measure: Measure,
    result: timeline.Result,
    rows: list[FigureRow],
    tree: SourceTree,
    voices: dict[int, Voices],
) -> dict:
    by_id = {row.id: row for row in rows}
    # What each claim speaks for, built once per claim rather than once per figure;
    # its source's and groups' references once per source and set of groups (most
    # claims are their own origin, sharing their source's set).
    spoken: dict[int, tuple] = {}
    refs: dict[tuple, tuple] = {}
    figures = []
    append = figures.append
    for situated in result.figures:
        row = by_id[situated.figure.id]
        claim_id = row.claim_id
        said = spoken.get(claim_id)
        if said is None:
            voice = voices[claim_id]
            key = (row.claim__source_id, voice.groups)
            shared = refs.get(key)
            if shared is None:
                shared = refs[key] = (
                    tree.ref(row.claim__source_id),
                    tree.ref(min(voice.groups)),
                    _group_refs(voice.groups, tree),
                )
            said = spoken[claim_id] = (
                *shared,
                voice.origins[0],
                list(voice.origins),
            )
        source, group, groups, origin, origin_ids = said
        current = situated.role != timeline.SUPERSEDED
        append(
            {
                "id": row.id,
                "claim_id": claim_id,
                "source": source,
                "group": group,
                "groups": groups,
                "origin_claim_id": origin,
                "origin_claim_ids": origin_ids,
                "text": row.text,
                "qualifier": row.qualifier,
                "value": row.value_number,
                "low": row.low_number,
                "high": row.high_number,
                "as_of": row.as_of,
                "date": row.as_of,
                "role": situated.role,
                "superseded_by": situated.superseded_by,
                "at_interval": {"low": situated.low, "high": situated.high}
                if current
                else None,
            }
        )
    return {
        "measure": _measure_ref(measure),
        "at": result.at,
        "known_at": result.known_at,
        "figures": figures,
        "conflicts": [
            {"figure_ids": [lower, upper], "same_group": same_group}
            for (lower, upper), same_group in result.conflicts
        ],
        "best_supported": [
            {
                "low": s.low,
                "high": s.high,
                "support": s.support,
                "support_kind": result.support_kind,
                "supporting_groups": s.supporting_groups,
                "consistent_groups": s.consistent_groups,
                "other_groups": s.other_groups,
            }
            for s in result.best_supported
        ],
        "spread": result.spread,
        "counts": {
            "figures": result.counts.figures,
            "current": result.counts.current,
            "origins": result.counts.origins,
            "groups": result.counts.groups,
            "conflicts": result.counts.conflicts,
        },
    }


def measure_evolution(measure: Measure) -> dict:
    """How the comparison of a measure developed: for each day on which a document
    holding a figure on it was published, the comparison known at that day's end
    (its T, best-supported stretches, lowest low and highest high of the current
    estimates, counts). Three queries."""
    _, dated, _, _ = _read_figures([measure])
    steps = timeline.evolution(
        dated[measure.pk], kind=measure.kind, tz=timezone.get_current_timezone()
    )
    return {
        "measure": _measure_ref(measure),
        "steps": [
            {
                "date": step.day,
                "at": step.result.at,
                "best_supported": [
                    {
                        "low": s.low,
                        "high": s.high,
                        "support": s.support,
                        "support_kind": step.result.support_kind,
                        "supporting_groups": s.supporting_groups,
                        "consistent_groups": s.consistent_groups,
                        "other_groups": s.other_groups,
                    }
                    for s in step.result.best_supported
                ],
                "low": step.result.low,
                "high": step.result.high,
                "counts": {
                    "figures": step.result.counts.figures,
                    "current": step.result.counts.current,
                    "origins": step.result.counts.origins,
                    "groups": step.result.counts.groups,
                    "conflicts": step.result.counts.conflicts,
                },
            }
            for step in steps
        ],
    }


# Corroboration -------------------------------------------------------------------------


#: The columns of the claim itself that its corroboration reads.
CORROBORATION_COLUMNS = ("id", "source_id", "attribution_status", "credibility")


def claim_corroboration(
    claim: Claim,
    *,
    known_at: datetime.datetime | None = None,
    tree: SourceTree | None = None,
) -> dict:
    """A claim's links both ways, its origins and groups, the independent groups
    that corroborate and contradict it, and its suggested credibility.

    Links first: the groups (other than the claim's own) of the origins of claims
    that corroborate or contradict it. Then its figures, where no link already
    speaks: each other group with a current figure on the same measure (at the
    measure's default T, known at ``known_at``) contradicts it when the two
    conflict, and corroborates it when both are estimates and overlap (a group
    that would do both contradicts). Claims published after ``known_at`` do not
    count. A fixed number of queries.
    """
    links = Link.objects.filter(Q(from_claim=claim) | Q(to_claim=claim))
    if known_at is not None:
        published = Q(from_claim__document__published_at__lte=known_at) | Q(
            from_claim__document__published_at__isnull=True
        )
        published_to = Q(to_claim__document__published_at__lte=known_at) | Q(
            to_claim__document__published_at__isnull=True
        )
        links = links.filter(published & published_to)
    links = list(
        links.order_by("id").values(
            "id", "from_claim_id", "to_claim_id", "relation", "note"
        )
    )
    partners = {
        link["to_claim_id"]
        if link["from_claim_id"] == claim.pk
        else link["from_claim_id"]
        for link in links
    }
    origin_map = origins_of_claims({claim.pk, *partners})
    tree = tree or SourceTree.load()
    own = Voices.of(claim.pk, claim.source_id, origin_map, tree)

    def by_links(relation: str) -> dict:
        groups: dict = {}
        for link in links:
            if link["relation"] != relation:
                continue
            other = (
                link["to_claim_id"]
                if link["from_claim_id"] == claim.pk
                else link["from_claim_id"]
            )
            for origin in origin_map.get(other, []):
                group = tree.group_of(origin.source_id)
                if group not in own.groups:
                    groups.setdefault(group, {"by": "link", "link": link["id"]})
        return groups

    corroborating = by_links(Relation.CORROBORATES)
    contradicting = by_links(Relation.CONTRADICTS)
    evidence = _figure_evidence(claim, own, known_at, tree)
    texts = evidence.pop("texts")
    timeline.add_figure_evidence(
        corroborating, contradicting, evidence["conflicts"], evidence["agreements"]
    )
    suggestion = independence.suggest_credibility(
        len(corroborating), len(contradicting)
    )
    reasons = [
        _evidence_reason(tree, group, why, verb, texts)
        for verb, found in (
            ("corroborates", corroborating),
            ("contradicts", contradicting),
        )
        for group, why in sorted(found.items())
    ]
    reason = suggestion.reason + (" " + " ".join(reasons) if reasons else "")
    return {
        "claim_id": claim.pk,
        "origin_claim_ids": list(own.origins),
        "group": tree.ref(min(own.groups)),
        "groups": _group_refs(own.groups, tree),
        "known_at": known_at,
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
        "corroborating_groups": _evidence_refs(corroborating, tree),
        "contradicting_groups": _evidence_refs(contradicting, tree),
        "suggested_credibility": {
            "credibility": suggestion.credibility,
            "reason": reason,
        },
        "current": {
            "attribution_status": claim.attribution_status,
            "credibility": claim.credibility,
        },
    }


def _figure_evidence(claim, own: Voices, known_at, tree: SourceTree) -> dict:
    """The other groups whose current figures conflict with or agree with the
    claim's current figures, each with the pair of figures; and each figure's
    source name, text and interval at T for the reason in words."""
    figures = dict(
        Figure.objects.filter(claim=claim).order_by().values_list("id", "measure_id")
    )
    found = {"conflicts": {}, "agreements": {}, "texts": {}}
    if not figures:  # most claims: one query, and nothing to compare
        return found
    measures = list(Measure.objects.filter(pk__in=set(figures.values())))
    results, _, voices = _situations(
        measures, known_at=known_at, conflict_limit=0, tree=tree
    )
    own_ids = set(figures)
    for result, rows in results.values():
        evidence = timeline.figure_evidence(own_ids, result, own.groups)
        for group, pair in evidence.conflicts.items():
            found["conflicts"].setdefault(group, pair)
        for group, pair in evidence.agreements.items():
            found["agreements"].setdefault(group, pair)
        by_id = {row.id: row for row in rows}
        for situated in result.figures:
            row = by_id[situated.figure.id]
            found["texts"][situated.figure.id] = (
                tree.names.get(row.claim__source_id, ""),
                situated.low,
                situated.high,
            )
    return found


def _evidence_refs(found: dict, tree: SourceTree) -> list[dict]:
    return [
        {**tree.ref(group), "by": why["by"], "figures": why.get("figures")}
        for group, why in sorted(found.items())
    ]


def _interval_words(low, high) -> str:
    def end(value):
        return "open" if value is None else f"{value:,.10g}"

    return f"[{end(low)}, {end(high)}]"


def _evidence_reason(tree: SourceTree, group, why: dict, verb: str, texts) -> str:
    name = tree.names.get(group, "")
    if why["by"] == "link":
        return f"{name} {verb} it by link {why['link']}."
    own_figure, other_figure = why["figures"]
    source, low, high = texts[other_figure]
    _, own_low, own_high = texts[own_figure]
    relation = "conflicts with" if verb == "contradicts" else "agrees with"
    return (
        f"{source}'s figure {_interval_words(low, high)} ({name}) {relation} this "
        f"claim's {_interval_words(own_low, own_high)}."
    )


# Reviewer pages ------------------------------------------------------------------------


def _in_conflict(figures: list[dict]) -> set[int]:
    """The ids of the current figures (of one comparison) that conflict with at
    least one other current figure: whose interval at T lies wholly above the
    lowest high of the others, or wholly below their highest low. Linear in the
    figures, however many conflicts there are."""
    current = [f for f in figures if f["at_interval"] is not None]
    highs = sorted(
        (f["at_interval"]["high"], f["id"])
        for f in current
        if f["at_interval"]["high"] is not None
    )[:2]
    lows = sorted(
        (
            (f["at_interval"]["low"], f["id"])
            for f in current
            if f["at_interval"]["low"] is not None
        ),
        reverse=True,
    )[:2]
    found = set()
    for figure in current:
        low, high = figure["at_interval"]["low"], figure["at_interval"]["high"]
        lowest_high = next((v for v, pk in highs if pk != figure["id"]), None)
        highest_low = next((v for v, pk in lows if pk != figure["id"]), None)
        if (low is not None and lowest_high is not None and lowest_high < low) or (
            high is not None and highest_low is not None and highest_low > high
        ):
            found.add(figure["id"])
    return found


def claims_in_current_conflict() -> frozenset[int]:
    """The ids of the claims owning a current figure that conflicts with another
    current figure on its measure, each measure compared at its default T with
    everything known. Four queries whatever the number of figures, kept in the
    cache until any row is written."""
    from django.core.cache import cache

    from claims import caching

    key = f"queue:in-conflict:{caching.rows_generation()}"
    found = cache.get(key) if caching.shared() else None
    if found is None:
        measures = list(
            Measure.objects.filter(
                Exists(Figure.objects.filter(measure=OuterRef("pk")))
            ).order_by("pk")
        )
        claims: set[int] = set()
        for result in compare_measures(measures, conflict_limit=0) if measures else []:
            conflicting = _in_conflict(result["figures"])
            claims.update(
                f["claim_id"] for f in result["figures"] if f["id"] in conflicting
            )
        found = frozenset(claims)
        cache.set(key, found, timeout=caching.TIMEOUT)
    return found


def review_queue(*, topic=None, source=None):
    """Claims not yet reviewed; those with a figure in a current conflict or a
    contradiction first.

    A claim's figure is in a current conflict when, in its measure's comparison (at
    the measure's default T, everything known), it is current and its interval at T
    lies wholly above or below another current figure's: a figure superseded by its
    source's later word conflicts with nothing.
    """
    in_conflict = claims_in_current_conflict()
    contradicted = Link.objects.filter(relation=Relation.CONTRADICTS).filter(
        Q(from_claim=OuterRef("pk")) | Q(to_claim=OuterRef("pk"))
    )
    queue = (
        Claim.objects.filter(~Exists(Review.objects.filter(claim=OuterRef("pk"))))
        .annotate(
            has_conflict=Q(pk__in=sorted(in_conflict)),
            contradicted=Exists(contradicted),
        )
        .select_related("source", "document")
    )
    if topic is not None:
        queue = queue.filter(topics=topic)
    if source is not None:
        queue = queue.filter(source__in=SourceTree.load().descendants(source.pk))
    return queue.order_by(
        "-has_conflict", "-contradicted", F("stated_on").desc(nulls_last=True), "id"
    )


def claim_page(claim: Claim) -> dict:
    """Everything the claim page shows, in a fixed number of queries."""
    tree = SourceTree.load()
    chain_ids = [
        claim.source_id,
        *independence.ancestors(claim.source_id, tree.parents),
    ]
    sources = Source.objects.in_bulk(chain_ids)
    links = list(
        Link.objects.filter(Q(from_claim=claim) | Q(to_claim=claim))
        .select_related("from_claim__source", "to_claim__source")
        .order_by("relation", "id")
    )
    figures = list(claim.figures.select_related("measure").order_by("measure__name"))
    corroboration = claim_corroboration(claim, tree=tree)
    compared = _compared_figures({f.measure for f in figures})
    for figure in figures:
        figure.compared = compared.get(figure.pk)
    return {
        "source_chain": [sources[pk] for pk in chain_ids if pk in sources],
        "figures": figures,
        "links_out": [link for link in links if link.from_claim_id == claim.pk],
        "links_in": [link for link in links if link.to_claim_id == claim.pk],
        "corroboration": corroboration,
        "figure_evidence": _figure_evidence_rows(corroboration, compared),
        "reviews": list(claim.reviews.select_related("reviewer")),
    }


def _compared_figures(measures: Iterable[Measure]) -> dict[int, dict]:
    """Every figure on ``measures`` as their comparisons (at each measure's default
    T, everything known) describe it, by id, with its measure: three queries."""
    measures = sorted(measures, key=lambda m: m.pk)
    if not measures:
        return {}
    return {
        figure["id"]: {**figure, "measure": result["measure"]}
        for result in compare_measures(measures, conflict_limit=0)
        for figure in result["figures"]
    }


def _figure_evidence_rows(corroboration: dict, compared: dict[int, dict]) -> list:
    """The groups that figures, not links, put among the claim's corroborating or
    contradicting groups, each with the claim's figure and the other one."""
    rows = []
    for relation, key in (
        ("conflicts", "contradicting_groups"),
        ("agrees", "corroborating_groups"),
    ):
        for group in corroboration[key]:
            if group["by"] != "figure":
                continue
            own, other = group["figures"]
            rows.append(
                {
                    "group": group,
                    "relation": relation,
                    "own": compared.get(own),
                    "other": compared.get(other),
                }
            )
    return rows


def document_page(document) -> dict:
    """The document's claims in quote order, each with the groups it speaks for.

    A claim speaks for the groups of all its origins (``Voices``): ``groups`` maps
    each claim's id to their ids, sorted; every claim carries ``group_refs``.
    """
    claims = list(
        document.claims.select_related("source").order_by("quote_start", "id")
    )
    tree = SourceTree.load()
    origin_map = origins_of_claims(c.pk for c in claims)
    groups_of_claim = {
        c.pk: sorted(Voices.of(c.pk, c.source_id, origin_map, tree).groups)
        for c in claims
    }
    for claim in claims:
        claim.group_refs = [tree.ref(g) for g in groups_of_claim[claim.pk]]
    return {
        "claims": claims,
        "groups": groups_of_claim,
        "group_refs": {
            g: tree.ref(g) for groups in groups_of_claim.values() for g in groups
        },
    }


def group_ranks() -> dict[int, int]:
    """Each independence group (a top-level source) by its rank among all of them,
    by id: what gives a group the same colour on every page."""
    roots = Source.objects.filter(parent__isnull=True).order_by("pk")
    return {pk: rank for rank, pk in enumerate(roots.values_list("pk", flat=True))}


def source_claims(source: Source):
    """The claims of a source and of every source under it (as the API's
    ``?source=`` filter reads them), newest first, with who made each."""
    return (
        Claim.objects.filter(source__in=SourceTree.load().descendants(source.pk))
        .select_related("document", "source")
        .order_by("-stated_on", "id")
    )


def source_record(source: Source) -> dict:
    """A source's children and the grades of its claims and of the claims of the
    sources under it: three aggregate queries and the source tree."""
    claims = Claim.objects.filter(
        source__in=SourceTree.load().descendants(source.pk)
    ).order_by()
    status = dict(claims.values_list("attribution_status").annotate(n=Count("id")))
    credibility = dict(claims.values_list("credibility").annotate(n=Count("id")))
    total = sum(status.values())
    own = claims.filter(source=source).count()
    return {
        "children": list(source.children.order_by("name")),
        "status_counts": [
            (label, status.get(value, 0)) for value, label in AttributionStatus.choices
        ],
        "credibility_counts": [
            (value, label, credibility.get(value, 0))
            for value, label in Credibility.choices
        ],
        "total": total,
        "own": own,
        "under": total - own,
    }


def topic_claims(topic):
    """The topic's claims in timeline order: oldest first, undated last."""
    return topic.claims.select_related("source").order_by(
        F("stated_on").asc(nulls_last=True), "id"
    )


def by_date(claims: Iterable[Claim]) -> list[tuple[datetime.date | None, list[Claim]]]:
    """Consecutive claims of one date grouped together, in the order given."""
    timeline: list[tuple[datetime.date | None, list[Claim]]] = []
    for claim in claims:
        if timeline and timeline[-1][0] == claim.stated_on:
            timeline[-1][1].append(claim)
        else:
            timeline.append((claim.stated_on, [claim]))
    return timeline


def search_everything(query: str, limit: int = 20) -> dict:
    """Claims (full-text, ranked), sources and documents matching ``query``: four
    queries."""
    query = query.strip()
    if not query:
        return {"claims": [], "sources": [], "documents": []}
    ranked = search.matching_ids(query, limit)
    found = Claim.objects.select_related("source", "document").in_bulk(ranked)
    claims = [found[pk] for pk in ranked if pk in found]
    sources = Source.objects.filter(
        Q(name__icontains=query) | Q(aliases__icontains=query)
    ).order_by("name")[:limit]
    documents = Document.objects.filter(
        Q(title__icontains=query) | Q(publisher__icontains=query)
    ).order_by("-published_at")[:limit]
    return {
        "claims": list(claims),
        "sources": list(sources),
        "documents": list(documents),
    }


def compare_measure(
    measure: Measure,
    *,
    at: datetime.date | None = None,
    known_at: datetime.datetime | None = None,
    as_of_after: datetime.date | None = None,
    as_of_before: datetime.date | None = None,
    conflict_limit: int | None = DEFAULT_CONFLICT_LIMIT,
) -> dict:
    """The comparison of one measure (see ``compare_measures``)."""
    (result,) = compare_measures(
        [measure],
        at=at,
        known_at=known_at,
        as_of_after=as_of_after,
        as_of_before=as_of_before,
        conflict_limit=conflict_limit,
    )
    return result


# A figure's measure and its claim's topics -------------------------------------------

#: Said of a figure whose measure has topics and shares none with its claim: most
#: often a missed pick (a dam's toll on a measure of troops). Not a refusal.
OFF_TOPIC_MEASURE = (
    "The figure's measure shares no topic with its claim: check that it is the "
    "measure meant."
)


def with_topic_check(figures):
    """Figures annotated with what ``figure_warnings`` needs, in the same query."""
    measure_topics = Measure.topics.through.objects.filter(
        measure_id=OuterRef("measure_id")
    )
    claim_topics = Claim.topics.through.objects.filter(
        claim_id=OuterRef(OuterRef("claim_id"))
    ).values("topic_id")
    return figures.annotate(
        _measure_has_topics=Exists(measure_topics),
        _shares_a_topic=Exists(measure_topics.filter(topic_id__in=claim_topics)),
    )


def figure_warnings(figure: Figure) -> list[str]:
    """What to tell an editor of a stored figure without refusing it: its measure
    has topics and shares none with its claim. Read from ``with_topic_check``'s
    annotations when the figure has them, else in one query."""
    if not hasattr(figure, "_shares_a_topic"):
        checked = with_topic_check(Figure.objects.filter(pk=figure.pk)).values(
            "_measure_has_topics", "_shares_a_topic"
        )
        row = checked.first() or {"_measure_has_topics": False}
        figure._measure_has_topics = row["_measure_has_topics"]
        figure._shares_a_topic = row.get("_shares_a_topic", True)
    if figure._measure_has_topics and not figure._shares_a_topic:
        return [OFF_TOPIC_MEASURE]
    return []


def forget_topic_check(figure: Figure) -> None:
    """Drop the annotations after a write, which may have changed the answer."""
    for name in ("_measure_has_topics", "_shares_a_topic"):
        figure.__dict__.pop(name, None)
