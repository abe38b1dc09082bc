"""Reading an object's history: who changed what, and when."""

from decimal import Decimal

from django.db import models

TYPES = {"+": "created", "~": "changed", "-": "deleted"}
#: Fields every row has that say nothing about the change itself.
UNTRACKED = {"updated_at", "version"}


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def history_entries(model: type[models.Model], pk) -> list[dict]:
    """The history of one object, oldest first, each entry with the fields it
    changed (old and new values). One query, whatever the number of entries."""
    fields = [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname not in UNTRACKED and f.attname != model._meta.pk.attname
    ]
    records = (
        model.history.filter(id=pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
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
