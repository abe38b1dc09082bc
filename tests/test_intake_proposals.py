"""The proposals of a reading, without a database: every span is the text at its
offsets, whatever the text; the checks before reading; the script of a text."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from claims.exchange.bundle import FIELDS, KINDS, REFERENCES, ROW_ANNOTATIONS
from claims.exchange.intake.proposals import (
    MAX_TEXT,
    NO_ATTRIBUTION,
    Report,
    Stored,
    main_script,
    propose,
    report_errors,
)
from claims.exchange.intake.reading import Gazetteer, KnownMeasure, KnownSource

SEED_TEXT = (
    Path(__file__).resolve().parent.parent / "fixtures" / "seed_article.txt"
).read_text()
NOW = datetime(2024, 10, 28, 16, 25, tzinfo=UTC)
STORED = Stored(
    Gazetteer(
        [
            KnownSource(
                1, "NATO", ("North Atlantic Treaty Organization",), "organization"
            ),
            KnownSource(2, "Mark Rutte", ("Rutte", "NATO chief"), "person", 1),
            KnownSource(3, "ICARO Media Group", ("ICARO",), "media"),
        ]
    ),
    (KnownMeasure(7, "North Korean troops in Russia", "troops"),),
)


def _check_bundle(bundle: dict, text: str) -> None:
    """The shape the import takes, and every span the text at its offsets."""
    keys = {kind: {row["key"] for row in bundle[kind]} for kind in KINDS}
    for kind in KINDS:
        for row in bundle[kind]:
            assert set(row) <= {"key", *FIELDS[kind], *ROW_ANNOTATIONS}, row
            for name, target in REFERENCES.get(kind, {}).items():
                value = row.get(name)
                assert value is None or isinstance(value, int) or value in keys[target]
    for claim in bundle["claims"]:
        assert text[slice(*claim["quote_span"])] == claim["quote"]
        assert text[slice(*claim["speaker_span"])] == claim["speaker"]
        assert text[slice(*claim["cue_span"])] == claim["cue"]
        assert claim["quote"].strip() and claim["statement"].strip()
    for figure in bundle["figures"]:
        if not figure.get("bounds_overridden"):
            assert text[slice(*figure["span"])] == figure["text"]


def test_the_seed_proposals_have_the_import_s_shape():
    bundle = propose(Report(SEED_TEXT, "T", "ICARO Media Group", "", NOW), STORED)
    _check_bundle(bundle, SEED_TEXT)
    rutte = [c for c in bundle["claims"] if c["source"] == "s1"]
    assert bundle["sources"][0] | {"confidence": None} == {
        "key": "s1",
        "name": "Mark Rutte",
        "kind": "person",
        "matched": 2,
        "confidence": None,
    }
    assert len(rutte) == 3  # "NATO chief Mark Rutte", "Rutte", "The NATO chief"


def test_a_total_stated_in_parts_gives_its_bounds():
    bundle = propose(Report(SEED_TEXT, "T", "", "", NOW), STORED)
    total = next(f for f in bundle["figures"] if "additional" in f["text"])
    assert total["bounds_overridden"] is True
    assert (Decimal(total["low"]), Decimal(total["high"])) == (2850, 3150)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Rutte said",
                " NATO chief Mark Rutte announced on Monday that ",
                '"We will win," ',
                "\u201cNever,\u201d ",
                " the official added. ",
                "According to ICARO, ",
                ", citing intelligence, ",
                " about 3,000 troops ",
                "up to 10,000",
                " last week",
                ". ",
                "\n\n",
                "He said",
                " a former Kremlin official, on condition of anonymity, ",
            ]
        )
        | st.text(max_size=12),
        max_size=25,
    ).map("".join)
)
def test_any_text_gives_well_formed_proposals(text):
    bundle = propose(Report(text, "T", "ICARO", "", NOW), STORED)
    _check_bundle(bundle, text)
    assert bundle["intake"]["reason"] or bundle["claims"]


def test_a_text_without_attribution_says_why():
    bundle = propose(Report("The sun rose. Nothing else happened.", "T"), STORED)
    assert bundle["claims"] == [] and bundle["intake"]["reason"] == NO_ATTRIBUTION
    assert bundle["documents"][0]["text"] == "The sun rose. Nothing else happened."


def test_report_errors_by_field():
    ok = Report("Rutte said so.", "T", published_at=NOW)
    assert report_errors(ok, NOW) == {}
    assert set(report_errors(Report(" \n", "T"), NOW)) == {"text"}
    assert set(report_errors(Report("a" * (MAX_TEXT + 1), "T"), NOW)) == {"text"}
    assert report_errors(Report("a" * MAX_TEXT, "T"), NOW) == {}
    late = Report("Rutte said so.", "T", published_at=NOW + timedelta(hours=1))
    assert set(report_errors(late, NOW)) == {"published_at"}
    skew = Report("Rutte said so.", "T", published_at=NOW + timedelta(minutes=4))
    assert report_errors(skew, NOW) == {}


def test_main_script():
    assert main_script(SEED_TEXT) == "Latin"
    assert main_script("Марк Рютте заявил (NATO)") == "Cyrillic"
    assert main_script("北约秘书长吕特周一表示") == "CJK"
    assert main_script("مرحبا بالعالم") == "Arabic"
    assert main_script("1234, 5678.") == ""
