"""The reads of the linked-data formats (``claims.exchange.linked_data``): plain rows,
in a number of queries that does not depend on how many rows there are."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from claims.choices import DERIVING_RELATIONS
from claims.exchange import linked_data
from claims.exchange.intake.selectors import stored_for
from claims.models import Claim, Document, Link, Review
from claims.selectors import MAX_CHAIN_DEPTH, origins_of_claims


def reviewed_claims(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """The claims of ``claims`` with at least one review, with their source and
    document and the date of their latest review (``reviewed_at``), in one query."""
    reviews = Review.objects.filter(claim=OuterRef("pk"))
    return (
        claims.filter(Exists(reviews))
        .select_related("source", "document")
        .annotate(
            reviewed_at=Subquery(
                reviews.order_by("-created_at", "-id").values("created_at")[:1]
            )
        )
    )


def review_publisher(site_url: str) -> dict:
    """The organisation publishing the reviews (``REVIEW_PUBLISHER``); its URL is
    ``site_url`` (this site) when the setting gives none."""
    publisher = dict(settings.REVIEW_PUBLISHER)
    publisher["url"] = publisher.get("url") or site_url
    return publisher


def claim_review_row(claim: Claim, absolute: Callable[[str], str]) -> dict:
    """What ``linked_data.claim_review`` reads of a claim from ``reviewed_claims``.
    ``absolute`` makes a path of this site a URL: the claim's page is the review's
    URL, and the document's page stands for a document without a URL of its own."""
    document = claim.document
    return {
        "url": absolute(reverse("claim", args=[claim.pk])),
        "statement": claim.statement,
        "credibility": claim.credibility,
        "attribution_status": claim.attribution_status,
        # The day as the site's readers have it (TIME_ZONE), not UTC's.
        "reviewed_at": timezone.localdate(claim.reviewed_at),
        "stated_on": claim.stated_on,
        "source_name": claim.source.name,
        "source_kind": claim.source.kind,
        "document_url": document.url
        or absolute(reverse("document", args=[document.pk])),
        "document_title": document.title,
        "document_publisher": document.publisher,
        "document_published_at": document.published_at,
    }


def claim_review(claim_id: int, absolute: Callable[[str], str]) -> dict | None:
    """The ClaimReview of one claim, or None when it was never reviewed: one
    query."""
    claim = reviewed_claims(Claim.objects.filter(pk=claim_id)).first()
    if claim is None:
        return None
    return linked_data.claim_review(
        claim_review_row(claim, absolute), review_publisher(absolute("/"))
    )


def annotation_rows(document: Document) -> list[dict]:
    """The document's claims, in the text's order, with their source's name: one
    query."""
    return list(
        Claim.objects.filter(document=document)
        .order_by("quote_start", "id")
        .values(
            "id",
            "statement",
            "quote_start",
            "quote_end",
            "attribution_kind",
            "source_id",
            source_name=F("source__name"),
        )
    )


def annotation_import_context(document: Document) -> tuple[Callable, list[dict]]:
    """What an import of annotations on ``document`` matches: a lookup of stored
    sources by name or alias, and the document's claims' spans (two queries)."""
    gazetteer = stored_for().gazetteer

    def lookup(name: str) -> dict | None:
        found = gazetteer.lookup(name)
        if found is None:
            return None
        known = gazetteer.sources[found]
        return {"id": known.id, "name": known.name, "kind": known.kind}

    spans = list(
        Claim.objects.filter(document=document).values(
            "id", "quote_start", "quote_end", "source_id"
        )
    )
    return lookup, spans


def chain_of(claim_id: int) -> list[int]:
    """The claim and every claim its repeats/based_on links reach, in one query."""
    link, claim = Link._meta.db_table, Claim._meta.db_table
    relations = sorted(relation.value for relation in DERIVING_RELATIONS)
    deriving = ", ".join(["%s"] * len(relations))
    sql = f"""
        WITH RECURSIVE walk(claim_id, depth) AS (
            SELECT c.id, 0 FROM {claim} c WHERE c.id = %s
            UNION
            SELECT l.to_claim_id, w.depth + 1
            FROM walk w JOIN {link} l ON l.from_claim_id = w.claim_id
            WHERE l.relation IN ({deriving}) AND w.depth < %s
        )
        SELECT DISTINCT claim_id FROM walk ORDER BY claim_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [claim_id, *relations, MAX_CHAIN_DEPTH])
        return [row[0] for row in cursor.fetchall()]


def provenance_rows(
    claim: Claim,
    claim_iri: Callable[[int], str],
    source_iri: Callable[[int], str],
    document_iri: Callable[[int], str],
) -> dict:
    """The arguments of ``linked_data.provenance`` for ``claim``: its chain to its
    origins, in four queries however long the chain."""
    ids = chain_of(claim.pk)
    rows = Claim.objects.filter(pk__in=ids).values(
        "id",
        "statement",
        "quote",
        "source_id",
        "document_id",
        "source__name",
        "source__kind",
        "document__title",
        "document__url",
    )
    claims, sources, documents = {}, {}, {}
    for row in rows:
        claims[row["id"]] = {
            "iri": claim_iri(row["id"]),
            "statement": row["statement"],
            "quote": row["quote"],
            "source_id": row["source_id"],
            "document_id": row["document_id"],
        }
        sources[row["source_id"]] = {
            "iri": source_iri(row["source_id"]),
            "name": row["source__name"],
            "kind": row["source__kind"],
        }
        documents[row["document_id"]] = {
            "iri": document_iri(row["document_id"]),
            "title": row["document__title"],
            "url": row["document__url"],
        }
    derived: dict[int, list[int]] = {}
    for from_id, to_id in Link.objects.filter(
        from_claim__in=ids, relation__in=DERIVING_RELATIONS
    ).values_list("from_claim_id", "to_claim_id"):
        derived.setdefault(from_id, []).append(to_id)
    origins = {
        pk: [origin.claim_id for origin in found]
        for pk, found in origins_of_claims(ids).items()
    }
    return {
        "claim_id": claim.pk,
        "claims": claims,
        "derived": derived,
        "origins": origins,
        "sources": sources,
        "documents": documents,
    }
