"""Factories that build valid rows; each test states only what it cares about."""

import datetime
import itertools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from claims import caching, services
from claims.choices import AttributionKind, Relation, SourceKind
from claims.history import set_related
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic
from claims.permissions import ensure_groups


class ServiceFactory(factory.django.DjangoModelFactory):
    """Creates through the kind's service (``claims.services``), as every writer
    does: the model's rules run and history is written."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kind = model_class._meta.model_name
        if kind == "review":
            return services.review_create(**kwargs)
        return getattr(services, f"{kind}_create")(user=None, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a-long-test-password")


def member_of(group: str | None, **fields):
    """A user in ``group`` (editors, reviewers; none for ``None``), the groups made
    as ``make run`` makes them."""
    user = UserFactory(**fields)
    if group:
        ensure_groups()
        user.groups.add(Group.objects.get(name=group))
    return user


def user_holding(*codenames: str, **fields):
    """A user given exactly these permissions (of the app ``claims``), in no group."""
    user = UserFactory(**fields)
    permissions = Permission.objects.filter(
        content_type__app_label="claims", codename__in=codenames
    )
    assert permissions.count() == len(set(codenames))
    user.user_permissions.add(*permissions)
    return user


class TopicFactory(ServiceFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")


class SourceFactory(ServiceFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Source {n}")
    kind = SourceKind.ORGANIZATION


class DocumentFactory(ServiceFactory):
    class Meta:
        model = Document

    title = factory.Sequence(lambda n: f"Report {n}")
    publisher = "Test Wire"
    url = factory.Sequence(lambda n: f"https://news.example/report-{n}")
    published_at = datetime.datetime(2024, 10, 28, 12, 0, tzinfo=datetime.UTC)
    text = (
        "Officials said that approximately 3,000 personnel were training. "
        "Another agency said around 1,500 troops were training."
    )


class ClaimFactory(ServiceFactory):
    class Meta:
        model = Claim
        skip_postgeneration_save = True

    source = factory.SubFactory(SourceFactory)
    document = factory.SubFactory(DocumentFactory)
    statement = "About 3,000 personnel are training."
    quote = "approximately 3,000 personnel were training"
    attribution_kind = AttributionKind.PARAPHRASE
    stated_on = datetime.date(2024, 10, 21)


class MeasureFactory(ServiceFactory):
    class Meta:
        model = Measure

    name = factory.Sequence(lambda n: f"Measure {n}")
    unit = "personnel"
    tolerance = Decimal("0.10")
    lower_limit = Decimal(0)


class FigureFactory(ServiceFactory):
    class Meta:
        model = Figure

    claim = factory.SubFactory(ClaimFactory)
    measure = factory.SubFactory(MeasureFactory)
    text = "approximately 3,000"


class LinkFactory(ServiceFactory):
    class Meta:
        model = Link

    from_claim = factory.SubFactory(ClaimFactory)
    to_claim = factory.SubFactory(ClaimFactory)
    relation = Relation.CORROBORATES


class ReviewFactory(ServiceFactory):
    class Meta:
        model = Review

    claim = factory.SubFactory(ClaimFactory)
    reviewer = factory.SubFactory(UserFactory)
    attribution_status = "verified"
    credibility = 2
    rationale = "Matches the agency's own statement."


# Rows built for a purpose ------------------------------------------------------------


def retopiced(entries: int) -> Claim:
    """A claim with ``entries`` history entries, each after the first changing its
    topics or its statement."""
    topics = [TopicFactory() for _ in range(3)]
    claim = ClaimFactory()
    for i in range(1, entries):
        if i % 2:
            assert set_related(claim, "topics", topics[: 1 + i % 3])
        else:
            claim.statement = f"Restated {i}."
            claim.save()
    assert claim.history.count() == entries
    return claim


def published(day: int) -> datetime.datetime:
    """18:00 UTC on 2024-06-``day``."""
    return datetime.datetime(2024, 6, day, 18, 0, tzinfo=datetime.UTC)


def figure_on(measure, source, day, text, relays=None) -> Figure:
    """A figure in its own report, published (and said) on 2024-06-``day``."""
    document = DocumentFactory(
        text=f"The toll was {text} dead.", published_at=published(day)
    )
    claim = ClaimFactory(
        source=source,
        document=document,
        statement=f"{source.name} said {text}.",
        quote=f"{text} dead",
        stated_on=published(day).date(),
    )
    if relays is not None:
        services.link_create(
            user=None, from_claim=claim, to_claim=relays, relation="repeats"
        )
    return services.figure_create(user=None, claim=claim, measure=measure, text=text)


class DamStory:
    """A dam collapse whose death toll rose over four days (a running total).

    Monday the 3rd: the ministry says 12. Tuesday: an outlet relays the ministry's
    12; a charity says "at least 120". Wednesday: the ministry says 31. Thursday:
    the ministry says 410 and a rescue agency "about 400".
    """

    def __init__(self, kind="cumulative"):
        self.measure = MeasureFactory(name="Deaths", unit="deaths", kind=kind)
        self.government = SourceFactory(name="Government")
        self.ministry = SourceFactory(name="Ministry", parent=self.government)
        self.outlet = SourceFactory(name="Outlet")
        self.charity = SourceFactory(name="Charity")
        self.agency = SourceFactory(name="Rescue agency")
        self.monday = figure_on(self.measure, self.ministry, 3, "12")
        self.relay = figure_on(
            self.measure, self.outlet, 4, "12", relays=self.monday.claim
        )
        self.bound = figure_on(self.measure, self.charity, 4, "at least 120")
        self.wednesday = figure_on(self.measure, self.ministry, 5, "31")
        self.thursday = figure_on(self.measure, self.ministry, 6, "410")
        self.estimate = figure_on(self.measure, self.agency, 6, "about 400")

    def page_url(self):
        """The measure's page."""
        return reverse("measure", args=[self.measure.pk])

    def api_url(self, view="comparison"):
        """The measure's ``view`` in the API."""
        return f"/api/measures/{self.measure.pk}/{view}/"


def bulk_figures(measure, sources, documents, *, first=0, spread=0, stated_on=None):
    """Written in bulk, without signals: for each source a claim "A figure." in the
    next of ``documents`` (in turn), said on ``stated_on`` or its document's day,
    with one figure on ``measure`` of that date. The figures' numbers count up from
    1000 + ``first``: exact, or with a ``spread`` "about" the number, that far either
    way. The caller bumps the cache when it has written all it writes."""
    claims = Claim.objects.bulk_create(
        [
            Claim(
                source=source,
                document=document,
                statement="A figure.",
                quote="q",
                attribution_kind="paraphrase",
                stated_on=stated_on or document.published_at.date(),
            )
            for source, document in zip(sources, itertools.cycle(documents))
        ]
    )
    Figure.objects.bulk_create(
        [
            Figure(
                claim=claim,
                measure=measure,
                text=f"about {number}" if spread else f"{number}",
                qualifier="approximately" if spread else "exact",
                value=Decimal(number),
                low=Decimal(number - spread),
                high=Decimal(number + spread),
                as_of=claim.stated_on,
            )
            for claim, number in zip(claims, itertools.count(1000 + first))
        ]
    )
    return claims


def claims_beside(claim, count: int) -> list[Claim]:
    """``count`` plain claims of ``claim``'s source in its document, written in one
    statement (no signals: the caller bumps the caches if it reads through them)."""
    return Claim.objects.bulk_create(
        [
            Claim(
                source=claim.source,
                document=claim.document,
                statement="s",
                quote="q",
                attribution_kind="paraphrase",
            )
            for _ in range(count)
        ]
    )


def grow_figures(measure, count, start=0):
    """``count`` figures on ``measure``, each from its own claim of a source under one
    of ten governments, every third claim repeating the one before it."""
    document = DocumentFactory(text="")
    governments = [SourceFactory() for _ in range(10)]
    sources = Source.objects.bulk_create(
        [
            Source(
                name=f"Official {start + i}", kind="person", parent=governments[i % 10]
            )
            for i in range(count)
        ]
    )
    claims = bulk_figures(
        measure, sources, [document], stated_on=datetime.date(2024, 10, 1)
    )
    Link.objects.bulk_create(
        [
            Link(from_claim=claims[i], to_claim=claims[i - 1], relation="repeats")
            for i in range(1, count, 3)
        ]
    )
    caching.bump_all()  # bulk writes send no signals
