"""A shared cache of computed comparisons, invalidated by any write they depend on.

A comparison depends on its measure's figures and on every claim, link and source
(origins and independence groups). Rather than finding every cached entry a write
touches, each entry's key carries two generation counters: one for its measure,
bumped by writes to the measure and its figures, and one for everything else, bumped
by writes to claims, links and sources. A write makes the old keys unreachable; the
cache's own expiry clears them out.

A generation is a random token, not a count: one that is lost (evicted, or never
written because the cache was unavailable) is replaced by a new token, never by a
value an earlier entry was keyed with. When the shared cache serves again after an
outage, ``forget_everything`` gives every generation a new token: the writes made
meanwhile could not bump them (tracker.cache).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction

GLOBAL = "comparisons:generation"
#: Bumped by any write to any of the tracker's rows: the key of cached list counts.
ROWS = "rows:generation"
TIMEOUT = 60 * 60


def _measure_key(measure_id: int) -> str:
    return f"comparisons:measure:{measure_id}:generation"


def _token() -> str:
    return secrets.token_hex(8)


def _bump(key: str) -> None:
    cache.set(key, _token(), timeout=None)


def _generations(keys: list[str]) -> dict[str, str]:
    """The current generation of each key; a new token for one that has none."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            token = _token()
            if not cache.add(key, token, timeout=None):
                # Another reader gave it one first (unless it was lost again).
                token = cache.get(key, token)
            found[key] = token
    return found


def rows_generation() -> str:
    """The generation of every cached count: it changes whenever a row is written."""
    return _generations([ROWS])[ROWS]


def forget_everything(backend) -> None:
    """Make every comparison and count cached in ``backend`` unreachable. Run by
    tracker.cache when the shared cache serves again after an outage."""
    backend.set_many({GLOBAL: _token(), ROWS: _token()}, timeout=None)


def _bump_now_and_on_commit(keys: list[str]) -> None:
    # Now, so that later reads in the same transaction see the write; again on
    # commit, so that a reader who cached the old rows meanwhile is not believed.
    for key in keys:
        _bump(key)
    transaction.on_commit(lambda: [_bump(key) for key in keys])


def bump_measures(measure_ids: Iterable[int | None]) -> None:
    """Invalidate these measures' comparisons."""
    _bump_now_and_on_commit(
        [_measure_key(m) for m in set(measure_ids) if m is not None]
    )


def bump_all() -> None:
    """Invalidate every comparison and every cached count."""
    _bump_now_and_on_commit([GLOBAL, ROWS])


def bump_rows() -> None:
    """Invalidate every cached count: some row was written."""
    _bump_now_and_on_commit([ROWS])


def cached_count(queryset) -> int:
    """``queryset.count()``, from the cache while no row of the tracker has been
    written since it was counted. A paginated list counts its rows on every page;
    on 100,000 claims that count is most of a page's time."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # .none(), or a filter nothing can match: no query
        return queryset.count()
    digest = hashlib.sha256(repr((queryset.db, sql, params)).encode()).hexdigest()
    key = f"rows:count:{rows_generation()}:{digest[:32]}"
    count = cache.get(key)
    if count is None:
        count = queryset.count()
        cache.set(key, count, timeout=TIMEOUT)
    return count


def comparison_key(measure_id: int, options: dict) -> str:
    measure_key = _measure_key(measure_id)
    generations = _generations([GLOBAL, measure_key])
    encoded = json.dumps(options, sort_keys=True, default=str)
    digest = hashlib.sha256(encoded.encode()).hexdigest()[:16]
    return (
        f"comparisons:{measure_id}:{generations[GLOBAL]}:"
        f"{generations[measure_key]}:{digest}"
    )


def cached_comparison(measure, compute, **options) -> dict:
    """The comparison of ``measure`` with ``options``, from the cache or computed."""
    # Options left out and options given as None are the same request.
    given = {name: value for name, value in options.items() if value is not None}
    key = comparison_key(measure.pk, {**given, "view": compute.__name__})
    result = cache.get(key)
    if result is None:
        result = compute(measure, **options)
        cache.set(key, result, timeout=TIMEOUT)
    return result
