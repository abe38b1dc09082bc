"""The editors' admin: every model, with history, autocompletes and bounded queries.

Every save and delete goes through ``claims.services``: the forms validate with the
models' rules (as the services do), and the service writes, with its consequences
and one history entry carrying the editor.
"""

import inspect

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.html import format_html
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from claims import selectors, services
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic


def _service(kind: str, action: str):
    return getattr(services, f"{kind}_{action}")


def _create_arguments(kind: str, form: forms.BaseForm, **extra) -> dict:
    """The service's create arguments from a valid form's cleaned data."""
    accepted = inspect.signature(_service(kind, "create")).parameters
    data = {
        _ARGUMENTS.get(name, name): value
        for name, value in form.cleaned_data.items()
        if _ARGUMENTS.get(name, name) in accepted and name not in ("user", "reason")
    }
    return {**data, **extra}


#: Form fields named otherwise than the service's arguments they fill.
_ARGUMENTS = {"occurrence_start": "quote_start"}


def _changes(form: forms.BaseForm) -> dict:
    """What an edit changed, as the service's ``changes``."""
    return {
        _ARGUMENTS.get(name, name): form.cleaned_data[name]
        for name in form.changed_data
        if name in form.cleaned_data and name != "DELETE"
    }


def _adopt(target, created) -> None:
    """Make the form's instance the row the service created (the admin goes on with
    it: redirects, inlines, messages)."""
    target.__dict__.update(
        {k: v for k, v in created.__dict__.items() if not k.startswith("_")}
    )
    target._state.adding = False
    target._state.db = created._state.db


class TrackedAdmin(SimpleHistoryAdmin):
    """History button on every change page; no full-table count on large lists;
    writes through the kind's services."""

    show_full_result_count = False
    list_per_page = 50
    #: The kind's name in ``claims.services``.
    kind = ""

    def save_model(self, request, obj, form, change):
        if change:
            _service(self.kind, "update")(
                **{self.kind: obj}, user=request.user, changes=_changes(form)
            )
        else:
            created = _service(self.kind, "create")(
                user=request.user, **_create_arguments(self.kind, form)
            )
            _adopt(obj, created)
        # The service wrote the many-to-many fields too (in the same entry).
        form.save_m2m = lambda: None

    def delete_model(self, request, obj):
        _service(self.kind, "delete")(**{self.kind: obj}, user=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows through their kind's services, keyed to the parent row."""
        kind = formset.model._meta.model_name
        parent = {formset.fk.name: form.instance}
        formset.new_objects, formset.changed_objects = [], []
        formset.deleted_objects = []
        for inline in formset.initial_forms:
            obj = inline.instance
            if formset.can_delete and formset._should_delete_form(inline):
                _service(kind, "delete")(**{kind: obj}, user=request.user)
                formset.deleted_objects.append(obj)
            elif inline.has_changed():
                _service(kind, "update")(
                    **{kind: obj}, user=request.user, changes=_changes(inline)
                )
                formset.changed_objects.append((obj, inline.changed_data))
        for inline in formset.extra_forms:
            if not inline.has_changed() or (
                formset.can_delete and formset._should_delete_form(inline)
            ):
                continue
            created = _service(kind, "create")(
                user=request.user, **_create_arguments(kind, inline, **parent)
            )
            _adopt(inline.instance, created)
            formset.new_objects.append(inline.instance)
        if kind == "figure":
            written = [
                *formset.new_objects,
                *(obj for obj, _ in formset.changed_objects),
            ]
            _warn_of_figures(request, written)


def _warn_of_figures(request, figures) -> None:
    """A message, not a refusal, for each figure whose measure shares no topic with
    its claim (``selectors.figure_warnings``)."""
    for figure in figures:
        for warning in selectors.figure_warnings(figure):
            messages.warning(request, f"Figure “{figure.text}”: {warning}")


@admin.register(Topic)
class TopicAdmin(TrackedAdmin):
    kind = "topic"
    list_display = ["name", "created_at"]
    search_fields = ["name", "description"]


class LinkGraphLockMixin:
    """A page that writes links (its own row or inline ones) validates them under
    the link-graph lock, as the services do: no cycle or duplicate slips between
    two writers."""

    def changeform_view(self, request, *args, **kwargs):
        if request.method == "POST":
            with transaction.atomic():
                services.lock_link_graph()
                return super().changeform_view(request, *args, **kwargs)
        return super().changeform_view(request, *args, **kwargs)


class ClaimCountMixin:
    """A "Claims" column: how many claims name the row, counted in the list's own
    query."""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_claim_count=Count("claims"))

    @admin.display(description="Claims", ordering="_claim_count")
    def claim_count(self, obj) -> int:
        return obj._claim_count


class LinesField(forms.Field):
    """A list of short texts typed one a line (a source's aliases): blank lines
    and surrounding spaces dropped, a repeated line kept once."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 40})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list | tuple):
            lines = [str(item) for item in value]
        else:
            lines = str(value or "").splitlines()
        return list(dict.fromkeys(line.strip() for line in lines if line.strip()))

    def has_changed(self, initial, data) -> bool:
        return self.to_python(initial) != self.to_python(data)


class SourceForm(forms.ModelForm):
    aliases = LinesField(
        required=False,
        help_text='Other names it goes by, one a line (e.g. "NIS" and "National '
        'Intelligence Service").',
    )


@admin.register(Source)
class SourceAdmin(ClaimCountMixin, TrackedAdmin):
    kind = "source"
    form = SourceForm
    list_display = ["name", "kind", "parent", "country", "reliability", "claim_count"]
    list_filter = [
        "kind",
        "country",
        "reliability",
        ("parent", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "aliases", "description"]
    autocomplete_fields = ["parent"]
    # The parent column would otherwise cost one query a row.
    list_select_related = ["parent"]


class ShownRowForm(forms.ModelForm):
    """A row shown for reading only: nothing of it is edited or saved, so it is not
    validated either (its model's rules would name fields the row does not have)."""

    def _post_clean(self):
        pass


class ClaimSummaryInline(admin.TabularInline):
    """The document's claims, read-only: editing happens on the claim's own page."""

    model = Claim
    form = ShownRowForm
    fields = ["statement", "source", "attribution_kind", "stated_on", "credibility"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


class DocumentForm(forms.ModelForm):
    """A new text or publication day is checked against the document's claims and
    their figures as the service checks it, so a refusal shows beside the field."""

    def _post_clean(self):
        super()._post_clean()
        changes = {
            name: self.cleaned_data[name]
            for name in ("text", "published_at")
            if name in self.changed_data and name not in self._errors
        }
        try:
            services.check_document_change(self.instance, changes)
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Document)
class DocumentAdmin(ClaimCountMixin, TrackedAdmin):
    kind = "document"
    form = DocumentForm
    list_display = ["title", "publisher", "published_at", "claim_count"]
    list_filter = ["publisher", "language"]
    search_fields = ["title", "publisher", "url", "byline"]
    date_hierarchy = "published_at"
    inlines = [ClaimSummaryInline]


#: A figure's fields read from its text, editable only with ``bounds_overridden``.
DERIVED = ("qualifier", "value", "low", "high")


class FigureForm(forms.ModelForm):
    """A date typed in is the figure's own; an emptied one follows the claim's.

    The qualifier, value and bounds are read from the text: they are shown read-only
    and what is sent for them is ignored, unless "bounds overridden" is ticked (then
    they are taken as typed, and the model asks for a note saying why). Without
    JavaScript, ticking the box and saving opens them; the admin's script
    (``claims/js/figure_bounds.js``) opens them as the box is ticked."""

    class Media:
        js = ["claims/js/figure_bounds.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self._overridden():
            for name in DERIVED:
                if name in self.fields:
                    widget = self.fields[name].widget
                    widget.attrs["data-derived"] = "1"
                    widget.attrs["readonly"] = True
                    widget.attrs["aria-readonly"] = "true"
                    self.fields[name].help_text = "Read from the text."

    def _overridden(self) -> bool:
        if self.is_bound:
            name = self.add_prefix("bounds_overridden")
            return self.data.get(name) not in (None, "", "off", "false", "0")
        return bool(self.instance.bounds_overridden)

    def clean(self):
        data = super().clean()
        if "as_of" in self.changed_data:
            self.instance.as_of_given = data.get("as_of") is not None
        if not data.get("bounds_overridden"):
            # Derived from the text: what was sent for them is not taken.
            for name in DERIVED:
                data[name] = getattr(self.instance, name)
                self.errors.pop(name, None)
            self.changed_data[:] = [n for n in self.changed_data if n not in DERIVED]
        return data


class FigureInline(admin.TabularInline):
    model = Figure
    form = FigureForm
    fields = [
        *(
            name
            for name in services.writable(services.FigureChanges)
            if name != "claim"
        ),
        "interval",
    ]
    readonly_fields = ["interval"]
    autocomplete_fields = ["measure"]
    extra = 0

    @admin.display(description="Interval")
    def interval(self, obj: Figure) -> str:
        return figure_interval(obj)


def figure_interval(figure: Figure) -> str:
    """The interval a figure stands for, in words: "2,700 to 3,300", "at least
    120", "—" before it is saved."""
    low, high = figure.low, figure.high
    if low is None and high is None:
        return "—"

    def number(value) -> str:
        return f"{value.normalize():,f}" if value is not None else ""

    if high is None:
        return f"at least {number(low)}"
    if low is None:
        return f"up to {number(high)}"
    if low == high:
        return number(low)
    return f"{number(low)} to {number(high)}"


class LinkOutInline(admin.TabularInline):
    model = Link
    fk_name = "from_claim"
    fields = ["relation", "to_claim", "note"]
    autocomplete_fields = ["to_claim"]
    extra = 0
    verbose_name = "link to another claim"
    verbose_name_plural = "links to other claims"


class ClaimForm(forms.ModelForm):
    """Beside the claim's fields, how to pick the quote when it occurs more than
    once in the document's text (a W3C TextQuoteSelector's prefix and suffix, or
    the start offset)."""

    quote_prefix = forms.CharField(
        required=False,
        strip=False,
        help_text="When the quote occurs more than once: the text just before it.",
    )
    quote_suffix = forms.CharField(
        required=False,
        strip=False,
        help_text="When the quote occurs more than once: the text just after it.",
    )
    occurrence_start = forms.IntegerField(
        required=False,
        min_value=0,
        label="Quote starts at",
        help_text="Or: the offset in the document's text where this occurrence starts.",
    )

    def clean(self):
        data = super().clean()
        claim = self.instance
        claim.quote_prefix = data.get("quote_prefix") or None
        claim.quote_suffix = data.get("quote_suffix") or None
        claim.quote_start_given = data.get("occurrence_start")
        if {
            "quote",
            "document",
            "quote_prefix",
            "quote_suffix",
            "occurrence_start",
        } & set(self.changed_data):
            claim.quote_start = None  # anchored afresh
        return data

    def _update_errors(self, errors):
        # The model names the start offset it was given quote_start; here it is
        # occurrence_start (quote_start is where the quote was found).
        if hasattr(errors, "error_dict") and "quote_start" in errors.error_dict:
            errors.error_dict["occurrence_start"] = errors.error_dict.pop("quote_start")
        super()._update_errors(errors)


@admin.register(Claim)
class ClaimAdmin(LinkGraphLockMixin, TrackedAdmin):
    kind = "claim"
    form = ClaimForm

    class Media:
        # A claim list that fits 1,400 px: the statement column is given room and
        # cut short (the whole statement on hover), the others kept compact.
        css = {"all": ["claims/css/admin_claims.css"]}

    list_display = [
        "short_statement",
        "source",
        "document",
        "attributed_as",
        "date",
        "status",
        "grade",
    ]
    list_filter = [
        ("source", admin.RelatedOnlyFieldListFilter),
        "attribution_kind",
        "attribution_status",
        "credibility",
        "topics",
        "stated_on_precision",
    ]
    search_fields = ["statement", "quote", "source__name"]
    autocomplete_fields = ["source", "document", "topics"]
    readonly_fields = ["quote_span", "attribution_status", "credibility"]
    # Source and document columns would otherwise cost two queries a row.
    list_select_related = ["source", "document"]
    inlines = [FigureInline, LinkOutInline]
    fieldsets = [
        (None, {"fields": ["source", "document", "statement", "quote", "topics"]}),
        (
            "Which occurrence of the quote",
            {
                "classes": ["collapse"],
                "fields": ["quote_prefix", "quote_suffix", "occurrence_start"],
            },
        ),
        (
            "Attribution",
            {
                "fields": [
                    "attribution_kind",
                    "stated_on",
                    "stated_on_precision",
                    "quote_span",
                ]
            },
        ),
        (
            "Current grade (from the latest review)",
            {
                "fields": [
                    "attribution_status",
                    "credibility",
                ]
            },
        ),
    ]

    @admin.display(description="Kind", ordering="attribution_kind")
    def attributed_as(self, obj: Claim) -> str:
        return obj.get_attribution_kind_display()

    @admin.display(description="Date", ordering="stated_on")
    def date(self, obj: Claim):
        return obj.stated_on

    @admin.display(description="Status", ordering="attribution_status")
    def status(self, obj: Claim) -> str:
        return obj.get_attribution_status_display()

    @admin.display(description="Grade", ordering="credibility")
    def grade(self, obj: Claim) -> str:
        """The credibility grade's number, its words on hover."""
        return format_html(
            '<abbr title="{}">{}</abbr>', obj.get_credibility_display(), obj.credibility
        )

    @admin.display(description="Quote found at")
    def quote_span(self, obj: Claim) -> str:
        if obj.quote_start is None:
            return "—"
        return f"{obj.quote_start}–{obj.quote_end}"

    @admin.display(description="Statement", ordering="statement")
    def short_statement(self, obj: Claim) -> str:
        """The statement cut to fit its column; the whole of it on hover."""
        return format_html(
            '<span class="statement" title="{}">{}</span>',
            obj.statement,
            Truncator(obj.statement).chars(80),
        )


@admin.register(Measure)
class MeasureAdmin(TrackedAdmin):
    kind = "measure"
    list_display = ["name", "unit", "kind", "tolerance", "lower_limit", "figure_count"]
    search_fields = ["name", "unit", "description"]
    list_filter = ["kind", "unit", "topics"]
    autocomplete_fields = ["topics"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_figure_count=Count("figures"))

    @admin.display(description="Figures", ordering="_figure_count")
    def figure_count(self, obj: Measure) -> int:
        return obj._figure_count


@admin.register(Figure)
class FigureAdmin(TrackedAdmin):
    kind = "figure"
    form = FigureForm
    list_display = [
        "text",
        "measure",
        "claim_source",
        "qualifier",
        "low",
        "high",
        "as_of",
    ]
    list_filter = ["qualifier", ("measure", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["text", "note", "measure__name", "claim__source__name"]
    autocomplete_fields = ["claim", "measure"]
    # Measure and the claim's source are shown on every row.
    list_select_related = ["measure", "claim__source"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _warn_of_figures(request, [obj])

    @admin.display(description="Source", ordering="claim__source__name")
    def claim_source(self, obj: Figure) -> str:
        return obj.claim.source.name


@admin.register(Link)
class LinkAdmin(LinkGraphLockMixin, TrackedAdmin):
    kind = "link"
    list_display = ["__str__", "relation", "from_claim", "to_claim", "created_by"]
    list_filter = ["relation"]
    search_fields = ["from_claim__statement", "to_claim__statement", "note"]
    autocomplete_fields = ["from_claim", "to_claim"]
    readonly_fields = ["created_by"]
    list_select_related = ["from_claim", "to_claim", "created_by"]


@admin.register(Review)
class ReviewAdmin(TrackedAdmin):
    list_display = [
        "claim",
        "reviewer",
        "attribution_status",
        "credibility",
        "created_at",
    ]
    list_filter = ["attribution_status", "credibility"]
    search_fields = ["claim__statement", "rationale", "reviewer__username"]
    autocomplete_fields = ["claim"]
    readonly_fields = ["reviewer"]
    list_select_related = ["claim", "reviewer"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a record of a judgement stays; a later review supersedes it

    def get_readonly_fields(self, request, obj=None):
        # A review is a record of a judgement: it is never edited, only superseded.
        if obj is not None:
            return [
                "claim",
                "reviewer",
                "attribution_status",
                "credibility",
                "rationale",
            ]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        review = services.review_create(
            claim=obj.claim,
            reviewer=request.user,
            attribution_status=obj.attribution_status,
            credibility=obj.credibility,
            rationale=obj.rationale,
        )
        obj.pk = review.pk
        obj._state.adding = False
