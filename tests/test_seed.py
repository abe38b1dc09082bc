"""The seed article as data: quotes where they are, the worked example's intervals,
the sources' hierarchy and the links the article states."""

import datetime
import json
import os
import re
import subprocess
import sys
from decimal import Decimal as D

import pytest

from claims.figures import parse_figure
from claims.independence import group_of
from claims.models import Claim, Document, Figure, Link, Measure, Source
from claims.seed import SEED_ARTICLE, SEED_FIXTURE, load_seed, plain_text, seed_text

pytestmark = pytest.mark.django_db

CET = datetime.timezone(datetime.timedelta(hours=1))


def test_the_document_holds_the_article_in_full_as_plain_text(seed):
    document = Document.objects.get()
    scraped = SEED_ARTICLE.read_text(encoding="utf-8")
    assert document.text == seed_text() == plain_text(scraped)
    assert "**" in scraped and "**" not in document.text
    assert (
        "\nNorth Korean Troops Enter Russia's Kursk Region: NATO Chief Confirms\n"
        in (document.text)
    )
    assert scraped.endswith("\n\nRelated")
    assert document.text.endswith("or any of its affiliates.")
    # The paragraphs are kept, one blank line between each two: all of the
    # scrape's but the leftover.
    paragraphs = document.text.split("\n\n")
    assert paragraphs == [p.replace("**", "") for p in scraped.split("\n\n")[:-1]]
    assert len(paragraphs) == 13
    assert paragraphs[3].startswith("BRUSSELS – NATO chief Mark Rutte announced")
    assert document.publisher == "ICARO Media Group"
    # "28/10/2024 17h25", read as Central European Time (UTC+1 once summer time
    # ended on 27 October): 16:25 UTC.
    assert "28/10/2024 17h25" in document.text
    assert document.published_at == datetime.datetime(2024, 10, 28, 17, 25, tzinfo=CET)
    assert document.published_at == datetime.datetime(
        2024, 10, 28, 16, 25, tzinfo=datetime.UTC
    )


@pytest.mark.parametrize(
    "scraped, plain",
    [
        ("**Title**\n\nBody.\n\nRelated", "Title\n\nBody."),
        (
            "A **bold** word.  \n\n\n\nNext.\n\nRelated articles\n",
            "A bold word.\n\nNext.",
        ),
        ("One\r\nline\r\n\r\nTwo\n\nRead more", "One\nline\n\nTwo"),
        ("Related matters stay.\n\nEnd.", "Related matters stay.\n\nEnd."),
    ],
)
def test_plain_text_drops_markup_and_leftovers_and_keeps_paragraphs(scraped, plain):
    assert plain_text(scraped) == plain


def test_every_quote_in_the_fixture_is_the_text_at_its_offsets():
    """Read from the JSON itself: the builder's offsets point at the quotes in the
    plain text it stores."""
    rows = json.loads(SEED_FIXTURE.read_text(encoding="utf-8"))
    (text,) = [r["fields"]["text"] for r in rows if r["model"] == "claims.document"]
    claims = [r["fields"] for r in rows if r["model"] == "claims.claim"]
    assert len(claims) == 24
    for claim in claims:
        assert text[claim["quote_start"] : claim["quote_end"]] == claim["quote"]


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


MONDAY, LAST_WEEK = datetime.date(2024, 10, 28), datetime.date(2024, 10, 21)
#: Words that would date a statement relative to publication.
DATE_WORDS = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|week|"
    r"yesterday|today|tonight|month|october|oct\.|2024)\b",
    re.I,
)

#: Every seed claim: (source, its quote's first words, date, precision, the
#: article's words that date it or leave it undated, where those words are).
#: "paragraph": the date is given earlier in the claim's paragraph; "dateline": the
#: outlet's own voice, said in the report on the day it was published.
DATES = [
    (
        "Mark Rutte",
        "NATO chief Mark Rutte announced",
        MONDAY,
        "day",
        "on Monday",
        "quote",
    ),
    (
        "U.S. officials",
        "Last week, U.S. officials",
        LAST_WEEK,
        "week",
        "Last week",
        "quote",
    ),
    (
        "ICARO Media Group",
        "However, it remained",
        LAST_WEEK,
        "week",
        "Last week",
        "paragraph",
    ),
    ("Government of Ukraine", "This intel was", None, "", "statements from", "quote"),
    (
        "Government of South Korea",
        "This intel was",
        None,
        "",
        "statements from",
        "quote",
    ),
    (
        "ICARO Media Group",
        "Rutte's confirmation came",
        MONDAY,
        "day",
        "Rutte's confirmation",
        "quote",
    ),
    (
        "ICARO Media Group",
        "The NATO countries shared",
        MONDAY,
        "day",
        "during the session",
        "quote",
    ),
    (
        "Mark Rutte",
        "Rutte warned",
        MONDAY,
        "day",
        "Rutte's confirmation came after",
        "paragraph",
    ),
    (
        "Mark Rutte",
        "The NATO chief noted",
        MONDAY,
        "day",
        "The NATO chief noted",
        "quote",
    ),
    ("ICARO Media Group", "In exchange,", MONDAY, "day", "28/10/2024", "dateline"),
    ("Vladimir Putin", "Putin seemed", LAST_WEEK, "week", "last week", "quote"),
    ("Sergei Lavrov", "Russian Foreign Minister", None, "", "later", "quote"),
    ("Sergei Lavrov", "Lavrov stressed", None, "", "stressed", "quote"),
    (
        "Ukrainian officials",
        "Ukrainian officials have",
        None,
        "",
        "have accused",
        "quote",
    ),
    ("Ukrainian officials", "with some advisors", None, "", "already", "quote"),
    (
        "National Intelligence Service",
        "According to",
        MONDAY,
        "day",
        "are currently training",
        "quote",
    ),
    ("A former Kremlin official", "A former Kremlin", None, "", "suggested", "quote"),
    ("A former Kremlin official", "The official added", None, "", "added", "quote"),
    (
        "ICARO Media Group",
        "Ukrainian forces have",
        MONDAY,
        "day",
        "28/10/2024",
        "dateline",
    ),
    ("Analysts", "Analysts warn", None, "", "warn", "quote"),
    ("Volodymyr Zelensky", "Ukrainian President", None, "", "has used", "quote"),
    (
        "ICARO Media Group",
        "So far, Washington",
        MONDAY,
        "day",
        "28/10/2024",
        "dateline",
    ),
    (
        "Volodymyr Zelensky",
        '"Ukraine will be',
        LAST_WEEK,
        "week",
        "in a weekend address",
        "quote",
    ),
    (
        "Volodymyr Zelensky",
        "urging allies",
        LAST_WEEK,
        "week",
        "in a weekend address",
        "paragraph",
    ),
]


def test_every_seed_claim_is_dated_as_the_article_words_it(seed):
    document = Document.objects.get()
    text = document.text
    claims = list(Claim.objects.select_related("source").order_by("pk"))
    assert len(claims) == len(DATES) == 24
    for claim, (source, begins, date, precision, words, where) in zip(
        claims, DATES, strict=True
    ):
        row = (claim.pk, claim.quote[:40])
        assert (claim.source.name, claim.quote[: len(begins)]) == (source, begins), row
        assert (claim.stated_on, claim.stated_on_precision) == (date, precision), row
        paragraph = next(
            p for p in text.split("\n\n") if claim.quote in p
        )  # the paragraph holding the quote
        if where == "quote":
            assert words in claim.quote, row
        elif where == "paragraph":
            assert words in paragraph[: paragraph.index(claim.quote)], row
        else:
            # The outlet's own voice: dated by the report's dateline.
            assert claim.attribution_kind == "own_voice", row
            assert words in text and date == document.published_at.date(), row
            assert not DATE_WORDS.search(claim.quote), row
        if date is None:
            # Nothing in its words dates it ("later", "already" are no dates).
            assert not DATE_WORDS.search(claim.quote), row
    assert sum(c.stated_on is None for c in claims) == 10
