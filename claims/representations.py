"""Read representations built from ``values()`` rows, for the API's hot reads.

A page of claims read through model instances and the serializer builds two model
instances a row (the claim, and each of its topics by the prefetch) before a single
field is written; here a page is one query for the claims' columns, as dicts, and
one for their topics' ids, and each answer is put together from those. The output is
exactly ``ClaimSerializer``'s (the tests hold the two equal, on the seed data and on
generated data); the serializer stays for writes and validation.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.db import connection
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from claims.models import Claim, Topic

#: The claim's columns a read shows, in ``values()`` names.
CLAIM_COLUMNS = (
    "id",
    "source_id",
    "document_id",
    "statement",
    "quote",
    "quote_start",
    "quote_end",
    "attribution_kind",
    "stated_on",
    "stated_on_precision",
    "attribution_status",
    "credibility",
    "version",
    "created_at",
    "updated_at",
)


def claim_values(queryset):
    """``queryset`` (filtered and ordered as a list is) as rows of the columns a
    read shows; a prefetch it carries is dropped (the topics are read by
    ``topics_of``)."""
    return queryset.prefetch_related(None).values(*CLAIM_COLUMNS)


# The two fixed reads below are written as SQL: building and compiling the same
# ORM query on every request cost more than running it.


def topics_of(claim_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each claim's topic ids, in the topics' order (by name), in one query."""
    ids = list(claim_ids)
    found: dict[int, list[int]] = {pk: [] for pk in ids}
    if not ids:
        return found
    through = Claim.topics.through._meta.db_table
    topic = Topic._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ct.claim_id, ct.topic_id FROM {through} ct "
            f"JOIN {topic} t ON t.id = ct.topic_id WHERE ct.claim_id IN ({marks}) "
            "ORDER BY t.name, ct.topic_id",
            ids,
        )
        for claim_id, topic_id in cursor.fetchall():
            found[claim_id].append(topic_id)
    return found


def _as_values(found: tuple, zone) -> dict:
    """A row read by hand-written SQL (the columns of ``CLAIM_COLUMNS``) as its
    ``values()`` row: its dates and times as the ORM gives them (SQLite's
    converters give naive times in the connection's zone, ``zone``, made aware
    here as ``timezone.make_aware`` would)."""
    row = dict(zip(CLAIM_COLUMNS, found, strict=True))
    for name in ("created_at", "updated_at"):
        value = row[name]
        if value is None:
            continue
        if isinstance(value, str):  # a backend without converters
            value = datetime.datetime.fromisoformat(value)
        if value.tzinfo is None:
            row[name] = value.replace(tzinfo=zone)
        else:
            row[name] = value
    if isinstance(row["stated_on"], str):
        row["stated_on"] = datetime.date.fromisoformat(row["stated_on"])
    return row


@lru_cache(maxsize=8)
def _row_sql(vendor: str) -> str:
    columns = ", ".join(connection.ops.quote_name(name) for name in CLAIM_COLUMNS)
    return f"SELECT {columns} FROM {Claim._meta.db_table} WHERE id = %s"


def _claim_row(pk: int) -> dict | None:
    """The claim's ``values()`` row, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_row_sql(connection.vendor), [pk])
        found = cursor.fetchone()
    return None if found is None else _as_values(found, connection.timezone)


@lru_cache(maxsize=8)
def _list_sql(vendor: str) -> str:
    """The unfiltered list's query, as the ORM writes it (its columns, in the
    model's default ordering), compiled once a backend rather than once a request."""
    sql, params = claim_values(Claim.objects.all()).query.sql_with_params()
    assert not params
    return sql


@lru_cache(maxsize=8)
def _deep_page_sql(vendor: str) -> str:
    """The list's query for a page past the first, its ``LIMIT`` and ``OFFSET`` on
    an inner query of the ids: the claims skipped are stepped over in the list
    order's index alone (``claim_list_order`` holds both columns of the order), and
    only the page's rows are read whole. Read whole, every skipped row was read too:
    page 1,000 of 50 on 100,000 claims took 59 ms on PostgreSQL and 4.4 ms on
    SQLite; this way 6.7 and 0.4 ms."""
    head, _, order = _list_sql(vendor).partition(" ORDER BY ")  # by position
    quote = connection.ops.quote_name
    table = quote(Claim._meta.db_table)
    key = f"{table}.{quote('id')}"
    # The inner query's order by name: the model's ordering, which the index has.
    by_name = ", ".join(
        f"{table}.{quote(Claim._meta.get_field(name.lstrip('-')).column)} "
        + ("DESC" if name.startswith("-") else "ASC")
        for name in Claim._meta.ordering
    )
    return (
        f"{head} WHERE {key} IN (SELECT {key} FROM {table} ORDER BY {by_name} "
        f"LIMIT %s OFFSET %s) ORDER BY {order}"
    )


#: The table the database keeps row counts in, by triggers (migration 0010): the
#: claims table's row is exact whatever writes claims, and rolls back with them.
ROW_COUNT_TABLE = "claims_row_count"
#: PostgreSQL: the transaction-local setting holding what a transaction has added
#: to a table's count (by its name) and not yet stored: it is stored at commit.
PENDING_SETTING = "claims_row_count."


@lru_cache(maxsize=8)
def _count_sql(vendor: str) -> str:
    if vendor == "postgresql":
        kept = "row_count + COALESCE(NULLIF(current_setting(%s, true), '')::bigint, 0)"
    else:
        kept = "row_count"
    return f"SELECT {kept} FROM {ROW_COUNT_TABLE} WHERE table_name = %s"


def kept_claim_count() -> int | None:
    """The number of claims as the database keeps it (one row read by its key,
    with what the current transaction has added), or None where it keeps none."""
    table = Claim._meta.db_table
    params = [table]
    if connection.vendor == "postgresql":
        params.insert(0, PENDING_SETTING + table)
    with connection.cursor() as cursor:
        cursor.execute(_count_sql(connection.vendor), params)
        found = cursor.fetchone()
    return None if found is None else found[0]


class ClaimList:
    """Every claim in the list's order, as a sequence a paginator pages: its length
    is the count the database keeps (``ROW_COUNT_TABLE``), one row read by its key
    rather than ``COUNT(*)`` over the table; a slice is one query of the list's SQL
    with ``LIMIT``/``OFFSET``, returning ``values()`` rows. The unfiltered list's
    rows, without building and compiling a queryset on every request."""

    ordered = True

    def count(self) -> int:
        # Not cached: the read costs what a cache's would. (A page of the API's
        # list is kept whole by claims.api.answers until a claim is written.)
        found = kept_claim_count()
        if found is None:  # the counter's row is gone: count the rows instead
            return Claim.objects.count()
        return found

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("ClaimList only takes slices")
        start = index.start or 0
        if index.stop is None:
            raise TypeError("ClaimList needs a slice's end")
        if start < 0 or index.stop <= start:
            return []
        if start:
            sql = _deep_page_sql(connection.vendor)
        else:
            sql = f"{_list_sql(connection.vendor)} LIMIT %s OFFSET %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [index.stop - start, start])
            found = cursor.fetchall()
        zone = connection.timezone
        return [_as_values(row, zone) for row in found]


_MARKER = 987654321


@lru_cache(maxsize=16)
def _claim_path(script_prefix: str) -> str:
    return reverse("api:claim-detail", args=[_MARKER])


def claim_url_template(request) -> str:
    """The claim's absolute API URL for ``request``, with ``{}`` for its id: the
    URL the serializer's ``url`` field writes."""
    url = request.build_absolute_uri(_claim_path(get_script_prefix()))
    return url.replace(str(_MARKER), "{}")


def _datetime_writer() -> Callable:
    """A datetime as DRF writes one: ISO 8601 in the current time zone, UTC as Z.
    The zone is looked up once for a page, not once a value."""
    in_utc = timezone.get_current_timezone_name() == "UTC"

    def write(value) -> str | None:
        if value is None:
            return None
        if not in_utc or value.utcoffset():
            value = timezone.localtime(value)
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


def claim(row: dict, topics: list[int], url_template: str, write_datetime=None) -> dict:
    """One claim as ``ClaimSerializer`` reads it, from its ``values()`` row.

    ``url_template`` is the claim's absolute API URL with ``{}`` for its id."""
    _datetime = write_datetime or _datetime_writer()
    stated_on = row["stated_on"]
    return {
        "id": row["id"],
        "url": url_template.format(row["id"]),
        "source": row["source_id"],
        "document": row["document_id"],
        "statement": row["statement"],
        "quote": row["quote"],
        "quote_start": row["quote_start"],
        "quote_end": row["quote_end"],
        "attribution_kind": row["attribution_kind"],
        "stated_on": None if stated_on is None else stated_on.isoformat(),
        "stated_on_precision": row["stated_on_precision"],
        "topics": topics,
        "attribution_status": row["attribution_status"],
        "credibility": row["credibility"],
        "version": row["version"],
        "created_at": _datetime(row["created_at"]),
        "updated_at": _datetime(row["updated_at"]),
    }


def claims(rows: Iterable[dict], url_template: str) -> list[dict]:
    """A page of claims from their rows: one query more, for all their topics."""
    rows = list(rows)
    topics = topics_of(row["id"] for row in rows)
    write = _datetime_writer()
    return [claim(row, topics[row["id"]], url_template, write) for row in rows]


def claim_by_id(pk: int, url_template: str) -> dict | None:
    """One claim by its id (two queries), or None when there is none."""
    row = _claim_row(pk)
    if row is None:
        return None
    return claim(row, topics_of([pk])[pk], url_template)
