"""Many new rows and their first history entries, written without model instances.

``bulk_create`` builds a model instance per row and prepares every value of every
field through the ORM; for a corpus of a million claims that is most of the time.
``Writer`` takes plain dicts (attribute name to Python value), converts each value
once per distinct value where it can (dates, times, decimals), gives the rows their
ids itself (so nothing has to be read back), and writes each batch with one
``executemany``: the row, its history entry ('+', the corpus's reason) and, for
many-to-many fields kept in history, the copies of its rows in that entry.

Ids are taken from the table's largest id, inside the caller's transaction; on
PostgreSQL ``finish()`` moves each table's sequence past the ids written.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Sequence

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from claims.bulk_history import PLAIN_FIELDS, history_model, insert_rows

_MEMO_TYPES = (datetime.date, datetime.datetime, decimal.Decimal)
BATCH = 2_000


class _Column:
    """How one field's values are written: its default and its conversion."""

    def __init__(self, field: models.Field, now: datetime.datetime):
        self.field = field
        self.name = field.attname
        self.memo: dict = {}
        self.plain = isinstance(field, PLAIN_FIELDS)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            self.default = self.convert(now)
        elif field.has_default() or not field.null:
            self.default = self.convert(field.get_default())
        else:
            self.default = None

    def convert(self, value):
        if value is None or self.plain:
            return value
        if isinstance(value, _MEMO_TYPES):
            found = self.memo.get(value)
            if found is None:
                found = self.memo[value] = self.field.get_db_prep_save(
                    value, connection
                )
            return found
        return self.field.get_db_prep_save(value, connection)


class Writer:
    """Writes new rows of any model with their first history entries."""

    def __init__(self, *, reason: str, batch_size: int = BATCH):
        self.reason = reason
        self.batch_size = batch_size
        self.now = timezone.now()
        self._next: dict[tuple[str, str], int] = {}
        self._columns: dict[type, list[_Column]] = {}
        self.models: set[type] = set()

    def _ids(self, model, column: str, count: int) -> range:
        key = (model._meta.db_table, column)
        if key not in self._next:
            top = model._base_manager.aggregate(top=Max(column))["top"] or 0
            self._next[key] = top + 1
        start = self._next[key]
        self._next[key] = start + count
        self.models.add(model)
        return range(start, start + count)

    def columns(self, model) -> list[_Column]:
        if model not in self._columns:
            self._columns[model] = [
                _Column(f, self.now) for f in model._meta.concrete_fields
            ]
        return self._columns[model]

    def insert(self, model, rows: Sequence[dict], *, history: bool = True) -> list:
        """Write ``rows`` of ``model`` (each a dict of attribute names to values,
        any field left out takes its default) and, with ``history``, a '+' entry
        each; answer their ids, in order. Each row's dict gets its ``id``."""
        if not rows:
            return []
        pk = model._meta.pk.attname
        ids = list(self._ids(model, pk, len(rows)))
        columns = self.columns(model)
        values = []
        for row, new_id in zip(rows, ids, strict=True):
            row[pk] = new_id
            values.append(
                [
                    c.convert(row[c.name]) if c.name in row else c.default
                    for c in columns
                ]
            )
        self._execute(model, [c.field for c in columns], values)
        if history:
            self._history(model, rows)
        return ids

    def _history(self, model, rows: Sequence[dict]) -> None:
        historical = history_model(model)
        columns = self.columns(historical)
        fixed = {
            "history_date": self.now,
            "history_type": "+",
            "history_user_id": None,
            "history_change_reason": self.reason,
        }
        ids = self._ids(historical, "history_id", len(rows))
        own = {c.name: c for c in self.columns(model)}
        values = []
        for row, history_id in zip(rows, ids, strict=True):
            row["_history_id"] = history_id
            line = []
            for column in columns:
                name = column.name
                if name == "history_id":
                    line.append(history_id)
                elif name in fixed:
                    line.append(column.convert(fixed[name]))
                elif name in row:
                    line.append(column.convert(row[name]))
                else:
                    line.append(own[name].default)
            values.append(line)
        self._execute(historical, [c.field for c in columns], values)

    def insert_m2m(
        self, model, field_name: str, rows: Iterable[dict], pairs: Iterable[tuple]
    ) -> None:
        """Write the ``field_name`` rows of ``rows`` (already inserted, with their
        history entries): ``pairs`` of (row, target id). Each also goes into the
        row's first history entry, as simple_history keeps it."""
        field = model._meta.get_field(field_name)
        through = field.remote_field.through
        owner = field.m2m_field_name() + "_id"
        target = field.m2m_reverse_field_name() + "_id"
        pairs = list(pairs)
        ids = self._ids(through, "id", len(pairs))
        self._execute(
            through,
            [through._meta.get_field(n) for n in ("id", owner, target)],
            [
                [new_id, row["id"], target_id]
                for new_id, (row, target_id) in zip(ids, pairs, strict=True)
            ],
        )
        copies = getattr(history_model(model), field.name).model
        self._execute(
            copies,
            [copies._meta.get_field(n) for n in ("id", owner, target, "history")],
            [
                [new_id, row["id"], target_id, row["_history_id"]]
                for new_id, (row, target_id) in zip(ids, pairs, strict=True)
            ],
        )

    def _execute(self, model, fields, rows: list[list]) -> None:
        insert_rows(model, fields, rows, self.batch_size)

    def finish(self) -> None:
        """Move PostgreSQL's sequences past the ids written (SQLite's follow)."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.models))
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
