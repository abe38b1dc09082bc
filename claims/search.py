"""Full-text search over claims: statements, quotes, and their sources' names and
aliases, behind one selector, ranked best first.

PostgreSQL keeps a ``tsvector`` per claim in ``claims_claim_search`` with a GIN
index; SQLite keeps an FTS5 table ``claims_claim_fts``. Triggers keep either in step
with claims and sources (migration ``0003_search``), so bulk writes are indexed too.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models.expressions import RawSQL

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


#: (the matching claims as id and score, higher better; one claim's score).
_SQL = {
    "postgresql": (
        "SELECT s.claim_id AS id, ts_rank(s.document, to_tsquery('english', %s)) AS score "
        "FROM claims_claim_search s WHERE s.document @@ to_tsquery('english', %s)",
        "SELECT ts_rank(s.document, to_tsquery('english', %s)) "
        "FROM claims_claim_search s WHERE s.claim_id = claims_claim.id",
    ),
    "sqlite": (
        "SELECT rowid AS id, -bm25(claims_claim_fts, 1.0, 1.0, 0.5) AS score "
        "FROM claims_claim_fts WHERE claims_claim_fts MATCH %s",
        "SELECT -bm25(claims_claim_fts, 1.0, 1.0, 0.5) FROM claims_claim_fts "
        "WHERE claims_claim_fts MATCH %s AND rowid = claims_claim.id",
    ),
}


def _params(vendor: str, terms: str, sql: str) -> list[str]:
    return [terms] * sql.count("%s")


def matching_ids(query: str, limit: int = 50) -> list[int]:
    """The ids of the best-matching claims, best first."""
    found = _terms(query)
    if found is None:
        return []
    vendor, terms = found
    sql = _SQL[vendor][0]
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql} ORDER BY score DESC, id LIMIT %s",
            [*_params(vendor, terms, sql), limit],
        )
        return [row[0] for row in cursor.fetchall()]


def filter_claims(queryset, query: str):
    """``queryset`` narrowed to the claims matching ``query``, with their ``rank``."""
    found = _terms(query)
    if found is None:
        return queryset.none()
    vendor, terms = found
    matches, score = _SQL[vendor]
    ids = f"SELECT matched.id FROM ({matches}) AS matched"
    return queryset.filter(pk__in=RawSQL(ids, _params(vendor, terms, ids))).annotate(
        rank=RawSQL(score, _params(vendor, terms, score))
    )
