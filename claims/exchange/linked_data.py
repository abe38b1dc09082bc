"""The linked-data exchange formats (JSON-LD): schema.org ClaimReview, W3C Web
Annotation and PROV-O, and the reading of Web Annotations back into proposals.

Pure: plain rows (dicts) in, JSON-LD documents (dicts) out; the reads are
``claims.exchange.selectors``. The mappings are DOMAIN.md's "Exchange formats":

- ClaimReview (https://schema.org/ClaimReview) for a reviewed claim:
  ``claimReviewed`` the statement, ``reviewRating`` with ``alternateName`` the
  credibility in words ("Misattributed" for a misattributed claim) and, for grades
  1-5, ``ratingValue`` 7 - grade on a scale from ``worstRating`` 2 to
  ``bestRating`` 6; ``itemReviewed`` a ``Claim`` by its source, dated, appearing in
  its document; ``author`` the organisation publishing the reviews.
- Web Annotation (https://www.w3.org/TR/annotation-model/), one per quote: a
  ``TextQuoteSelector`` (exact, and prefix and suffix of up to 32 characters) and a
  ``TextPositionSelector`` (start, end exclusive, code points) on the document's
  URL; bodies: the statement (purpose ``describing``), the source's name
  (``identifying``) and the attribution kind (``tagging``).
- PROV-O (https://www.w3.org/TR/prov-o/): a claim ``wasAttributedTo`` its source,
  ``wasQuotedFrom`` its document, ``wasDerivedFrom`` the claims it repeats or is
  based on, ``hadPrimarySource`` its origins' documents.

Offsets are Python string indices (code points), as in ``claims.quotes``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from claims import quotes
from claims.choices import AttributionKind, AttributionStatus, Credibility
from claims.exchange.bundle import BUNDLE_ANNOTATION
from claims.exchange.intake.reading import guess_kind

#: The contexts the documents name (the published ones; PROV's is written inline,
#: W3C publishing no JSON-LD context for PROV-O).
SCHEMA_ORG_CONTEXT = "https://schema.org"
ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
PROV_CONTEXT = {
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "http://schema.org/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
JSON_LD_MEDIA_TYPE = "application/ld+json"

#: The rating scale: grade 1 (confirmed) is the best rating, 5 (improbable) the
#: worst; 6 (cannot be judged) is no point on it.
BEST_RATING = 6
WORST_RATING = 2
#: How much text before and after a quote its TextQuoteSelector carries.
CONTEXT_CHARS = 32
#: The most annotations one import reads.
MAX_ANNOTATIONS = 1_000
#: The most annotations of one import whose quote is not the text's own, character
#: for character: each costs a reading of the whole text with its typography made
#: uniform, and is refused beyond this (an exported quote always is the text's own).
MAX_INEXACT_QUOTES = 100

#: Sources that are people are schema.org Persons; every other kind an Organization.
_PERSON_KINDS = {"person", "anonymous"}


# ClaimReview ---------------------------------------------------------------------------


def credibility_words(credibility: int, attribution_status: str) -> str:
    """The grade in words: "Misattributed" for a misattributed claim, else the
    credibility's label without its number ("Probably true")."""
    if attribution_status == AttributionStatus.MISATTRIBUTED:
        return "Misattributed"
    label = str(Credibility(credibility).label).split(": ", 1)[-1]
    return label[:1].upper() + label[1:]


def review_rating(credibility: int, attribution_status: str) -> dict:
    """The schema.org ``Rating`` of a grade; numeric for grades 1-5 only."""
    rating = {
        "@type": "Rating",
        "alternateName": credibility_words(credibility, attribution_status),
    }
    if credibility != Credibility.CANNOT_BE_JUDGED:
        rating.update(
            ratingValue=7 - credibility,
            bestRating=BEST_RATING,
            worstRating=WORST_RATING,
        )
    return rating


def _agent(name: str, kind: str) -> dict:
    return {
        "@type": "Person" if kind in _PERSON_KINDS else "Organization",
        "name": name,
    }


def claim_review(row: dict, publisher: dict, *, context: bool = True) -> dict:
    """The ClaimReview of one reviewed claim.

    ``row``: ``url`` (the claim's page), ``statement``, ``credibility``,
    ``attribution_status``, ``reviewed_at`` (the latest review's date), ``stated_on``
    (or None), ``source_name``, ``source_kind``, ``document_url`` (the document's
    own URL, or its page here when it has none), ``document_title``,
    ``document_publisher``, ``document_published_at`` (or None). ``publisher``:
    ``{"name", "url"}``.
    """
    appearance = {
        "@type": "CreativeWork",
        "url": row["document_url"],
        "headline": row["document_title"],
    }
    if row.get("document_publisher"):
        appearance["publisher"] = {
            "@type": "Organization",
            "name": row["document_publisher"],
        }
    if row.get("document_published_at"):
        appearance["datePublished"] = _iso(row["document_published_at"])
    item = {
        "@type": "Claim",
        "author": _agent(row["source_name"], row["source_kind"]),
        "appearance": appearance,
    }
    if row.get("stated_on"):
        item["datePublished"] = _iso(row["stated_on"])
    review = {
        "@type": "ClaimReview",
        "url": row["url"],
        "claimReviewed": row["statement"],
        "datePublished": _iso(row["reviewed_at"]),
        "author": {
            "@type": "Organization",
            "name": publisher["name"],
            "url": publisher["url"],
        },
        "reviewRating": review_rating(row["credibility"], row["attribution_status"]),
        "itemReviewed": item,
    }
    return {"@context": SCHEMA_ORG_CONTEXT, **review} if context else review


def claim_review_list(rows: Iterable[dict], publisher: dict, count: int) -> dict:
    """Several ClaimReviews as one schema.org ``ItemList`` (a page of them: ``count``
    is how many there are in all)."""
    return {
        "@context": SCHEMA_ORG_CONTEXT,
        "@type": "ItemList",
        "numberOfItems": count,
        "itemListElement": [
            claim_review(row, publisher, context=False) for row in rows
        ],
    }


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# Web Annotation ------------------------------------------------------------------------


def text_selectors(text: str, start: int, end: int) -> list[dict]:
    """The TextQuoteSelector and TextPositionSelector of ``text[start:end]``."""
    return [
        {
            "type": "TextQuoteSelector",
            "exact": text[start:end],
            "prefix": text[max(0, start - CONTEXT_CHARS) : start],
            "suffix": text[end : end + CONTEXT_CHARS],
        },
        {"type": "TextPositionSelector", "start": start, "end": end},
    ]


def annotation(row: dict, text: str, target_source: str) -> dict:
    """The annotation of one quote. ``row``: ``id`` (the annotation's IRI),
    ``quote_start``, ``quote_end``, ``statement``, ``source_name``,
    ``attribution_kind``."""
    return {
        "id": row["id"],
        "type": "Annotation",
        "motivation": "describing",
        "body": [
            {
                "type": "TextualBody",
                "purpose": "describing",
                "value": row["statement"],
                "format": "text/plain",
            },
            {
                "type": "TextualBody",
                "purpose": "identifying",
                "value": row["source_name"],
            },
            {
                "type": "TextualBody",
                "purpose": "tagging",
                "value": row["attribution_kind"],
            },
        ],
        "target": {
            "source": target_source,
            "selector": text_selectors(text, row["quote_start"], row["quote_end"]),
        },
    }


def annotation_collection(
    collection_id: str, label: str, text: str, target_source: str, rows: list[dict]
) -> dict:
    """Every quote of one document as an AnnotationCollection, in one page.

    Quotes not anchored in the text (no ``quote_start``) have no selector to give
    and are left out."""
    items = [
        annotation(row, text, target_source)
        for row in rows
        if row.get("quote_start") is not None and row.get("quote_end") is not None
    ]
    return {
        "@context": ANNOTATION_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": label,
        "total": len(items),
        "first": {
            "id": f"{collection_id}#page1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }


# Reading annotations back: proposals ---------------------------------------------------


@dataclass(frozen=True)
class ReadAnnotation:
    """What one posted annotation says."""

    index: int
    id: str
    target_source: str | None
    exact: str
    prefix: str | None
    suffix: str | None
    start: int | None
    statement: str
    source_name: str
    attribution_kind: str


class AnnotationError(ValueError):
    """The posted body is not annotations at all (not one annotation is read)."""


def annotations_of(payload) -> list:
    """The annotations of a posted body: an AnnotationCollection (its first page's
    ``items``), an AnnotationPage, a list, or one Annotation."""
    if isinstance(payload, list):
        found = payload
    elif isinstance(payload, dict):
        kind = payload.get("type")
        if kind == "AnnotationCollection":
            first = payload.get("first")
            found = first.get("items") if isinstance(first, dict) else None
        elif kind == "AnnotationPage":
            found = payload.get("items")
        elif kind == "Annotation":
            found = [payload]
        else:
            raise AnnotationError(
                'Expected an Annotation, AnnotationPage or AnnotationCollection ("type").'
            )
    else:
        raise AnnotationError("Expected a JSON object or a list of annotations.")
    if not isinstance(found, list):
        raise AnnotationError("The collection's first page has no list of items.")
    if not found:
        raise AnnotationError("There are no annotations to read.")
    if len(found) > MAX_ANNOTATIONS:
        raise AnnotationError(
            f"{len(found):,} annotations; one import reads at most {MAX_ANNOTATIONS:,}."
        )
    return found


def read_annotation(index: int, item) -> ReadAnnotation:
    """One annotation read, or ``ValueError`` naming the field that is wrong."""
    if not isinstance(item, dict):
        raise ValueError("annotation: must be a JSON object.")
    target = item.get("target")
    if isinstance(target, list):
        target = next((t for t in target if isinstance(t, dict)), None)
    if not isinstance(target, dict):
        raise ValueError("target: must be an object with a selector.")
    selectors = target.get("selector")
    selectors = selectors if isinstance(selectors, list) else [selectors]
    quote = next(
        (
            s
            for s in selectors
            if isinstance(s, dict) and s.get("type") == "TextQuoteSelector"
        ),
        None,
    )
    position = next(
        (
            s
            for s in selectors
            if isinstance(s, dict) and s.get("type") == "TextPositionSelector"
        ),
        None,
    )
    if quote is None:
        raise ValueError("target.selector: a TextQuoteSelector is needed.")
    exact = quote.get("exact")
    if not isinstance(exact, str) or not exact.strip():
        raise ValueError("target.selector.exact: the quoted text is needed.")
    prefix, suffix = quote.get("prefix"), quote.get("suffix")
    for name, value in (("prefix", prefix), ("suffix", suffix)):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"target.selector.{name}: must be text.")
    start = None
    if position is not None:
        start = position.get("start")
        if isinstance(start, bool) or not isinstance(start, int) or start < 0:
            raise ValueError(
                "target.selector.start: must be a whole number, 0 or more."
            )
    source = target.get("source")
    if isinstance(source, dict):
        source = source.get("id")
    if source is not None and not isinstance(source, str):
        raise ValueError("target.source: must be the document's IRI.")
    bodies = item.get("body", [])
    bodies = bodies if isinstance(bodies, list) else [bodies]
    said = {}
    for body in bodies:
        if isinstance(body, dict) and isinstance(body.get("value"), str):
            purposes = body.get("purpose") or "describing"
            purposes = purposes if isinstance(purposes, list) else [purposes]
            if not all(isinstance(purpose, str) for purpose in purposes):
                raise ValueError(
                    "body.purpose: must be a purpose's name, or a list of them."
                )
            for purpose in purposes:
                said.setdefault(purpose, body["value"].strip())
    kind = said.get("tagging", "")
    if kind and kind not in AttributionKind.values:
        raise ValueError(
            f"body (tagging): {kind!r} is no attribution kind; expected one of "
            f"{', '.join(AttributionKind.values)}."
        )
    return ReadAnnotation(
        index=index,
        id=str(item.get("id", "")),
        target_source=source or None,
        exact=exact,
        prefix=prefix or None,
        suffix=suffix or None,
        start=start,
        statement=said.get("describing", ""),
        source_name=said.get("identifying", ""),
        attribution_kind=kind,
    )


def _message(error: ValidationError) -> tuple[str, str]:
    """The field and message of a ``claims.quotes`` error."""
    for field, errors in error.message_dict.items():
        return field, " ".join(errors)
    return "quote", " ".join(error.messages)


def propose_from_annotations(
    payload,
    document: dict,
    lookup_source: Callable[[str], dict | None],
    stored_claims: Iterable[dict],
) -> dict:
    """Proposals (the intake's bundle format) for posted annotations of a stored
    document: a claim row on the document (referenced by its id) for each
    annotation whose quote is found once in its text, the sources by name (a stored
    one ``matched``), and for each annotation that cannot be read or anchored an
    error naming it. Nothing is stored.

    ``document``: ``{"id", "text"}``, and ``"iris"``, the IRIs an annotation's
    ``target.source`` may name it by (its URL, its page here); an annotation on
    another resource is refused. ``lookup_source(name)``: the stored source of
    that name or alias (``{"id", "name", "kind"}``) or None. ``stored_claims``:
    ``{"id", "quote_start", "quote_end", "source_id"}`` of the document's claims, to
    say which proposal is already stored (``matched``).
    """
    items = annotations_of(payload)
    stored_at = {
        (c["quote_start"], c["quote_end"], c["source_id"]): c["id"]
        for c in stored_claims
    }
    inexact = 0
    sources: list[dict] = []
    source_keys: dict[str, str] = {}
    claims: list[dict] = []
    errors: list[dict] = []
    notes: list[str] = []

    def source_key(name: str) -> tuple[str, int | None]:
        known = lookup_source(name)
        identity = f"id:{known['id']}" if known else f"name:{name.lower()}"
        if identity not in source_keys:
            key = f"s{len(sources) + 1}"
            source_keys[identity] = key
            sources.append(
                {
                    "key": key,
                    "name": known["name"] if known else name,
                    "kind": known["kind"] if known else guess_kind(name),
                    "matched": known["id"] if known else None,
                    "confidence": {"score": 1.0, "word": "high"}
                    if known
                    else {"score": 0.5, "word": "medium"},
                }
            )
        row = sources[int(source_keys[identity][1:]) - 1]
        return source_keys[identity], row["matched"]

    for index, item in enumerate(items):
        try:
            read = read_annotation(index, item)
        except ValueError as error:
            field, _, reason = str(error).partition(": ")
            errors.append(_error_row(index, item, field, reason))
            continue
        if read.target_source and not _names(document.get("iris"), read.target_source):
            errors.append(
                _error_row(
                    index,
                    item,
                    "target.source",
                    f"The annotation is on {read.target_source}, not on this document "
                    f"({' or '.join(document['iris'])}): post it to its own document.",
                )
            )
            continue
        if read.exact not in document["text"]:
            inexact += 1
            if inexact > MAX_INEXACT_QUOTES:
                errors.append(
                    _error_row(
                        index,
                        item,
                        "target.selector.exact",
                        f"Not looked up: more than {MAX_INEXACT_QUOTES} quotes of this "
                        "import differ from the text as stored; send them in "
                        "smaller imports.",
                    )
                )
                continue
        try:
            span = quotes.locate(
                document["text"],
                read.exact,
                prefix=read.prefix,
                suffix=read.suffix,
                start=read.start,
            )
        except ValidationError as error:
            field, reason = _message(error)
            errors.append(
                _error_row(
                    index,
                    item,
                    "target.selector."
                    + ("start" if field == "quote_start" else "exact"),
                    reason,
                )
            )
            continue
        key, source_id = (None, None)
        if read.source_name:
            key, source_id = source_key(read.source_name)
        else:
            notes.append(
                f"Annotation {index} names no source (a body with purpose "
                "identifying): give the claim its source before importing it."
            )
        exact_match = span.exact == read.exact and read.start in (None, span.start)
        claims.append(
            {
                "key": f"c{len(claims) + 1}",
                "source": key,
                "document": document["id"],
                "quote": span.exact,
                "quote_start": span.start,
                "statement": read.statement or span.exact.strip(" \"'\u201c\u201d"),
                "attribution_kind": read.attribution_kind
                or AttributionKind.PARAPHRASE.value,
                "matched": stored_at.get((span.start, span.end, source_id)),
                "confidence": {"score": 1.0, "word": "high"}
                if exact_match and read.source_name
                else {"score": 0.7, "word": "medium"},
                "quote_span": [span.start, span.end],
            }
        )
    return {
        "documents": [],
        "sources": sources,
        "measures": [],
        "claims": claims,
        "figures": [],
        "links": [],
        BUNDLE_ANNOTATION: {
            "reason": "" if claims else "No annotation could be anchored in the text.",
            "notes": notes,
            "errors": errors,
        },
    }


def _names(iris, target_source: str) -> bool:
    """Whether ``target_source`` is one of the document's ``iris`` (all are
    taken when none are given), a trailing slash aside."""
    if not iris:
        return True
    return target_source.rstrip("/") in {iri.rstrip("/") for iri in iris}


def _error_row(index: int, item, field: str, reason: str) -> dict:
    ident = item.get("id", "") if isinstance(item, dict) else ""
    return {"annotation": index, "id": str(ident), "field": field, "reason": reason}


# PROV-O -------------------------------------------------------------------------------


def provenance(
    claim_id: int,
    claims: dict[int, dict],
    derived: dict[int, list[int]],
    origins: dict[int, list[int]],
    sources: dict[int, dict],
    documents: dict[int, dict],
) -> dict:
    """The PROV-O graph of a claim and of every claim its chain reaches.

    ``claims``: by id, ``{"iri", "statement", "quote", "source_id",
    "document_id"}`` for the claim and each claim its repeats/based_on links reach;
    ``derived``: each claim's direct repeats/based_on targets; ``origins``: each
    claim's origin claims; ``sources`` and ``documents``: by id, ``{"iri", "name",
    "kind"}`` and ``{"iri", "title", "url"}``.
    """
    graph = []
    order = [claim_id, *sorted(pk for pk in claims if pk != claim_id)]
    for pk in order:
        claim = claims[pk]
        entity = {
            "@id": claim["iri"],
            "@type": "prov:Entity",
            "rdfs:label": claim["statement"],
            "prov:value": claim["quote"],
            "prov:wasAttributedTo": {"@id": sources[claim["source_id"]]["iri"]},
            "prov:wasQuotedFrom": {"@id": documents[claim["document_id"]]["iri"]},
        }
        if derived.get(pk):
            entity["prov:wasDerivedFrom"] = [
                {"@id": claims[target]["iri"]} for target in sorted(derived[pk])
            ]
        primary = sorted({claims[o]["document_id"] for o in origins.get(pk, [])})
        if primary:
            entity["prov:hadPrimarySource"] = [
                {"@id": documents[d]["iri"]} for d in primary
            ]
        graph.append(entity)
    for pk in sorted(sources):
        source = sources[pk]
        graph.append(
            {
                "@id": source["iri"],
                "@type": [
                    "prov:Agent",
                    "prov:Person"
                    if source["kind"] in _PERSON_KINDS
                    else "prov:Organization",
                ],
                "rdfs:label": source["name"],
            }
        )
    for pk in sorted(documents):
        document = documents[pk]
        node = {
            "@id": document["iri"],
            "@type": "prov:Entity",
            "rdfs:label": document["title"],
        }
        if document.get("url"):
            node["schema:url"] = {"@id": document["url"]}
        graph.append(node)
    return {"@context": PROV_CONTEXT, "@graph": graph}
