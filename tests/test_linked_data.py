"""The linked-data mappings (claims.exchange.linked_data): pure, over plain rows."""

import datetime

import pytest

from claims.exchange import linked_data
from claims.exchange.bundle import BUNDLE_ANNOTATION

ROW = {
    "url": "https://tracker.example/claims/7/",
    "statement": "About 3,000 personnel are training.",
    "credibility": 3,
    "attribution_status": "verified",
    "reviewed_at": datetime.date(2024, 11, 2),
    "stated_on": datetime.date(2024, 10, 21),
    "source_name": "Ministry of Defence",
    "source_kind": "government",
    "document_url": "https://news.example/report",
    "document_title": "Report",
    "document_publisher": "Wire",
    "document_published_at": None,
}
PUBLISHER = {"name": "Checks", "url": "https://checks.example/"}


@pytest.mark.parametrize(
    ("grade", "status", "expected"),
    [
        (
            1,
            "verified",
            {
                "alternateName": "Confirmed by other sources",
                "ratingValue": 6,
                "bestRating": 6,
                "worstRating": 2,
            },
        ),
        (3, "unverified", {"alternateName": "Possibly true", "ratingValue": 4}),
        (5, "verified", {"alternateName": "Improbable", "ratingValue": 2}),
        (6, "verified", {"alternateName": "Truth cannot be judged"}),
        (2, "misattributed", {"alternateName": "Misattributed", "ratingValue": 5}),
        (6, "misattributed", {"alternateName": "Misattributed"}),
    ],
)
def test_a_grade_maps_to_a_rating(grade, status, expected):
    rating = linked_data.review_rating(grade, status)
    assert rating["@type"] == "Rating"
    assert {k: rating[k] for k in expected} == expected
    if grade == 6:
        assert not {"ratingValue", "bestRating", "worstRating"} & set(rating)


def test_a_claim_review_maps_the_row():
    review = linked_data.claim_review(ROW, PUBLISHER)
    assert review["@context"] == "https://schema.org"
    assert review["claimReviewed"] == ROW["statement"]
    assert review["datePublished"] == "2024-11-02"
    assert review["url"] == ROW["url"]
    assert review["author"] == {"@type": "Organization", **PUBLISHER}
    item = review["itemReviewed"]
    assert item["author"] == {"@type": "Organization", "name": "Ministry of Defence"}
    assert item["datePublished"] == "2024-10-21"
    assert item["appearance"]["url"] == ROW["document_url"]
    assert "datePublished" not in item["appearance"]


def test_an_undated_claim_and_a_person_source():
    item = linked_data.claim_review(
        {**ROW, "stated_on": None, "source_kind": "person"}, PUBLISHER
    )["itemReviewed"]
    assert "datePublished" not in item
    assert item["author"]["@type"] == "Person"


def test_a_list_of_reviews_has_one_context():
    listed = linked_data.claim_review_list([ROW, ROW], PUBLISHER, count=9)
    assert listed["numberOfItems"] == 9
    assert all("@context" not in r for r in listed["itemListElement"])


TEXT = "x" * 40 + "He said: the dam held." + "y" * 40


def test_the_selectors_carry_up_to_32_characters_around_the_quote():
    start = TEXT.index("the dam")
    quote, position = linked_data.text_selectors(TEXT, start, start + 12)
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": "the dam held",
        "prefix": ("x" * 40 + "He said: ")[-32:],
        "suffix": "." + "y" * 31,
    }
    assert position == {
        "type": "TextPositionSelector",
        "start": start,
        "end": start + 12,
    }


def test_selectors_at_the_text_edges_and_in_code_points():
    text = "😀 «dam» held"
    quote, position = linked_data.text_selectors(text, 0, 1)
    assert (quote["exact"], quote["prefix"], position["end"]) == ("😀", "", 1)
    quote, _ = linked_data.text_selectors(text, 3, 6)
    assert quote["exact"] == "dam" and quote["suffix"] == "» held"


def test_unanchored_quotes_are_left_out_of_a_collection():
    rows = [
        {
            "id": "a#1",
            "quote_start": 0,
            "quote_end": 2,
            "statement": "S",
            "source_name": "N",
            "attribution_kind": "paraphrase",
        },
        {"id": "a#2", "quote_start": None, "quote_end": None},
    ]
    collection = linked_data.annotation_collection("a", "L", "Hello", "u", rows)
    assert collection["total"] == 1
    assert [a["id"] for a in collection["first"]["items"]] == ["a#1"]


def lookup(name):
    return (
        {"id": 5, "name": "Ministry", "kind": "government"} if name == "MoD" else None
    )


def posted(exact, source="MoD", **extra):
    return {
        "type": "Annotation",
        "target": {
            "selector": [{"type": "TextQuoteSelector", "exact": exact, **extra}]
        },
        "body": [
            {"purpose": "identifying", "value": source},
            {"purpose": "tagging", "value": "direct_quote"},
        ],
    }


def test_annotations_are_proposed_against_stored_sources_and_claims():
    document = {"id": 3, "text": "He said \u201cthe dam held\u201d on Monday."}
    proposals = linked_data.propose_from_annotations(
        [posted('"the dam held"'), posted("on Monday", source="A new voice")],
        document,
        lookup,
        [{"id": 11, "quote_start": 8, "quote_end": 22, "source_id": 5}],
    )
    first, second = proposals["claims"]
    assert first["quote"] == "\u201cthe dam held\u201d"  # the document's own text
    assert first["quote_span"] == [8, 22]
    assert first["matched"] == 11
    assert first["document"] == 3
    assert first["attribution_kind"] == "direct_quote"
    assert first["statement"] == "the dam held"  # no statement body: the quote
    assert [s["matched"] for s in proposals["sources"]] == [5, None]
    assert proposals["sources"][0]["name"] == "Ministry"
    assert second["matched"] is None
    assert proposals[BUNDLE_ANNOTATION]["errors"] == []


def test_an_annotation_naming_no_source_is_noted():
    proposals = linked_data.propose_from_annotations(
        [
            {
                "type": "Annotation",
                "target": {"selector": {"type": "TextQuoteSelector", "exact": "held"}},
            }
        ],
        {"id": 1, "text": "It held."},
        lookup,
        [],
    )
    [claim] = proposals["claims"]
    assert claim["source"] is None
    assert "names no source" in proposals[BUNDLE_ANNOTATION]["notes"][0]


def test_too_many_annotations_are_refused():
    with pytest.raises(linked_data.AnnotationError, match="at most 1,000"):
        linked_data.annotations_of([{}] * 1001)


def test_provenance_maps_the_rows():
    claims = {
        1: {
            "iri": "c1",
            "statement": "S1",
            "quote": "q1",
            "source_id": 7,
            "document_id": 8,
        },
        2: {
            "iri": "c2",
            "statement": "S2",
            "quote": "q2",
            "source_id": 7,
            "document_id": 9,
        },
    }
    graph = linked_data.provenance(
        claim_id=2,
        claims=claims,
        derived={2: [1]},
        origins={1: [1], 2: [1]},
        sources={7: {"iri": "s7", "name": "N", "kind": "person"}},
        documents={
            8: {"iri": "d8", "title": "T8", "url": "https://a.example/"},
            9: {"iri": "d9", "title": "T9", "url": ""},
        },
    )["@graph"]
    assert graph[0]["@id"] == "c2"  # the claim asked for first
    assert graph[0]["prov:wasDerivedFrom"] == [{"@id": "c1"}]
    assert graph[0]["prov:hadPrimarySource"] == [{"@id": "d8"}]
    assert "schema:url" not in next(n for n in graph if n["@id"] == "d9")


def test_quotes_not_the_texts_own_are_looked_up_a_bounded_number_of_times(
    monkeypatch,
):
    monkeypatch.setattr(linked_data, "MAX_INEXACT_QUOTES", 2)
    document = {"id": 1, "text": "He said \u201cyes\u201d. She said \u201cno\u201d."}
    proposals = linked_data.propose_from_annotations(
        [posted('"yes"'), posted('"no"'), posted('"yes".'), posted("said")],
        document,
        lookup,
        [],
    )
    errors = proposals[BUNDLE_ANNOTATION]["errors"]
    assert [e["annotation"] for e in errors] == [2, 3]
    assert "more than 2 quotes" in errors[0]["reason"]
    assert "occurs 2 times" in errors[1]["reason"]  # the text's own: looked up
    assert [c["quote"] for c in proposals["claims"]] == [
        "\u201cyes\u201d",
        "\u201cno\u201d",
    ]
