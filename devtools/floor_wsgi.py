"""The HTTP floor: a bare WSGI app answering the benchmark's API requests with the
same rows, read by hand-written SQL from the same SQLite file and turned into JSON by
orjson (the standard library's ``json`` without it), behind the same gunicorn.

No Django, no middleware, no URL resolver, no serializer: what is left is the cost
of the database and of writing JSON, the least any framework could cost.
``manage.py benchmark --http`` serves it (``gunicorn devtools.floor_wsgi:application``)
beside the app, with the database file in ``FLOOR_DATABASE``.

It answers, as the API does:

- ``/api/claims/`` with ``page``, ``page_size``, ``attribution_kind``,
  ``stated_after`` and ``search``: the page of claims as the API writes it (count,
  next, previous, results; each claim with its url and topics);
- ``/api/claims/ID/``: the claim, as the API writes it;
- ``/api/claims/ID/corroboration/``: the links to and from the claim (its rows,
  not the API's computed answer);
- ``/api/measures/ID/comparison/``: the measure's figures with their claims' sources
  (its rows, not the computed comparison).
"""

from __future__ import annotations

import os
import re
import sqlite3
from urllib.parse import parse_qsl, urlencode

try:
    import orjson

    def dumps(data) -> bytes:
        return orjson.dumps(data)
except ImportError:  # pragma: no cover - orjson is a dev dependency
    import json

    def dumps(data) -> bytes:
        return json.dumps(data, separators=(",", ":")).encode()


CLAIM_COLUMNS = (
    "id, source_id, document_id, statement, quote, quote_start, quote_end, "
    "attribution_kind, stated_on, stated_on_precision, attribution_status, "
    "credibility, version, created_at, updated_at"
)
PAGE_SIZE, MAX_PAGE_SIZE = 50, 500

_connection: sqlite3.Connection | None = None
#: Counts of rows by their query: the app counts a list once per state of the data
#: (claims.caching.cached_count), so the floor does too (the file is not written
#: during a run).
_counts: dict[tuple, int] = {}


def connection() -> sqlite3.Connection:
    """One connection per worker process, opened on its first request."""
    global _connection
    if _connection is None:
        _connection = sqlite3.connect(
            os.environ["FLOOR_DATABASE"], check_same_thread=False
        )
    return _connection


def _datetime(value) -> str | None:
    """A datetime as Django stores it in SQLite (UTC, ``YYYY-MM-DD HH:MM:SS[.ffffff]``)
    as the API writes it (ISO 8601, UTC as Z). A connection that converts declared
    types (Django's own) hands over a naive datetime instead."""
    if value is None:
        return None
    text = value if isinstance(value, str) else value.isoformat()
    return text.replace(" ", "T") + "Z"


def _date(value) -> str | None:
    return value if value is None or isinstance(value, str) else value.isoformat()


def _claims(rows: list[tuple], base: str) -> list[dict]:
    ids = [row[0] for row in rows]
    topics: dict[int, list[int]] = {pk: [] for pk in ids}
    if ids:
        marks = ", ".join("?" * len(ids))
        for claim_id, topic_id in connection().execute(
            "SELECT ct.claim_id, ct.topic_id FROM claims_claim_topics ct "
            "JOIN claims_topic t ON t.id = ct.topic_id "
            f"WHERE ct.claim_id IN ({marks}) ORDER BY t.name, ct.topic_id",
            ids,
        ):
            topics[claim_id].append(topic_id)
    return [
        {
            "id": row[0],
            "url": f"{base}/api/claims/{row[0]}/",
            "source": row[1],
            "document": row[2],
            "statement": row[3],
            "quote": row[4],
            "quote_start": row[5],
            "quote_end": row[6],
            "attribution_kind": row[7],
            "stated_on": _date(row[8]),
            "stated_on_precision": row[9],
            "topics": topics[row[0]],
            "attribution_status": row[10],
            "credibility": row[11],
            "version": row[12],
            "created_at": _datetime(row[13]),
            "updated_at": _datetime(row[14]),
        }
        for row in rows
    ]


def _page_link(base: str, path: str, query: dict, page: int | None) -> str | None:
    """A page's link as DRF writes it: the query with ``page`` replaced (dropped
    for the first page), its parameters in sorted order."""
    if page is None:
        return None
    params = {key: value for key, value in query.items() if key != "page"}
    if page > 1:
        params["page"] = str(page)
    encoded = urlencode(sorted(params.items()))
    return f"{base}{path}" + (f"?{encoded}" if encoded else "")


def claim_list(query: dict, base: str, path: str) -> dict:
    size = min(int(query.get("page_size") or PAGE_SIZE), MAX_PAGE_SIZE)
    page = int(query.get("page") or 1)
    where, params = [], []
    if query.get("attribution_kind"):
        where.append("c.attribution_kind = ?")
        params.append(query["attribution_kind"])
    if query.get("stated_after"):
        where.append("c.stated_on >= ?")
        params.append(query["stated_after"])
    columns = ", ".join(f"c.{name.strip()}" for name in CLAIM_COLUMNS.split(","))
    words = re.findall(r"\w+", query.get("search", "").lower())[:12]
    if words:
        match = " ".join([*(f'"{w}"' for w in words[:-1]), f'"{words[-1]}"*'])
        source = (
            "claims_claim_fts f JOIN claims_claim c ON c.id = f.rowid "
            "WHERE claims_claim_fts MATCH ?"
        )
        params.insert(0, match)
        order = "bm25(claims_claim_fts, 1.0, 1.0, 0.5), c.id"
        where_sql = "".join(f" AND {w}" for w in where)
    else:
        source = "claims_claim c"
        order = "c.stated_on DESC, c.id"
        where_sql = (" WHERE " + " AND ".join(where)) if where else ""
    key = (source, where_sql, tuple(params))
    if key not in _counts:
        _counts[key] = (
            connection()
            .execute(f"SELECT count(*) FROM {source}{where_sql}", params)
            .fetchone()[0]
        )
    count = _counts[key]
    if words:  # the API ranks the best 1,000 matches
        count = min(count, 1_000)
    rows = (
        connection()
        .execute(
            f"SELECT {columns} FROM {source}{where_sql} ORDER BY {order} "
            "LIMIT ? OFFSET ?",
            [*params, size, (page - 1) * size],
        )
        .fetchall()
    )
    last_page = max(1, -(-count // size))
    return {
        "count": count,
        "next": _page_link(base, path, query, page + 1 if page < last_page else None),
        "previous": _page_link(base, path, query, page - 1 if page > 1 else None),
        "results": _claims(rows, base),
    }


def claim_detail(pk: int, base: str) -> dict | None:
    rows = (
        connection()
        .execute(f"SELECT {CLAIM_COLUMNS} FROM claims_claim WHERE id = ?", [pk])
        .fetchall()
    )
    return _claims(rows, base)[0] if rows else None


def _rows(sql: str, params: list) -> list[dict]:
    cursor = connection().execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def corroboration(pk: int) -> list[dict]:
    return _rows(
        "SELECT id, from_claim_id, to_claim_id, relation, note FROM claims_link "
        "WHERE from_claim_id = ? OR to_claim_id = ? ORDER BY id",
        [pk, pk],
    )


def comparison(pk: int) -> list[dict]:
    return _rows(
        "SELECT f.id, f.claim_id, c.source_id, f.text, f.qualifier, f.value, f.low, "
        "f.high, f.as_of FROM claims_figure f JOIN claims_claim c ON c.id = f.claim_id "
        "WHERE f.measure_id = ? ORDER BY f.as_of, f.id",
        [pk],
    )


ROUTES = (
    (re.compile(r"^/api/claims/$"), "list"),
    (re.compile(r"^/api/claims/(\d+)/$"), "detail"),
    (re.compile(r"^/api/claims/(\d+)/corroboration/$"), "corroboration"),
    (re.compile(r"^/api/measures/(\d+)/comparison/$"), "comparison"),
)


def answer(path: str, query_string: str, base: str) -> tuple[int, object]:
    """The status and the JSON-ready body for a GET of ``path``."""
    query = dict(parse_qsl(query_string))
    for pattern, name in ROUTES:
        found = pattern.match(path)
        if not found:
            continue
        if name == "list":
            return 200, claim_list(query, base, path)
        pk = int(found.group(1))
        if name == "detail":
            claim = claim_detail(pk, base)
            return (200, claim) if claim else (404, {"detail": "Not found."})
        return 200, corroboration(pk) if name == "corroboration" else comparison(pk)
    return 404, {"detail": "Not found."}


def application(environ, start_response):
    base = f"{environ.get('wsgi.url_scheme', 'http')}://{environ['HTTP_HOST']}"
    status, body = answer(
        environ.get("PATH_INFO", "/"), environ.get("QUERY_STRING", ""), base
    )
    content = dumps(body)
    start_response(
        "200 OK" if status == 200 else "404 Not Found",
        [("Content-Type", "application/json"), ("Content-Length", str(len(content)))],
    )
    return [content]
