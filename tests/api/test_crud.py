"""Every endpoint lists, creates, retrieves, updates and deletes; every object has an
id and a url; numbers are JSON numbers."""

import json

import pytest
from django.urls import reverse

from claims.models import Claim, Figure, Link, Review

from ..factories import (
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    LinkFactory,
    MeasureFactory,
    ReviewFactory,
    SourceFactory,
    TopicFactory,
)
from ..helpers import RESOURCES, payloads

pytestmark = pytest.mark.django_db


def test_creating_each_kind_answers_201_with_id_and_url(editor):
    for kind, body in payloads().items():
        response = editor.post(f"/api/{kind}/", body, format="json")
        assert response.status_code == 201, (kind, response.json())
        data = response.json()
        assert isinstance(data["id"], int)
        link = data["api_url"] if kind == "documents" else data["url"]
        assert link.endswith(f"/api/{kind}/{data['id']}/")
        assert editor.get(link).status_code == 200


def test_created_rows_carry_derived_values(editor):
    body = payloads()
    claim = editor.post("/api/claims/", body["claims"], format="json").json()
    assert claim["stated_on"] == "2024-10-21"  # a week is stored as its Monday
    stored = Claim.objects.get(pk=claim["id"])
    assert stored.document.text[claim["quote_start"] : claim["quote_end"]] == (
        "around 1,500 troops"
    )
    assert [t.pk for t in stored.topics.all()] == body["claims"]["topics"]
    figure = editor.post("/api/figures/", body["figures"], format="json").json()
    assert (figure["qualifier"], figure["low"], figure["high"]) == (
        "approximately",
        900,
        1100,
    )


def test_numbers_are_json_numbers(client):
    FigureFactory(text="approximately 3,000", measure=MeasureFactory(tolerance="0.1"))
    raw = client.get("/api/figures/").content.decode()
    (figure,) = json.loads(raw)["results"]
    assert figure["low"] == 2700 and isinstance(figure["low"], float)
    measure = client.get("/api/measures/").json()["results"][0]
    assert isinstance(measure["tolerance"], float)


@pytest.mark.parametrize(
    "kind, factory, change",
    [
        ("sources", SourceFactory, {"reliability": "C"}),
        ("documents", DocumentFactory, {"byline": "A. Reporter"}),
        ("claims", ClaimFactory, {"statement": "Restated."}),
        ("measures", MeasureFactory, {"unit": "soldiers"}),
        ("figures", FigureFactory, {"text": "at least 2,000"}),
        ("links", LinkFactory, {"note": "Same briefing."}),
        ("topics", TopicFactory, {"description": "Described."}),
    ],
)
def test_update_and_delete(editor, kind, factory, change):
    obj = factory()
    url = f"/api/{kind}/{obj.pk}/"
    response = editor.patch(url, change, format="json")
    assert response.status_code == 200, response.json()
    for field, value in change.items():
        assert response.json()[field] == value
    put_body = {k: v for k, v in editor.get(url).json().items()}
    assert editor.put(url, put_body, format="json").status_code == 200
    assert editor.delete(url).status_code == 204
    assert editor.get(url).status_code == 404


def test_a_figure_text_change_derives_a_new_interval(editor):
    figure = FigureFactory(text="3,000")
    data = editor.patch(f"/api/figures/{figure.pk}/", {"text": "at least 2,000"}).json()
    assert (data["qualifier"], data["low"], data["high"]) == ("at_least", 2000, None)


def test_reviews_are_created_and_read_never_changed(reviewer):
    claim = ClaimFactory()
    response = reviewer.post(
        "/api/reviews/",
        {
            "claim": claim.pk,
            "attribution_status": "verified",
            "credibility": 2,
            "rationale": "The ministry confirmed it.",
        },
    )
    assert response.status_code == 201, response.json()
    review = response.json()
    assert review["reviewer"] == reviewer.user.pk
    claim.refresh_from_db()
    assert (claim.attribution_status, claim.credibility) == ("verified", 2)
    url = f"/api/reviews/{review['id']}/"
    assert reviewer.get(url).status_code == 200
    assert reviewer.patch(url, {"credibility": 1}).status_code == 405
    assert reviewer.delete(url).status_code == 405
    assert Review.objects.get().credibility == 2


def test_lists_are_paginated(client):
    for _ in range(3):
        TopicFactory()
    data = client.get("/api/topics/", {"page_size": 2}).json()
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]


def test_the_api_root_lists_every_endpoint(client):
    root = client.get("/api/").json()
    endpoints = {
        "import",
        "import-schema",
        "intake",
        "claimreviews",
        "schema",
        "docs",
        "token",
    }
    assert set(root) == set(RESOURCES) | endpoints
    assert root["claims"] == "http://testserver/api/claims/"
    assert root["import"] == "http://testserver/api/import/"
    assert root["import-schema"] == "http://testserver/api/import/schema/"
    assert root["schema"] == "http://testserver/api/schema/"
    assert root["docs"] == "http://testserver/api/docs/"
    assert root["token"] == "http://testserver/api/auth/token/"
    for name in endpoints:  # each URL listed is served (import and token: POST)
        assert client.get(root[name]).status_code in (200, 405), name


@pytest.mark.parametrize(
    "factory, resource",
    [
        (SourceFactory, "sources"),
        (DocumentFactory, "documents"),
        (ClaimFactory, "claims"),
        (MeasureFactory, "measures"),
        (FigureFactory, "figures"),
        (LinkFactory, "links"),
        (ReviewFactory, "reviews"),
        (TopicFactory, "topics"),
    ],
)
def test_every_model_has_a_named_detail_route(client, factory, resource):
    row = factory()
    url = reverse(f"api:{row._meta.model_name}-detail", args=[row.pk])
    assert url == f"/api/{resource}/{row.pk}/"
    answer = client.get(url)
    assert answer.status_code == 200, answer.content
    assert answer.json()["id"] == row.pk


def test_a_link_records_who_made_it(editor):
    body = payloads()["links"]
    data = editor.post("/api/links/", body, format="json").json()
    assert data["created_by"] == editor.user.pk
    assert Link.objects.get().created_by == editor.user


def test_an_existing_review_factory_row_reads_back(client):
    review = ReviewFactory()
    assert (
        client.get(f"/api/reviews/{review.pk}/").json()["rationale"] == review.rationale
    )
    assert Figure.objects.count() == 0


@pytest.mark.parametrize(
    "serializer_class, factory",
    [
        ("SourceSerializer", SourceFactory),
        ("DocumentSerializer", DocumentFactory),
        ("ClaimSerializer", ClaimFactory),
        ("MeasureSerializer", MeasureFactory),
        ("FigureSerializer", FigureFactory),
        ("LinkSerializer", LinkFactory),
        ("ReviewSerializer", ReviewFactory),
        ("TopicSerializer", TopicFactory),
    ],
)
def test_the_fast_read_path_writes_what_drf_would(rf, serializer_class, factory):
    from rest_framework import serializers as drf
    from rest_framework.renderers import JSONRenderer

    from claims.api import serializers

    obj = factory()
    if hasattr(obj, "topics"):
        obj.topics.add(TopicFactory())
    obj = type(obj).objects.get(pk=obj.pk)  # as the API reads it, from the database
    serializer = getattr(serializers, serializer_class)(
        context={"request": rf.get("/api/")}
    )
    ours = JSONRenderer().render(serializer.to_representation(obj))
    drfs = JSONRenderer().render(drf.ModelSerializer.to_representation(serializer, obj))
    assert json.loads(ours) == json.loads(drfs)
