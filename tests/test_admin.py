"""The editors' admin: every page answers, lists cost the same queries at any size,
and every change is kept in history with who made it."""

import pytest

from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic

from .factories import (
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    LinkFactory,
    MeasureFactory,
    ReviewFactory,
    SourceFactory,
    TopicFactory,
)
from .helpers import DOMAIN, admin_url, count_queries

pytestmark = pytest.mark.django_db

FACTORIES = {
    Source: SourceFactory,
    Document: DocumentFactory,
    Claim: ClaimFactory,
    Measure: MeasureFactory,
    Figure: FigureFactory,
    Link: LinkFactory,
    Review: ReviewFactory,
    Topic: TopicFactory,
}


@pytest.mark.parametrize("model", DOMAIN, ids=lambda m: m.__name__)
def test_list_add_change_and_history_pages_answer(admin_client, model):
    obj = FACTORIES[model]()
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "add"),
        admin_url(model, "change", obj.pk),
        admin_url(model, "history", obj.pk),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("model", DOMAIN, ids=lambda m: m.__name__)
def test_list_pages_search_and_filter(admin_client, model):
    FACTORIES[model]()
    response = admin_client.get(admin_url(model, "changelist"), {"q": "a"})
    assert response.status_code == 200


def test_the_claim_list_filters_by_source_kind_status_credibility_and_topic(
    admin_client,
):
    claim = ClaimFactory()
    topic = TopicFactory()
    claim.topics.add(topic)
    other = ClaimFactory(statement="Something else entirely.")
    url = admin_url(Claim, "changelist")
    for params in (
        {"source__id__exact": claim.source_id},
        {"topics__id__exact": topic.pk},
    ):
        response = admin_client.get(url, params)
        shown = list(response.context["cl"].result_list)
        assert shown == [claim], params
    for params in (
        {"attribution_kind__exact": "paraphrase"},
        {"attribution_status__exact": "unverified"},
        {"credibility__exact": "6"},
    ):
        response = admin_client.get(url, params)
        assert set(response.context["cl"].result_list) == {claim, other}, params


def test_the_claim_page_has_figures_and_outgoing_links_inline(admin_client):
    figure = FigureFactory()
    LinkFactory(from_claim=figure.claim)
    response = admin_client.get(admin_url(Claim, "change", figure.claim.pk))
    prefixes = {
        formset.formset.prefix for formset in response.context["inline_admin_formsets"]
    }
    assert prefixes == {"figures", "links_out"}
    assert figure.text in response.content.decode()


def test_the_document_page_lists_its_claims_read_only(admin_client):
    claim = ClaimFactory(statement="Claim <b>shown</b> on its document.")
    response = admin_client.get(admin_url(Document, "change", claim.document.pk))
    body = response.content.decode()
    assert "Claim &lt;b&gt;shown&lt;/b&gt; on its document." in body
    (inline,) = response.context["inline_admin_formsets"]
    assert not inline.has_add_permission


def test_an_admin_edit_refuses_a_missing_quote_beside_the_field(admin_client):
    claim = ClaimFactory()
    url = admin_url(Claim, "change", claim.pk)
    data = {
        "source": claim.source_id,
        "document": claim.document_id,
        "statement": claim.statement,
        "quote": "words nobody wrote",
        "attribution_kind": claim.attribution_kind,
        "stated_on": "2024-10-21",
        "stated_on_precision": "day",
        "figures-TOTAL_FORMS": "0",
        "figures-INITIAL_FORMS": "0",
        "links_out-TOTAL_FORMS": "0",
        "links_out-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "does not occur in the document" in str(
        response.context["adminform"].form.errors["quote"]
    )
    claim.refresh_from_db()
    assert claim.quote == "approximately 3,000 personnel were training"


def test_an_admin_edit_is_kept_in_history_with_its_user(admin_client, admin_user):
    source = SourceFactory(name="Old name")
    url = admin_url(Source, "change", source.pk)
    response = admin_client.post(
        url,
        {
            "name": "New name",
            "kind": "organization",
            "country": "",
            "aliases": "[]",
            "description": "",
            "reliability": "B",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = source.history.first()
    assert (latest.name, latest.history_user, latest.history_type) == (
        "New name",
        admin_user,
        "~",
    )
    assert latest.history_date is not None
    history_page = admin_client.get(admin_url(Source, "history", source.pk))
    assert admin_user.username in history_page.content.decode()
    assert "New name" in history_page.content.decode()


def test_a_review_added_in_the_admin_grades_the_claim(admin_client, admin_user):
    claim = ClaimFactory()
    response = admin_client.post(
        admin_url(Review, "add"),
        {
            "claim": claim.pk,
            "attribution_status": "verified",
            "credibility": "2",
            "rationale": "Matches the agency's statement.",
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.attribution_status, claim.credibility) == ("verified", 2)
    assert Review.objects.get().reviewer == admin_user


def test_deleting_a_source_in_use_is_refused_in_the_admin(admin_client):
    claim = ClaimFactory()
    response = admin_client.post(
        admin_url(Source, "delete", claim.source_id), {"post": "yes"}
    )
    assert response.status_code == 200
    assert "would require deleting the following protected" in response.content.decode()
    assert Source.objects.filter(pk=claim.source_id).exists()


# Query counts ---------------------------------------------------------------------


def grow_rows(model, count):
    """Add ``count`` rows of ``model``, each with its own related rows."""
    for _ in range(count):
        FACTORIES[model]()


def list_queries(client, model) -> int:
    return count_queries(client, admin_url(model, "changelist"))[0]


@pytest.mark.parametrize("model", DOMAIN, ids=lambda m: m.__name__)
def test_a_list_page_makes_the_same_queries_for_10_rows_and_1000(admin_client, model):
    grow_rows(model, 10)
    # Session, user, the page of rows, the filter choices: a fixed set of queries.
    at_10 = list_queries(admin_client, model)
    grow_rows(model, 990)
    assert model.objects.count() >= 1000
    assert list_queries(admin_client, model) == at_10
