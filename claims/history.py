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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
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


def _related_by_entry(model, pk, history_ids) -> dict[str, dict[int, list]]:
    """For each many-to-many field kept in history: entry id -> the sorted target
    ids the entry's copy holds. One query per field."""
    related = {}
    for field in _m2m_fields(model):
        owner, target = _through_keys(field)
        by_entry: dict[int, list] = {}
        rows = (
            _copies(model, field)
            ._base_manager.filter(**{owner.attname: pk})
            .values_list("history_id", target.attname)
        )
        for history_id, target_id in rows:
            if history_id in history_ids and target_id is not None:
                by_entry.setdefault(history_id, []).append(target_id)
        related[field.name] = {k: sorted(v) for k, v in by_entry.items()}
    return related


def history_entries(model: type[models.Model], pk) -> list[dict]:
    """The history of one object, oldest first, each entry with the fields it
    changed (old and new values). A many-to-many field kept in history shows as a
    change of the sorted list of its target ids (``{"field": "topics", "old": [1],
    "new": [2, 3]}``); the first entry lists such a field when it is not empty, as
    it lists every field. One query, and one more for each many-to-many field kept
    in history, whatever the number of entries."""
    fields = [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname not in UNTRACKED and f.attname != model._meta.pk.attname
    ]
    records = list(
        model.history.filter(id=pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    if not records:
        return []
    related = _related_by_entry(model, pk, {r.history_id for r in records})
    entries, previous = [], None
    for record in records:
        changes = [
            {
                "field": name,
                "old": None if previous is None else _plain(getattr(previous, name)),
                "new": _plain(getattr(record, name)),
            }
            for name in fields
            if previous is None or getattr(previous, name) != getattr(record, name)
        ]
        for name, by_entry in related.items():
            new = by_entry.get(record.history_id, [])
            if previous is None:
                if new:
                    changes.append({"field": name, "old": None, "new": new})
                continue
            old = by_entry.get(previous.history_id, [])
            if old != new:
                changes.append({"field": name, "old": old, "new": new})
        if record.history_type == "-":
            changes = []
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
    dropped. Follow it with ``record_entry`` to write the one entry it stood for."""
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
    for new entries are sent. Answer the entry."""
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
    pre_create_historical_record.send(
        sender=history,
        instance=instance,
        history_date=date,
        history_user=user,
        history_change_reason=reason,
        history_instance=record,
        using=None,
    )
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
        pre_create_historical_m2m_records.send(
            sender=copies,
            rows=rows,
            history_instance=record,
            instance=instance,
            field=field,
        )
        created = copies._base_manager.bulk_create(rows)
        post_create_historical_m2m_records.send(
            sender=copies,
            created_rows=created,
            history_instance=record,
            instance=instance,
            field=field,
        )
    post_create_historical_record.send(
        sender=history,
        instance=instance,
        history_instance=record,
        history_date=date,
        history_user=user,
        history_change_reason=reason,
        using=None,
    )
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
