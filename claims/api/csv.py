"""CSV answers: every list and the comparisons as ``text/csv``, for spreadsheets.

Asked for with ``?format=csv`` or ``Accept: text/csv``. A list's CSV has the
list's filters, search and ordering, and every row (streamed, never one page):
one row an object, the columns named as in the JSON. A comparison's CSV has one
row a figure of the answer, the measure and the moment first.

How a JSON value is written in a cell:

- null as an empty cell; true/false as ``true``/``false``, as in the JSON;
- a list (a claim's topics, a source's aliases) as its items joined by ``"; "``;
- an object (a comparison's ``source``, ``group``, ``at_interval``) as one column
  per member, named ``source_id``, ``source_name``, ``at_interval_low``, ...;
  a list of objects (``groups``) as the ids joined by ``"; "``;
- numbers as Python writes them (``12000.0``, ``-3``): they read back exactly.

Formula injection (OWASP): a spreadsheet runs a cell that starts with ``=``,
``+``, ``-`` or ``@`` (and, in some, a tab or a carriage return) as a formula. A
text cell that starts with one of them gets a single quote in front of it, which
spreadsheets show as text. Numbers from numeric fields (a figure's ``low`` of -3)
are not text anyone typed and are written as they are, so they stay numbers.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, models, router
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer

from claims import selectors
from claims.models import Figure

MEDIA_TYPE = "text/csv"
#: Rows read from the database at a time: the memory a CSV holds, whatever its length.
CHUNK_SIZE = 2000
#: Lines sent at a time: fewer, larger pieces of the answer.
LINES_AT_ONCE = 200
#: What a spreadsheet may read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def cell(value) -> str | int | float:
    """A JSON value as one CSV cell (see the module's docstring)."""
    kind = type(value)
    if kind is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if kind is int or kind is float:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):  # as the JSON has it
        return float(value)
    if isinstance(value, list):
        text = LIST_SEPARATOR.join(
            str(item.get("id")) if isinstance(item, dict) else str(item)
            for item in value
        )
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def flat(data: dict, prefix: str = "") -> dict:
    """An object with its nested objects spread into ``outer_inner`` columns."""
    row = {}
    for name, value in data.items():
        if isinstance(value, dict):
            row.update(flat(value, f"{prefix}{name}_"))
        else:
            row[f"{prefix}{name}"] = value
    return row


def lines(columns: list[str], rows: Iterable[dict] | Chunks) -> Iterator[str]:
    """The CSV text: the header, then each row's cells, ``LINES_AT_ONCE`` lines a
    piece. The rows are objects (their cells made here) or ``Chunks`` of rows
    whose cells are made."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def taken() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(columns)
    yield taken()
    if isinstance(rows, Chunks):
        for chunk in rows:
            for start in range(0, len(chunk), LINES_AT_ONCE):
                writer.writerows(chunk[start : start + LINES_AT_ONCE])
                yield taken()
        return
    for batch in itertools.batched(rows, LINES_AT_ONCE):
        writer.writerows([cell(row.get(name)) for name in columns] for row in batch)
        yield taken()


def streamed(columns: list[str], rows: Iterable[dict] | Chunks, name: str):
    """A streaming ``text/csv`` answer, downloaded as ``name.csv``."""
    response = StreamingHttpResponse(
        lines(columns, rows), content_type=f"{MEDIA_TYPE}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


class Chunks:
    """Rows already made into their cells, a list of rows at a time (what
    ``serialized`` hands ``lines``)."""

    def __init__(self, chunks: Iterable[list], *, per_instance: bool = False):
        self.chunks = chunks
        #: Read as model instances through the serializer (the slow way).
        self.per_instance = per_instance

    def __iter__(self):
        return iter(self.chunks)


@dataclass(frozen=True)
class Computed:
    """A serializer field that is no column of its model, read in the list's own
    query: ``annotate`` adds the ``columns`` it is computed from (unless the
    queryset has them already), and ``value`` makes its JSON value from them."""

    annotate: Callable
    columns: tuple[str, ...]
    value: Callable


#: The computed fields the CSV reads with the rows, by model and field name.
COMPUTED = {
    (Figure, "warnings"): Computed(
        selectors.with_topic_check,
        ("_measure_has_topics", "_shares_a_topic"),
        lambda has_topics, shares_one: selectors.figure_warnings(
            SimpleNamespace(
                _measure_has_topics=bool(has_topics), _shares_a_topic=bool(shares_one)
            )
        ),
    ),
}


def serialized(queryset, serializer) -> Chunks:
    """Each row of the queryset as the JSON list has it, a chunk of
    ``CHUNK_SIZE`` rows at a time, each row the list of its cells.

    The serializer's read plan (``ValidatedModelSerializer``) says where each
    value comes from. The rows are read as the database sends them (one query,
    a chunk at a time), not as model instances nor through Django's per-value
    conversions, and made into cells a column of a chunk at a time: whole
    numbers as they are, text escaped against formulas, dates and times as the
    JSON writes them. A many-to-many field's ids (a claim's topics) are read with
    one query a chunk, in the related model's order as the JSON's prefetch has
    them; a computed field in ``COMPUTED`` (a figure's ``warnings``) with the rows
    themselves. A serializer with another field the plan cannot read from a
    column is read an instance at a time (with the queryset's prefetches)."""
    plan = serializer._read_plan()
    model = queryset.model
    fields = [name for name, kind, _ in plan if kind == "field"]
    if queryset.query.extra_select or any(
        (model, name) not in COMPUTED for name in fields
    ):
        return Chunks(_instances(queryset, serializer), per_instance=True)
    for name in fields:
        computed = COMPUTED[(model, name)]
        if not set(computed.columns) <= set(queryset.query.annotations):
            queryset = computed.annotate(queryset)
    # What each column is read as: the model's column, or on SQLite a date or
    # time as the text it is kept as (not parsed into a date, to be written back
    # as text: the JSON's text, when it is in UTC too).
    text_times = connections[queryset.db].vendor == "sqlite"
    reads: dict[str, str] = {}
    casts = {}
    for name, kind, source in plan:
        if kind in ("link", "many", "field"):
            continue
        reads[name] = source
        if text_times and kind in ("date", "datetime"):
            reads[name] = f"_csv_{source}"
            casts[reads[name]] = Cast(source, output_field=models.TextField())
    extra = [column for name in fields for column in COMPUTED[(model, name)].columns]
    rows = (
        queryset.prefetch_related(None)
        .annotate(**casts)
        .values_list("pk", *reads.values(), *extra)
    )
    if not _selects_in_order(rows, ["pk", *reads.values(), *extra]):
        return Chunks(_instances(queryset, serializer), per_instance=True)
    return Chunks(_chunks(rows, plan, reads))


def _selects_in_order(rows, names: list[str]) -> bool:
    """Whether the SQL of ``rows`` selects ``names`` in their order (the columns
    are read by position, as the database sends them)."""
    compiler = rows.query.get_compiler(using=rows.db)
    try:
        compiler.as_sql()
    except EmptyResultSet:
        return True  # no rows to read
    selected = [
        alias or getattr(getattr(expression, "target", None), "attname", None)
        for expression, _, alias in compiler.select
    ]
    return selected == names


def _instances(queryset, serializer) -> Iterator[list]:
    names = columns_of(serializer)
    for batch in itertools.batched(
        queryset.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE
    ):
        yield [
            [cell(data.get(name)) for name in names]
            for data in map(serializer.to_representation, batch)
        ]


def _chunks(rows, plan, reads: dict[str, str]) -> Iterator[list]:
    """The cells of ``rows`` (``values_list("pk", *reads.values(), *computed)``),
    a chunk at a time."""
    compiler = rows.query.get_compiler(using=rows.db)
    connection = compiler.connection
    chunked = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    results = compiler.execute_sql(MULTI, chunked_fetch=chunked, chunk_size=CHUNK_SIZE)
    makers = None
    for chunk in results:
        if makers is None:
            makers = _makers(rows.model, plan, compiler, reads)
        values = list(zip(*chunk, strict=True))
        yield list(zip(*(make(values) for make in makers), strict=True))


def _makers(model, plan, compiler, reads: dict[str, str]) -> list:
    """For each column of the plan, how its cells are made from a chunk's columns
    of values as read (the ids first)."""
    connection = compiler.connection
    selected = [expression for expression, _, _ in compiler.select]
    converters = compiler.get_converters(selected)
    zone = timezone.get_current_timezone()
    # Times are read in UTC and the JSON writes them in UTC.
    utc = (
        settings.USE_TZ
        and connection.timezone_name == "UTC"
        and timezone.get_current_timezone_name() == "UTC"
    )
    makers = []
    index = 1
    computed_index = 1 + len(reads)
    for name, kind, source in plan:
        if kind == "link":
            makers.append(lambda v, url=source: list(map(url.format, v[0])))
            continue
        if kind == "many":
            makers.append(lambda v, m=model, s=source: _related_ids(m, s, v[0]))
            continue
        if kind == "field":
            computed = COMPUTED[(model, name)]
            where = range(computed_index, computed_index + len(computed.columns))
            computed_index += len(computed.columns)
            makers.append(
                lambda v, c=computed, w=where: [
                    cell(c.value(*given))
                    for given in zip(*(v[i] for i in w), strict=True)
                ]
            )
            continue
        field = model._meta.get_field(source)
        convert = _converter(converters.get(index), connection)
        makers.append(_maker(field, kind, index, convert, zone, utc, connection))
        index += 1
    return makers


def _converter(found, connection):
    """A value as Django reads it, from its database's converters for the column."""
    if not found:
        return None
    functions, expression = found

    def convert(value):
        for function in functions:
            value = function(value, expression, connection)
        return value

    return convert


def _maker(field, kind, index, convert, zone, utc: bool, connection):
    """How the cells of one model column are made from its values as read."""

    def when(value) -> str:
        # As DRF writes a datetime: ISO 8601 in the current time zone, UTC as Z.
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    read = convert or (lambda value: value)
    if kind == "datetime" or isinstance(field, models.DateTimeField):

        def parsed(value):
            # A time kept as text (SQLite), read as Django reads it.
            value = read(value)
            if isinstance(value, str):
                value = parse_datetime(value)
                if settings.USE_TZ and timezone.is_naive(value):
                    value = timezone.make_aware(value, connection.timezone)
            return value

        def times(v) -> list[str]:
            cells = []
            for value in v[index]:
                if value is None:
                    cells.append("")
                elif not utc:
                    cells.append(when(parsed(value)))
                elif value.__class__ is str:
                    # SQLite's text, in UTC: "2024-01-02 03:04:05[.678901]".
                    if len(value) in (19, 26) and value[10] == " ":
                        cells.append(f"{value[:10]}T{value[11:]}Z")
                    else:
                        cells.append(when(parsed(value)))
                elif value.__class__ is datetime.datetime:
                    # Naive from SQLite, in UTC (the connection's zone); from
                    # PostgreSQL in UTC: no conversion to write it in UTC.
                    text = value.isoformat()
                    if value.tzinfo is None:
                        cells.append(text + "Z")
                    elif text.endswith("+00:00"):
                        cells.append(text[:-6] + "Z")
                    else:
                        cells.append(when(value))
                else:
                    cells.append(when(parsed(value)))
            return cells

        return times
    if kind == "date" or isinstance(field, models.DateField):

        def date(value) -> str:
            value = read(value)
            if isinstance(value, str):
                return (
                    value
                    if _ISO_DATE.fullmatch(value)
                    else parse_date(value).isoformat()
                )
            return value.isoformat()

        return lambda v: [
            ""
            if value is None
            else value.isoformat()
            if value.__class__ is datetime.date
            else date(value)
            for value in v[index]
        ]
    if isinstance(field, models.BooleanField):
        return lambda v: [
            "" if value is None else "true" if value else "false" for value in v[index]
        ]
    if convert is None and isinstance(field, models.ForeignKey | models.IntegerField):
        return lambda v: v[index]  # whole numbers (or None, an empty cell)
    if convert is None and isinstance(field, models.CharField | models.TextField):
        return lambda v: [
            "'" + value if value and value.startswith(FORMULA_STARTS) else value
            for value in v[index]
        ]
    if convert is None:
        return lambda v: list(map(cell, v[index]))
    return lambda v: [cell(convert(value)) for value in v[index]]


#: The SQL reading a chunk's related ids, by model, field and database: made by
#: Django once, with one id, and given the chunk's ids when it is run.
_related_sql: dict = {}
_ONE_ID = "IN (%s)"


def _related_ids(model, name: str, ids) -> list[str]:
    """The ids of each row's related objects through the many-to-many ``name``,
    in one query whose SQL is built once (not an ORM filter of 2,000 ids
    prepared one by one); on PostgreSQL the ids are one array (``= ANY``)."""
    field = model._meta.get_field(name)
    related = field.related_model
    database = router.db_for_read(related)
    key = (model, name, database)
    if key not in _related_sql:
        back = field.related_query_name()
        pairs = related._default_manager.filter(**{f"{back}__in": [0]}).values_list(
            back, "pk"
        )
        sql, params = pairs.query.get_compiler(using=database).as_sql()
        plain = list(params) == [0] and sql.count(_ONE_ID) == 1
        _related_sql[key] = (sql, back) if plain else (None, back)
    sql, back = _related_sql[key]
    if sql is None:  # not the query expected: the ORM's, ids and all
        pairs = related._default_manager.filter(**{f"{back}__in": list(ids)})
        return _joined(pairs.values_list(back, "pk"), ids)
    connection = connections[database]
    if connection.vendor == "postgresql":
        sql, params = sql.replace(_ONE_ID, "= ANY(%s)"), [list(ids)]
    else:
        sql = sql.replace(_ONE_ID, "IN (" + ", ".join(["%s"] * len(ids)) + ")")
        params = list(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _joined(cursor.fetchall(), ids)


def _joined(pairs, ids) -> list[str]:
    found: dict = {}
    for owner, pk in pairs:
        found.setdefault(owner, []).append(str(pk))
    return [LIST_SEPARATOR.join(found.get(owner, ())) for owner in ids]


def columns_of(serializer) -> list[str]:
    """The names of what a serializer reads out, in its order."""
    return [field.field_name for field in serializer._readable_fields]


#: A comparison's CSV: the measure and the moment, then the figure.
COMPARISON_COLUMNS = [
    "measure_id",
    "measure_name",
    "measure_unit",
    "measure_kind",
    "at",
    "known_at",
    "id",
    "claim_id",
    "source_id",
    "source_name",
    "group_id",
    "group_name",
    "groups",
    "origin_claim_id",
    "origin_claim_ids",
    "text",
    "qualifier",
    "value",
    "low",
    "high",
    "as_of",
    "date",
    "role",
    "superseded_by",
    "at_interval_low",
    "at_interval_high",
]


def comparison_rows(answer: dict) -> Iterator[dict]:
    """One row a figure of a measure's comparison, or of each measure of a
    topic's comparison (``{"topic": ..., "measures": [...]}``)."""
    comparisons = answer["measures"] if "measures" in answer else [answer]
    for comparison in comparisons:
        head = {
            **flat({"measure": comparison["measure"]}),
            "at": comparison["at"],
            "known_at": comparison["known_at"],
        }
        for figure in comparison["figures"]:
            yield {**head, **flat(figure)}


class CSVRenderer(BaseRenderer):
    """``text/csv`` for content negotiation (``?format=csv``, ``Accept``).

    Lists and comparisons are answered by ``CSVMixin`` itself; this renders the
    rows it is handed (a list of flat objects) for anything else it lets through.
    """

    media_type = MEDIA_TYPE
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data if isinstance(data, list) else [data]
        columns = list(dict.fromkeys(name for row in rows for name in row))
        return "".join(lines(columns, rows)).encode(self.charset)


class CSVParser(BaseParser):
    """A ``text/csv`` body as its text, for the import to read
    (``claims.exchange.csv_bundle``).

    UTF-8 (a byte order mark allowed) unless the ``Content-Type`` names another
    ``charset``; at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes. A body that is
    not text in its encoding, or is larger, is refused (400) saying so and
    where, before anything is read as claims."""

    media_type = MEDIA_TYPE

    def parse(self, stream, media_type=None, parser_context=None):
        charset = _charset(media_type or "")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            raise ParseError(
                f"The CSV is larger than {limit:,} bytes, the most one import "
                "reads: split it into several files."
            )
        if charset in ("utf-8", "utf8") and body[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise ParseError(
                'The CSV is UTF-16 text (a spreadsheet\'s "Unicode text"): save '
                'it as "CSV UTF-8", or name its charset in the Content-Type.'
            )
        try:
            return body.decode("utf-8-sig" if charset in ("utf-8", "utf8") else charset)
        except LookupError:
            raise ParseError(
                f"Unknown charset {charset!r} in the Content-Type."
            ) from None
        except UnicodeDecodeError as error:
            line = body.count(b"\n", 0, error.start) + 1
            raise ParseError(
                f"The CSV is not {charset.upper()} text: line {line} holds the byte "
                f"{body[error.start]:#04x}, which is no {charset.upper()} character. "
                'Save the file as "CSV UTF-8", or name its charset in the '
                "Content-Type (text/csv; charset=windows-1252)."
            ) from None


def _charset(media_type: str) -> str:
    """The ``charset`` parameter of a media type, lower case; UTF-8 if none."""
    for parameter in media_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"').lower()
    return "utf-8"
