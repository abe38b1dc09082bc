"""The intake page, ``/intake/``: an editor pastes a report with its metadata, reads
the proposals beside the text with every proposed quote marked, edits them and
accepts them as one import (all or nothing), then sees the document's page.

Two steps, each a plain form: the report (``action=read``), then the proposals
(``action=accept``). The text and metadata travel in the second form's fields and
the proposals, signed, in a hidden one: nothing is kept on the server between the
two. What is accepted is built by ``claims.web.intake_bundle`` and stored by
``claims.exchange.bundle.import_bundle``, with the same validation as the API's
import; its errors are shown beside the rows they belong to.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Lower
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from claims.choices import AttributionKind
from claims.exchange.bundle import MODELS, BundleError, import_bundle
from claims.exchange.intake.proposals import Report, report_errors
from claims.exchange.intake.selectors import ReportError, propose_report
from claims.models import Document, Measure, Source, Topic
from claims.web import marking
from claims.web.claim_fields import NewSourceFields, StatedOnFields
from claims.web.intake_bundle import (
    ELSEWHERE,
    NEW,
    REPORT,
    build_bundle,
    parent_names,
    place_errors,
    resolve_parents,
    stored,
)

#: What the import may write (the API's import needs the same): the add permission
#: of every kind a bundle holds, and of topics.
INTAKE_PERMISSIONS = tuple(
    f"claims.add_{model._meta.model_name}" for model in (*MODELS.values(), Topic)
)
#: The most fields the proposals page may post: nine a claim, six a figure and one
#: a link (a report of some 2,000 proposed claims). Django's own limit
#: (``DATA_UPLOAD_MAX_NUMBER_FIELDS``, 1,000) stays for every other page; this one
#: parses its post itself, with this limit, before its CSRF check reads it.
MAX_FIELDS = 20_000
#: The fields of the page besides its rows: the token, the report's five, the
#: signed proposals and the action.
PAGE_FIELDS = 8
#: What is read of a post over the limit: the report, to show it again.
REPORT_FIELDS = ("title", "publisher", "url", "published_at", "text")
#: The signature of the proposals carried between the two steps.
SALT = "claims.web.intake.proposals"
#: How long the proposals read may be accepted: a working day.
MAX_AGE = 12 * 60 * 60


def may_take_in(user) -> bool:
    return bool(user.is_authenticated and user.has_perms(INTAKE_PERMISSIONS))


# Forms -------------------------------------------------------------------------------


def _limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class ReportForm(forms.Form):
    """A pasted report: its text, and what the document row needs."""

    title = forms.CharField(max_length=_limit(Document, "title"))
    publisher = forms.CharField(
        max_length=_limit(Document, "publisher"), required=False
    )
    url = forms.URLField(
        max_length=_limit(Document, "url"),
        required=False,
        label="URL",
        assume_scheme="https",
    )
    published_at = forms.DateTimeField(
        required=False,
        label="Published at",
        help_text=(
            f"In the site's time zone ({settings.TIME_ZONE}). Dates in the text "
            "(\u201con Monday\u201d) are read relative to it."
        ),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="The report's text as published, in English.",
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        for name, reason in report_errors(self.report(), timezone.now()).items():
            self.add_error(name, reason)
        return data

    def report(self) -> Report:
        data = self.cleaned_data
        return Report(
            text=data.get("text", ""),
            title=data.get("title", ""),
            publisher=data.get("publisher", ""),
            url=data.get("url", ""),
            published_at=data.get("published_at"),
        )


def _required_when_included(form: forms.Form, names: dict[str, str]) -> None:
    if not form.cleaned_data.get("include"):
        return
    for name, reason in names.items():
        if name not in form.errors and not form.cleaned_data.get(name):
            form.add_error(name, reason)


class ClaimRowForm(StatedOnFields, NewSourceFields):
    """One proposed claim: whether to accept it, and its values as edited."""

    include = forms.BooleanField(required=False, label="Accept")
    source = forms.ChoiceField(label="Source")
    new_source_parent = forms.CharField(
        required=False,
        max_length=_limit(Source, "name"),
        label="Under",
        help_text="The name of the source it belongs to, if any.",
        widget=forms.TextInput(attrs={"list": "intake-sources"}),
    )
    statement = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    attribution_kind = forms.ChoiceField(
        choices=AttributionKind.choices, label="Attribution"
    )

    def __init__(self, *args, sources: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [*sources, (NEW, "A new source:")]

    def clean(self):
        data = super().clean()
        if not data.get("include"):
            return data
        _required_when_included(self, {"statement": "A claim needs a statement."})
        self.check_stated_on()
        if data.get("source") == NEW:
            self.check_new_source()
        return data


class FigureRowForm(forms.Form):
    """One proposed figure: whether to accept it, its text, claim and measure."""

    include = forms.BooleanField(required=False, label="Accept")
    text = forms.CharField(required=False, label="Figure")
    claim = forms.ChoiceField(label="Of claim")
    measure = forms.ChoiceField(label="Measure")
    new_measure_name = forms.CharField(
        required=False, max_length=_limit(Measure, "name"), label="New measure"
    )
    new_measure_unit = forms.CharField(
        required=False, max_length=_limit(Measure, "unit"), label="Unit"
    )

    def __init__(self, *args, claims: list, measures: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim"].choices = claims
        self.fields["measure"].choices = [*measures, (NEW, "A new measure:")]

    def clean(self):
        data = super().clean()
        _required_when_included(self, {"text": "A figure needs its text."})
        if data.get("include") and data.get("measure") == NEW:
            _required_when_included(
                self,
                {
                    "new_measure_name": "A new measure needs a name.",
                    "new_measure_unit": "A new measure needs a unit.",
                },
            )
        return data


class LinkRowForm(forms.Form):
    include = forms.BooleanField(required=False, label="Accept")


# The proposals as forms ---------------------------------------------------------------


def _by_key(rows) -> dict:
    return {row["key"]: row for row in rows}


class Proposals:
    """Intake's proposals as the page's forms: one per claim, figure and link,
    prefixed by the row's key, filled from the proposals or bound to a post."""

    def __init__(self, proposals: dict, data=None):
        self.proposals = proposals
        sources = _by_key(proposals.get("sources", []))
        measures = _by_key(proposals.get("measures", []))
        names = {s["matched"]: s["name"] for s in sources.values() if s.get("matched")}
        for source in sources.values():
            names.update({c["id"]: c["name"] for c in source.get("candidates", [])})
        names.update(
            stored_names(
                {s["parent"] for s in sources.values() if s.get("parent")} - set(names)
            )
        )
        #: The stored sources the proposals name, offered as parents.
        self.source_names = sorted(set(names.values()))
        stored_measures = sorted(
            {
                (stored(m["matched"]), m["name"])
                for m in measures.values()
                if m.get("matched")
            },
            key=lambda c: c[1],
        )
        claim_choices = [
            (c["key"], f"{c['key']}: {c.get('speaker') or ''}")
            for c in proposals.get("claims", [])
        ]
        self.claims = []
        for row in proposals.get("claims", []):
            source = sources.get(row["source"], {})
            offered = []
            if source.get("matched"):
                offered.append((stored(source["matched"]), source["name"]))
            offered += [
                (stored(c["id"]), c["name"]) for c in source.get("candidates", [])
            ]
            self.claims.append(
                ClaimRowForm(
                    data,
                    prefix=row["key"],
                    initial=_claim_initial(row, source, names),
                    sources=offered,
                )
            )
        self.figures = [
            FigureRowForm(
                data,
                prefix=row["key"],
                initial=_figure_initial(row, measures.get(row["measure"], {})),
                claims=claim_choices,
                measures=stored_measures,
            )
            for row in proposals.get("figures", [])
        ]
        self.links = [
            LinkRowForm(data, prefix=row["key"], initial={"include": True})
            for row in proposals.get("links", [])
        ]

    def forms(self) -> list[forms.Form]:
        return [*self.claims, *self.figures, *self.links]

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.forms()])

    def choices(self) -> dict[str, dict]:
        return {form.prefix: form.cleaned_data for form in self.forms()}

    def rows(self) -> list[dict]:
        """Each claim with its form, the figures proposed for it and the links from
        it, for the template."""
        figures = {}
        for row, form in zip(
            self.proposals.get("figures", []), self.figures, strict=True
        ):
            figures.setdefault(row["claim"], []).append({"row": row, "form": form})
        links = {}
        for row, form in zip(self.proposals.get("links", []), self.links, strict=True):
            links.setdefault(row["from_claim"], []).append({"row": row, "form": form})
        return [
            {
                "row": row,
                "form": form,
                "figures": figures.get(row["key"], []),
                "links": links.get(row["key"], []),
            }
            for row, form in zip(
                self.proposals.get("claims", []), self.claims, strict=True
            )
        ]

    def show_errors(self, placed: dict[str, list[tuple[str, str]]]) -> None:
        for form in self.forms():
            for name, reason in placed.get(form.prefix, []):
                form.add_error(name if name in form.fields else None, reason)


def stored_names(ids: set[int]) -> dict[int, str]:
    """The names of the stored sources proposed as parents: one query."""
    if not ids:
        return {}
    return dict(Source.objects.filter(pk__in=ids).values_list("pk", "name"))


def stored_by_name(names: set[str]) -> dict[str, int]:
    """The stored sources of these lower-case names, by name: one query."""
    if not names:
        return {}
    found = (
        Source.objects.annotate(lname=Lower("name"))
        .filter(lname__in=names)
        .order_by("pk")
        .values_list("lname", "pk")
    )
    by_name: dict[str, int] = {}
    for name, pk in found:
        by_name.setdefault(name, pk)  # of two of one name, the first stored
    return by_name


def _claim_initial(row: dict, source: dict, names: dict[int, str]) -> dict:
    return {
        "include": True,
        "source": stored(source["matched"]) if source.get("matched") else NEW,
        "new_source_name": "" if source.get("matched") else source.get("name", ""),
        "new_source_kind": "" if source.get("matched") else source.get("kind", ""),
        "new_source_parent": names.get(source.get("parent"), ""),
        "statement": row.get("statement", ""),
        "attribution_kind": row.get("attribution_kind", ""),
        "stated_on": row.get("stated_on"),
        "stated_on_precision": row.get("stated_on_precision") or "",
    }


def _figure_initial(row: dict, measure: dict) -> dict:
    return {
        "include": True,
        "text": row.get("text", ""),
        "claim": row.get("claim"),
        "measure": stored(measure["matched"]) if measure.get("matched") else NEW,
        "new_measure_name": "" if measure.get("matched") else measure.get("name", ""),
        "new_measure_unit": "" if measure.get("matched") else measure.get("unit", ""),
    }


def marked_text(text: str, claims: list[dict]) -> list[dict]:
    """The text cut into pieces, each with the keys of the proposed quotes over it
    and of those ending with it."""
    keys = [c["key"] for c in claims]
    spans = [
        marking.Span(index, *c["quote_span"])
        for index, c in enumerate(claims)
        if len(c.get("quote_span") or ()) == 2
    ]
    return [
        {
            "text": piece.text,
            "keys": [keys[i] for i in piece.covering],
            "ending": [keys[i] for i in piece.ending],
        }
        for piece in marking.segments(text, spans)
    ]


def _without_text(proposals: dict) -> dict:
    """The proposals to carry to the next step: the text travels in its own field."""
    documents = [
        {k: v for k, v in d.items() if k != "text"}
        for d in proposals.get("documents", [])
    ]
    return {**proposals, "documents": documents}


def fields_needed(proposals: dict) -> int:
    """How many fields the proposals page posts for these proposals (at most)."""
    return (
        PAGE_FIELDS
        + len(ClaimRowForm.base_fields) * len(proposals.get("claims", []))
        + len(FigureRowForm.base_fields) * len(proposals.get("figures", []))
        + len(LinkRowForm.base_fields) * len(proposals.get("links", []))
    )


def too_many_fields(count: int) -> str:
    return (
        f"The page posted {count:,} fields; intake accepts at most {MAX_FIELDS:,} "
        "at once (some 2,000 proposed claims). Nothing was stored: read the report "
        "in parts, each pasted on its own."
    )


def too_many_proposals(proposals: dict) -> str:
    claims, figures = len(proposals["claims"]), len(proposals["figures"])
    return (
        f"The text yields {claims:,} proposed claims and {figures:,} figures, more "
        f"than one page of proposals can send back ({fields_needed(proposals):,} "
        f"fields; at most {MAX_FIELDS:,}). Split the report and read each part."
    )


def _parse_post(request) -> int | None:
    """Read a form's post (``application/x-www-form-urlencoded``, as the page
    sends) with intake's own limit of fields, as ``request.POST``. Over the limit,
    ``request.POST`` holds only the report's fields and the CSRF token, and the
    answer is how many fields were posted; else None. Other bodies are left to
    Django."""
    if request.content_type != "application/x-www-form-urlencoded":
        return None
    body = request.body
    encoding = request.encoding or settings.DEFAULT_CHARSET
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        text = body.decode("iso-8859-1")
    post = QueryDict(mutable=True, encoding=encoding)
    try:
        pairs = parse_qsl(
            text, keep_blank_values=True, encoding=encoding, max_num_fields=MAX_FIELDS
        )
    except ValueError:
        # Only what the report page needs (the first of each), without splitting
        # the whole body into fields.
        wanted = ("csrfmiddlewaretoken", *REPORT_FIELDS)
        found: dict[str, str] = {}
        pattern = rf"(?<![^&])({'|'.join(wanted)})=([^&]*)"
        for match in re.finditer(pattern, text):
            found.setdefault(match[1], match[2])
            if len(found) == len(wanted):
                break
        pairs = parse_qsl(
            "&".join(f"{name}={value}" for name, value in found.items()),
            keep_blank_values=True,
            encoding=encoding,
        )
        count = text.count("&") + 1
    else:
        count = None
    for name, value in pairs:
        post.appendlist(name, value)
    post._mutable = False
    request.POST, request._files = post, MultiValueDict()
    return count


# The view ------------------------------------------------------------------------------


@csrf_exempt  # checked by ``_intake``, once the post is read with intake's limit
@require_http_methods(["GET", "POST"])
def intake(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_take_in(request.user):
        raise PermissionDenied("Intake needs the permissions of the import.")
    posted = _parse_post(request) if request.method == "POST" else None
    return _intake(request, posted)


@csrf_protect
def _intake(request, posted_over_limit: int | None):
    if posted_over_limit is not None:
        report = ReportForm(request.POST)  # the report's fields alone
        report.is_valid()
        report.add_error(None, too_many_fields(posted_over_limit))
        return render(request, "claims/intake.html", {"report": report}, status=400)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "accept":
        return _accept(request)
    if action == "edit":  # back to the text, as posted
        report = ReportForm(
            initial={
                name: request.POST.get(name, "") for name in ReportForm.base_fields
            }
        )
    else:
        report = ReportForm(request.POST if action == "read" else None)
    if action == "read" and report.is_valid():
        try:
            proposals = propose_report(report.report())
        except ReportError as error:  # a race with the form's own check
            for name, reason in error.errors.items():
                report.add_error(name, reason)
        else:
            if fields_needed(proposals) <= MAX_FIELDS:
                return _proposals_page(request, report, proposals, Proposals(proposals))
            report.add_error("text", too_many_proposals(proposals))
    return render(
        request,
        "claims/intake.html",
        {"report": report},
        status=400 if report.errors else 200,
    )


def _proposals_page(request, report, proposals, rows, errors=(), status=200):
    return render(
        request,
        "claims/intake_proposals.html",
        {
            "report": report,
            "signed": signing.dumps(_without_text(proposals), salt=SALT, compress=True),
            "intake": proposals.get("intake", {}),
            "document": (proposals.get("documents") or [{}])[0],
            "pieces": marked_text(report.cleaned_data["text"], proposals["claims"]),
            "rows": rows.rows(),
            "source_names": rows.source_names,
            "errors": errors,
            "refused": status == 400,
        },
        status=status,
    )


def _accept(request):
    report = ReportForm(request.POST)
    try:
        proposals = signing.loads(
            request.POST.get("proposals", ""), salt=SALT, max_age=MAX_AGE
        )
    except signing.BadSignature:
        report.is_valid()
        report.add_error(
            None,
            "The proposals were changed or are too old to accept: read the text again.",
        )
        return render(request, "claims/intake.html", {"report": report}, status=400)
    rows = Proposals(proposals, request.POST)
    if rows.is_valid():
        choices = rows.choices()
        for key, reason in resolve_parents(
            choices, stored_by_name(parent_names(choices))
        ).items():
            rows.show_errors({key: [("new_source_parent", reason)]})
    if not (report.is_valid() & rows.is_valid()):
        if not report.is_valid() and "text" in report.errors:
            return render(request, "claims/intake.html", {"report": report}, status=400)
        report.cleaned_data.setdefault("text", request.POST.get("text", ""))
        return _proposals_page(request, report, proposals, rows, status=400)
    accepted = build_bundle(report.cleaned_data, proposals, choices)
    try:
        result = import_bundle(accepted.bundle, user=request.user)
    except BundleError as error:
        placed = place_errors(error.errors, accepted.rows)
        rows.show_errors(placed)
        for name, reason in placed.get(REPORT, []):
            if name in report.fields and name != "text":
                report.add_error(name, reason)
            else:
                placed.setdefault(ELSEWHERE, []).append(("", f"The document: {reason}"))
        unplaced = [reason for _name, reason in placed.get(ELSEWHERE, [])]
        return _proposals_page(
            request, report, proposals, rows, errors=unplaced, status=400
        )
    claims = result.created.get("claims", 0)
    messages.success(
        request,
        f"Imported: {claims} claim{'s' if claims != 1 else ''}, "
        f"{result.created.get('figures', 0)} figure(s), "
        f"{result.created.get('links', 0)} link(s).",
    )
    return redirect("document", pk=result.ids["documents"]["d1"])
