"""JSON-LD documents expanded offline: the contexts they name are served from the
copies in ``tests/data/jsonld`` (schema.org's, and the W3C Web Annotation one), and
any other remote context is refused, so a test never reaches the network."""

import json
from pathlib import Path

from pyld import jsonld

CONTEXTS = Path(__file__).parent / "data" / "jsonld"
#: The context URLs the formats name, and the file holding each.
VENDORED = {
    "https://schema.org": "schemaorg-context.jsonld",
    "https://schema.org/": "schemaorg-context.jsonld",
    "http://schema.org": "schemaorg-context.jsonld",
    "http://schema.org/": "schemaorg-context.jsonld",
    "http://www.w3.org/ns/anno.jsonld": "anno.jsonld",
    "https://www.w3.org/ns/anno.jsonld": "anno.jsonld",
}

SCHEMA = "http://schema.org/"
OA = "http://www.w3.org/ns/oa#"
AS = "http://www.w3.org/ns/activitystreams#"
PROV = "http://www.w3.org/ns/prov#"
RDF_VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"


class RemoteContextRefused(Exception):
    pass


def load_document(url, options=None):
    name = VENDORED.get(url)
    if name is None:
        raise RemoteContextRefused(f"No network in tests: {url} is not vendored.")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads((CONTEXTS / name).read_text()),
    }


def expand(document) -> list:
    """``document`` expanded by the JSON-LD processor, contexts from disk."""
    return jsonld.expand(document, {"documentLoader": load_document})


def value(node: dict, iri: str):
    """The one value (``@value``, or ``@id``) of ``iri`` on an expanded node."""
    found = node[iri]
    assert len(found) == 1, found
    item = found[0]
    return item.get("@value", item.get("@id", item))


def node(node: dict, iri: str) -> dict:
    """The one node object of ``iri`` on an expanded node."""
    found = node[iri]
    assert len(found) == 1, found
    return found[0]
