"""The seed article as data: quotes where they are, the worked example's intervals,
the sources' hierarchy and the links the article states."""

import datetime
import json
import os
import subprocess
import sys
from decimal import Decimal as D

import pytest

from claims.figures import parse_figure
from claims.independence import group_of
from claims.models import Claim, Document, Figure, Link, Measure, Source
from claims.seed import SEED_FIXTURE, load_seed

pytestmark = pytest.mark.django_db

ARTICLE = SEED_FIXTURE.parent / "seed_article.txt"


def test_the_document_holds_the_article_in_full(seed):
    document = Document.objects.get()
    assert document.text == ARTICLE.read_text(encoding="utf-8")
    assert document.publisher == "ICARO Media Group"
    assert document.published_at == datetime.datetime(
        2024, 10, 28, 16, 25, tzinfo=datetime.UTC
    )


def test_every_quote_occurs_in_the_document_at_its_offsets(seed):
    claims = list(Claim.objects.select_related("document"))
    assert len(claims) >= 15
    for claim in claims:
        assert claim.document.text[claim.quote_start : claim.quote_end] == claim.quote
        claim.full_clean()  # and every claim passes the admin's own validation


def test_every_seed_object_passes_validation(seed):
    for model in (Source, Measure, Figure, Link):
        for instance in model.objects.all():
            instance.full_clean()


def test_the_sources_sit_under_their_governments(seed):
    parents = dict(Source.objects.values_list("pk", "parent_id"))
    by_name = {source.name: source.pk for source in Source.objects.all()}

    def group(name):
        return Source.objects.get(pk=group_of(by_name[name], parents)).name

    assert Source.objects.get(name="Mark Rutte").parent.name == "NATO"
    assert (
        group("Volodymyr Zelensky")
        == group("Ukrainian officials")
        == ("Government of Ukraine")
    )
    assert (
        group("Vladimir Putin")
        == group("Sergei Lavrov")
        == (group("A former Kremlin official"))
        == "Government of Russia"
    )
    assert Source.objects.get(name="A former Kremlin official").parent.name == "Kremlin"
    assert Source.objects.get(name="National Intelligence Service").parent.name == (
        "Government of South Korea"
    )
    assert group("U.S. officials") == "United States government"
    assert "NIS" in Source.objects.get(name="National Intelligence Service").aliases


def test_the_worked_example_intervals_come_out_as_the_domain_says(seed):
    measure = Measure.objects.get(name="North Korean personnel training in Russia")
    figures = {
        f.claim.source.name: f for f in measure.figures.select_related("claim__source")
    }
    us, nis = figures["U.S. officials"], figures["National Intelligence Service"]
    assert (us.text, us.low, us.high) == ("approximately 3,000", D(2700), D(3300))
    assert (nis.text, nis.low, nis.high) == ("around 1,500", D(1350), D(1650))
    assert us.claim.stated_on == datetime.date(2024, 10, 21)
    assert us.claim.stated_on_precision == "week"
    assert nis.as_of == datetime.date(2024, 10, 28)
    # What is stored is what the parser derives from the text today.
    for figure in (us, nis):
        parsed = parse_figure(figure.text, tolerance=measure.tolerance)
        assert (parsed.low, parsed.high) == (figure.low, figure.high)


def test_the_other_figures_of_the_article_are_there(seed):
    by_text = {f.text: f for f in Figure.objects.all()}
    assert (by_text["up to 10,000"].low, by_text["up to 10,000"].high) == (
        D(0),
        D(10000),
    )
    assert by_text["millions of rounds"].qualifier == "magnitude"
    derived = by_text["around 1,500 ... with an additional 1,500"]
    assert (
        derived.bounds_overridden
        and "1,500 training plus 1,500 entered" in derived.note
    )
    assert by_text["up to 10,000"].measure != by_text["approximately 3,000"].measure


def test_the_links_the_article_states_are_there(seed):
    us = Claim.objects.get(quote__contains="approximately 3,000")
    corroborating = set(
        Link.objects.filter(to_claim=us, relation="corroborates").values_list(
            "from_claim__source__name", flat=True
        )
    )
    assert corroborating == {"Government of Ukraine", "Government of South Korea"}
    putin = Claim.objects.get(source__name="Vladimir Putin")
    assert putin.attribution_kind == "indirect"
    assert Link.objects.filter(from_claim=putin, relation="corroborates").exists()


def test_the_fixture_file_is_well_formed_json_with_the_article():
    rows = json.loads(SEED_FIXTURE.read_text(encoding="utf-8"))
    assert {row["model"] for row in rows} >= {
        "claims.document",
        "claims.source",
        "claims.claim",
        "claims.measure",
        "claims.figure",
        "claims.link",
        "claims.topic",
    }


def test_loading_the_seed_writes_a_first_history_row_for_every_object(seed):
    for model in (Document, Source, Claim, Measure, Figure, Link):
        assert model.history.values("id").distinct().count() == model.objects.count()


def test_the_seed_is_not_loaded_over_existing_data(seed):
    before = Claim.objects.count()
    assert load_seed() is False
    assert Claim.objects.count() == before


def test_the_fixture_is_what_the_builder_makes_from_the_article(tmp_path):
    """Guards against hand edits: the readings live in the builder, not the JSON."""
    rebuilt = tmp_path / "seed.json"
    result = subprocess.run(
        [sys.executable, "scripts/build_seed_fixture.py", str(rebuilt)],
        cwd=SEED_FIXTURE.parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
    )
    assert result.returncode == 0, result.stderr

    def rows(path):
        data = json.loads(path.read_text(encoding="utf-8"))
        for row in data:
            row["fields"].pop("created_at", None)
            row["fields"].pop("updated_at", None)
        return data

    assert rows(rebuilt) == rows(SEED_FIXTURE)


def test_every_seed_object_history_starts_with_its_creation(seed):
    for model in (Document, Source, Claim, Measure, Figure, Link):
        first = model.history.order_by("history_date").first()
        assert first.history_type == "+"
        assert first.history_change_reason == "Loaded from the seed article"
    assert set(Claim.history.values_list("history_type", flat=True)) == {"+"}
