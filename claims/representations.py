"""Read representations built from ``values()`` rows, for the API's hot reads.

A page of claims read through model instances and the serializer builds two model
instances a row (the claim, and each of its topics by the prefetch) before a single
field is written; here a page is one query for the claims' columns, as dicts, and
one for their topics' ids, and each answer is put together from those. The output is
exactly ``ClaimSerializer``'s (the tests hold the two equal, on the seed data and on
generated data); the serializer stays for writes and validation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from django.urls import get_script_prefix, reverse
from django.utils import timezone

from claims.models import Claim

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


def topics_of(claim_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each claim's topic ids, in the topics' order (by name), in one query."""
    ids = list(claim_ids)
    found: dict[int, list[int]] = {pk: [] for pk in ids}
    if not ids:
        return found
    through = Claim.topics.through.objects.filter(claim_id__in=ids)
    for claim_id, topic_id in through.order_by("topic__name", "topic_id").values_list(
        "claim_id", "topic_id"
    ):
        found[claim_id].append(topic_id)
    return found


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
    # No ordering: one row by its key (compiling the model's ordering is a third
    # of such a query's cost).
    rows = list(claim_values(Claim.objects.filter(pk=pk).order_by()))
    if not rows:
        return None
    row = rows[0]
    return claim(row, topics_of([pk])[pk], url_template)
