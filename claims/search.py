"""Full-text search over claims: statements, quotes, and their sources' names and
aliases, behind one selector, ranked best first.

PostgreSQL keeps a ``tsvector`` per claim in ``claims_claim_search`` with a GIN
index; SQLite keeps an FTS5 table ``claims_claim_fts``. Triggers keep either in step
with claims and sources (migration ``0003_search``), so bulk writes are indexed too.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, StrIndex

TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_TOKENS = 12


def tokens(query: str) -> list[str]:
    """The words of a query; everything else (operators, quotes) is dropped."""
    return TOKEN.findall(query.lower())[:MAX_TOKENS]


def _terms(query: str) -> tuple[str, str] | None:
    """The query in the backend's own syntax, built from words only, so no input
    can be an operator: every word must match, the last may be a word's start."""
    words = tokens(query)
    if not words:
        return None
    if connection.vendor == "postgresql":
        return "postgresql", " & ".join([*words[:-1], f"{words[-1]}:*"])
    return "sqlite", " ".join([*(f'"{w}"' for w in words[:-1]), f'"{words[-1]}"*'])


#: The matching claims as (id, score), higher scores better.
_SQL = {
    "postgresql": (
        "SELECT s.claim_id AS id, ts_rank(s.document, to_tsquery('english', %s)) AS score "
        "FROM claims_claim_search s WHERE s.document @@ to_tsquery('english', %s)"
    ),
    "sqlite": (
        "SELECT rowid AS id, -bm25(claims_claim_fts, 1.0, 1.0, 0.5) AS score "
        "FROM claims_claim_fts WHERE claims_claim_fts MATCH %s"
    ),
}
#: The most results a search ranks: enough for any reader, bounded for any corpus.
MAX_RESULTS = 1_000


def matching_ids(query: str, limit: int = 50) -> list[int]:
    """The ids of the best-matching claims, best first: one query."""
    found = _terms(query)
    if found is None:
        return []
    vendor, terms = found
    sql = _SQL[vendor]
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql} ORDER BY score DESC, id LIMIT %s",
            [*[terms] * sql.count("%s"), min(limit, MAX_RESULTS)],
        )
        return [row[0] for row in cursor.fetchall()]


def filter_claims(queryset, query: str):
    """``queryset`` narrowed to the best ``MAX_RESULTS`` matches of ``query``, each
    annotated with its ``rank`` (lower is better)."""
    ranked = matching_ids(query, MAX_RESULTS)
    if not ranked:  # annotated all the same: callers order by rank
        return queryset.none().annotate(rank=Value(0))
    # The rank is the claim's place in the ranked list, found by one string search
    # per row (INSTR/STRPOS) rather than a CASE of a thousand branches.
    order = "," + ",".join(str(pk) for pk in ranked) + ","
    return queryset.filter(pk__in=ranked).annotate(
        rank=StrIndex(
            Value(order), Concat(Value(","), Cast("pk", CharField()), Value(","))
        )
    )
