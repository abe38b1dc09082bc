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
from claims.quotes import locate

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
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        default="",
        help_text="How exact the date is; a day when a date is given without one. "
        "Empty when there is no date.",
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
        "claim_precision_needs_date": "stated_on_precision",
        "claim_one_per_quote_span": "quote",
    }
    constraints_checked_by_clean = frozenset({"claim_one_per_quote_span"})

    class Meta:
        ordering = ["-stated_on", "id"]
        indexes = [
            models.Index(fields=["attribution_status", "credibility"]),
            # The lists' order (newest first, then by id): a page is read off
            # the index, not sorted; date ranges use it too.
            models.Index(fields=["-stated_on", "id"], name="claim_list_order"),
            # A list of one kind of attribution (direct quotes, paraphrases, the
            # anonymous...), newest first: its page read off the index in order,
            # its count (with a date range too) from the index alone.
            models.Index(
                fields=["attribution_kind", "-stated_on", "id"],
                name="claim_kind_order",
            ),
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
                condition=models.Q(stated_on_precision__in=[*DatePrecision.values, ""]),
                name="claim_precision_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(stated_on__isnull=False)
                | models.Q(stated_on_precision=""),
                name="claim_precision_needs_date",
                violation_error_message="A date's precision needs a date.",
            ),
            # The database's guard against two writers storing the same quote of the
            # same source in the same document at once (clean() names the first).
            models.UniqueConstraint(
                "source",
                "document",
                "quote_start",
                "quote_end",
                condition=models.Q(quote_start__isnull=False),
                name="claim_one_per_quote_span",
                violation_error_message="This source's quote is already a claim of "
                "this document.",
            ),
            models.CheckConstraint(
                condition=models.Q(quote_start__isnull=True)
                | models.Q(quote_end__gte=models.F("quote_start")),
                name="claim_quote_span_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.statement[:80]

    #: How the quote's occurrence is picked when it occurs more than once (a W3C
    #: TextQuoteSelector's prefix and suffix, or the start offset): set by the
    #: writer before validation, not stored.
    quote_prefix: str | None = None
    quote_suffix: str | None = None
    quote_start_given: int | None = None

    def locate_quote(self) -> None:
        """Anchor the quote to its one span of the document's text (``quotes.locate``),
        or raise a ``ValidationError`` saying why it cannot be.

        A span the claim already has is kept while it still holds the quote and no
        other occurrence is asked for. A quote matched only after normalising
        typography is stored as the document writes it.
        """
        text = self.document.text if self.document_id else ""
        if not text or not self.quote:
            self.quote_start = self.quote_end = None
            return
        if (
            self.quote_start is not None
            and self.quote_start_given is None
            and not (self.quote_prefix or self.quote_suffix)
            and text[self.quote_start : self.quote_start + len(self.quote)]
            == self.quote
        ):
            self.quote_end = self.quote_start + len(self.quote)
            return
        span = locate(
            text,
            self.quote,
            prefix=self.quote_prefix,
            suffix=self.quote_suffix,
            start=self.quote_start_given,
        )
        self.quote = span.exact
        self.quote_start, self.quote_end = span.start, span.end

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}
        if self.document_id and self.quote:
            try:
                self.locate_quote()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if self.stated_on is None and self.stated_on_precision:
            errors.setdefault("stated_on_precision", []).append(
                ValidationError(
                    "A precision (%(precision)s) needs a date: give stated_on, or "
                    "leave the precision empty.",
                    code="precision_without_date",
                    params={"precision": self.stated_on_precision},
                )
            )
        if self.stated_on is not None:
            self.stated_on_precision = self.stated_on_precision or DatePrecision.DAY
            self.stated_on = start_of_period(self.stated_on, self.stated_on_precision)
            latest = self._latest_possible_date()
            if self.stated_on > latest:
                errors.setdefault("stated_on", []).append(
                    f"The date {self.stated_on:%Y-%m-%d} is after {latest:%Y-%m-%d}, "
                    "the date of the document that reports it."
                    if self.document_id and self.document.published_at
                    else f"The date {self.stated_on:%Y-%m-%d} is in the future."
                )
        if self.document_id != getattr(self, "_loaded_document_id", None):
            self._check_figures_fit_document(errors)
        if "quote" not in errors and self.source_id and self.document_id:
            existing = self._duplicate_quote()
            if existing is not None:
                errors.setdefault("quote", []).append(
                    ValidationError(
                        "Claim #%(existing)s already holds this quote of this source in "
                        "this document: change that claim, or link a second report "
                        "of it with repeats.",
                        code="duplicate_quote",
                        params={"existing": existing},
                    )
                )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        # A claim moved to another document: its figures' given dates are checked.
        instance._loaded_document_id = instance.__dict__.get("document_id")
        return instance

    def _check_figures_fit_document(self, errors: dict) -> None:
        """A stored claim moved to another document: the dates its editor gave its
        figures must not be after the new document's publication day."""
        if self.pk is None or not self.document_id:
            return
        latest = self._latest_possible_date()
        late = (
            self.figures.filter(as_of_given=True, as_of__gt=latest)
            .order_by("pk")
            .values_list("pk", "as_of")
        )
        if late:
            errors.setdefault("document", []).append(
                ValidationError(
                    "%(which)s: a figure's date cannot be after its document's. "
                    "Change those dates first.",
                    code="figures_after_document",
                    params={
                        "which": "; ".join(
                            f"figure #{pk} is dated {as_of:%Y-%m-%d}, after "
                            f"{latest:%Y-%m-%d}"
                            for pk, as_of in late
                        )
                    },
                )
            )

    def _duplicate_quote(self) -> int | None:
        """The id of another claim with this source, document and quote (the same
        span, where the document has text), if there is one. A bulk import replaces
        this on the instance to answer from the stored rows and its own."""
        same = Claim.objects.filter(source=self.source_id, document=self.document_id)
        if self.quote_start is not None:
            same = same.filter(quote_start=self.quote_start, quote_end=self.quote_end)
        else:
            same = same.filter(quote=self.quote)
        return same.exclude(pk=self.pk).values_list("pk", flat=True).first()

    def _latest_possible_date(self) -> datetime.date:
        if self.document_id and self.document.published_at:
            return timezone.localdate(self.document.published_at)
        return timezone.localdate()
