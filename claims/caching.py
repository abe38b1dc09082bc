"""A shared cache of computed comparisons and list counts, each dropped only by the
writes that can change it.

A comparison's key carries two generation counters: one for its measure, and one
for everything (``GLOBAL``), bumped only by the bulk paths and after an outage. A
write bumps the generations of exactly the measures whose comparisons it can change
(``claims.dependencies`` says which: a claim's new source reaches the measures with a
figure on a claim relaying it; a link's, only when it is a ``repeats``/``based_on``;
a source's, only when its name or parent changed), found here in one recursive
query. A write makes the old keys unreachable; the cache's own expiry clears them
out.

A list count's key carries a generation for each table its query reads, bumped by
writes to that table, and ``ROWS``, bumped by the bulk paths and after an outage. A
query reading a table whose writes are not watched is not cached.

A generation is a random token, not a count: one that is lost (evicted, or never
written because the cache was unavailable) is replaced by a new token, never by a
value an earlier entry was keyed with. When the shared cache serves again after an
outage, ``forget_everything`` gives ``GLOBAL`` and ``ROWS`` new tokens: the writes
made meanwhile could not bump anything (tracker.cache).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import re
import secrets
from collections.abc import Iterable

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction

from claims.dependencies import DERIVING, Plan

GLOBAL = "comparisons:generation"
#: Bumped by the bulk paths and after an outage: part of every cached count's key.
ROWS = "rows:generation"
TIMEOUT = 60 * 60
#: The tables whose every write bumps their generation (``claims.signals``): a count
#: reading any other table is not cached.
WATCHED_TABLES: set[str] = set()
_QUOTED = re.compile(r'"([^"]+)"')


def shared() -> bool:
    """Whether what is cached can be trusted: not while the shared cache is
    unavailable and each process answers from its own memory (``tracker.cache``),
    nor where the cache is a process's own in a server of several
    (``tracker.cache.ProcessCache``): a write made in one process cannot drop what
    another keeps. Nothing computed is then looked up or kept: every read computes,
    as without a cache."""
    return getattr(cache, "shared_between_processes", True) and not getattr(
        cache, "degraded", False
    )


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


def _table_key(table: str) -> str:
    return f"rows:table:{table}:generation"


def rows_generation_keys(tables: Iterable[str] | None = None) -> list[str]:
    """The keys whose generations make up ``rows_generation(tables)``."""
    keys = [ROWS, *sorted({_table_key(t) for t in tables or ()})]
    if tables is None:
        keys += sorted(_table_key(t) for t in WATCHED_TABLES)
    return keys


def rows_generation(tables: Iterable[str] | None = None) -> str:
    """The generation of what ``tables`` hold (of every row, without ``tables``):
    it changes whenever one of their rows is written."""
    keys = rows_generation_keys(tables)
    return combined(keys, _generations(keys))


def combined(keys: list[str], found: dict[str, str]) -> str:
    """One generation of the generations of ``keys`` (``found``)."""
    joined = ":".join(found[key] for key in keys)
    return hashlib.sha256(joined.encode()).hexdigest()[:24]


def generation_and(
    keys: list[str], other: str, found: dict | None = None
) -> tuple[str, object]:
    """``combined`` generation of ``keys`` and the value cached at ``other``, read
    together (one round trip to a shared cache); None for an ``other`` not cached.
    ``found``: what ``cache.get_many([*keys, other])`` gave, when it was read
    already (with the throttle's count, ``claims.api.throttles``)."""
    if found is None:
        found = cache.get_many([*keys, other])
    found = dict(found)
    value = found.pop(other, None)
    missing = [key for key in keys if key not in found]
    if missing:
        found.update(_generations(missing))
    return combined(keys, found), value


@functools.cache
def _known_tables() -> frozenset[str]:
    """The tables of every model of the project, history and through tables too."""
    from django.apps import apps

    return frozenset(
        model._meta.db_table for model in apps.get_models(include_auto_created=True)
    )


def tables_read(sql: str) -> set[str] | None:
    """The watched tables a query names; None when it names a table of the project
    that is not watched (its writes would not show)."""
    named = set(_QUOTED.findall(sql)) & _known_tables()
    if named - WATCHED_TABLES:
        return None
    return named


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
    """Invalidate these measures' comparisons (and the counts of figures, which
    the callers wrote without signals)."""
    keys = [_measure_key(m) for m in set(measure_ids) if m is not None]
    if keys:
        from claims.models import Figure

        keys += [_table_key(t) for t in model_tables(Figure)]
    _bump_now_and_on_commit(keys)


def bump_all() -> None:
    """Invalidate every comparison and every cached count."""
    _bump_now_and_on_commit([GLOBAL, ROWS])


def bump_rows() -> None:
    """Invalidate every cached count: some row was written."""
    _bump_now_and_on_commit([ROWS])


def bump_tables(tables: Iterable[str]) -> None:
    """Invalidate the cached counts reading any of ``tables``."""
    _bump_now_and_on_commit([_table_key(t) for t in sorted(set(tables))])


def model_tables(model) -> list[str]:
    """A model's table and the tables of its history (entries and their copies of
    many-to-many rows): a save writes all of them."""
    return list(_model_tables(model))


@functools.cache
def _model_tables(model) -> tuple[str, ...]:
    # Looked up once a model: reaching the history model builds a manager class.
    tables = [model._meta.db_table]
    history = getattr(model, "history", None)
    if history is not None and hasattr(history, "model"):
        historical = history.model
        tables.append(historical._meta.db_table)
        for field in historical._meta.get_fields():
            through = getattr(getattr(field, "remote_field", None), "through", None)
            if through is not None and field.many_to_many:
                tables.append(through._meta.db_table)
    for field in model._meta.local_many_to_many:
        tables.append(field.remote_field.through._meta.db_table)
    return tuple(tables)


def bump_plan(plan: Plan) -> None:
    """Invalidate the comparisons ``plan`` can change (``claims.dependencies``)."""
    if plan.empty:
        return
    if plan.everything:
        _bump_now_and_on_commit([GLOBAL])
        return
    bump_measures(measures_of(plan))


def measures_of(plan: Plan) -> set[int]:
    """The measures of ``plan``, read in one query: those with a figure on a claim
    reaching (by deriving links, any number of steps) one of its claims or a claim
    of a source under one of its sources, or on a claim of one of its documents."""
    from claims.models import Claim, Figure, Link, Source

    found = set(plan.measures)
    if not (plan.claims or plan.sources or plan.documents):
        return found
    claim, link = Claim._meta.db_table, Link._meta.db_table
    figure, source = Figure._meta.db_table, Source._meta.db_table

    def among(column: str, ids) -> tuple[str, list]:
        ids = sorted(ids)
        return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids

    ctes, params, starts, direct = [], [], [], []
    if plan.sources:
        where, ids = among("id", plan.sources)
        ctes.append(
            f"subtree(id) AS (SELECT id FROM {source} WHERE {where} "
            f"UNION SELECT s.id FROM {source} s JOIN subtree t ON s.parent_id = t.id)"
        )
        params += ids
        starts.append("c.source_id IN (SELECT id FROM subtree)")
    if plan.claims:
        where, ids = among("c.id", plan.claims)
        starts.append(where)
        start_params = ids
    else:
        start_params = []
    selects = []
    if starts:
        deriving = sorted(DERIVING)
        ctes.append(
            f"reach(id) AS (SELECT c.id FROM {claim} c WHERE {' OR '.join(starts)} "
            f"UNION SELECT l.from_claim_id FROM {link} l JOIN reach r "
            f"ON l.to_claim_id = r.id WHERE l.relation IN "
            f"({', '.join(['%s'] * len(deriving))}))"
        )
        params += [*start_params, *deriving]
        selects.append(
            f"SELECT f.measure_id FROM {figure} f JOIN reach r ON f.claim_id = r.id"
        )
    if plan.documents:
        where, ids = among("c.document_id", plan.documents)
        selects.append(
            f"SELECT f.measure_id FROM {figure} f JOIN {claim} c "
            f"ON f.claim_id = c.id WHERE {where}"
        )
        direct += ids
    sql = (f"WITH RECURSIVE {', '.join(ctes)} " if ctes else "") + " UNION ".join(
        selects
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *direct])
        found |= {row[0] for row in cursor.fetchall()}
    return found


def cached_count(queryset) -> int:
    """``queryset.count()``, from the cache while no row of the tracker has been
    written since it was counted. A paginated list counts its rows on every page;
    on 100,000 claims that count is most of a page's time."""
    if not shared():
        return queryset.count()
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # .none(), or a filter nothing can match: no query
        return queryset.count()
    tables = tables_read(sql)
    if tables is None:
        return queryset.count()
    digest = hashlib.sha256(repr((queryset.db, sql, params)).encode()).hexdigest()
    key = f"rows:count:{rows_generation(tables)}:{digest[:32]}"
    return _kept(key, queryset.count)


def _options_digest(options: dict) -> str:
    """A short digest of a read's options, the same whatever their order."""
    encoded = json.dumps(options, sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()[:16]


def comparison_generation_keys(measure_id: int) -> list[str]:
    """The keys of the generations ``measure_id``'s comparisons are read at."""
    return [GLOBAL, _measure_key(measure_id)]


def comparison_generation(measure_id: int) -> str:
    """The generation of ``measure_id``'s comparisons (and of everything's): it
    changes whenever a write can change one of them."""
    keys = comparison_generation_keys(measure_id)
    found = _generations(keys)
    return ":".join(found[key] for key in keys)


def comparison_key(measure_id: int, options: dict) -> str:
    generation = comparison_generation(measure_id)
    return f"comparisons:{measure_id}:{generation}:{_options_digest(options)}"


def cached_comparison(measure, compute, **options) -> dict:
    """The comparison of ``measure`` with ``options``, from the cache or computed."""
    if not shared():
        return compute(measure, **options)
    asked = {**_asked(compute, options), "view": compute.__name__}
    key = comparison_key(measure.pk, asked)
    return _kept(key, lambda: compute(measure, **options))


def _asked(compute, options: dict) -> dict:
    """The options that make a request other than the default: those given as
    ``compute``'s defaults are left out (and None only where it is the default: a
    conflict limit of None lists every conflict, its default 1,000)."""
    defaults = _defaults(compute)
    return {
        name: value
        for name, value in options.items()
        if name not in defaults or value != defaults[name]
    }


@functools.cache
def _defaults(compute) -> dict:
    """The default values of ``compute``'s keyword arguments."""
    return {
        name: parameter.default
        for name, parameter in inspect.signature(compute).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


def _kept(key: str, compute):
    """The value cached at ``key``, or ``compute()``'s, cached there."""
    result = cache.get(key)
    if result is None:
        result = compute()
        cache.set(key, result, timeout=TIMEOUT)
    return result


def corroboration_tables() -> list[str]:
    """The tables a corroboration is computed from: its links, the claims and their
    documents, the figures of its measures, the sources, the reviews that grade it."""
    from claims.models import Claim, Document, Figure, Link, Measure, Review, Source

    return [
        model._meta.db_table
        for model in (Claim, Document, Figure, Link, Measure, Review, Source)
    ]


def cached_corroboration(claim, compute, **options) -> dict:
    """The corroboration of ``claim`` with ``options``, from the cache while no row
    of the tables it is computed from (``corroboration_tables``) has been written,
    else computed. Figure evidence compares every figure of the claim's measures,
    which made each request as dear as a comparison."""
    if not shared():
        return compute(claim, **options)
    generation = rows_generation(corroboration_tables())
    digest = _options_digest(_asked(compute, options))
    key = f"corroboration:{claim.pk}:{generation}:{digest}"
    return _kept(key, lambda: compute(claim, **options))
