"""A whole-database archive: every row of the tracker and all its history, in one file.

``export_archive`` writes JSON Lines (gzip-compressed when the file name ends in
``.gz``): a header line, then one line per row, model by model::

    {"format": "fact-tracker-archive", "version": 1, "created": "...",
     "counts": {"claims.source": 120, ...}}
    {"model": "claims.source", "fields": {"id": 1, "name": "NATO", ...}}

Rows keep their ids, so every reference (a claim's source, a history row's user)
stays as it was. Groups and users' own permissions are written by their natural keys
(app label and codename), since permission ids differ between databases.
API tokens are not archived: clients sign in again after a restore.

``import_archive`` loads an archive into a database that holds none of these rows
yet but the groups ``migrate`` makes (a new database after ``migrate``: those groups
are replaced by the archive's own), in one transaction: a line it cannot read,
a model it does not know or a count that does not match the header leaves the
database as it was. The search index is filled by the database's own triggers as
claims are inserted; the id sequences are moved past the restored ids.
"""

from __future__ import annotations

import datetime
import decimal
import gzip
import io
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from claims import caching
from claims.permissions import GROUP_PERMISSIONS, ensure_groups

FORMAT = "fact-tracker-archive"
VERSION = 1
BATCH = 2000


class ArchiveError(Exception):
    """The archive cannot be written or restored; nothing was changed."""


def archived_models() -> list[type[models.Model]]:
    """Every model the archive holds, in an order that inserts a row after the rows
    it refers to (sources before claims, so the search triggers find their names)."""
    user_model = apps.get_model("auth", "User")
    ordered = [
        "Source",
        "Document",
        "Topic",
        "Measure",
        "Measure_topics",
        "Claim",
        "Claim_topics",
        "Figure",
        "Link",
        "Review",
    ]
    claims = {m.__name__: m for m in _claims_models()}
    # History entries, and their copies of many-to-many rows (HistoricalClaim_topics).
    history = [m for name, m in sorted(claims.items()) if name.startswith("Historical")]
    missing = set(claims) - set(ordered) - {m.__name__ for m in history}
    if missing:  # a new model must be given its place here
        raise ArchiveError(f"Models without a place in the archive: {sorted(missing)}")
    return [
        Group,
        user_model,
        user_model.groups.through,
        *(claims[name] for name in ordered),
        *history,
    ]


def _claims_models() -> list[type[models.Model]]:
    return list(apps.get_app_config("claims").get_models(include_auto_created=True))


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def summary(counts: Counter) -> str:
    """ "448,288 rows of 18 kinds": what an export wrote or a restore put back."""
    kinds = sum(1 for n in counts.values() if n)
    return f"{sum(counts.values()):,} rows of {kinds} kinds"


# --- Writing ---------------------------------------------------------------------


def _encode(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


def _natural_permissions(permissions: Iterable[Permission]) -> list[list[str]]:
    return sorted([p.content_type.app_label, p.codename] for p in permissions)


def _rows(model: type[models.Model]) -> Iterator[dict]:
    fields = [f.attname for f in model._meta.concrete_fields]
    queryset = model._base_manager.order_by("pk")
    if model is Group or model is apps.get_model("auth", "User"):
        related = "permissions" if model is Group else "user_permissions"
        queryset = queryset.prefetch_related(f"{related}__content_type")
        for obj in queryset.iterator(chunk_size=BATCH):
            row = {name: _encode(getattr(obj, name)) for name in fields}
            row["permissions"] = _natural_permissions(getattr(obj, related).all())
            yield row
        return
    for values in queryset.values_list(*fields).iterator(chunk_size=BATCH):
        yield {name: _encode(v) for name, v in zip(fields, values, strict=True)}


def _open(path: Path | str, mode: str) -> io.TextIOBase:
    if str(path).endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def export_archive(path: Path | str, progress: Callable | None = None) -> Counter:
    """Write every archived row to ``path``; answer the count of rows per model.

    Read in one repeatable-read snapshot on PostgreSQL, so that writes made while it
    runs do not leave the archive half before and half after them (inside a
    transaction already begun, that transaction's own isolation holds).
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                )
        counts = Counter(
            {_label(m): m._base_manager.count() for m in archived_models()}
        )
        with _open(path, "w") as out:
            header = {
                "format": FORMAT,
                "version": VERSION,
                "created": timezone.now().isoformat(),
                "counts": dict(counts),
            }
            out.write(json.dumps(header) + "\n")
            for model in archived_models():
                label, written = _label(model), 0
                for row in _rows(model):
                    out.write(json.dumps({"model": label, "fields": row}) + "\n")
                    written += 1
                    if progress and written % BATCH == 0:
                        progress(label, written, counts[label])
                if progress:
                    progress(label, written, counts[label])
                if written != counts[label]:  # cannot happen inside one snapshot
                    raise ArchiveError(
                        f"{label}: counted {counts[label]}, wrote {written}"
                    )
    return counts


# --- Restoring -------------------------------------------------------------------


def _as_migrate_leaves_it(occupied: dict[str, int]) -> bool:
    """Whether the only rows here are the groups ``migrate`` makes (editors and
    reviewers, no user in them, as users are archived rows too): a new database."""
    if set(occupied) != {_label(Group)}:
        return False
    return set(Group.objects.values_list("name", flat=True)) <= set(GROUP_PERMISSIONS)


def stored_rows() -> dict[str, int]:
    """The archived models that already hold rows here, with their counts."""
    counts = {_label(m): m._base_manager.count() for m in archived_models()}
    return {label: n for label, n in counts.items() if n}


def _decoder(model: type[models.Model]) -> Callable[[dict, int], models.Model]:
    fields = {f.attname: f for f in model._meta.concrete_fields}

    def decode(row: dict, line: int) -> models.Model:
        unknown = set(row) - set(fields) - {"permissions"}
        if unknown:
            raise ArchiveError(
                f"line {line}: {_label(model)} has no field {sorted(unknown)[0]!r}"
            )
        values = {}
        for name, value in row.items():
            if name == "permissions":
                continue
            field = fields[name]
            try:
                values[name] = field.to_python(value) if value is not None else None
            except ValidationError as error:
                raise ArchiveError(
                    f"line {line}: {_label(model)}.{name}: {' '.join(error.messages)}"
                ) from error
        return model(**values)

    return decode


def _permission_ids(natural: list[list[str]], line: int) -> list[int]:
    wanted = {tuple(pair) for pair in natural}
    found = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.filter(
            codename__in=[codename for _, codename in wanted]
        ).values_list("pk", "content_type__app_label", "codename")
    }
    unknown = wanted - set(found)
    if unknown:
        app_label, codename = sorted(unknown)[0]
        raise ArchiveError(f"line {line}: no permission {app_label}.{codename} here")
    return [found[pair] for pair in sorted(wanted)]


def _read_lines(handle) -> Iterator[tuple[int, dict]]:
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            yield number, json.loads(text)
        except json.JSONDecodeError as error:
            raise ArchiveError(f"line {number}: not JSON ({error.msg})") from error


def import_archive(path: Path | str, progress: Callable | None = None) -> Counter:
    """Restore the archive at ``path`` into this (empty) database, all or nothing;
    answer the count of rows restored per model."""
    models_by_label = {_label(m): m for m in archived_models()}
    order = list(models_by_label)
    try:
        handle = _open(path, "r")
        lines = _read_lines(handle)
        try:
            _, header = next(lines)
        except StopIteration:
            raise ArchiveError("the file is empty") from None
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as error:
        raise ArchiveError(f"cannot read {path}: {error}") from error
    with handle:
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ArchiveError(f"{path} is not a {FORMAT} file (line 1)")
        if header.get("version") != VERSION:
            raise ArchiveError(
                f"archive version {header.get('version')!r}; this app reads {VERSION}"
            )
        expected = header.get("counts") or {}
        foreign = set(expected) - set(models_by_label)
        if foreign:
            raise ArchiveError(f"the archive holds unknown models: {sorted(foreign)}")
        try:
            with transaction.atomic():
                occupied = stored_rows()
                if _as_migrate_leaves_it(occupied):
                    # The archive carries its own groups, with their ids.
                    Group.objects.all().delete()
                    occupied = {}
                if occupied:
                    listed = ", ".join(
                        f"{n:,} {label}" for label, n in occupied.items()
                    )
                    raise ArchiveError(
                        "the database is not empty (it holds "
                        f"{listed}); restore into a new database after 'migrate'"
                    )
                with _timestamps_as_stored(models_by_label.values()):
                    counts = _load(lines, models_by_label, order, expected, progress)
                _reset_sequences(models_by_label.values())
                if not Group.objects.filter(name__in=GROUP_PERMISSIONS).exists():
                    ensure_groups()  # an archive from before the groups' migration
        except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as error:
            raise ArchiveError(f"cannot read {path}: {error}") from error
    caching.bump_all()
    return counts


@contextmanager
def _timestamps_as_stored(models_: Iterable[type[models.Model]]):
    """Keep the archived created/updated times: bulk_create would otherwise stamp
    ``auto_now``/``auto_now_add`` fields with the time of the restore."""
    changed = []
    for model in models_:
        for field in model._meta.concrete_fields:
            for flag in ("auto_now", "auto_now_add"):
                if getattr(field, flag, False):
                    setattr(field, flag, False)
                    changed.append((field, flag))
    try:
        yield
    finally:
        for field, flag in changed:
            setattr(field, flag, True)


def _load(lines, models_by_label, order, expected, progress) -> Counter:
    counts: Counter = Counter()
    batch: list[models.Model] = []
    permissions: list[tuple[models.Model, list[int]]] = []
    current: str | None = None
    decoders = {}

    def flush():
        if not batch:
            return
        model = type(batch[0])
        model._base_manager.bulk_create(batch, batch_size=500)
        for obj, ids in permissions:
            related = "permissions" if model is Group else "user_permissions"
            getattr(obj, related).set(ids)
        counts[_label(model)] += len(batch)
        if progress:
            progress(
                _label(model), counts[_label(model)], expected.get(_label(model), 0)
            )
        batch.clear()
        permissions.clear()

    for number, line in lines:
        if not isinstance(line, dict) or not isinstance(line.get("fields"), dict):
            raise ArchiveError(
                f"line {number}: expected {{'model': ..., 'fields': ...}}"
            )
        label = line.get("model")
        if label not in models_by_label:
            raise ArchiveError(f"line {number}: unknown model {label!r}")
        if label != current:
            flush()
            if current is not None and order.index(label) < order.index(current):
                raise ArchiveError(f"line {number}: {label} rows after {current} rows")
            current = label
        model = models_by_label[label]
        decode = decoders.setdefault(label, _decoder(model))
        obj = decode(line["fields"], number)
        batch.append(obj)
        if "permissions" in line["fields"]:
            permissions.append(
                (obj, _permission_ids(line["fields"]["permissions"], number))
            )
        if len(batch) >= BATCH:
            flush()
    flush()
    for label in order:
        if counts[label] != expected.get(label, 0):
            raise ArchiveError(
                f"{label}: the header counts {expected.get(label, 0):,} rows, the file "
                f"holds {counts[label]:,} (a truncated or edited archive)"
            )
    return counts


def _reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    """Move every id sequence past the restored ids, and past the ids in the
    history too: a deleted object's id is never handed to a new object, whose
    history would otherwise start with the deleted one's."""
    models_ = list(models_)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(sql)
        for model in models_:
            manager = getattr(model._meta, "simple_history_manager_attribute", None)
            if manager is None or not isinstance(model._meta.pk, models.AutoField):
                continue
            table, column = model._meta.db_table, model._meta.pk.column
            history = getattr(model, manager).model._base_manager
            highest = history.aggregate(top=models.Max(column))["top"]
            if highest is None:
                continue
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), "
                    "GREATEST(%s, (SELECT COALESCE(MAX(id), 0) FROM "
                    f"{connection.ops.quote_name(table)})))",
                    [table, column, highest],
                )
            elif connection.vendor == "sqlite":
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s",
                    [highest, table],
                )
                if cursor.rowcount == 0:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                        [table, highest],
                    )
