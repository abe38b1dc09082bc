"""The API refuses what the admin refuses, naming the field and the reason, and a
refused request changes nothing stored."""

import pytest

from claims.models import Claim, Document, Figure, Link, Review, Source

from ..factories import ClaimFactory, FigureFactory, LinkFactory, SourceFactory
from ..helpers import refused_answer, snapshot

pytestmark = pytest.mark.django_db

EVERYTHING = (Source, Document, Claim, Figure, Link, Review)


def test_a_figure_with_low_above_high(editor):
    figure = FigureFactory(text="3,000")
    before = snapshot(*EVERYTHING)
    response = editor.patch(
        f"/api/figures/{figure.pk}/",
        {
            "bounds_overridden": True,
            "note": "Hand-set.",
            "qualifier": "range",
            "low": 5000,
            "high": 1000,
        },
        format="json",
    )
    assert refused_answer(response, "low") == ["The low end is above the high end."]
    assert snapshot(*EVERYTHING) == before


def test_unreadable_figure_text(editor):
    claim = ClaimFactory()
    figure = FigureFactory(claim=claim)
    before = snapshot(*EVERYTHING)
    response = editor.post(
        "/api/figures/",
        {
            "claim": claim.pk,
            "measure": figure.measure_id,
            "text": "scores of them",
        },
    )
    assert refused_answer(response, "text") == [
        'Cannot read a figure from "scores of them": no number in it.'
    ]
    assert snapshot(*EVERYTHING) == before


def test_a_quote_missing_from_the_document(editor):
    claim = ClaimFactory()
    before = snapshot(*EVERYTHING)
    response = editor.patch(f"/api/claims/{claim.pk}/", {"quote": "words nobody wrote"})
    [message] = refused_answer(response, "quote")
    assert message.startswith("The quote does not occur in the document's text")
    assert 'Nearest passage: "' in message
    assert snapshot(*EVERYTHING) == before


def test_a_date_after_the_document(editor):
    claim = ClaimFactory()
    before = snapshot(*EVERYTHING)
    response = editor.patch(f"/api/claims/{claim.pk}/", {"stated_on": "2025-01-01"})
    assert "after 2024-10-28" in refused_answer(response, "stated_on")[0]
    assert snapshot(*EVERYTHING) == before


def test_a_link_from_a_claim_to_itself(editor):
    claim = ClaimFactory()
    before = snapshot(*EVERYTHING)
    response = editor.post(
        "/api/links/",
        {
            "from_claim": claim.pk,
            "to_claim": claim.pk,
            "relation": "corroborates",
        },
    )
    assert refused_answer(response, "to_claim") == [
        "A claim cannot be linked to itself."
    ]
    assert snapshot(*EVERYTHING) == before


def test_a_duplicate_link(editor):
    link = LinkFactory()
    before = snapshot(*EVERYTHING)
    response = editor.post(
        "/api/links/",
        {
            "from_claim": link.to_claim_id,
            "to_claim": link.from_claim_id,
            "relation": link.relation,
        },
    )
    assert refused_answer(response, "to_claim") == [
        "These two claims are already linked with this relation."
    ]
    assert snapshot(*EVERYTHING) == before


def test_a_repeats_cycle(editor):
    a, b = ClaimFactory(), ClaimFactory()
    LinkFactory(from_claim=b, to_claim=a, relation="repeats")
    before = snapshot(*EVERYTHING)
    response = editor.post(
        "/api/links/",
        {
            "from_claim": a.pk,
            "to_claim": b.pk,
            "relation": "based_on",
        },
    )
    assert "would make a cycle" in refused_answer(response, "to_claim")[0]
    assert snapshot(*EVERYTHING) == before


def test_a_source_as_its_own_ancestor(editor):
    top = SourceFactory(name="Government")
    below = SourceFactory(name="Ministry", parent=top)
    before = snapshot(*EVERYTHING)
    response = editor.patch(f"/api/sources/{top.pk}/", {"parent": below.pk})
    assert "cannot be its own ancestor" in refused_answer(response, "parent")[0]
    assert snapshot(*EVERYTHING) == before


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("credibility", 7, "Credibility is a grade from 1 to 6."),
        ("rationale", "", "This field may not be blank."),
        (
            "attribution_status",
            "maybe",
            "Attribution status must be unverified, verified or misattributed, not maybe.",
        ),
    ],
)
def test_a_bad_review(reviewer, field, value, message):
    claim = ClaimFactory()
    before = snapshot(*EVERYTHING)
    body = {
        "claim": claim.pk,
        "attribution_status": "verified",
        "credibility": 2,
        "rationale": "Checked.",
    } | {field: value}
    assert refused_answer(reviewer.post("/api/reviews/", body), field) == [message]
    assert snapshot(*EVERYTHING) == before


def test_deleting_a_source_that_claims_depend_on_is_a_conflict(editor):
    claim = ClaimFactory()
    ClaimFactory(source=claim.source)
    before = snapshot(*EVERYTHING)
    response = editor.delete(f"/api/sources/{claim.source_id}/")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == (
        f"Cannot delete source #{claim.source_id}: 2 claims depend on it. Remove or "
        "repoint them first."
    )
    assert {d["kind"] for d in body["dependents"]} == {"claim"}
    assert snapshot(*EVERYTHING) == before


def test_deleting_a_document_that_claims_depend_on_is_a_conflict(editor):
    claim = ClaimFactory()
    before = snapshot(*EVERYTHING)
    response = editor.delete(f"/api/documents/{claim.document_id}/")
    assert response.status_code == 409
    assert response.json()["dependents"] == [{"kind": "claim", "id": claim.pk}]
    assert snapshot(*EVERYTHING) == before


def test_deleting_a_linked_claim_is_a_conflict(editor):
    link = LinkFactory()
    response = editor.delete(f"/api/claims/{link.to_claim_id}/")
    assert response.status_code == 409
    assert response.json()["dependents"] == [{"kind": "link", "id": link.pk}]
