"""The editors' admin: every model, with history, autocompletes and bounded queries."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from claims import services
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic


class TrackedAdmin(SimpleHistoryAdmin):
    """History button on every change page; no full-table count on large lists."""

    show_full_result_count = False
    list_per_page = 50


@admin.register(Topic)
class TopicAdmin(TrackedAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name", "description"]


@admin.register(Source)
class SourceAdmin(TrackedAdmin):
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

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_claim_count=Count("claims"))

    @admin.display(description="Claims", ordering="_claim_count")
    def claim_count(self, obj: Source) -> int:
        return obj._claim_count


class ClaimSummaryInline(admin.TabularInline):
    """The document's claims, read-only: editing happens on the claim's own page."""

    model = Claim
    fields = ["statement", "source", "attribution_kind", "stated_on", "credibility"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


@admin.register(Document)
class DocumentAdmin(TrackedAdmin):
    list_display = ["title", "publisher", "published_at", "claim_count"]
    list_filter = ["publisher", "language"]
    search_fields = ["title", "publisher", "url", "byline"]
    date_hierarchy = "published_at"
    inlines = [ClaimSummaryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_claim_count=Count("claims"))

    @admin.display(description="Claims", ordering="_claim_count")
    def claim_count(self, obj: Document) -> int:
        return obj._claim_count


class FigureInline(admin.TabularInline):
    model = Figure
    fields = [
        "measure",
        "text",
        "as_of",
        "qualifier",
        "value",
        "low",
        "high",
        "bounds_overridden",
        "note",
    ]
    autocomplete_fields = ["measure"]
    extra = 0


class LinkOutInline(admin.TabularInline):
    model = Link
    fk_name = "from_claim"
    fields = ["relation", "to_claim", "note"]
    autocomplete_fields = ["to_claim"]
    extra = 0
    verbose_name = "link to another claim"
    verbose_name_plural = "links to other claims"


@admin.register(Claim)
class ClaimAdmin(TrackedAdmin):
    list_display = [
        "short_statement",
        "source",
        "document",
        "attribution_kind",
        "stated_on",
        "attribution_status",
        "credibility",
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
    readonly_fields = ["quote_start", "quote_end", "attribution_status", "credibility"]
    # Source and document columns would otherwise cost two queries a row.
    list_select_related = ["source", "document"]
    inlines = [FigureInline, LinkOutInline]
    fieldsets = [
        (None, {"fields": ["source", "document", "statement", "quote", "topics"]}),
        (
            "Attribution",
            {
                "fields": [
                    "attribution_kind",
                    "stated_on",
                    "stated_on_precision",
                    "quote_start",
                    "quote_end",
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

    def changeform_view(self, request, *args, **kwargs):
        # The page may add links inline: validate them under the link-graph lock.
        if request.method == "POST":
            with transaction.atomic():
                services.lock_link_graph()
                return super().changeform_view(request, *args, **kwargs)
        return super().changeform_view(request, *args, **kwargs)

    @admin.display(description="Statement", ordering="statement")
    def short_statement(self, obj: Claim) -> str:
        return Truncator(obj.statement).chars(90)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Link) and instance.created_by_id is None:
                instance.created_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Measure)
class MeasureAdmin(TrackedAdmin):
    list_display = ["name", "unit", "tolerance", "lower_limit", "figure_count"]
    search_fields = ["name", "unit", "description"]
    list_filter = ["unit", "topics"]
    autocomplete_fields = ["topics"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_figure_count=Count("figures"))

    @admin.display(description="Figures", ordering="_figure_count")
    def figure_count(self, obj: Measure) -> int:
        return obj._figure_count


@admin.register(Figure)
class FigureAdmin(TrackedAdmin):
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

    @admin.display(description="Source", ordering="claim__source__name")
    def claim_source(self, obj: Figure) -> str:
        return obj.claim.source.name


@admin.register(Link)
class LinkAdmin(TrackedAdmin):
    list_display = ["__str__", "relation", "from_claim", "to_claim", "created_by"]
    list_filter = ["relation"]
    search_fields = ["from_claim__statement", "to_claim__statement", "note"]
    autocomplete_fields = ["from_claim", "to_claim"]
    readonly_fields = ["created_by"]
    list_select_related = ["from_claim", "to_claim", "created_by"]

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, *args, **kwargs):
        if request.method == "POST":
            with transaction.atomic():
                services.lock_link_graph()
                return super().changeform_view(request, *args, **kwargs)
        return super().changeform_view(request, *args, **kwargs)


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
