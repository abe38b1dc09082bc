"""Writes that span more than one row: validated, atomic, recorded in history."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from claims.models import Claim, Review


@transaction.atomic
def review_create(
    *,
    claim: Claim,
    reviewer: AbstractBaseUser | None,
    attribution_status: str,
    credibility: int,
    rationale: str,
) -> Review:
    """Record a review and make it the claim's current grade.

    The claim row is locked first, so two reviews saved at once leave the claim
    graded by the one saved last.
    """
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    review = Review(
        claim=locked,
        reviewer=reviewer,
        attribution_status=attribution_status,
        credibility=credibility,
        rationale=rationale,
    )
    review.full_clean()
    review.save()
    locked.attribution_status = review.attribution_status
    locked.credibility = review.credibility
    locked._change_reason = f"Review #{review.pk}"
    locked.save(update_fields=["attribution_status", "credibility", "updated_at"])
    claim.attribution_status, claim.credibility = (
        locked.attribution_status,
        locked.credibility,
    )
    return review


def lock_link_graph() -> None:
    """Serialize writes of links for the rest of the current transaction.

    Two writers each adding a link that is fine alone could together close a
    repeats/based_on cycle, or add the same link twice: each validates against the
    links the other has not committed yet. Holding this lock from before validation
    until commit makes the second writer validate against the first's link.
    PostgreSQL: a transaction-scoped advisory lock. SQLite: the database's write
    lock, which a write transaction otherwise takes only at its first write; an
    update that changes nothing takes it now.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("lock_link_graph() must run inside transaction.atomic().")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LINK_GRAPH_LOCK])
        else:
            cursor.execute("UPDATE claims_link SET id = id WHERE id IS NULL")


#: The advisory lock key of the link graph (any fixed 64-bit number).
LINK_GRAPH_LOCK = 7_212_004_001
