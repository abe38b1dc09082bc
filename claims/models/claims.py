"""Claims: one proposition, attributed to one source, as one document reported it."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from claims.choices import (
    AttributionKind,
    AttributionStatus,
    Credibility,
    DatePrecision,
)

from .base import TrackedModel

__all__ = ["Claim", "start_of_period"]


def start_of_period(day: datetime.date, precision: str) -> datetime.date:
    """The first day of the week (Monday), month or year that ``day`` falls in."""
    match precision:
        case DatePrecision.WEEK:
            return day - datetime.timedelta(days=day.weekday())
        case DatePrecision.MONTH:
            return day.replace(day=1)
        case DatePrecision.YEAR:
            return day.replace(month=1, day=1)
    return day


class Claim(TrackedModel):
    """One proposition attributed to one source, as one document reported it.

    ``statement`` is the editor's one-sentence summary; ``quote`` is the exact span of
    the document that carries it, and ``quote_start``/``quote_end`` are derived from
    the document's text. ``stated_on`` is when the source said it, to the stated
    ``stated_on_precision`` ("last week" is a week, stored as its Monday).

    ``attribution_status`` and ``credibility`` are the current grade: the latest
    review's, or unverified and 6 (cannot be judged) before any review.
    """

    source = models.ForeignKey(
        "claims.Source", on_delete=models.PROTECT, related_name="claims"
    )
    document = models.ForeignKey(
        "claims.Document", on_delete=models.PROTECT, related_name="claims"
    )
    statement = models.TextField()
    quote = models.TextField()
    quote_start = models.PositiveIntegerField(null=True, blank=True, editable=False)
    quote_end = models.PositiveIntegerField(null=True, blank=True, editable=False)
    attribution_kind = models.CharField(max_length=20, choices=AttributionKind.choices)
    stated_on = models.DateField(null=True, blank=True)
    stated_on_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    topics = models.ManyToManyField("claims.Topic", blank=True, related_name="claims")
    attribution_status = models.CharField(
        max_length=15,
        choices=AttributionStatus.choices,
        default=AttributionStatus.UNVERIFIED,
        editable=False,
    )
    credibility = models.PositiveSmallIntegerField(
        choices=Credibility.choices,
        default=Credibility.CANNOT_BE_JUDGED,
        editable=False,
    )

    history = HistoricalRecords(m2m_fields=[topics])

    constraint_fields = {
        "claim_quote_not_empty": "quote",
        "claim_statement_not_empty": "statement",
        "claim_credibility_in_scale": "credibility",
    }

    class Meta:
        ordering = ["-stated_on", "id"]
        indexes = [
            models.Index(fields=["attribution_status", "credibility"]),
            models.Index(fields=["stated_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(quote=""),
                name="claim_quote_not_empty",
                violation_error_message="A claim needs the quote that carries it.",
            ),
            models.CheckConstraint(
                condition=~models.Q(statement=""),
                name="claim_statement_not_empty",
                violation_error_message="A claim needs a statement.",
            ),
            models.CheckConstraint(
                condition=models.Q(credibility__gte=1, credibility__lte=6),
                name="claim_credibility_in_scale",
                violation_error_message="Credibility is a grade from 1 to 6.",
            ),
            models.CheckConstraint(
                condition=models.Q(attribution_status__in=AttributionStatus.values),
                name="claim_attribution_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(attribution_kind__in=AttributionKind.values),
                name="claim_attribution_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(stated_on_precision__in=DatePrecision.values),
                name="claim_precision_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(quote_start__isnull=True)
                | models.Q(quote_end__gte=models.F("quote_start")),
                name="claim_quote_span_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.statement[:80]

    def locate_quote(self) -> bool:
        """Derive the quote's offsets from the document's text.

        Keeps the current span when it still holds the quote (a quote that occurs
        twice stays where the editor put it); otherwise takes the first occurrence.
        Returns ``False`` when the document has text and the quote is not in it.
        """
        text = self.document.text if self.document_id else ""
        if not text or not self.quote:
            self.quote_start = self.quote_end = None
            return True
        if (
            self.quote_start is not None
            and text[self.quote_start : self.quote_start + len(self.quote)]
            == self.quote
        ):
            start = self.quote_start
        else:
            start = text.find(self.quote)
        if start < 0:
            self.quote_start = self.quote_end = None
            return False
        self.quote_start, self.quote_end = start, start + len(self.quote)
        return True

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.document_id and not self.locate_quote():
            errors["quote"] = (
                f'The quote does not occur in the text of the document "{self.document}".'
            )
        if self.stated_on is not None:
            self.stated_on = start_of_period(self.stated_on, self.stated_on_precision)
            latest = self._latest_possible_date()
            if self.stated_on > latest:
                errors["stated_on"] = (
                    f"The date {self.stated_on:%Y-%m-%d} is after {latest:%Y-%m-%d}, "
                    "the date of the document that reports it."
                    if self.document_id and self.document.published_at
                    else f"The date {self.stated_on:%Y-%m-%d} is in the future."
                )
        if errors:
            raise ValidationError(errors)

    def _latest_possible_date(self) -> datetime.date:
        if self.document_id and self.document.published_at:
            return timezone.localdate(self.document.published_at)
        return timezone.localdate()

    def save(self, *args, **kwargs) -> None:
        self.locate_quote()
        super().save(*args, **kwargs)
