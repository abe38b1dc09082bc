"""Select to claim: a new claim from a passage of a document's text.

``GET /documents/<pk>/claims/new/?start=S&end=E`` shows the form with the quote
``text[S:E]`` and its offset filled in (S and E count in the text as a page holds
it, where a CR LF is one character; the same for a text without CRs), and the source, attribution kind and date
that intake's reading proposes for the sentence holding the passage
(``claims.exchange.intake``); without offsets the form is empty. ``POST`` records
the claim through ``services.claim_create`` (the offset picks the occurrence of a
quote that occurs more than once), with a new source first through
``services.source_create`` when one is named instead of a stored one. Editors only:
``claims.add_claim`` (and ``claims.add_source`` for a new source).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render

from claims import services
from claims.choices import AttributionKind
from claims.exchange.intake.proposals import Report, propose
from claims.exchange.intake.selectors import stored_for
from claims.models import Claim, Document, Source
from claims.web import marking
from claims.web.claim_fields import NewSourceFields, StatedOnFields


class SelectionError(ValueError):
    """The offsets of a selection cannot be read or do not fit the text."""


def as_read(text: str) -> str:
    """The text as a browser's page holds it: HTML parsing reads every CR LF, and
    every lone CR, as one LF. The page's offsets count in this form."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def stored_offset(text: str, offset: int) -> int:
    """The offset in ``text`` of ``offset`` in its form as read (``as_read``)."""
    if "\r" not in text:
        return offset
    position = 0
    for _ in range(offset):
        position += 2 if text.startswith("\r\n", position) else 1
    return position


def selection(text: str, start, end) -> tuple[int, int]:
    """The passage asked for by two offsets given as text (a query string's) in
    the text as the page holds it (``as_read``), as offsets in ``text``; or
    ``SelectionError`` saying what is wrong with them."""
    try:
        first, last = int(start), int(end)
    except (TypeError, ValueError):
        raise SelectionError(
            "The selection's start and end must be whole numbers."
        ) from None
    if not text:
        raise SelectionError("This document has no text to select from.")
    length = len(as_read(text))
    if not 0 <= first < last <= length:
        raise SelectionError(
            f"The selection {first}-{last} is not a passage of this document's text "
            f"(offsets 0 to {length}, the start before the end)."
        )
    first, last = stored_offset(text, first), stored_offset(text, last)
    if not text[first:last].strip():
        raise SelectionError("The selection holds only white space.")
    return first, last


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the white space at either end of it."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def pick(claims: list[dict], start: int, end: int) -> dict | None:
    """The proposed claim (a bundle row of intake's proposals) whose sentence
    overlaps the selection the most: its speaker, cue and quote together. None
    when no proposal overlaps it; the first of equals (a claim "citing" another is
    proposed before the indirect claim it is based on)."""
    best, best_overlap = None, 0
    for row in claims:
        spans = [row.get(name) for name in ("speaker_span", "cue_span", "quote_span")]
        spans = [s for s in spans if s]
        if not spans:
            continue
        low, high = min(s[0] for s in spans), max(s[1] for s in spans)
        overlap = min(high, end) - max(low, start)
        if overlap > best_overlap:
            best, best_overlap = row, overlap
    return best


def statement_from(quote: str) -> str:
    """A first statement from a quote: without its quotation marks, capitalised."""
    inner = quote.strip().strip('"\u201c\u201d').strip()
    return inner[:1].upper() + inner[1:]


def proposal(document: Document, start: int, end: int) -> dict:
    """What intake's reading of the document proposes for the passage: the initial
    values of the form's source, attribution kind and date (empty when it proposes
    nothing there), and ``speaker``, the words it read the speaker from."""
    stored = stored_for()
    report = Report(
        text=document.text,
        title=document.title,
        publisher=document.publisher,
        published_at=document.published_at,
    )
    bundle = propose(report, stored)
    row = pick(bundle["claims"], start, end)
    if row is None:
        return {}
    source = next(s for s in bundle["sources"] if s["key"] == row["source"])
    found = {
        "attribution_kind": row["attribution_kind"],
        "stated_on": row["stated_on"],
        "stated_on_precision": row["stated_on_precision"],
        "speaker": row.get("speaker", ""),
    }
    if source.get("matched"):
        found["source"] = source["matched"]
    else:
        found["new_source_name"] = source["name"]
        found["new_source_kind"] = source["kind"]
    return found


class NewClaimForm(StatedOnFields, NewSourceFields):
    """A claim on a passage of the document; the model's rules run in the
    service, and their errors are shown beside these fields."""

    field_order = [
        "quote",
        "quote_start",
        "statement",
        "source",
        "new_source_name",
        "new_source_kind",
        "attribution_kind",
        "stated_on",
        "stated_on_precision",
    ]

    quote = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        strip=False,
        help_text="The exact words of the document that carry the claim.",
    )
    quote_start = forms.IntegerField(
        required=False,
        min_value=0,
        widget=forms.HiddenInput,
    )
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The claim in one sentence, in your words.",
    )
    source = forms.ModelChoiceField(
        queryset=Source.objects.order_by("name"),
        required=False,
        empty_label="(a new source, named below)",
        help_text="Who made the claim.",
    )
    attribution_kind = forms.ChoiceField(choices=AttributionKind.choices)

    def clean(self):
        data = super().clean()
        self.check_stated_on()
        source, name = data.get("source"), data.get("new_source_name", "").strip()
        if source is not None and name:
            self.add_error(
                "new_source_name",
                "Choose a stored source or name a new one, not both.",
            )
        elif source is None and not name:
            self.add_error("source", "Choose the source, or name a new one below.")
        elif name:
            self.check_new_source()
        return data


#: Fields of the model whose errors the form shows beside its own fields.
_FIELDS_OF = {
    "quote": "quote",
    "quote_start": "quote",
    "statement": "statement",
    "attribution_kind": "attribution_kind",
    "stated_on": "stated_on",
    "stated_on_precision": "stated_on_precision",
    "source": "source",
    "name": "new_source_name",
    "kind": "new_source_kind",
}


def _create(form: NewClaimForm, document: Document, user) -> Claim:
    data = form.cleaned_data
    start, quote = data["quote_start"], data["quote"]
    if start is not None and document.text[start : start + len(quote)] != quote:
        start = None  # the quote was edited: found wherever it occurs once
    with transaction.atomic():
        source = data["source"]
        if source is None:
            source = services.source_create(
                user=user,
                name=data["new_source_name"].strip(),
                kind=data["new_source_kind"],
                reason="Named when claiming a passage",
            )
        return services.claim_create(
            user=user,
            source=source,
            document=document,
            statement=data["statement"],
            quote=quote,
            quote_start=start,
            attribution_kind=data["attribution_kind"],
            stated_on=data["stated_on"],
            stated_on_precision=data["stated_on_precision"],
            reason="Claimed from a passage of the document",
        )


def _add_errors(form: NewClaimForm, error: DjangoValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(_FIELDS_OF.get(name), errors)


def new_claim(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("claims.add_claim"):
        raise PermissionDenied("Recording a claim needs claims.add_claim.")
    document = get_object_or_404(Document, pk=pk)
    text = document.text
    status = 200
    proposed: dict = {}
    passage = None
    if request.method == "POST":
        form = NewClaimForm(request.POST)
        if form.is_valid():
            if form.cleaned_data["source"] is None and not request.user.has_perm(
                "claims.add_source"
            ):
                raise PermissionDenied("Naming a new source needs claims.add_source.")
            try:
                claim = _create(form, document, request.user)
            except DjangoValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"Claim #{claim.pk} recorded.")
                return redirect("claim", pk=claim.pk)
        status = 400
    elif "start" in request.GET or "end" in request.GET:
        form = NewClaimForm()
        try:
            start, end = trimmed(
                text, *selection(text, request.GET.get("start"), request.GET.get("end"))
            )
        except SelectionError as error:
            form = NewClaimForm(initial={})
            form.selection_error = str(error)
            status = 400
        else:
            quote = text[start:end]
            proposed = proposal(document, start, end)
            form = NewClaimForm(
                initial={
                    "quote": quote,
                    "quote_start": start,
                    "statement": statement_from(quote),
                    **{k: v for k, v in proposed.items() if k != "speaker"},
                }
            )
            passage = marking.excerpt(text, start, end, context=160)
    else:
        form = NewClaimForm()
    return render(
        request,
        "claims/new_claim.html",
        {
            "document": document,
            "form": form,
            "passage": passage,
            "proposed": proposed,
            "selection_error": getattr(form, "selection_error", ""),
        },
        status=status,
    )
