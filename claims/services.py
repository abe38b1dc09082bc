"""Every write of the domain: validated, atomic, recorded in history with who and why.

Each kind has its create, update and delete here, keyword-only and typed. Each one
runs the model's ``full_clean()`` (the rules of ``Model.clean()`` included) and saves
inside ``transaction.atomic``, with the history entry's user and reason set, and
carries the write's consequences in the same transaction: a measure's figures
derived again when its tolerance, lower limit or unit changes; figures that follow
their claim's date moved with it. The API, the admin and the reviewer pages call
these; the bundle import (``claims.exchange.bundle``) is the one bulk path, validating every
row by the same model rules and writing its history with the bulk helpers.

An update or delete given ``expected_version`` applies only if the row is still at
that version: the check is a conditional UPDATE inside the write's transaction, so
two writers cannot both pass it. The version itself is counted by the database
(``TrackedModel.save``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypedDict

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from claims import caching, history
from claims.choices import DatePrecision, MeasureKind, Reliability
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic
from claims.models.measures import followed_date

User = AbstractBaseUser | None

__all__ = [
    "StaleVersion",
    "check_document_change",
    "claim_create",
    "claim_delete",
    "claim_update",
    "document_create",
    "document_delete",
    "document_update",
    "figure_create",
    "figure_delete",
    "figure_update",
    "link_create",
    "link_delete",
    "link_update",
    "lock_link_graph",
    "measure_create",
    "measure_delete",
    "measure_update",
    "review_create",
    "source_create",
    "source_delete",
    "source_update",
    "topic_create",
    "topic_delete",
    "topic_update",
    "writable",
]


def writable(changes: type) -> list[str]:
    """The fields a kind's services write, in order: the keys of its ``...Changes``
    (the API's serializers, the bundle and the admin list them from here)."""
    return list(changes.__annotations__)


class StaleVersion(Exception):
    """The row is no longer at the version the writer read (If-Match failed)."""


# The shared steps ------------------------------------------------------------------


def _take_version(instance: models.Model, expected: int | None) -> None:
    """Hold the row at ``expected`` or raise ``StaleVersion``; inside the write's
    transaction. The UPDATE changes nothing but locks the row (the database on
    SQLite) until commit, so the check and the write are one."""
    if expected is None:
        return
    taken = (
        type(instance)
        ._base_manager.filter(pk=instance.pk, version=expected)
        .update(version=F("version"))
    )
    if not taken:
        raise StaleVersion(
            f"{instance._meta.verbose_name} #{instance.pk} is no longer at version "
            f"{expected}."
        )


def _stamp(instance: models.Model, user: User, reason: str | None) -> None:
    """The user and reason of the history entry the next save or delete writes."""
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user
    instance._change_reason = reason


def _save(
    instance: models.Model,
    *,
    user: User,
    reason: str | None,
    related: Mapping[str, Iterable] | None = None,
) -> None:
    """``full_clean()``, then save with the history entry's user and reason. With
    many-to-many values, the row and its related rows are written with history
    paused and then recorded as one entry, so one write is one entry."""
    instance.full_clean()
    _stamp(instance, user, reason)
    if not related:
        instance.save()
        return
    kind = "+" if instance._state.adding else "~"
    with history.history_paused(instance):
        instance.save()
        for name, values in related.items():
            history.set_related(instance, name, values)
    history.record_entry(instance, kind, user=_user_or_none(user), reason=reason)


def _user_or_none(user: User) -> User:
    return user if getattr(user, "is_authenticated", False) else None


def _apply(instance: models.Model, changes: Mapping[str, Any], m2m: Iterable[str]):
    """Set ``changes`` on the instance; returns the many-to-many ones."""
    related = {}
    for name, value in changes.items():
        if name in m2m:
            related[name] = value
        else:
            setattr(instance, name, value)
    return related


def _update(
    instance: models.Model,
    *,
    user: User,
    changes: Mapping[str, Any],
    expected_version: int | None,
    reason: str | None,
    m2m: Iterable[str] = (),
) -> None:
    _take_version(instance, expected_version)
    related = _apply(instance, changes, m2m)
    _save(instance, user=user, reason=reason, related=related)


def _delete(
    instance: models.Model,
    *,
    user: User,
    expected_version: int | None,
    reason: str | None,
) -> None:
    """Delete the row; ``ProtectedError``/``RestrictedError`` when others depend on
    it (nothing changes then)."""
    with transaction.atomic():
        _take_version(instance, expected_version)
        _stamp(instance, user, reason)
        instance.delete()


def _save_derived(
    model: type[models.Model],
    rows: list[models.Model],
    fields: list[str],
    *,
    user: User,
    reason: str | None,
) -> None:
    """Store values derived again on rows the caller has locked, one history entry
    each, in batches (no per-row query)."""
    if not rows:
        return
    now = timezone.now()
    for row in rows:
        row.version += 1
        row.updated_at = now
    bulk_update_with_history(
        rows,
        model,
        [*fields, "version", "updated_at"],
        batch_size=500,
        default_user=_user_or_none(user),
        default_change_reason=reason,
    )


# Topics ------------------------------------------------------------------------------


class TopicChanges(TypedDict, total=False):
    name: str
    description: str


@transaction.atomic
def topic_create(
    *, user: User, name: str, description: str = "", reason: str | None = None
) -> Topic:
    topic = Topic(name=name, description=description)
    _save(topic, user=user, reason=reason)
    return topic


@transaction.atomic
def topic_update(
    *,
    topic: Topic,
    user: User,
    changes: TopicChanges,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Topic:
    _update(
        topic,
        user=user,
        changes=changes,
        expected_version=expected_version,
        reason=reason,
    )
    return topic


def topic_delete(
    *,
    topic: Topic,
    user: User,
    expected_version: int | None = None,
    reason: str | None = None,
) -> None:
    _delete(topic, user=user, expected_version=expected_version, reason=reason)


# Sources -----------------------------------------------------------------------------


class SourceChanges(TypedDict, total=False):
    name: str
    kind: str
    parent: Source | None
    country: str
    aliases: list[str]
    description: str
    reliability: str


@transaction.atomic
def source_create(
    *,
    user: User,
    name: str,
    kind: str,
    parent: Source | None = None,
    country: str = "",
    aliases: Iterable[str] = (),
    description: str = "",
    reliability: str = Reliability.F,
    reason: str | None = None,
) -> Source:
    source = Source(
        name=name,
        kind=kind,
        parent=parent,
        country=country,
        aliases=list(aliases),
        description=description,
        reliability=reliability,
    )
    _save(source, user=user, reason=reason)
    return source


@transaction.atomic
def source_update(
    *,
    source: Source,
    user: User,
    changes: SourceChanges,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Source:
    _update(
        source,
        user=user,
        changes=changes,
        expected_version=expected_version,
        reason=reason,
    )
    return source


def source_delete(
    *,
    source: Source,
    user: User,
    expected_version: int | None = None,
    reason: str | None = None,
) -> None:
    """Refused (``ProtectedError``) while claims or other sources point to it."""
    _delete(source, user=user, expected_version=expected_version, reason=reason)


# Documents ---------------------------------------------------------------------------


class DocumentChanges(TypedDict, total=False):
    title: str
    publisher: str
    url: str
    published_at: datetime.datetime | None
    byline: str
    language: str
    text: str
    retrieved_at: datetime.datetime | None
    archive_url: str


@transaction.atomic
def document_create(
    *,
    user: User,
    title: str,
    publisher: str = "",
    url: str = "",
    published_at: datetime.datetime | None = None,
    byline: str = "",
    language: str = "en",
    text: str = "",
    retrieved_at: datetime.datetime | None = None,
    archive_url: str = "",
    reason: str | None = None,
) -> Document:
    document = Document(
        title=title,
        publisher=publisher,
        url=url,
        published_at=published_at,
        byline=byline,
        language=language,
        text=text,
        retrieved_at=retrieved_at,
        archive_url=archive_url,
    )
    _save(document, user=user, reason=reason)
    return document


@transaction.atomic
def document_update(
    *,
    document: Document,
    user: User,
    changes: DocumentChanges,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Document:
    """Change a document. Its claims' quotes are anchored again when the text
    changes, and refused (naming them) when they no longer occur; a new publication
    day refuses claims dated after it and moves the figures that follow it."""
    _take_version(document, expected_version)
    _apply(document, changes, ())
    document.full_clean()
    claims = list(
        Claim.objects.select_for_update()
        .filter(document=document)
        .order_by("pk")
        .select_related("document")
    )
    moved = _claims_against_document(document, claims, changes)
    _stamp(document, user, reason)
    document.save()
    if moved:
        _save_derived(
            Claim,
            moved,
            ["quote", "quote_start", "quote_end"],
            user=user,
            reason=reason,
        )
    if "published_at" in changes:
        _follow_dates([c.pk for c in claims], user=user, reason=reason)
    return document


def _claims_against_document(
    document: Document, claims: list[Claim], changes: Mapping[str, Any]
) -> list[Claim]:
    """Check the document's claims against its changed text and date; returns the
    claims whose quote moved. Raises a ``ValidationError`` naming the claims that
    no longer fit."""
    errors: dict[str, list[str]] = {}
    moved = []
    for claim in claims:
        claim.document = document
        if "text" in changes:
            before = (claim.quote, claim.quote_start, claim.quote_end)
            try:
                claim.locate_quote()
            except ValidationError as error:
                errors.setdefault("text", []).append(
                    f"claim #{claim.pk}: {' '.join(error.messages)}"
                )
                continue
            if (claim.quote, claim.quote_start, claim.quote_end) != before:
                moved.append(claim)
        if "published_at" in changes and claim.stated_on is not None:
            latest = claim._latest_possible_date()
            if claim.stated_on > latest:
                errors.setdefault("published_at", []).append(
                    f"claim #{claim.pk} is dated {claim.stated_on:%Y-%m-%d}, after "
                    f"{latest:%Y-%m-%d}"
                )
    if "published_at" in changes:
        # A figure's given date cannot be after its document's publication day.
        latest = (
            timezone.localdate(document.published_at)
            if document.published_at
            else timezone.localdate()
        )
        late = (
            Figure.objects.filter(
                claim__document=document, as_of_given=True, as_of__gt=latest
            )
            .order_by("pk")
            .values_list("pk", "claim_id", "as_of")
        )
        for pk, claim_id, as_of in late:
            errors.setdefault("published_at", []).append(
                f"figure #{pk} of claim #{claim_id} is dated {as_of:%Y-%m-%d}, after "
                f"{latest:%Y-%m-%d}"
            )
    if errors:
        raise ValidationError(
            {
                name: ValidationError(
                    "This change does not fit the document's claims: %(which)s.",
                    code="claims_do_not_fit",
                    params={"which": "; ".join(messages[:5])},
                )
                for name, messages in errors.items()
            }
        )
    return moved


def check_document_change(document: Document, changes: Mapping[str, Any]) -> None:
    """Raise the ``ValidationError`` ``document_update`` would for ``changes`` (the
    claims, or figures, a new text or publication day no longer fits), writing
    nothing: for a form to show the refusal beside its field. ``document`` carries
    the new values."""
    if document.pk is None or not {"text", "published_at"} & set(changes):
        return
    claims = list(
        Claim.objects.filter(document=document.pk)
        .order_by("pk")
        .select_related("document")
    )
    _claims_against_document(document, claims, changes)


def document_delete(
    *,
    document: Document,
    user: User,
    expected_version: int | None = None,
    reason: str | None = None,
) -> None:
    """Refused (``ProtectedError``) while claims point to it."""
    _delete(document, user=user, expected_version=expected_version, reason=reason)


# Claims ------------------------------------------------------------------------------


class ClaimChanges(TypedDict, total=False):
    source: Source
    document: Document
    statement: str
    quote: str
    attribution_kind: str
    stated_on: datetime.date | None
    stated_on_precision: str
    topics: Iterable[Topic]
    # Which occurrence of the quote, when it occurs more than once.
    quote_prefix: str | None
    quote_suffix: str | None
    quote_start: int | None


_QUOTE_SELECTORS = ("quote_prefix", "quote_suffix", "quote_start")


def _select_quote(claim: Claim, selectors: Mapping[str, Any]) -> None:
    claim.quote_prefix = selectors.get("quote_prefix") or None
    claim.quote_suffix = selectors.get("quote_suffix") or None
    claim.quote_start_given = selectors.get("quote_start")


@transaction.atomic
def claim_create(
    *,
    user: User,
    source: Source,
    document: Document,
    statement: str,
    quote: str,
    attribution_kind: str,
    stated_on: datetime.date | None = None,
    stated_on_precision: str = "",
    topics: Iterable[Topic] = (),
    quote_prefix: str | None = None,
    quote_suffix: str | None = None,
    quote_start: int | None = None,
    reason: str | None = None,
) -> Claim:
    """Record a claim. ``quote`` must occur in the document's text (when it has
    one); when it occurs more than once, ``quote_prefix``/``quote_suffix`` (the text
    just before or after it) or ``quote_start`` say which occurrence."""
    claim = Claim(
        source=source,
        document=document,
        statement=statement,
        quote=quote,
        attribution_kind=attribution_kind,
        stated_on=stated_on,
        stated_on_precision=stated_on_precision
        or (DatePrecision.DAY if stated_on else ""),
    )
    _select_quote(
        claim,
        {
            "quote_prefix": quote_prefix,
            "quote_suffix": quote_suffix,
            "quote_start": quote_start,
        },
    )
    topics = list(topics)
    _save(claim, user=user, reason=reason, related={"topics": topics} if topics else {})
    return claim


@transaction.atomic
def claim_update(
    *,
    claim: Claim,
    user: User,
    changes: ClaimChanges,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Claim:
    """Change a claim; the figures that follow its date follow the new one."""
    changes = dict(changes)
    selectors = {
        name: changes.pop(name) for name in _QUOTE_SELECTORS if name in changes
    }
    if selectors or "quote" in changes or "document" in changes:
        claim.quote_start = None  # anchored afresh
        _select_quote(claim, selectors)
    if "stated_on" in changes and changes["stated_on"] is None:
        changes.setdefault("stated_on_precision", "")
    elif changes.get("stated_on") and not changes.get("stated_on_precision"):
        changes["stated_on_precision"] = claim.stated_on_precision or DatePrecision.DAY
    _update(
        claim,
        user=user,
        changes=changes,
        expected_version=expected_version,
        reason=reason,
        m2m=("topics",),
    )
    if "stated_on" in changes or "document" in changes:
        _follow_dates([claim.pk], user=user, reason=reason)
    return claim


def _follow_dates(
    claim_ids: list[int], *, user: User, reason: str | None = None
) -> None:
    """Move the figures of these claims whose date is not their own to the date
    they follow now (the claim's, or its document's publication day)."""
    figures = list(
        Figure.objects.select_for_update()
        .filter(claim__in=claim_ids, as_of_given=False)
        .select_related("claim__document")
        .order_by("pk")
    )
    moved = []
    for figure in figures:
        date = followed_date(figure.claim)
        if figure.as_of != date:
            figure.as_of = date
            moved.append(figure)
    _save_derived(
        Figure, moved, ["as_of"], user=user, reason=reason or "Follows its claim's date"
    )
    if moved:
        caching.bump_measures({figure.measure_id for figure in moved})


def claim_delete(
    *,
    claim: Claim,
    user: User,
    expected_version: int | None = None,
    reason: str | None = None,
) -> None:
    """Delete a claim and its figures; refused while links or reviews point to it."""
    _delete(claim, user=user, expected_version=expected_version, reason=reason)


# Measures ----------------------------------------------------------------------------


class MeasureChanges(TypedDict, total=False):
    name: str
    unit: str
    kind: str
    tolerance: Decimal
    lower_limit: Decimal | None
    description: str
    topics: Iterable[Topic]


@transaction.atomic
def measure_create(
    *,
    user: User,
    name: str,
    unit: str,
    kind: str = MeasureKind.LEVEL,
    tolerance: Decimal | None = None,
    lower_limit: Decimal | None = Decimal(0),
    description: str = "",
    topics: Iterable[Topic] = (),
    reason: str | None = None,
) -> Measure:
    measure = Measure(name=name, unit=unit, kind=kind, lower_limit=lower_limit)
    if tolerance is not None:
        measure.tolerance = tolerance
    measure.description = description
    topics = list(topics)
    _save(
        measure, user=user, reason=reason, related={"topics": topics} if topics else {}
    )
    return measure


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    user: User,
    changes: MeasureChanges,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Measure:
    """Change a measure. A new tolerance, lower limit or unit derives every figure
    on it that is not overridden again, in this transaction, each with a history
    entry; refused, naming them, when some figure cannot be read with it."""
    _take_version(measure, expected_version)
    # The figures are held from before validation reads them until commit.
    list(
        Figure.objects.select_for_update()
        .filter(measure=measure)
        .values_list("pk", flat=True)
    )
    _update(
        measure,
        user=user,
        changes=changes,
        expected_version=None,
        reason=reason,
        m2m=("topics",),
    )
    changed = [
        figure
        for figure, error in measure.rederived_figures
        if error is None and figure.derived_changed()
    ]
    _save_derived(
        Figure,
        changed,
        ["qualifier", "value", "low", "high"],
        user=user,
        reason=reason or f"Derived again: measure #{measure.pk} changed",
    )
    measure.forget_stored()
    return measure


def measure_delete(
    *,
    measure: Measure,
    user: User,
    expected_version: int | None = None,
    reason: str | None = None,
) -> None:
    """Refused (``ProtectedError``) while figures are on it."""
    _delete(measure, user=user, expected_version=expected_version, reason=reason)


# Figures -----------------------------------------------------------------------------


class FigureChanges(TypedDict, total=False):
    claim: Claim
    measure: Measure
    text: str
    as_of: datetime.date | None
    qualifier: str
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None
    bounds_overridden: bool
    note: str


@transaction.atomic
def figure_create(
    *,
    user: User,
    claim: Claim,
    measure: Measure,
    text: str,
    as_of: datetime.date | None = None,
    bounds_overridden: bool = False,
    qualifier: str = "",
    value: Decimal | None = None,
    low: Decimal | None = None,
    high: Decimal | None = None,
    note: str = "",
    reason: str | None = None,
) -> Figure:
    """Record a figure. Its qualifier, value and interval are read from ``text``
    unless ``bounds_overridden`` (then as given, with a ``note`` saying why); its
    date is ``as_of`` when given, else it follows the claim's."""
    figure = Figure(
        claim=claim,
        measure=measure,
        text=text,
        as_of=as_of,
        as_of_given=as_of is not None,
        bounds_overridden=bounds_overridden,
        qualifier=qualifier,
        value=value,
        low=low,
        high=high,
        note=note,
    )
    _save(figure, user=user, reason=reason)
    return figure


@transaction.atomic
def figure_update(
    *,
    figure: Figure,
    user: User,
    changes: FigureChanges,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Figure:
    """Change a figure. ``as_of`` None makes its date follow the claim's again; the
    date it already follows, sent back unchanged, keeps it following."""
    changes = dict(changes)
    if "as_of" in changes:
        as_of = changes["as_of"]
        if as_of is None:
            changes["as_of_given"] = False
        elif figure.as_of_given or as_of != figure.as_of:
            changes["as_of_given"] = True
        else:
            del changes["as_of"]
    _update(
        figure,
        user=user,
        changes=changes,
        expected_version=expected_version,
        reason=reason,
    )
    return figure


def figure_delete(
    *,
    figure: Figure,
    user: User,
    expected_version: int | None = None,
    reason: str | None = None,
) -> None:
    _delete(figure, user=user, expected_version=expected_version, reason=reason)


# Links -------------------------------------------------------------------------------


class LinkChanges(TypedDict, total=False):
    from_claim: Claim
    to_claim: Claim
    relation: str
    note: str


@transaction.atomic
def link_create(
    *,
    user: User,
    from_claim: Claim,
    to_claim: Claim,
    relation: str,
    note: str = "",
    reason: str | None = None,
) -> Link:
    """Link two claims, validated under the link-graph lock (no cycle, no duplicate
    can slip between two writers); ``created_by`` is the user."""
    lock_link_graph()
    link = Link(from_claim=from_claim, to_claim=to_claim, relation=relation, note=note)
    if getattr(user, "is_authenticated", False):
        link.created_by = user
    _save(link, user=user, reason=reason)
    return link


@transaction.atomic
def link_update(
    *,
    link: Link,
    user: User,
    changes: LinkChanges,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Link:
    lock_link_graph()
    _update(
        link,
        user=user,
        changes=changes,
        expected_version=expected_version,
        reason=reason,
    )
    return link


def link_delete(
    *,
    link: Link,
    user: User,
    expected_version: int | None = None,
    reason: str | None = None,
) -> None:
    _delete(link, user=user, expected_version=expected_version, reason=reason)


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


# Reviews -----------------------------------------------------------------------------


@transaction.atomic
def review_create(
    *,
    claim: Claim,
    reviewer: User,
    attribution_status: str,
    credibility: int,
    rationale: str,
) -> Review:
    """Record a review and make it the claim's current grade.

    The claim row is locked first, so two reviews saved at once leave the claim
    graded by the one saved last. Reviews are never edited or deleted.
    """
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    review = Review(
        claim=locked,
        reviewer=reviewer,
        attribution_status=attribution_status,
        credibility=credibility,
        rationale=rationale,
    )
    _save(review, user=reviewer, reason=None)
    locked.attribution_status = review.attribution_status
    locked.credibility = review.credibility
    _stamp(locked, reviewer, f"Review #{review.pk}")
    locked.save(update_fields=["attribution_status", "credibility", "updated_at"])
    claim.attribution_status, claim.credibility = (
        locked.attribution_status,
        locked.credibility,
    )
    claim.version = locked.version
    return review
