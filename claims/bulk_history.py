"""The first history entry of many new rows, written in one statement a batch.

django-simple-history's ``bulk_history_create`` builds a model instance for every
entry and sends it through the ORM's bulk insert; for bulk imports that is close to
half of the import's time. This writes the same rows (the tracked fields copied from
each object, plus the history date, type, user and reason) with ``executemany``,
converting only the values whose database form differs from the Python one.

A history entry of a model with many-to-many fields kept in history (a claim's or a
measure's topics) also holds a copy of the object's rows of each such field, in a
table of their own (``HistoricalClaim_topics``: the through row's columns plus the
entry's ``history_id``). ``insert_m2m`` writes those copies for rows bulk-created
after the entries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connection, models
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import get_m2m_field_name

#: Field types whose Python values the database driver takes as they are.
PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.FloatField,
    models.ForeignKey,
)


def history_model(model: type[models.Model]) -> type[models.Model]:
    """The model of ``model``'s history entries, read from the class's history
    descriptor itself: ``model.history`` builds a manager class on every access."""
    for klass in model.__mro__:
        descriptor = vars(klass).get("history")
        if descriptor is not None:
            return descriptor.model
    return model.history.model


def _converter(field: models.Field) -> Callable | None:
    if isinstance(field, PLAIN_FIELDS):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def insert_created(
    model: type[models.Model],
    objects: Sequence[models.Model],
    *,
    user=None,
    reason: str | None = None,
    batch_size: int = 1000,
) -> None:
    """Write a '+' (created) history entry for each of ``objects``, already saved."""
    if not objects:
        return
    history = history_model(model)
    meta = history._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    fixed = {
        "history_date": timezone.now(),
        "history_type": "+",
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": reason,
    }
    # Every other column is a copy of the object's own field of the same name.
    own = {f.attname for f in model._meta.concrete_fields}
    unknown = [
        f.attname for f in fields if f.attname not in fixed and f.attname not in own
    ]
    if unknown:
        raise ValueError(
            f"{meta.label} has columns {unknown} that {model.__name__} lacks"
        )
    converters = {f.attname: _converter(f) for f in fields}
    constant = {
        name: (converters[name](value) if converters[name] else value)
        for name, value in fixed.items()
    }
    names = [f.attname for f in fields]
    rows = []
    for obj in objects:
        row = []
        for name in names:
            if name in constant:
                row.append(constant[name])
                continue
            value = getattr(obj, name)
            convert = converters[name]
            row.append(
                convert(value) if convert is not None and value is not None else value
            )
        rows.append(row)
    insert_rows(history, fields, rows, batch_size)


def insert_m2m(
    model: type[models.Model],
    field_name: str,
    rows: Sequence[models.Model],
    *,
    batch_size: int = 1000,
) -> None:
    """Copy ``rows`` of the many-to-many field ``field_name`` into the history, as
    part of the latest history entry of the object each row belongs to.

    ``rows`` are rows of the field's through model, already saved (with their ids, as
    ``bulk_create`` answers them), and must be all of those objects' rows of the
    field: an entry's copy is the whole of the field at that entry. Meant for objects
    just created in bulk, whose latest entry is the one ``insert_created`` wrote.
    One query a batch of objects finds their latest entries; one statement a batch
    writes the copies.
    """
    if not rows:
        return
    if any(row.pk is None for row in rows):
        raise ValueError("insert_m2m() copies saved rows; some have no id")
    field = model._meta.get_field(field_name)
    history = history_model(model)
    if field not in history._history_m2m_fields:
        raise ValueError(f"{model.__name__}.{field_name} is not kept in history")
    copies = getattr(history, field.name).model
    owner = field.remote_field.through._meta.get_field(get_m2m_field_name(field))
    owners = sorted({getattr(row, owner.attname) for row in rows})
    latest: dict = {}
    pk = model._meta.pk.attname
    step = min(batch_size, connection.features.max_query_params or batch_size)
    for start in range(0, len(owners), step):
        latest.update(
            history._base_manager.filter(**{f"{pk}__in": owners[start : start + step]})
            .order_by()
            .values(pk)
            .annotate(top=Max("history_id"))
            .values_list(pk, "top")
        )
    unrecorded = [o for o in owners if o not in latest]
    if unrecorded:
        raise ValueError(
            f"{model.__name__} {unrecorded[:5]} have no history entry to add "
            f"{field_name} to"
        )
    fields = [f for f in copies._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    values = [
        [
            latest[getattr(row, owner.attname)]
            if name == "history_id"
            else getattr(row, name)
            for name in names
        ]
        for row in rows
    ]
    insert_rows(copies, fields, values, batch_size)


def insert_rows(model, fields, rows, batch_size) -> None:
    """``rows`` (lists of values in ``fields``' order) inserted into ``model``'s
    table by ``executemany``, ``batch_size`` at a time."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])
