"""Factories that build valid rows; each test states only what it cares about."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from claims.choices import AttributionKind, Relation, SourceKind
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a-long-test-password")


def member_of(group: str | None, **fields):
    """A user in ``group`` (editors, reviewers; none for ``None``), the groups made
    as ``make run`` makes them."""
    from django.contrib.auth.models import Group

    from claims.permissions import ensure_groups

    user = UserFactory(**fields)
    if group:
        ensure_groups()
        user.groups.add(Group.objects.get(name=group))
    return user


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Source {n}")
    kind = SourceKind.ORGANIZATION


class DocumentFactory(factory.django.DjangoModelFactory):
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


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim
        skip_postgeneration_save = True

    source = factory.SubFactory(SourceFactory)
    document = factory.SubFactory(DocumentFactory)
    statement = "About 3,000 personnel are training."
    quote = "approximately 3,000 personnel were training"
    attribution_kind = AttributionKind.PARAPHRASE
    stated_on = datetime.date(2024, 10, 21)


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    name = factory.Sequence(lambda n: f"Measure {n}")
    unit = "personnel"
    tolerance = Decimal("0.10")
    lower_limit = Decimal(0)


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Figure

    claim = factory.SubFactory(ClaimFactory)
    measure = factory.SubFactory(MeasureFactory)
    text = "approximately 3,000"


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Link

    from_claim = factory.SubFactory(ClaimFactory)
    to_claim = factory.SubFactory(ClaimFactory)
    relation = Relation.CORROBORATES


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    claim = factory.SubFactory(ClaimFactory)
    reviewer = factory.SubFactory(UserFactory)
    attribution_status = "verified"
    credibility = 2
    rationale = "Matches the agency's own statement."
