"""What is stored that a pasted report may match, read in three queries whatever
their number: the sources (by name and alias), the measures, and the document
already stored at the report's URL."""

from __future__ import annotations

import json
import threading

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from claims.exchange.intake.proposals import Report, Stored, propose, report_errors
from claims.exchange.intake.reading import Gazetteer, KnownMeasure, KnownSource
from claims.models import Document, Measure, Source


class ReportError(Exception):
    """The report cannot be read; ``errors`` maps each field to its reason."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


#: The gazetteers built last, by the rows of the stored sources they were built
#: from: building one (its pattern of every name and alias, its index of words)
#: costs more than reading the rows, so a report read while the sources stay as
#: they were reuses it. Keyed by the rows themselves (aliases as their JSON text),
#: so any change to a source builds a new one.
_GAZETTEERS: dict[tuple, Gazetteer] = {}
_GAZETTEERS_KEPT = 2
_GAZETTEERS_LOCK = threading.Lock()


def _aliases(raw) -> tuple[str, ...]:
    """A source's aliases from their JSON text (the names among them)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return ()
    if not isinstance(raw, list):
        return ()
    return tuple(alias for alias in raw if isinstance(alias, str))


def gazetteer_of(rows: tuple) -> Gazetteer:
    """The gazetteer of the stored sources' rows, ``(id, name, aliases as JSON text,
    kind, parent id)``, built once while they stay the same."""
    gazetteer = _GAZETTEERS.get(rows)
    if gazetteer is None:
        gazetteer = Gazetteer(
            [
                KnownSource(pk, name, _aliases(aliases), kind, parent_id)
                for pk, name, aliases, kind, parent_id in rows
            ]
        )
        with _GAZETTEERS_LOCK:
            while len(_GAZETTEERS) >= _GAZETTEERS_KEPT:
                _GAZETTEERS.pop(next(iter(_GAZETTEERS)))
            _GAZETTEERS[rows] = gazetteer
    return gazetteer


def stored_for(url: str = "") -> Stored:
    sources = tuple(
        Source.objects.order_by("pk").values_list(
            "pk", "name", Cast("aliases", TextField()), "kind", "parent_id"
        )
    )
    measures = tuple(
        KnownMeasure(
            id=pk, name=name, unit=unit, tolerance=tolerance, lower_limit=lower_limit
        )
        for pk, name, unit, tolerance, lower_limit in Measure.objects.order_by(
            "pk"
        ).values_list("pk", "name", "unit", "tolerance", "lower_limit")
    )
    document_id = (
        # Without the empty URL the query reads the partial unique index of URLs.
        Document.objects.filter(url=url)
        .exclude(url="")
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
        if url
        else None
    )
    return Stored(gazetteer_of(sources), measures, document_id)


def propose_report(report: Report) -> dict:
    """The proposals for a report (nothing stored), or ``ReportError``."""
    errors = report_errors(report, timezone.now())
    if errors:
        raise ReportError(errors)
    return propose(report, stored_for(report.url))
