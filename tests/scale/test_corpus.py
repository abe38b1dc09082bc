"""``generate_corpus``: deterministic, realistic, valid, and recorded in history."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from claims.choices import DERIVING_RELATIONS
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source
from devtools.corpus import generate

pytestmark = pytest.mark.django_db

MODELS = [Source, Document, Claim, Measure, Figure, Link, Review]


def rows():
    return {
        m.__name__: list(
            m.objects.order_by("pk").values_list(
                *[
                    f.attname
                    for f in m._meta.concrete_fields
                    if f.attname not in ("id", "created_at", "updated_at")
                    and not f.attname.endswith("_id")
                ]
            )
        )
        for m in MODELS
    }


class Discard(Exception):
    pass


#: Rows of each model run through full validation (each costs a few queries).
VALIDATED_PER_MODEL = 60


def evenly_spread(model, count):
    """``count`` rows of ``model`` spread evenly over its ids, the first and last
    among them: the same rows on every run, so a failure reproduces."""
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
    if len(ids) > count:
        step = (len(ids) - 1) / (count - 1)
        ids = sorted({ids[round(i * step)] for i in range(count)})
    return model.objects.filter(pk__in=ids).order_by("pk")


def generated_rows(seed):
    """The rows a corpus of ``seed`` holds, generated then rolled back."""
    try:
        with transaction.atomic():
            generate(claims=600, seed=seed)
            captured = rows()
            raise Discard
    except Discard:
        return captured


def test_the_same_seed_gives_the_same_corpus():
    first = generated_rows(7)
    assert not Claim.objects.exists()
    assert generated_rows(7) == first
    assert generated_rows(8) != first


def test_the_corpus_is_realistic_and_valid():
    summary = generate(claims=3000, seed=3)
    assert summary.claims == Claim.objects.count() == 3000
    assert Source.objects.filter(parent__parent__isnull=False).exists()  # three levels
    assert Document.objects.count() >= 100
    texts = dict(Document.objects.values_list("pk", "text"))
    for claim in Claim.objects.order_by("pk").only(
        "document", "quote", "quote_start", "quote_end"
    ):
        quoted = texts[claim.document_id][claim.quote_start : claim.quote_end]
        assert quoted == claim.quote, claim.pk
    for model in (Source, Document, Claim, Figure, Link, Review):
        for instance in evenly_spread(model, VALIDATED_PER_MODEL):
            instance.full_clean()
    sizes = sorted(
        Measure.objects.annotate(n=Count("figures")).values_list("n", flat=True)
    )
    assert {10, 100} <= set(sizes)
    relations = set(Link.objects.values_list("relation", flat=True))
    assert relations == {"repeats", "based_on", "corroborates", "contradicts"}
    assert (
        Review.objects.count()
        == Claim.objects.exclude(attribution_status="unverified").count()
    )


def test_no_deriving_link_closes_a_cycle():
    generate(claims=2000, seed=5)
    edges = {}
    for source, target in Link.objects.filter(
        relation__in=DERIVING_RELATIONS
    ).values_list("from_claim_id", "to_claim_id"):
        edges.setdefault(source, []).append(target)
    for source, targets in list(edges.items())[:200]:
        for target in targets:
            # Every deriving link points to an earlier claim.
            assert target < source


def test_every_generated_row_has_its_first_history_entry():
    generate(claims=500, seed=2)
    for model in MODELS:
        assert model.history.values("id").distinct().count() == model.objects.count()


def test_the_command_reports_what_it_made():
    out = io.StringIO()
    call_command("generate_corpus", claims=300, seed=4, stdout=out)
    assert "300 claims" in out.getvalue()
