"""Factories that build valid rows; each test states only what it cares about."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from claims import services
from claims.choices import AttributionKind, Relation, SourceKind
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic


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
    from django.contrib.auth.models import Group

    from claims.permissions import ensure_groups

    user = UserFactory(**fields)
    if group:
        ensure_groups()
        user.groups.add(Group.objects.get(name=group))
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
