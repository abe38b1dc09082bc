"""The reviewer pages: thin views over the selectors and services the API uses."""

import sys
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import defaults

from claims import caching, outage, selectors, services
from claims.exchange import selectors as exchange
from claims.models import Claim, Document, Measure, Review, Source, Topic
from claims.pagination import CachedCountPaginator
from claims.web import presentation
from claims.web.forms import QueueFilterForm, ReviewForm, WindowForm

PAGE_SIZE = 25


def readable(view):
    """Open to anonymous readers unless ``API_OPEN_READ`` is off, as the API is."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.API_OPEN_READ and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _page(request, queryset):
    return CachedCountPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@readable
def home(request):
    return render(
        request,
        "claims/home.html",
        {
            "topics": Topic.objects.annotate(claim_count=Count("claims")).order_by(
                "name"
            ),
            "measures": Measure.objects.annotate(
                figure_count=Count("figures")
            ).order_by("name"),
            "documents": Document.objects.annotate(
                claim_count=Count("claims")
            ).order_by("-published_at")[:20],
        },
    )


@readable
def review_queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    queue = selectors.review_queue(
        topic=filters.get("topic"), source=filters.get("source")
    )
    return render(
        request,
        "claims/queue.html",
        {
            "form": form,
            "page": _page(request, queue),
        },
    )


@readable
def claim_detail(request, pk):
    claim = get_object_or_404(Claim.objects.select_related("source", "document"), pk=pk)
    can_review = request.user.has_perm("claims.add_review")
    form = ReviewForm()
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied("Recording a review needs claims.add_review.")
        form = ReviewForm(request.POST, instance=_new_review(claim, request.user))
        if form.is_valid():
            try:
                services.review_create(
                    claim=claim, reviewer=request.user, **form.cleaned_data
                )
            except DjangoValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Review recorded: the claim is graded.")
                return redirect("claim", pk=claim.pk)
    return render(
        request,
        "claims/claim.html",
        {
            "claim": claim,
            "form": form,
            "can_review": can_review,
            **presentation.claim_page(claim),
            "claim_review": presentation.json_ld(
                exchange.claim_review(claim.pk, request.build_absolute_uri)
            ),
        },
        status=400 if form.errors else 200,
    )


def _new_review(claim, user) -> Review:
    return Review(claim=claim, reviewer=user)


@readable
def document_detail(request, pk):
    document = get_object_or_404(Document, pk=pk)
    return render(
        request,
        "claims/document.html",
        {
            "document": document,
            **presentation.document_page(document),
        },
    )


@readable
def measure_detail(request, pk):
    measure = get_object_or_404(Measure, pk=pk)
    window = WindowForm(request.GET or None)
    choices = window.cleaned_data if window.is_valid() else {}
    result = caching.cached_comparison(
        measure,
        selectors.compare_measure,
        at=choices.get("at"),
        known_at=choices.get("known_at"),
        as_of_after=choices.get("as_of_after"),
        as_of_before=choices.get("as_of_before"),
        conflict_limit=selectors.DEFAULT_CONFLICT_LIMIT,
    )
    evolution = caching.cached_comparison(measure, selectors.measure_evolution)
    return render(
        request,
        "claims/measure.html",
        {
            "measure": measure,
            "window": window,
            "result": result,
            "chart": presentation.measure_chart(result),
            "evolution": presentation.evolution_chart(
                evolution, known_at=result["known_at"]
            ),
        },
        status=400 if window.errors else 200,
    )


@readable
def source_detail(request, pk):
    source = get_object_or_404(Source.objects.select_related("parent"), pk=pk)
    claims = selectors.source_claims(source)
    return render(
        request,
        "claims/source.html",
        {
            "source": source,
            "page": _page(request, claims),
            "record": selectors.source_record(source),
        },
    )


@readable
def topic_detail(request, pk):
    topic = get_object_or_404(Topic, pk=pk)
    measures = list(topic.measures.order_by("name"))
    page = _page(request, selectors.topic_claims(topic))
    return render(
        request,
        "claims/topic.html",
        {
            "topic": topic,
            "comparisons": selectors.compare_measures(measures),
            "page": page,
            "timeline": selectors.by_date(page),
        },
    )


@readable
def search(request):
    query = request.GET.get("q", "")
    return render(
        request,
        "claims/search.html",
        {
            "query": query,
            **selectors.search_everything(query),
        },
    )


class SignInView(auth_views.LoginView):
    """Django's sign-in. Failed attempts are counted per address and username, and
    refused with 429 past ``SIGN_IN_ATTEMPTS``, by django-axes, as on the admin's
    sign-in and the API's token (see ``claims.sign_in``).

    A ``next`` that leads back to signing in or out (the header's link, followed
    from the sign-in page itself) is dropped: the user lands where a sign-in
    without one does, not on the form again."""

    def get_redirect_url(self):
        url = super().get_redirect_url()
        path = urlsplit(url).path
        if path in {reverse("login"), reverse("logout")}:
            return ""
        return url


def not_found(request, exception=None):
    """404: JSON under /api/ (clients of the API read JSON, even for a path that
    matches no route), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500: JSON under /api/, Django's page elsewhere; but 503 when the exception
    was a database outage met outside a view (claims.outage)."""
    exc = sys.exc_info()[1]
    if outage.is_outage(exc):
        return outage.outage_response(request, exc)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
