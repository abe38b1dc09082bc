"""What is stored that a pasted report may match, read in three queries whatever
their number: the sources (by name and alias), the measures, and the document
already stored at the report's URL."""

from __future__ import annotations

from django.utils import timezone

from claims.exchange.intake.proposals import Report, Stored, propose, report_errors
from claims.exchange.intake.reading import Gazetteer, KnownMeasure, KnownSource
from claims.models import Document, Measure, Source


class ReportError(Exception):
    """The report cannot be read; ``errors`` maps each field to its reason."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def stored_for(url: str = "") -> Stored:
    sources = [
        KnownSource(
            id=pk,
            name=name,
            aliases=tuple(a for a in (aliases or []) if isinstance(a, str)),
            kind=kind,
            parent_id=parent_id,
        )
        for pk, name, aliases, kind, parent_id in Source.objects.order_by(
            "pk"
        ).values_list("pk", "name", "aliases", "kind", "parent_id")
    ]
    measures = tuple(
        KnownMeasure(
            id=pk, name=name, unit=unit, tolerance=tolerance, lower_limit=lower_limit
        )
        for pk, name, unit, tolerance, lower_limit in Measure.objects.order_by(
            "pk"
        ).values_list("pk", "name", "unit", "tolerance", "lower_limit")
    )
    document_id = (
        Document.objects.filter(url=url).values_list("pk", flat=True).first()
        if url
        else None
    )
    return Stored(Gazetteer(sources), measures, document_id)


def propose_report(report: Report) -> dict:
    """The proposals for a report (nothing stored), or ``ReportError``."""
    errors = report_errors(report, timezone.now())
    if errors:
        raise ReportError(errors)
    return propose(report, stored_for(report.url))
