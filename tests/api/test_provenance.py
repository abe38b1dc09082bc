"""PROV-O of a claim (JSON-LD): who it is attributed to, where it was quoted from,
what it derives from, down to its origins' documents; checked expanded."""

import pytest

from claims.models import Claim, Link
from tests.factories import ClaimFactory, DocumentFactory, LinkFactory, SourceFactory
from tests.helpers import count_queries
from tests.jsonld import PROV, expand

pytestmark = pytest.mark.django_db

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def iri(kind, pk) -> str:
    return f"http://testserver/api/{kind}/{pk}/"


def ids(node: dict, term: str) -> set[str]:
    return {found["@id"] for found in node.get(PROV + term, [])}


@pytest.fixture
def chain():
    """An outlet's claim repeats an agency's, which is based on a ministry's (the
    origin); a charity's claim corroborates the outlet's (no derivation)."""
    ministry, agency, outlet = (
        SourceFactory(name="Ministry", kind="government"),
        SourceFactory(name="Agency", kind="media"),
        SourceFactory(name="Jane Doe", kind="person"),
    )
    origin = ClaimFactory(source=ministry, document=DocumentFactory())
    middle = ClaimFactory(source=agency, document=DocumentFactory())
    top = ClaimFactory(source=outlet, document=DocumentFactory())
    LinkFactory(from_claim=top, to_claim=middle, relation="repeats")
    LinkFactory(from_claim=middle, to_claim=origin, relation="based_on")
    aside = ClaimFactory(source=SourceFactory(name="Charity"))
    LinkFactory(from_claim=aside, to_claim=top, relation="corroborates")
    return {"top": top, "middle": middle, "origin": origin, "aside": aside}


def test_the_provenance_is_the_whole_chain_to_the_origins(chain, anonymous):
    top, middle, origin = chain["top"], chain["middle"], chain["origin"]
    response = anonymous.get(f"/api/claims/{top.pk}/provenance/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    nodes = {node["@id"]: node for node in expand(response.json())}

    claims = {c.pk: nodes[iri("claims", c.pk)] for c in (top, middle, origin)}
    assert iri("claims", chain["aside"].pk) not in nodes  # corroboration: no source
    for claim in (top, middle, origin):
        entity = claims[claim.pk]
        assert f"{PROV}Entity" in entity["@type"]
        assert ids(entity, "wasAttributedTo") == {iri("sources", claim.source_id)}
        assert ids(entity, "wasQuotedFrom") == {iri("documents", claim.document_id)}
        assert ids(entity, "hadPrimarySource") == {iri("documents", origin.document_id)}
        assert entity[RDFS_LABEL] == [{"@value": claim.statement}]
    assert ids(claims[top.pk], "wasDerivedFrom") == {iri("claims", middle.pk)}
    assert ids(claims[middle.pk], "wasDerivedFrom") == {iri("claims", origin.pk)}
    assert ids(claims[origin.pk], "wasDerivedFrom") == set()

    person = nodes[iri("sources", top.source_id)]
    assert set(person["@type"]) == {f"{PROV}Agent", f"{PROV}Person"}
    ministry = nodes[iri("sources", origin.source_id)]
    assert set(ministry["@type"]) == {f"{PROV}Agent", f"{PROV}Organization"}
    document = nodes[iri("documents", origin.document_id)]
    assert document["http://schema.org/url"] == [{"@id": origin.document.url}]


def test_a_claim_without_derivation_is_its_own_primary_source(anonymous):
    claim = ClaimFactory()
    graph = expand(anonymous.get(f"/api/claims/{claim.pk}/provenance/").json())
    entity = next(n for n in graph if n["@id"] == iri("claims", claim.pk))
    assert ids(entity, "hadPrimarySource") == {iri("documents", claim.document_id)}
    assert PROV + "wasDerivedFrom" not in entity


def test_two_origins_give_two_primary_sources(anonymous):
    first, second, relay = ClaimFactory(), ClaimFactory(), ClaimFactory()
    LinkFactory(from_claim=relay, to_claim=first, relation="based_on")
    LinkFactory(from_claim=relay, to_claim=second, relation="repeats")
    graph = expand(anonymous.get(f"/api/claims/{relay.pk}/provenance/").json())
    entity = next(n for n in graph if n["@id"] == iri("claims", relay.pk))
    assert ids(entity, "wasDerivedFrom") == {
        iri("claims", first.pk),
        iri("claims", second.pk),
    }
    assert ids(entity, "hadPrimarySource") == {
        iri("documents", first.document_id),
        iri("documents", second.document_id),
    }


def test_an_unknown_claim_is_404(anonymous):
    response = anonymous.get("/api/claims/999999/provenance/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_long_chain_costs_the_same_queries_as_a_short_one(anonymous):
    source, document = SourceFactory(), DocumentFactory()

    def chain_of(length):
        claims = Claim.objects.bulk_create(
            Claim(
                source=source,
                document=document,
                statement=f"Relay {i}",
                quote=f"q{length}-{i}",
                attribution_kind="paraphrase",
            )
            for i in range(length)
        )
        Link.objects.bulk_create(
            Link(from_claim=a, to_claim=b, relation="repeats")
            for a, b in zip(claims, claims[1:], strict=False)
        )
        return claims[0]

    short, long = chain_of(3), chain_of(90)
    at_3, _ = count_queries(anonymous, f"/api/claims/{short.pk}/provenance/")
    at_90, answer = count_queries(anonymous, f"/api/claims/{long.pk}/provenance/")
    assert at_90 == at_3
    claims = [n for n in answer.json()["@graph"] if "/api/claims/" in n["@id"]]
    assert len(claims) == 90
