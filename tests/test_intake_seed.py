"""Intake measured on the seed article, the fixture being the gold standard: no
database, the gazetteer built from the fixture's sources read as JSON."""

import json
from pathlib import Path

from claims.exchange.intake.evaluation import evaluate, gold_from_fixture
from claims.exchange.intake.reading import read
from claims.seed import seed_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def seed_scores():
    gold = gold_from_fixture(json.loads((FIXTURES / "seed.json").read_text()))
    text = seed_text()  # the scraped article as plain text, as the fixture stores it
    assert text == gold.text
    reading = read(
        text, gold.published_at, gold.gazetteer(), gold.measures, publisher=16
    )
    return gold, reading, evaluate(reading, gold)


def test_the_gold_has_18_attributed_claims_and_5_figures():
    gold, _, scores = seed_scores()
    assert scores.attributed_gold == 18
    assert len(gold.figures) == 5


def test_recall_at_least_15_of_18():
    _, _, scores = seed_scores()
    assert len(scores.found) >= 15, scores.report()


def test_precision_at_least_80_percent():
    _, _, scores = seed_scores()
    assert scores.proposed > 0
    assert scores.precision >= 0.8, scores.report()


def test_every_fixture_figure_is_proposed_with_its_interval():
    _, _, scores = seed_scores()
    assert not scores.figures_missed, scores.report()


def test_every_proposed_quote_is_the_text_at_its_offsets():
    gold, reading, _ = seed_scores()
    for claim in reading.claims:
        assert gold.text[claim.quote_start : claim.quote_end] == claim.quote
    for figure in reading.figures:
        assert figure.end <= len(gold.text)


def test_the_evaluation_counts_a_wrong_source_as_a_miss():
    """A proposal on the right span but from another independence group matches
    nothing: the scores can fail."""
    from dataclasses import replace

    gold, reading, _ = seed_scores()
    # Analysts (17) have no parent; move every claim to them.
    wrong = replace(
        reading, claims=tuple(replace(c, source_id=17) for c in reading.claims)
    )
    scores = evaluate(wrong, gold)
    assert len(scores.found) == 1  # the analysts' own claim
    assert scores.precision < 0.8
    assert "missed claim 1 (source 2, Mark Rutte)" in scores.report()


def test_a_figure_with_the_right_interval_outside_its_claim_is_a_miss():
    """The interval alone is not enough: "approximately 3,000" must be read inside
    the U.S. officials' claim (gold figure 1), not elsewhere in the text."""
    from dataclasses import replace

    gold, reading, _ = seed_scores()
    moved = tuple(
        replace(f, start=0) if f.text == "approximately 3,000" else f
        for f in reading.figures
    )
    scores = evaluate(replace(reading, figures=moved), gold)
    assert [f.id for f in scores.figures_missed] == [1]
    assert "missed figure 1: 'approximately 3,000'" in scores.report()
