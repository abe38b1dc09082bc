"""W3C Web Annotation of a document's quotes: the collection expanded against the
W3C context, its selectors applied to the stored text, and annotations read back
as proposals anchored in that text."""

import copy
import json

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import caching, quotes
from claims.models import Claim, Document
from tests.factories import ClaimFactory, DocumentFactory, SourceFactory
from tests.helpers import count_queries, stored_rows
from tests.jsonld import AS, OA, RDF_VALUE, expand, node, value

pytestmark = pytest.mark.django_db


def seed_document() -> Document:
    return Document.objects.order_by("pk").first()


def url(document) -> str:
    return f"/api/documents/{document.pk}/annotations/"


def selectors_of(annotation: dict) -> dict:
    """An expanded annotation's selectors by type."""
    target = node(annotation, f"{OA}hasTarget")
    return {s["@type"][0]: s for s in target[f"{OA}hasSelector"]}


def test_the_seed_documents_quotes_are_an_annotation_collection(seed, anonymous):
    document = seed_document()
    response = anonymous.get(url(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"

    [collection] = expand(response.json())
    assert collection["@type"] == [f"{AS}OrderedCollection"]
    claims = {c.pk: c for c in Claim.objects.filter(document=document)}
    assert value(collection, f"{AS}totalItems") == len(claims) > 0
    page = node(collection, f"{AS}first")
    [items] = page[f"{AS}items"]
    annotations = items["@list"]
    assert len(annotations) == len(claims)
    for annotation in annotations:
        assert annotation["@type"] == [f"{OA}Annotation"]
        claim = claims[int(annotation["@id"].rsplit("-", 1)[1])]
        bodies = {
            value(b, f"{OA}hasPurpose"): value(b, RDF_VALUE)
            for b in annotation[f"{OA}hasBody"]
        }
        assert bodies == {
            f"{OA}describing": claim.statement,
            f"{OA}identifying": claim.source.name,
            f"{OA}tagging": claim.attribution_kind,
        }
        target = node(annotation, f"{OA}hasTarget")
        assert value(target, f"{OA}hasSource") == (
            document.url or f"http://testserver/documents/{document.pk}/"
        )
        found = selectors_of(annotation)
        assert set(found) == {f"{OA}TextQuoteSelector", f"{OA}TextPositionSelector"}
        quote = found[f"{OA}TextQuoteSelector"]
        position = found[f"{OA}TextPositionSelector"]
        start, end = value(position, f"{OA}start"), value(position, f"{OA}end")
        assert (int(start), int(end)) == (claim.quote_start, claim.quote_end)
        assert value(quote, f"{OA}exact") == document.text[start:end]
        assert value(quote, f"{OA}prefix") == document.text[max(0, start - 32) : start]
        assert value(quote, f"{OA}suffix") == document.text[end : end + 32]


def test_every_selector_applied_to_the_stored_text_yields_the_claims_quote(
    seed, anonymous
):
    document = seed_document()
    text = document.text
    answer = anonymous.get(url(document)).json()
    by_id = {c.pk: c for c in Claim.objects.filter(document=document)}
    annotations = answer["first"]["items"]
    assert len(annotations) == len(by_id)
    for annotation in annotations:
        claim = by_id[int(annotation["id"].rsplit("-", 1)[1])]
        quote, position = annotation["target"]["selector"]
        assert quote["type"] == "TextQuoteSelector"
        assert position["type"] == "TextPositionSelector"
        # The position selector: the stored span, end exclusive.
        assert text[position["start"] : position["end"]] == quote["exact"]
        # The quote selector alone finds the same one span.
        span = quotes.locate(
            text, quote["exact"], prefix=quote["prefix"], suffix=quote["suffix"]
        )
        assert (span.start, span.end) == (position["start"], position["end"])
        assert (span.start, span.end) == (claim.quote_start, claim.quote_end)
        # The span is the claim's quote (as the document types it).
        assert (
            quotes.normalized(quote["exact"])[0] == (quotes.normalized(claim.quote)[0])
        )
        assert len(quote["prefix"]) <= 32 and len(quote["suffix"]) <= 32
        assert text[: position["start"]].endswith(quote["prefix"])
        assert text[position["end"] :].startswith(quote["suffix"])


def test_a_round_trip_of_the_seeds_annotations_proposes_the_same_quotes(
    seed, anonymous, editor
):
    document = seed_document()
    exported = anonymous.get(url(document)).json()
    before = stored_rows()
    response = editor.post(url(document), exported, format="json")
    assert response.status_code == 200
    proposals = response.json()
    assert stored_rows() == before  # proposals only
    assert proposals["intake"]["errors"] == []

    claims = Claim.objects.filter(document=document).select_related("source")
    sources = {row["key"]: row for row in proposals["sources"]}
    # Two sources may share one quote: a proposal is its span and its source.
    proposed = {
        (*row["quote_span"], sources[row["source"]]["matched"]): row
        for row in proposals["claims"]
    }
    assert len(proposed) == len(proposals["claims"]) == claims.count()
    for claim in claims:
        row = proposed[(claim.quote_start, claim.quote_end, claim.source_id)]
        assert row["quote"] == document.text[claim.quote_start : claim.quote_end]
        assert row["document"] == document.pk
        assert row["statement"] == claim.statement
        assert row["attribution_kind"] == claim.attribution_kind
        assert row["matched"] == claim.pk

    # The answer is a bundle in the import's format.
    schema = anonymous.get("/api/import/schema/").json()
    jsonschema.Draft202012Validator(schema).validate(proposals)


def test_quote_selectors_alone_are_enough_and_the_proposals_import(editor):
    document = DocumentFactory()
    source = SourceFactory(name="Agency")
    posted = {
        "type": "Annotation",
        "target": {
            "source": document.url,
            "selector": {
                "type": "TextQuoteSelector",
                "exact": "around 1,500 troops were training",
            },
        },
        "body": {"type": "TextualBody", "purpose": "identifying", "value": "agency"},
    }
    response = editor.post(url(document), posted, format="json")
    assert response.status_code == 200
    proposals = response.json()
    [row] = proposals["claims"]
    start = document.text.index("around 1,500")
    assert row["quote_span"] == [
        start,
        start + len("around 1,500 troops were training"),
    ]
    assert row["matched"] is None
    [proposed_source] = proposals["sources"]
    assert proposed_source["matched"] == source.pk

    imported = editor.post("/api/import/", proposals, format="json")
    assert imported.status_code == 201, imported.json()
    claim = Claim.objects.get(document=document)
    assert (claim.source_id, claim.quote_start) == (source.pk, start)


def annotated(exact, start=None, **selector) -> dict:
    selectors = [{"type": "TextQuoteSelector", "exact": exact, **selector}]
    if start is not None:
        selectors.append({"type": "TextPositionSelector", "start": start})
    return {
        "type": "Annotation",
        "target": {"selector": selectors},
        "body": {"purpose": "identifying", "value": "Officials"},
    }


def test_an_ambiguous_or_missing_quote_is_reported_per_annotation(editor):
    document = DocumentFactory(
        text="He said the dam held. Later he said the dam held again."
    )
    posted = [
        annotated("the dam held"),  # twice in the text
        annotated("the bridge fell"),  # nowhere
        annotated("the dam held", suffix=" again"),  # the second one
        annotated("the dam held", start=999),
    ]
    before = stored_rows()
    response = editor.post(url(document), posted, format="json")
    assert response.status_code == 200
    answer = response.json()
    assert stored_rows() == before
    errors = {e["annotation"]: e for e in answer["intake"]["errors"]}
    assert set(errors) == {0, 1, 3}
    assert errors[0]["field"] == "target.selector.exact"
    assert "occurs 2 times" in errors[0]["reason"]
    assert "does not occur" in errors[1]["reason"]
    assert "Nearest passage" in errors[1]["reason"]
    assert errors[3]["field"] == "target.selector.start"
    [row] = answer["claims"]
    second = document.text.rindex("the dam held")
    assert row["quote_span"] == [second, second + len("the dam held")]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"type": "Nothing"}, "annotations"),
        ("a string", "annotations"),
        ([], "annotations"),
        ({"type": "AnnotationCollection", "first": {"items": "x"}}, "annotations"),
    ],
    ids=["unknown-type", "string", "empty", "items-not-a-list"],
)
def test_a_body_that_is_no_annotations_is_refused(editor, body, field):
    document = DocumentFactory()
    before = stored_rows()
    response = editor.post(url(document), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert stored_rows() == before


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda a: a.pop("target"), "target"),
        (lambda a: a["target"].update(selector=[]), "target.selector"),
        (
            lambda a: a["target"]["selector"][0].update(exact=""),
            "target.selector.exact",
        ),
        (
            lambda a: a["target"]["selector"][0].update(prefix=7),
            "target.selector.prefix",
        ),
        (
            lambda a: a["target"]["selector"].append(
                {"type": "TextPositionSelector", "start": -1}
            ),
            "target.selector.start",
        ),
        (
            lambda a: a.update(body={"purpose": "tagging", "value": "rumour"}),
            "body (tagging)",
        ),
        (
            lambda a: a.update(body={"purpose": {"id": "tagging"}, "value": "x"}),
            "body.purpose",
        ),
        (lambda a: a["target"].update(source=["a", "b"]), "target.source"),
        (
            lambda a: a["target"].update(source="https://elsewhere.example/other"),
            "target.source",
        ),
    ],
    ids=[
        "no-target",
        "no-selector",
        "empty-exact",
        "prefix-not-text",
        "negative-start",
        "bad-kind",
        "purpose-not-text",
        "source-not-an-iri",
        "another-documents-annotation",
    ],
)
def test_a_bad_annotation_is_reported_by_its_field(editor, change, field):
    document = DocumentFactory()
    bad = annotated("approximately 3,000 personnel")
    change(bad)
    good = annotated("around 1,500 troops")
    before = stored_rows()
    response = editor.post(url(document), [bad, good], format="json")
    assert response.status_code == 200
    answer = response.json()
    [error] = answer["intake"]["errors"]
    assert (error["annotation"], error["field"]) == (0, field)
    assert len(answer["claims"]) == 1
    assert stored_rows() == before


def test_an_annotation_names_its_document_by_its_url_or_its_page(editor):
    document = DocumentFactory()
    page = f"http://testserver/documents/{document.pk}/"
    for source in (document.url, page, page.rstrip("/"), None):
        posted = annotated("around 1,500 troops")
        if source is not None:
            posted["target"]["source"] = source
        answer = editor.post(url(document), posted, format="json").json()
        assert answer["intake"]["errors"] == [], source
        assert len(answer["claims"]) == 1
    other = DocumentFactory(text=document.text)
    posted = annotated("around 1,500 troops")
    posted["target"]["source"] = other.url
    [error] = editor.post(url(document), posted, format="json").json()["intake"][
        "errors"
    ]
    assert error["reason"] == (
        f"The annotation is on {other.url}, not on this document ({document.url} or "
        f"{page}): post it to its own document."
    )


def test_a_body_with_several_purposes_is_read_for_each(editor):
    document = DocumentFactory()
    posted = annotated("around 1,500 troops")
    posted["body"] = [
        {"purpose": ["identifying", "describing"], "value": "Agency"},
        {"purpose": "tagging", "value": "anonymous"},
    ]
    [claim] = editor.post(url(document), posted, format="json").json()["claims"]
    assert (claim["statement"], claim["attribution_kind"]) == ("Agency", "anonymous")


@pytest.mark.parametrize(
    "who, status", [("anonymous", 401), ("outsider", 403), ("reviewer", 403)]
)
def test_reading_annotations_in_is_for_editors(request, who, status):
    client = request.getfixturevalue(who)
    document = DocumentFactory()
    response = client.post(url(document), annotated("around 1,500"), format="json")
    assert response.status_code == status


def test_an_unknown_document_is_404(anonymous, editor):
    assert anonymous.get("/api/documents/999999/annotations/").status_code == 404
    assert (
        editor.post(
            "/api/documents/999999/annotations/", annotated("x"), format="json"
        ).status_code
        == 404
    )


def test_the_collection_makes_the_same_queries_for_10_quotes_and_1000(anonymous):
    words = [f"w{i:04d}" for i in range(1000)]
    document = DocumentFactory(text=" ".join(words))
    source = SourceFactory()

    def grow(first, count):
        Claim.objects.bulk_create(
            Claim(
                source=source,
                document=document,
                statement="A claim.",
                quote=word,
                quote_start=document.text.index(word),
                quote_end=document.text.index(word) + len(word),
                attribution_kind="paraphrase",
            )
            for word in words[first : first + count]
        )
        caching.bump_rows()

    grow(0, 10)
    at_10, _ = count_queries(anonymous, url(document))
    grow(10, 990)
    at_1000, answer = count_queries(anonymous, url(document))
    assert at_1000 == at_10
    assert answer.json()["total"] == 1000


def test_reading_1000_annotations_costs_the_same_queries_as_10(editor):
    words = [f"w{i:04d}" for i in range(1000)]
    document = DocumentFactory(text=" ".join(words))
    ClaimFactory(document=document, quote="w0001")

    def post(count):
        with CaptureQueriesContext(connection) as queries:
            response = editor.post(
                url(document), [annotated(w) for w in words[:count]], format="json"
            )
        assert response.status_code == 200
        assert len(response.json()["claims"]) == count
        return len(queries)

    post(1)  # the user's permissions, read once
    assert post(10) == post(1000)


def test_the_export_is_unchanged_by_a_reading_of_it(seed, anonymous, editor):
    document = seed_document()
    exported = anonymous.get(url(document)).json()
    posted = copy.deepcopy(exported)
    editor.post(url(document), posted, format="json")
    assert anonymous.get(url(document)).json() == exported


def test_annotations_posted_as_json_ld_are_read(editor):
    document = DocumentFactory()
    posted = annotated("around 1,500 troops")
    for content_type in (
        "application/ld+json",
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
    ):
        response = editor.post(
            url(document), json.dumps(posted), content_type=content_type
        )
        assert response.status_code == 200, response.content
        assert len(response.json()["claims"]) == 1
