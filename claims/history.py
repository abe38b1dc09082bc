"""An object's history: who changed what, and when; read, and written for changes of
many-to-many fields.

django-simple-history keeps one entry per write of a tracked object (a row of
``HistoricalClaim``: a copy of the object's tracked fields, with the date, type, user
and reason). For each many-to-many field kept in history
(``HistoricalRecords(m2m_fields=[topics])``) every entry also holds a copy of the
object's rows of that field as they were at the entry, in a table of their own
(``HistoricalClaim_topics``: the through row's columns and the entry's
``history_id``). An entry's copy is the whole field, so two entries' copies compare
as two states of the field.

What changed between two entries is simple-history's answer
(``HistoricalChanges.diff_against``), many-to-many fields included, with two
adjustments made here: the copies of every entry are read in one query for all of
them (``_EntryCopy``), and the fields the model does not let editors edit
(``editable=False``: a claim's grade, its quote's offsets), which ``diff_against``
leaves out, are compared here (``_changes``). Its answer is then shown as the
history has always shown it (``_shown_change``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import ModelChange
from simple_history.signals import (
    post_create_historical_m2m_records,
    post_create_historical_record,
    pre_create_historical_m2m_records,
    pre_create_historical_record,
)
from simple_history.utils import get_m2m_field_name, get_m2m_reverse_field_name

TYPES = {"+": "created", "~": "changed", "-": "deleted"}
#: Fields every row has that say nothing about the change itself.
UNTRACKED = {"updated_at", "version"}


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    """The many-to-many fields of ``model`` whose rows its history entries copy."""
    return list(getattr(model.history.model, "_history_m2m_fields", []))


def _through_keys(field: models.ManyToManyField) -> tuple[models.Field, models.Field]:
    """The through model's foreign keys to the field's owner and to its targets."""
    through = field.remote_field.through._meta
    return (
        through.get_field(get_m2m_field_name(field)),
        through.get_field(get_m2m_reverse_field_name(field)),
    )


def _copies(model: type[models.Model], field: models.ManyToManyField):
    """The model holding the entries' copies of ``field``'s rows."""
    return getattr(model.history.model, field.name).model


# --- Reading -----------------------------------------------------------------------


def _shown(model: type[models.Model]) -> list[models.Field]:
    """The fields an entry lists, in the model's order: every concrete field but the
    primary key and ``UNTRACKED``."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.attname not in UNTRACKED and f.attname != model._meta.pk.attname
    ]


def _compared_columns(copies: type[models.Model]) -> list[str]:
    """The columns of a copy that ``diff_against`` reads and compares: the through
    row's own, as it picks them (``_get_m2m_field_changes_for_diff``)."""
    return [
        f.name
        for f in copies._meta.fields
        if f.editable and f.name not in ["id", "m2m_history_id", "history"]
    ]


class _EntryCopy:
    """One entry's copy of one many-to-many field, read with every other entry's.

    ``diff_against`` reaches an entry's copy as ``entry.<field>``, a manager that
    queries at every call (``.order_by(<target>).values(<columns>)``: two queries
    for each pair of entries and field) and that ``prefetch_related`` cannot fill.
    That attribute is a plain descriptor (simple-history's ``HistoryDescriptor``,
    no ``__set__``), so one of the same name set on the entry stands in for it; this
    answers those calls, and ``.model``, from rows already read.
    """

    def __init__(self, model: type[models.Model], rows: list[dict]):
        self.model = model
        self.rows = rows

    def order_by(self, *names: str) -> _EntryCopy:
        def key(row):
            return [(row[name] is None, row[name]) for name in names]

        return _EntryCopy(self.model, sorted(self.rows, key=key))

    def values(self, *names: str) -> list[dict]:
        return [{name: row[name] for name in names} for row in self.rows]


def _read_copies(model: type[models.Model], pk, records: list) -> None:
    """Set on each of ``records`` (entries of object ``pk``) its copy of every
    many-to-many field kept in history, as an ``_EntryCopy``: one query a field."""
    for field in _m2m_fields(model):
        copies = _copies(model, field)
        columns = _compared_columns(copies)
        by_entry: dict[int, list[dict]] = {r.history_id: [] for r in records}
        for row in (
            copies._base_manager.filter(history__id=pk)
            .order_by("m2m_history_id")
            .values("history_id", *columns)
        ):
            history_id = row.pop("history_id")
            if history_id in by_entry:
                by_entry[history_id].append(row)
        for record in records:
            setattr(record, field.name, _EntryCopy(copies, by_entry[record.history_id]))


def _target_ids(field: models.ManyToManyField, rows: list[dict]) -> list:
    """A copy's rows as the sorted ids of the targets they hold."""
    target = get_m2m_reverse_field_name(field)
    return sorted(row[target] for row in rows if row[target] is not None)


def _changes(record, previous, shown: list, m2m: list) -> list[dict]:
    """What ``record`` changed from ``previous``, the entry before it, as
    ``diff_against`` finds it, plus the ``shown`` fields it does not compare: those
    not ``editable`` (it reads an entry's values with ``model_to_dict``, which skips
    them, and fails on one named in ``included_fields``). In the order of
    ``shown``, then of ``m2m``."""
    names = [f.name for f in shown]
    delta = record.diff_against(
        previous,
        excluded_fields=[f.name for f in record.tracked_fields if f.name not in names],
    )
    changes = list(delta.changes)
    for field in shown:
        if not field.editable:
            old, new = getattr(previous, field.attname), getattr(record, field.attname)
            if old != new:
                changes.append(ModelChange(field.name, old, new))
    order = {name: i for i, name in enumerate([*names, *(f.name for f in m2m)])}
    return [
        _shown_change(change, shown, m2m)
        for change in sorted(changes, key=lambda c: order[c.field])
    ]


def _shown_change(change: ModelChange, shown: list, m2m: list) -> dict:
    """A change as the history answers show it: a field by its column's name
    (``source_id``) and its values plain (``_plain``); a many-to-many field's rows
    (``diff_against`` lists each as a dict of the through row's columns) as the
    sorted ids of their targets."""
    for field in m2m:
        if field.name == change.field:
            return {
                "field": field.name,
                "old": _target_ids(field, change.old),
                "new": _target_ids(field, change.new),
            }
    [field] = [f for f in shown if f.name == change.field]
    return {
        "field": field.attname,
        "old": _plain(change.old),
        "new": _plain(change.new),
    }


def _created(record, shown: list, m2m: list) -> list[dict]:
    """The first entry's fields: every ``shown`` field with its value, and each of
    ``m2m`` when it holds anything."""
    changes = [
        {"field": f.attname, "old": None, "new": _plain(getattr(record, f.attname))}
        for f in shown
    ]
    for field in m2m:
        new = _target_ids(field, getattr(record, field.name).rows)
        if new:
            changes.append({"field": field.name, "old": None, "new": new})
    return changes


def history_entries(model: type[models.Model], pk) -> list[dict]:
    """The history of one object, oldest first, each entry with the fields it
    changed (old and new values). A many-to-many field kept in history shows as a
    change of the sorted list of its target ids (``{"field": "topics", "old": [1],
    "new": [2, 3]}``); the first entry lists such a field when it is not empty, as
    it lists every field. One query, and one more for each many-to-many field kept
    in history, whatever the number of entries."""
    records = list(
        model.history.filter(id=pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    if not records:
        return []
    _read_copies(model, pk, records)
    shown, m2m = _shown(model), _m2m_fields(model)
    entries, previous = [], None
    for record in records:
        if record.history_type == "-":
            changes = []
        elif previous is None:
            changes = _created(record, shown, m2m)
        else:
            changes = _changes(record, previous, shown, m2m)
        user = record.history_user
        entries.append(
            {
                "history_id": record.history_id,
                "type": TYPES[record.history_type],
                "user": None
                if user is None
                else {"id": user.pk, "username": user.username},
                "date": record.history_date,
                "reason": record.history_change_reason,
                "changes": changes,
            }
        )
        previous = record
    return entries


# --- Writing -----------------------------------------------------------------------


@contextmanager
def history_paused(instance: models.Model) -> Iterator[None]:
    """Within this block, saving ``instance`` or changing its many-to-many fields
    writes no history entry (simple-history's ``skip_history_when_saving``); the
    ``post_save`` and ``m2m_changed`` signals are still sent, so caches are still
    dropped. Follow it with ``record_entry`` to write the one entry it stood for.

    simple-history (3.13) reads that switch in its ``post_save`` and
    ``m2m_changed`` receivers but sets it only around one save
    (``save_without_historical_record``); nothing of it covers a block of saves and
    many-to-many changes."""
    already = hasattr(instance, "skip_history_when_saving")
    instance.skip_history_when_saving = True
    try:
        yield
    finally:
        if not already:
            del instance.skip_history_when_saving


def _history_on(instance: models.Model) -> bool:
    return getattr(settings, "SIMPLE_HISTORY_ENABLED", True) and not hasattr(
        instance, "skip_history_when_saving"
    )


def record_entry(
    instance: models.Model,
    history_type: str = "~",
    *,
    user=None,
    reason: str | None = None,
):
    """Write one history entry of ``instance`` as it is now, as simple-history does
    on save: its tracked fields as ``instance`` holds them, a copy of its rows of
    each many-to-many field kept in history as stored, the type (``"+"``, ``"~"``
    or ``"-"``), ``user`` (by default as simple-history finds it:
    ``instance._history_user``, else the signed-in user of the current request) and
    ``reason`` (by default ``instance._change_reason``). Simple-history's signals
    for new entries are sent. Answer the entry.

    simple-history writes an entry, with its many-to-many copies, only from its own
    receivers (``HistoricalRecords.create_historical_record``, on ``post_save``,
    ``m2m_changed`` and ``post_delete``): "+" only when the save created the row,
    before any many-to-many row can exist, and one entry at each ``m2m_changed``.
    That method belongs to the model's ``HistoricalRecords``, which the model does
    not keep (``Claim.history`` is a descriptor holding the history model), and
    ``bulk_history_create`` copies no many-to-many rows and sends no signals. So one
    entry for a save and its many-to-many changes is written here."""
    history = type(instance).history.model
    if user is None:
        user = history.get_default_history_user(instance)
    if reason is None:
        reason = getattr(instance, "_change_reason", None)
    date = getattr(instance, "_history_date", None) or timezone.now()
    record = history(
        history_date=date,
        history_type=history_type,
        history_user=user,
        history_change_reason=reason,
        **{f.attname: getattr(instance, f.attname) for f in history.tracked_fields},
    )
    # What simple-history's own signals carry, before and after the entry is saved.
    signalled = {
        "sender": history,
        "instance": instance,
        "history_instance": record,
        "history_date": date,
        "history_user": user,
        "history_change_reason": reason,
        "using": None,
    }
    pre_create_historical_record.send(**signalled)
    record.save()
    for field in _m2m_fields(type(instance)):
        copies = _copies(type(instance), field)
        owner, _ = _through_keys(field)
        through = field.remote_field.through
        names = [f.attname for f in through._meta.concrete_fields]
        rows = [
            copies(history=record, **dict(zip(names, values, strict=True)))
            for values in through._base_manager.filter(
                **{owner.attname: getattr(instance, owner.target_field.attname)}
            )
            .order_by("pk")
            .values_list(*names)
        ]
        about = {
            "sender": copies,
            "history_instance": record,
            "instance": instance,
            "field": field,
        }
        pre_create_historical_m2m_records.send(rows=rows, **about)
        created = copies._base_manager.bulk_create(rows)
        post_create_historical_m2m_records.send(created_rows=created, **about)
    post_create_historical_record.send(**signalled)
    return record


def set_related(
    instance: models.Model,
    field_name: str,
    values: Iterable,
    *,
    user=None,
    reason: str | None = None,
) -> bool:
    """Make the many-to-many field ``field_name`` of ``instance`` (saved) hold
    exactly ``values`` (objects or their ids), recorded as one history entry;
    answer whether anything changed.

    Django's ``.set()`` removes, then adds, and simple-history writes an entry at
    each step: two entries for one edit, the first with a state nobody asked for.
    Here the rows are removed and added with the object's history paused (the
    ``m2m_changed`` signals are still sent, so the caches are still dropped), then
    one ``"~"`` (changed) entry is written with the field's new rows, ``user`` and
    ``reason`` (defaults as in ``record_entry``: the request's user, the instance's
    ``_change_reason``). When the field already holds ``values``, nothing is
    written. When history is off for the instance (``skip_history_when_saving``, or
    the setting ``SIMPLE_HISTORY_ENABLED``), the rows change and no entry is written.

    All in one transaction (the caller's, when there is one). The entry copies the
    instance's other tracked fields from ``instance``, as a save would: pass the
    instance as stored (after saving any other change of it).
    """
    if instance.pk is None:
        raise ValueError(f"{type(instance).__name__} must be saved first")
    field = instance._meta.get_field(field_name)
    if not isinstance(field, models.ManyToManyField):
        raise ValueError(f"{type(instance).__name__}.{field_name} is not many-to-many")
    owner, target = _through_keys(field)
    key = target.target_field
    wanted = {
        getattr(v, key.attname) if isinstance(v, models.Model) else key.to_python(v)
        for v in values
    }
    through = field.remote_field.through
    with transaction.atomic():
        current = set(
            through._base_manager.filter(
                **{owner.attname: getattr(instance, owner.target_field.attname)}
            ).values_list(target.attname, flat=True)
        )
        if current == wanted:
            return False
        record = _history_on(instance) and field in _m2m_fields(type(instance))
        manager = getattr(instance, field_name)
        with history_paused(instance):
            if current - wanted:
                manager.remove(*(current - wanted))
            if wanted - current:
                manager.add(*(wanted - current))
        if record:
            record_entry(instance, "~", user=user, reason=reason)
    return True
