"""The REST API: declarative viewsets over the models, and the computed views."""

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse as url_path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import filters, generics, mixins, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import (
    APIException,
    NotFound,
    ParseError,
    ValidationError,
)
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import APIRootView
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from claims import (
    caching,
    filtersets,
    representations,
    search,
    selectors,
    services,
    sign_in,
)
from claims.api import answers, permissions, serializers
from claims.api import csv as tabular
from claims.exchange import bundle, bundle_schema, csv_bundle, linked_data
from claims.exchange import selectors as exchange
from claims.exchange.intake import selectors as intake
from claims.history import history_entries
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic
from claims.pagination import CachedCountPaginator


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


#: Validation codes that mean a conflict with other stored data (409), not a bad
#: value (400).
CONFLICT_CODES = {
    "duplicate_quote",
    "claims_do_not_fit",
    "figures_unreadable",
    "figures_after_document",
}


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's refusal as the API answers it: 400 naming each field, 409 for a
    conflict with other data, 412 for a stale If-Match."""
    try:
        yield
    except DjangoValidationError as error:
        detail = serializers.drf_errors(error).detail
        groups = (
            error.error_dict.values()
            if hasattr(error, "error_dict")
            else [error.error_list]
        )
        codes = {e.code for errors in groups for e in errors}
        if codes & CONFLICT_CODES:
            raise Conflict(detail) from error
        raise ValidationError(detail) from error
    except services.StaleVersion as error:
        raise PreconditionFailed() from error


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The object has changed since you read it (If-Match does not match its "
        "ETag). Read it again and reapply your change."
    )
    default_code = "precondition_failed"


class JSONLDRenderer(JSONRenderer):
    """JSON-LD (``claims.exchange.linked_data``), as ``application/ld+json``."""

    media_type = linked_data.JSON_LD_MEDIA_TYPE
    format = "jsonld"


#: The linked-data answers: JSON-LD, or plain JSON to a client that asks for it.
LINKED_DATA_RENDERERS = [JSONLDRenderer, JSONRenderer]


class JSONLDParser(JSONParser):
    """A JSON-LD body (``application/ld+json``, with any ``profile``, as the Web
    Annotation Protocol posts annotations), read as the JSON it is."""

    media_type = linked_data.JSON_LD_MEDIA_TYPE


class LinkedDataErrorsMixin:
    """An error answered by a linked-data view is plain JSON, as everywhere in the
    API, not a JSON-LD document."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # A streamed CSV is no DRF Response: it has no exception to look at.
        if getattr(response, "exception", False) and isinstance(
            getattr(response, "accepted_renderer", None), JSONLDRenderer
        ):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


class StandardPagination(PageNumberPagination):
    django_paginator_class = CachedCountPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def etag_of(instance) -> str:
    return f'"{instance.version}"'


class HistoryMixin:
    """``history/``: every change of one object, oldest first, with who, when, what.

    Read from the history table, so a deleted object's history stays readable.
    """

    lookup_value_regex = "[0-9]+"

    @extend_schema(responses=serializers.HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        model = self.get_queryset().model
        entries = history_entries(model, pk)
        if not entries:
            get_object_or_404(model, pk=pk)
        return Response(entries)


class ETagMixin:
    """An ``ETag`` (the object's version) on every answer that carries one object."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        instance = getattr(self, "_etag_instance", None)
        version = getattr(self, "_etag_version", None)
        if response.status_code < 300:
            if instance is not None:
                response["ETag"] = etag_of(instance)
            elif version is not None:
                response["ETag"] = f'"{version}"'
        return response

    def retrieve(self, request, *args, **kwargs):
        self._etag_instance = self.get_object()
        return Response(self.get_serializer(self._etag_instance).data)


class ListFiltersMixin:
    """Filters, search and ordering narrow lists; an object named by its id is found
    by its id alone (DRF would otherwise build and validate every filter first)."""

    def filter_queryset(self, queryset):
        if getattr(self, "detail", False) or not self._filters_asked():
            return queryset
        return super().filter_queryset(queryset)

    def _filters_asked(self) -> bool:
        """Whether the query names a filter, a search or an ordering. Without one
        the filters would leave the list as it is, after building a filter form
        (a copy of every filter) on each request."""
        filterset = getattr(self, "filterset_class", None)
        if filterset is None:
            return True
        asked = set(self.request.query_params)
        return bool(
            asked
            & {
                *filterset.base_filters,
                api_settings.SEARCH_PARAM,
                api_settings.ORDERING_PARAM,
            }
        )


class AskedFiltersBackend(DjangoFilterBackend):
    """django-filter's backend, building a request's filter set of the filters the
    query names only: the others, not given, would filter nothing, and building
    each (a deep copy of every filter, its form field and its queryset) was most of
    a filtered list's cost. The API schema still lists every filter."""

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        asked = frozenset(request.query_params) & frozenset(
            filterset_class.base_filters
        )
        kwargs = self.get_filterset_kwargs(request, queryset, view)
        return _narrowed(filterset_class, asked)(**kwargs)


@lru_cache(maxsize=256)
def _narrowed(filterset_class, asked: frozenset):
    """``filterset_class`` with the filters named in ``asked`` only."""
    narrowed = type(filterset_class.__name__, (filterset_class,), {})
    narrowed.base_filters = {
        name: field
        for name, field in filterset_class.base_filters.items()
        if name in asked
    }
    return narrowed


class CSVMixin:
    """Lists and comparisons also answer ``text/csv`` (``?format=csv`` or
    ``Accept: text/csv``; ``claims.api.csv``): a list with its filters and every
    row, streamed; a comparison one row a figure. Other actions answer JSON only.
    """

    csv_actions = ("list", "comparison")

    def get_renderers(self):
        renderers = super().get_renderers()
        if self.action in self.csv_actions:
            renderers.append(tabular.CSVRenderer())
        return renderers

    def _csv_asked(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return isinstance(renderer, tabular.CSVRenderer)

    def list(self, request, *args, **kwargs):
        if not self._csv_asked():
            return super().list(request, *args, **kwargs)
        # The rows' links as the JSON list has them: without ?format=csv.
        plain = copy.copy(request._request)
        plain.GET = request.GET.copy()
        plain.GET.pop(api_settings.URL_FORMAT_OVERRIDE, None)
        serializer = self.get_serializer_class()(
            context={**self.get_serializer_context(), "request": plain}
        )
        return tabular.streamed(
            tabular.columns_of(serializer),
            tabular.serialized(self.filter_queryset(self.get_queryset()), serializer),
            self.basename,
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if not self._csv_asked() or not isinstance(response, Response):
            return response
        if response.exception or response.status_code >= 300:
            # An error is plain JSON, as everywhere in the API.
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
            return response
        rows = tabular.comparison_rows(response.data)
        name = f"{self.basename}-{self.kwargs.get('pk')}-comparison"
        return tabular.streamed(tabular.COMPARISON_COLUMNS, rows, name)


class TrackedViewSet(
    CSVMixin, ListFiltersMixin, HistoryMixin, ETagMixin, viewsets.ModelViewSet
):
    """What every model's endpoint shares.

    - An update or delete sent with ``If-Match`` applies only if the object is
      still at that version, checked by a conditional UPDATE inside the write's
      transaction, so two writers cannot both pass the check.
    - A delete that other rows depend on answers 409 naming them.
    """

    pagination_class = StandardPagination
    filter_backends = [
        AskedFiltersBackend,
        filters.SearchFilter,
        filters.OrderingFilter,
    ]

    def answer_generations(self) -> list[str] | None:
        """The generations the action's answer is read at, if it is kept
        (``claims.api.answers``); None: not kept."""
        return None

    def check_throttles(self, request):
        # A kept answer is read with the throttle's count: one round trip.
        keys = self.answer_generations()
        if keys is not None:
            answers.read_ahead(request, keys)
        super().check_throttles(request)

    def _expected_version(self) -> int | None:
        header = self.request.headers.get("If-Match")
        if header is None or header.strip() == "*":
            return None
        try:
            return int(header.strip().removeprefix("W/").strip('"'))
        except ValueError:
            raise PreconditionFailed(
                f'If-Match must be an ETag this API gave, such as "3"; got {header}.'
            ) from None

    #: The kind's name in ``claims.services`` (``claim`` -> ``claim_create``, ...).
    kind = ""

    def _service(self, action: str):
        return getattr(services, f"{self.kind}_{action}")

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = self._service("create")(
                user=self.request.user, **serializer.validated_data
            )
        # The answer is the row as stored (SQLite keeps decimals as doubles).
        serializer.instance.refresh_from_db()
        self._etag_instance = serializer.instance

    def update(self, request, *args, **kwargs):
        expected = self._expected_version()
        instance = self.get_object()
        if expected is not None and instance.version != expected:
            raise PreconditionFailed()
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            self._service("update")(
                **{self.kind: instance},
                user=request.user,
                changes=serializer.validated_data,
                expected_version=expected,
            )
        instance.refresh_from_db()
        self._etag_instance = instance
        return Response(serializer.data)

    def destroy(self, request, *args, **kwargs):
        expected = self._expected_version()
        instance = self.get_object()
        try:
            with service_errors():
                self._service("delete")(
                    **{self.kind: instance},
                    user=request.user,
                    expected_version=expected,
                )
        except (ProtectedError, RestrictedError) as error:
            return Response(
                conflict_body(instance, error), status=status.HTTP_409_CONFLICT
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


def conflict_body(instance, error) -> dict:
    dependents = sorted(
        error.protected_objects
        if isinstance(error, ProtectedError)
        else error.restricted_objects,
        key=lambda o: (o._meta.label, o.pk),
    )
    kinds: dict = {}
    for obj in dependents:
        kinds[obj._meta] = kinds.get(obj._meta, 0) + 1
    listed = ", ".join(
        f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"
        for meta, count in kinds.items()
    )
    verb = "depends" if len(dependents) == 1 else "depend"
    return {
        "detail": f"Cannot delete {instance._meta.verbose_name} #{instance.pk}: "
        f"{listed} {verb} on it. Remove or repoint them first.",
        "dependents": [
            {"kind": obj._meta.model_name, "id": obj.pk} for obj in dependents[:100]
        ],
    }


class TopicViewSet(TrackedViewSet):
    kind = "topic"
    queryset = Topic.objects.all()
    serializer_class = serializers.TopicSerializer
    filterset_class = filtersets.TopicFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at"]

    @extend_schema(
        parameters=[serializers.ComparisonWindowSerializer],
        responses=serializers.TopicComparisonSerializer,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def comparison(self, request, pk=None):
        """The comparison of every measure in the topic."""
        topic = self.get_object()
        window = _window(request)
        measures = list(topic.measures.order_by("name"))
        return Response(
            {
                "topic": {"id": topic.pk, "name": topic.name},
                "measures": selectors.compare_measures(measures, **window),
            }
        )


class SourceViewSet(TrackedViewSet):
    kind = "source"
    queryset = Source.objects.all()
    serializer_class = serializers.SourceSerializer
    filterset_class = filtersets.SourceFilter
    search_fields = ["name", "aliases", "description"]
    ordering_fields = ["name", "kind", "country", "reliability", "created_at"]


class DocumentViewSet(LinkedDataErrorsMixin, TrackedViewSet):
    kind = "document"
    queryset = Document.objects.all()
    serializer_class = serializers.DocumentSerializer
    filterset_class = filtersets.DocumentFilter
    search_fields = ["title", "publisher", "byline", "url"]
    ordering_fields = ["published_at", "title", "created_at"]

    @extend_schema(methods=["GET"], responses={200: OpenApiTypes.OBJECT}, request=None)
    @extend_schema(
        methods=["POST"],
        request=OpenApiTypes.OBJECT,
        responses={200: serializers.BundleSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=None,
        filter_backends=[],
        renderer_classes=LINKED_DATA_RENDERERS,
        parser_classes=[JSONParser, JSONLDParser],
        permission_classes=[permissions.MayImportBundles],
    )
    def annotations(self, request, pk=None):
        """``GET``: the document's quotes as a W3C Web Annotation
        ``AnnotationCollection`` (JSON-LD): per claim a ``TextQuoteSelector``
        (exact, prefix and suffix of up to 32 characters) and a
        ``TextPositionSelector`` (start, end exclusive, in code points) on the
        document's URL, and bodies with the statement (purpose ``describing``), the
        source's name (``identifying``) and the attribution kind (``tagging``).

        ``POST`` annotations in that shape (a collection, a page, a list or one;
        the quote selector alone is enough): proposals in the format of
        ``POST /api/intake/``, claims on this document (by its id) anchored in its
        text, sources matched by name; an annotation whose quote is missing or
        ambiguous is listed in ``intake.errors`` with the reason. Nothing is
        stored. Posting needs the import's permissions (editors)."""
        document = self.get_object()
        if request.method == "POST":
            return self._propose_from_annotations(request, document)
        page = request.build_absolute_uri(url_path("document", args=[document.pk]))
        collection = request.build_absolute_uri(request.path)
        rows = exchange.annotation_rows(document)
        for row in rows:
            row["id"] = f"{collection}#claim-{row['id']}"
        return Response(
            linked_data.annotation_collection(
                collection,
                f"Quotes in {document.title}",
                document.text,
                document.url or page,
                rows,
            )
        )

    def _propose_from_annotations(self, request, document):
        try:
            data = request.data
        except ParseError as error:
            raise ValidationError({"annotations": [str(error.detail)]}) from error
        lookup, spans = exchange.annotation_import_context(document)
        # What an annotation's target may name the document by: its URL, its page.
        page = request.build_absolute_uri(url_path("document", args=[document.pk]))
        iris = [iri for iri in (document.url, page) if iri]
        try:
            proposals = linked_data.propose_from_annotations(
                data,
                {"id": document.pk, "text": document.text, "iris": iris},
                lookup,
                spans,
            )
        except linked_data.AnnotationError as error:
            raise ValidationError({"annotations": [str(error)]}) from error
        response = Response(proposals)
        response.accepted_renderer = JSONRenderer()
        response.accepted_media_type = JSONRenderer.media_type
        return response


class ClaimSearchFilter(filters.SearchFilter):
    """``search``: full-text over statements, quotes and the sources' names and
    aliases (claims.search): the best 1,000 matches, ranked best first unless
    ``ordering`` is given."""

    def filter_queryset(self, request, queryset, view):
        query = request.query_params.get(self.search_param, "").strip()
        if not query:
            return queryset
        matched = search.filter_claims(queryset, query)
        if request.query_params.get("ordering"):
            return matched
        return matched.order_by("rank")


class ClaimViewSet(LinkedDataErrorsMixin, TrackedViewSet):
    kind = "claim"
    serializer_class = serializers.ClaimSerializer
    filterset_class = filtersets.ClaimFilter
    filter_backends = [AskedFiltersBackend, ClaimSearchFilter, filters.OrderingFilter]
    search_fields = ["statement", "quote", "source__name", "source__aliases"]
    ordering_fields = ["stated_on", "credibility", "created_at", "updated_at", "id"]

    def get_queryset(self):
        if self.action == "corroboration":
            # The claim's own row is read for these columns only (no topics).
            return Claim.objects.only(*selectors.CORROBORATION_COLUMNS)
        # Topics are listed on every claim: one query for the page, not one a claim.
        return Claim.objects.prefetch_related("topics")

    # Reads: built from values() rows (claims.representations), equal to the
    # serializer's output, which is kept for writes, validation and the CSV.

    def list(self, request, *args, **kwargs):
        if self._csv_asked():
            return super().list(request, *args, **kwargs)
        response, _ = answers.cached(request, self.answer_generations, self._page)
        return response

    def answer_generations(self) -> "list[str] | None":  # (``list``: the action)
        if self.action == "list":
            return self._list_generations()
        if self.action == "retrieve":
            return answers.claims_keys()
        if self.action == "corroboration":
            return caching.rows_generation_keys(caching.corroboration_tables())
        return None

    #: What a list's page is read from, besides the claims and their topics, when
    #: it is narrowed only by these: a search reads the index kept from the claims'
    #: text and their sources' names; an order, the claims' own columns.
    _NARROWED_BY_CLAIMS = {
        api_settings.SEARCH_PARAM: (Source,),
        api_settings.ORDERING_PARAM: (),
    }
    _PAGING = {"page", "page_size", api_settings.URL_FORMAT_OVERRIDE}

    def _list_generations(self) -> "list[str]":  # (``list`` is the action here)
        if not self._filters_asked():
            return answers.claims_keys()
        asked = set(self.request.query_params) - self._PAGING
        if asked <= self._NARROWED_BY_CLAIMS.keys():
            also = [m for name in asked for m in self._NARROWED_BY_CLAIMS[name]]
            return answers.claims_keys(*also)
        # Any other filter may read any table (a source's subtree, the reviews):
        # its page is kept while no row at all is written.
        return caching.rows_generation_keys()

    def _page(self) -> dict:
        if self._filters_asked():
            queryset = self.filter_queryset(self.get_queryset())
            rows = representations.claim_values(queryset)
        else:
            # Every claim in the default order: read by the list's SQL, compiled
            # once, and counted once while no row is written.
            rows = representations.ClaimList()
        page = self.paginate_queryset(rows)
        data = representations.claims(
            page, representations.claim_url_template(self.request)
        )
        return self.get_paginated_response(data).data

    def retrieve(self, request, *args, **kwargs):
        response, self._etag_version = answers.cached(
            request,
            self.answer_generations,
            self._claim,
            lambda data: data["version"],
        )
        return response

    def _claim(self) -> dict:
        data = representations.claim_by_id(
            int(self.kwargs["pk"]), representations.claim_url_template(self.request)
        )
        if data is None:
            raise Http404(f"No {Claim._meta.object_name} matches the given query.")
        return data

    @extend_schema(
        parameters=[serializers.MomentSerializer],
        responses=serializers.CorroborationSerializer,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def corroboration(self, request, pk=None):
        """The claim's links both ways, its origins and groups, the independent
        groups that corroborate and contradict it (by a link, or by their figures
        where no link speaks), and its suggested credibility."""

        def corroboration() -> dict:
            moment = serializers.MomentSerializer(data=request.query_params)
            moment.is_valid(raise_exception=True)
            return caching.cached_corroboration(
                self.get_object(),
                selectors.claim_corroboration,
                known_at=moment.validated_data.get("known_at"),
            )

        response, _ = answers.cached(request, self.answer_generations, corroboration)
        return response

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT})
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filter_backends=[],
        renderer_classes=LINKED_DATA_RENDERERS,
    )
    def claimreview(self, request, pk=None):
        """The claim's schema.org ``ClaimReview`` (JSON-LD): its statement, its
        current grade as a ``Rating`` (in words, and 2-6 for grades 5-1), the claim
        as said by its source in its document, and the organisation publishing the
        reviews (``REVIEW_PUBLISHER``). A claim never reviewed has none: 404."""
        review = exchange.claim_review(self.get_object().pk, request.build_absolute_uri)
        if review is None:
            raise NotFound(
                "This claim has never been reviewed, so there is no ClaimReview of "
                "it: record a review first."
            )
        return Response(review)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filter_backends=[],
        renderer_classes=LINKED_DATA_RENDERERS,
    )
    def provenance(self, request, pk=None):
        """The claim's provenance as PROV-O (JSON-LD): it ``wasAttributedTo`` its
        source, ``wasQuotedFrom`` its document, ``wasDerivedFrom`` the claims it
        repeats or is based on, and ``hadPrimarySource`` its origins' documents;
        every claim of the chain down to the origins is described the same way."""
        claim = self.get_object()

        def iri(name):
            return lambda pk: request.build_absolute_uri(
                reverse(f"api:{name}-detail", args=[pk])
            )

        rows = exchange.provenance_rows(
            claim, iri("claim"), iri("source"), iri("document")
        )
        return Response(linked_data.provenance(**rows))


class MeasureViewSet(TrackedViewSet):
    kind = "measure"
    serializer_class = serializers.MeasureSerializer
    filterset_class = filtersets.MeasureFilter
    search_fields = ["name", "unit", "description"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        if self.action in ("comparison", "evolution"):
            return Measure.objects.all()
        # Topics are listed on every measure: one query for the page.
        return Measure.objects.prefetch_related("topics")

    @extend_schema(
        parameters=[serializers.ComparisonWindowSerializer],
        responses=serializers.ComparisonSerializer,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def comparison(self, request, pk=None):
        """The figures on this measure side by side at a date T, known at a moment
        K: each source's latest word (earlier figures superseded), conflicts among
        current figures, the best-supported range (of estimates, else of bounds),
        the spread and the counts, within an optional as_of window."""

        def comparison() -> dict:
            return caching.cached_comparison(
                self.get_object(), selectors.compare_measure, **_window(request)
            )

        response, _ = answers.cached(request, self.answer_generations, comparison)
        return response

    @extend_schema(responses=serializers.EvolutionSerializer)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def evolution(self, request, pk=None):
        """How the comparison developed: for each day a document holding a figure on
        the measure was published, the comparison known at that day's end."""

        def evolution() -> dict:
            return caching.cached_comparison(
                self.get_object(), selectors.measure_evolution
            )

        response, _ = answers.cached(request, self.answer_generations, evolution)
        return response

    def answer_generations(self) -> list[str] | None:
        """A comparison's and an evolution's: the generations of this measure's
        comparisons (its id is digits: the route's ``lookup_value_regex``)."""
        if self.action in ("comparison", "evolution"):
            return caching.comparison_generation_keys(int(self.kwargs["pk"]))
        return None


class FigureViewSet(TrackedViewSet):
    """A figure's ``warnings`` say what to check without refusing it: its measure
    has topics and shares none with its claim (most often a missed pick)."""

    kind = "figure"
    queryset = Figure.objects.all()
    serializer_class = serializers.FigureSerializer
    filterset_class = filtersets.FigureFilter
    search_fields = ["text", "note"]
    ordering_fields = ["as_of", "low", "high", "created_at", "id"]

    def get_queryset(self):
        figures = super().get_queryset()
        if self.action == "list":  # a page's warnings in its own query
            return selectors.with_topic_check(figures)
        return figures  # one row's, read after any write


class LinkViewSet(TrackedViewSet):
    kind = "link"
    queryset = Link.objects.all()
    serializer_class = serializers.LinkSerializer
    filterset_class = filtersets.LinkFilter
    search_fields = ["note"]
    ordering_fields = ["created_at", "id"]


class ReviewViewSet(
    CSVMixin,
    ListFiltersMixin,
    HistoryMixin,
    ETagMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Reviews are recorded (with ``claims.add_review``) and read, never edited or
    deleted."""

    queryset = Review.objects.all()
    serializer_class = serializers.ReviewSerializer
    filterset_class = filtersets.ReviewFilter
    pagination_class = StandardPagination
    filter_backends = [
        AskedFiltersBackend,
        filters.SearchFilter,
        filters.OrderingFilter,
    ]
    search_fields = ["rationale"]
    ordering_fields = ["created_at", "credibility"]

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.review_create(
                reviewer=self.request.user, **serializer.validated_data
            )
        self._etag_instance = serializer.instance


class ClaimReviewPagination(StandardPagination):
    """A page of ClaimReviews as a schema.org ``ItemList``; the next and previous
    pages in the ``Link`` header."""

    def get_paginated_response(self, data):
        response = Response(data)
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (
                ("next", self.get_next_link()),
                ("prev", self.get_previous_link()),
            )
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response


class ClaimReviewListView(LinkedDataErrorsMixin, generics.ListAPIView):
    """``GET /api/claimreviews/``: a schema.org ``ClaimReview`` (JSON-LD) of every
    reviewed claim, as ``GET /api/claims/{id}/claimreview/`` gives one, in an
    ``ItemList`` (``numberOfItems`` counts them all). The claim list's filters,
    search and ordering apply; pages of 50 (``page``, ``page_size``), the next and
    previous in the ``Link`` header."""

    queryset = Claim.objects.all()
    renderer_classes = LINKED_DATA_RENDERERS
    pagination_class = ClaimReviewPagination
    filterset_class = filtersets.ClaimFilter
    filter_backends = ClaimViewSet.filter_backends
    search_fields = ClaimViewSet.search_fields
    ordering_fields = ClaimViewSet.ordering_fields

    def get_queryset(self):
        return exchange.reviewed_claims(Claim.objects.all())

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, *args, **kwargs):
        claims = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        absolute = request.build_absolute_uri
        rows = [exchange.claim_review_row(claim, absolute) for claim in claims]
        document = linked_data.claim_review_list(
            rows,
            exchange.review_publisher(absolute("/")),
            self.paginator.page.paginator.count,
        )
        return self.get_paginated_response(document)


def _window(request) -> dict:
    window = serializers.ComparisonWindowSerializer(data=request.query_params)
    window.is_valid(raise_exception=True)
    return dict(window.validated_data)


class ImportView(APIView):
    """``POST /api/import/``: a bundle of rows referring to each other by keys; all
    of it is written, or, with a 400 listing every bad row, none of it.

    Needs the add permission of every kind a bundle may write
    (``permissions.MayImportBundles``). The bundle's format is the JSON Schema at
    [/api/import/schema/](/api/import/schema/).

    With ``Content-Type: text/csv``, claims with their figures, one row a claim
    (``claims.exchange.csv_bundle``; the columns are under ``x-csv`` in the same
    schema), read into a bundle and imported as one: each error also names its CSV
    ``line`` and ``column``."""

    permission_classes = [permissions.MayImportBundles]
    parser_classes = [JSONParser, tabular.CSVParser]

    @extend_schema(
        request={
            "application/json": serializers.BundleSerializer,
            "text/csv": OpenApiTypes.STR,
        },
        responses={
            201: serializers.ImportResultSerializer,
            400: serializers.BundleErrorSerializer,
        },
    )
    def post(self, request):
        try:
            data = request.data
        except ParseError as error:  # answered in the shape of any refused bundle
            reason = str(error.detail)
            return self._refused(reason, [bundle.RowError("bundle", "", "", reason)])
        if tabular.CSVParser.media_type in request.content_type.lower():
            return self._csv(data if isinstance(data, str) else "", request.user)
        try:
            result = bundle.import_bundle(data, user=request.user)
        except bundle.BundleError as error:
            return self._refused(str(error), error.errors)
        return Response(result.as_dict(), status=status.HTTP_201_CREATED)

    def _csv(self, text: str, user) -> Response:
        """Claims with figures as CSV (``claims.exchange.csv_bundle``), each error
        naming its line and column."""
        try:
            read = csv_bundle.read(text)
        except csv_bundle.CSVError as error:
            place = {"line": error.line, "column": error.column}
            failure = bundle.RowError("bundle", "", error.column, error.reason)
            return self._refused(str(error), [failure], place)
        try:
            result = bundle.import_bundle(read.bundle, user=user)
        except bundle.BundleError as error:
            return Response(
                {
                    "detail": str(error),
                    "errors": csv_bundle.located(error.errors, read),
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(result.as_dict(), status=status.HTTP_201_CREATED)

    @staticmethod
    def _refused(detail: str, errors: list, place: dict | None = None) -> Response:
        return Response(
            {
                "detail": detail,
                "errors": [{**e.as_dict(), **(place or {})} for e in errors],
            },
            status=status.HTTP_400_BAD_REQUEST,
        )


class IntakeView(APIView):
    """``POST /api/intake/`` with ``{title, publisher, url, published_at, text}``:
    the report read into proposals, in the format ``POST /api/import/`` takes
    (documents, sources, measures, claims, figures, links, with keys). Each row
    also says what it was read from: ``matched`` (the stored row's id, or null for
    a new one), ``confidence``, and a claim's ``speaker_span``, ``cue_span`` and
    ``quote_span`` (offsets into the text). Nothing is stored: post the proposals,
    as edited, to the import, which stores them all or none.

    When nothing can be proposed (no attribution in the text, a text in another
    script), the lists are empty and ``intake.reason`` says why. An empty or
    overlong text, or a publication time in the future, answers 400 naming the
    field. Needs the permissions of the import (editors)."""

    permission_classes = [permissions.MayImportBundles]
    parser_classes = [JSONParser]

    @extend_schema(
        request=serializers.IntakeReportSerializer,
        responses={200: serializers.BundleSerializer},
    )
    def post(self, request):
        report = serializers.IntakeReportSerializer(data=request.data)
        report.is_valid(raise_exception=True)
        return Response(intake.propose_report(report.validated_data["report"]))


class JSONSchemaRenderer(JSONRenderer):
    media_type = "application/schema+json"


class BundleSchemaView(APIView):
    """``GET /api/import/schema/``: the JSON Schema (draft 2020-12) of the bundle
    ``POST /api/import/`` takes (``claims.exchange.bundle_schema``). Read as the
    API's other reads are: open unless ``API_OPEN_READ`` is off."""

    _ignore_model_permissions = True  # a read of no model
    renderer_classes = [JSONSchemaRenderer, JSONRenderer]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(bundle_schema.bundle_schema())

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.exception:  # an error is plain JSON, as everywhere in the API
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


class ApiRootView(APIRootView):
    """``GET /api/``: every endpoint by name with its absolute URL, the resources
    (DRF's root) and then ``endpoints``, the names of the API's other URLs, which
    the router (``claims.api.urls``) passes."""

    endpoints: tuple[str, ...] = ()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        namespace = request.resolver_match.namespace
        for name in self.endpoints:
            url_name = f"{namespace}:{name}" if namespace else name
            response.data[name] = reverse(url_name, request=request)
        return response


class TokenView(ObtainAuthToken):
    """``POST /api/auth/token/`` with username and password: ``{"token": ...}``.

    Guarded against password guessing as the sign-in pages are: after too many
    failed attempts for one username from one address, every attempt is refused
    with 429 for a while. A token issued clears the count, as a sign-in does."""

    def get_serializer_context(self):
        # DRF's serializer calls authenticate(request=...) with this request. It is
        # Django's own, not DRF's wrapper, so that the lockout django-axes marks on
        # it (claims.sign_in) reaches AxesMiddleware, which answers 429.
        return {**super().get_serializer_context(), "request": self.request._request}

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)  # raises unless issued
        sign_in.clear_failures(request._request, request.data["username"])
        return response
