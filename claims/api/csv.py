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
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer

MEDIA_TYPE = "text/csv"
#: Rows read from the database at a time: the memory a CSV holds, whatever its length.
CHUNK_SIZE = 2000
#: Lines sent at a time: fewer, larger pieces of the answer.
LINES_AT_ONCE = 200
#: What a spreadsheet may read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "


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


class _Echo:
    """A file that hands back what is written to it, for ``csv.writer``."""

    def write(self, text: str) -> str:
        return text


def lines(columns: list[str], rows: Iterable[dict | list]) -> Iterator[str]:
    """The CSV text: the header, then each row's cells, ``LINES_AT_ONCE`` lines a
    piece. A row is an object (its cells made here) or the list of its cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def taken() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(columns)
    yield taken()
    for batch in itertools.batched(rows, LINES_AT_ONCE):
        writer.writerows(
            row if isinstance(row, list) else [cell(row.get(name)) for name in columns]
            for row in batch
        )
        yield taken()


def streamed(columns: list[str], rows: Iterable[dict], name: str):
    """A streaming ``text/csv`` answer, downloaded as ``name.csv``."""
    response = StreamingHttpResponse(
        lines(columns, rows), content_type=f"{MEDIA_TYPE}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def serialized(queryset, serializer) -> Iterator[dict | list]:
    """Each row of the queryset as the JSON list has it, read a chunk at a time.

    The serializer's read plan (``ValidatedModelSerializer``) says where each
    value comes from; the rows are read as tuples of those columns, not as model
    instances (about three times faster), straight into their cells, and a
    many-to-many field's ids (a claim's topics) with one query a chunk, in the
    related model's order as the JSON's prefetch has them. A serializer with a
    field the plan cannot read from a column is read an instance at a time (with
    the queryset's prefetches)."""
    plan = serializer._read_plan()
    if any(kind == "field" for _, kind, _ in plan):
        for instance in queryset.iterator(chunk_size=CHUNK_SIZE):
            yield serializer.to_representation(instance)
        return
    columns = [source for _, kind, source in plan if kind not in ("link", "many")]
    rows = queryset.prefetch_related(None).values_list("pk", *columns)
    many = [source for _, kind, source in plan if kind == "many"]
    steps = _steps(plan, timezone.get_current_timezone())
    model = queryset.model
    for chunk in itertools.batched(rows.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        related = {source: _related_ids(model, source, chunk) for source in many}
        for values in chunk:
            yield [step(values, related) for step in steps]


def _steps(plan, zone) -> list:
    """For each column of the plan, how its cell is made from a row's values
    (its id first) and the ids of its related rows."""

    def when(value: datetime.datetime) -> str:
        # As DRF writes a datetime: ISO 8601 in the current time zone, UTC as Z.
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    steps = []
    index = 1
    for _, kind, source in plan:
        if kind == "link":
            steps.append(lambda v, r, url=source: url.format(v[0]))
            continue
        if kind == "many":
            steps.append(
                lambda v, r, s=source: LIST_SEPARATOR.join(map(str, r[s].get(v[0], ())))
            )
            continue
        if kind == "datetime":
            steps.append(lambda v, r, i=index: "" if v[i] is None else when(v[i]))
        elif kind == "date":
            steps.append(lambda v, r, i=index: "" if v[i] is None else v[i].isoformat())
        else:
            steps.append(lambda v, r, i=index: cell(v[i]))
        index += 1
    return steps


def _related_ids(model, name: str, chunk) -> dict:
    """The ids of each row's related objects through the many-to-many ``name``."""
    field = model._meta.get_field(name)
    back = field.related_query_name()
    pairs = field.related_model._default_manager.filter(
        **{f"{back}__in": [values[0] for values in chunk]}
    ).values_list(back, "pk")
    ids: dict = {}
    for owner, pk in pairs:
        ids.setdefault(owner, []).append(pk)
    return ids


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
    """A ``text/csv`` body as its text (UTF-8, a byte order mark allowed), for the
    import to read (``claims.exchange.csv_bundle``)."""

    media_type = MEDIA_TYPE

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return stream.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ParseError(f"A CSV body is UTF-8 text: {error}.") from None
