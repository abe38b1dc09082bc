"""Filtering, search, ordering over the API."""

import datetime

import pytest

from claims.models import Claim

from ..factories import (
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    MeasureFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def test_claims_by_source_include_the_sources_under_it(client):
    government = SourceFactory(name="Government of Ukraine")
    president = SourceFactory(name="Zelensky", parent=government)
    aide = SourceFactory(name="An aide", parent=president)
    other = ClaimFactory()
    claims = [ClaimFactory(source=s) for s in (government, president, aide)]
    assert ids(client.get("/api/claims/", {"source": government.pk})) == sorted(
        c.pk for c in claims
    )
    assert ids(client.get("/api/claims/", {"source": aide.pk})) == [claims[2].pk]
    assert other.pk not in ids(client.get("/api/claims/", {"source": president.pk}))


def test_claims_by_document_topic_kind_status_credibility_and_dates(client):
    topic = TopicFactory()
    first = ClaimFactory(
        attribution_kind="direct_quote", stated_on=datetime.date(2024, 10, 1)
    )
    first.topics.add(topic)
    second = ClaimFactory(
        attribution_kind="anonymous", stated_on=datetime.date(2024, 10, 20)
    )
    Claim.objects.filter(pk=second.pk).update(
        attribution_status="verified", credibility=2
    )
    get = lambda **p: ids(client.get("/api/claims/", p))  # noqa: E731
    assert get(document=first.document_id) == [first.pk]
    assert get(topic=topic.pk) == [first.pk]
    assert get(attribution_kind="anonymous") == [second.pk]
    assert get(attribution_status="verified") == [second.pk]
    assert get(credibility=2) == [second.pk]
    assert get(stated_after="2024-10-10") == [second.pk]
    assert get(stated_before="2024-10-01") == [first.pk]
    assert get(reviewed="false") == sorted([first.pk, second.pk])


def test_figures_by_measure_source_and_as_of(client):
    measure = MeasureFactory()
    source = SourceFactory()
    early = FigureFactory(
        measure=measure,
        as_of=datetime.date(2024, 9, 1),
        claim=ClaimFactory(source=source),
    )
    late = FigureFactory(measure=measure, as_of=datetime.date(2024, 10, 1))
    FigureFactory()
    get = lambda **p: ids(client.get("/api/figures/", p))  # noqa: E731
    assert get(measure=measure.pk) == [early.pk, late.pk]
    assert get(source=source.pk) == [early.pk]
    assert get(as_of_after="2024-09-15", measure=measure.pk) == [late.pk]
    assert get(as_of_before="2024-09-01", measure=measure.pk) == [early.pk]


def test_search_covers_statements_quotes_and_source_names(client):
    document = DocumentFactory(text="Rutte said troops are in Kursk. Another line.")
    by_rutte = ClaimFactory(
        source=SourceFactory(name="Mark Rutte"),
        document=document,
        quote="troops are in Kursk",
        statement="Troops deployed.",
    )
    by_quote = ClaimFactory(
        document=document, quote="Another line", statement="Something else."
    )
    assert ids(client.get("/api/claims/", {"search": "rutte"})) == [by_rutte.pk]
    assert ids(client.get("/api/claims/", {"search": "another"})) == [by_quote.pk]
    assert ids(client.get("/api/claims/", {"search": "deployed"})) == [by_rutte.pk]


def test_sources_are_searched_by_name_and_alias(client):
    nis = SourceFactory(name="National Intelligence Service", aliases=["NIS"])
    SourceFactory(name="Kremlin")
    assert ids(client.get("/api/sources/", {"search": "NIS"})) == [nis.pk]


def test_ordering(client):
    old = ClaimFactory(stated_on=datetime.date(2024, 1, 1))
    new = ClaimFactory(stated_on=datetime.date(2024, 10, 1))
    rows = client.get("/api/claims/", {"ordering": "stated_on"}).json()["results"]
    assert [r["id"] for r in rows] == [old.pk, new.pk]
    rows = client.get("/api/claims/", {"ordering": "-stated_on"}).json()["results"]
    assert [r["id"] for r in rows] == [new.pk, old.pk]


def test_an_unknown_filter_value_is_a_400(client):
    response = client.get("/api/claims/", {"attribution_kind": "rumour"})
    assert response.status_code == 400
    assert "attribution_kind" in response.json()


def test_list_filters_do_not_apply_to_an_object_named_by_its_id(client):
    claim = ClaimFactory(attribution_kind="paraphrase")
    listed = client.get("/api/claims/", {"attribution_kind": "anonymous"}).json()
    assert listed["count"] == 0
    answer = client.get(f"/api/claims/{claim.pk}/", {"attribution_kind": "anonymous"})
    assert answer.status_code == 200 and answer.json()["id"] == claim.pk
