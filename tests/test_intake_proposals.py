"""The proposals of a reading, without a database: every span is the text at its
offsets, whatever the text; the checks before reading; the script of a text."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from claims.exchange.bundle import FIELDS, KINDS, REFERENCES, ROW_ANNOTATIONS
from claims.exchange.intake.proposals import (
    MAX_TEXT,
    NO_ATTRIBUTION,
    Report,
    Stored,
    _Bundle,
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
                "\r\n",
                "\r\n\r\n",
                "\r",
                " \t ",
                "\U0001f600",
                " \U0001f1fa\U0001f1e6 officials said ",
                "\u201c",
                '"',
                "e\u0301",
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
    for claim in bundle["claims"]:
        assert claim["quote"] == claim["quote"].strip(), "no white space at its ends"


def test_crlf_and_lone_cr_line_ends_read_as_lf_ones():
    lf = (
        "NATO chief Mark Rutte announced on Monday that about 3,000 troops were "
        "in Kursk.\n\nU.S. officials said 10,000 more were on the way.\n"
    )

    def read(text):
        bundle = propose(Report(text, "T", "ICARO", "", NOW), STORED)
        _check_bundle(bundle, text)
        return [
            (c["quote"], c["speaker"], c["attribution_kind"], c["stated_on"])
            for c in bundle["claims"]
        ], [f["text"] for f in bundle["figures"]]

    expected = read(lf)
    assert len(expected[0]) == 2 and expected[1] == ["about 3,000", "10,000"]
    assert read(lf.replace("\n", "\r\n")) == expected
    assert read(lf.replace("\n", "\r")) == expected


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_a_quotation_after_a_paragraph_break_does_not_go_on_quoting(line_end):
    text = f'"It didn\u2019t," Rutte said.{line_end}"Nobody came."'
    same_paragraph = propose(Report(text.replace(line_end, " "), "T"), STORED)
    assert len(same_paragraph["claims"]) == 2  # the same speaker goes on
    bundle = propose(Report(text, "T", "ICARO", "", NOW), STORED)
    assert [c["quote"] for c in bundle["claims"]] == ['"It didn\u2019t,"']


def test_emoji_and_combining_marks_keep_the_offsets_in_code_points():
    text = (
        "\U0001f600\U0001f1fa\U0001f1e6 Troops arrived. Rutte said 3,000 troops "
        "\U0001f600 reached the cafe\u0301 in Kursk."
    )
    bundle = propose(Report(text, "T", "ICARO", "", NOW), STORED)
    _check_bundle(bundle, text)
    (claim,) = bundle["claims"]
    assert claim["speaker"] == "Rutte"
    assert claim["quote_span"] == [text.index("Rutte"), len(text)]
    (figure,) = bundle["figures"]
    assert figure["span"] == [text.index("3,000"), text.index("3,000") + 5]


def test_a_text_without_attribution_says_why():
    bundle = propose(Report("The sun rose. Nothing else happened.", "T"), STORED)
    assert bundle["claims"] == [] and bundle["intake"]["reason"] == NO_ATTRIBUTION
    assert bundle["documents"][0]["text"] == "The sun rose. Nothing else happened."


def test_characters_no_database_stores_are_refused_by_field():
    assert report_errors(Report("Rutte said \ud800 so.", "T"), NOW) == {
        "text": "Surrogate characters are not allowed: U+D800 at 11."
    }
    assert report_errors(Report("\x00 \x00", "T"), NOW) == {
        "text": "Null characters are not allowed."
    }
    odd = Report("Rutte said so.", "T\udfff", "P\x00", "https://x.example/\ud83d")
    assert set(report_errors(odd, NOW)) == {"title", "publisher", "url"}
    assert report_errors(Report("\U0001f600 Rutte said so.", "\U0001f600"), NOW) == {}


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


# The gazetteer's pattern and the candidates' index: the same answers as the plain
# definitions, however the names overlap.

_NAME_WORDS = ["nato", "chief", "mark", "the", "kyiv"]
_names = st.lists(st.sampled_from(_NAME_WORDS), min_size=1, max_size=4).map(" ".join)


@settings(max_examples=150, deadline=None)
@example([("nato", []), ("mark", ["nato chief"])], ["the", "NATO", "chief", "said"])
@given(
    st.lists(st.tuples(_names, st.lists(_names, max_size=2)), max_size=12),
    st.lists(
        st.sampled_from([*_NAME_WORDS, "NATO", "said", ",", "nato's"]), max_size=30
    ),
)
def test_the_gazetteer_finds_the_longest_name_at_each_place(sources, words):
    gazetteer = Gazetteer(
        [
            KnownSource(i + 1, name, tuple(aliases))
            for i, (name, aliases) in enumerate(sources)
        ]
    )
    text = " ".join(words)
    names = sorted(filter(None, gazetteer.names), key=lambda n: (-len(n), n))
    flat = re.compile(
        r"(?<![\w])(?:" + "|".join(map(re.escape, names)) + r")(?![\w])", re.I
    )
    expected = (
        [
            (m.start(), m.end(), gazetteer.names[m.group().lower()])
            for m in flat.finditer(text)
        ]
        if names
        else []
    )
    assert gazetteer.mentions(text) == expected


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(_names, st.lists(_names, max_size=2)), max_size=12),
    _names,
)
def test_a_new_source_s_candidates_share_the_most_words_with_it(sources, name):
    known = [
        KnownSource(i + 1, f"{n} {i}", tuple(aliases))
        for i, (n, aliases) in enumerate(sources)
    ]
    stored = Stored(Gazetteer(known))

    def words(n):
        return {w for w in re.findall(r"[a-z]{3,}", n.lower()) if w != "the"}

    shared = {
        k.id: max(len(words(name) & words(n)) for n in (k.name, *k.aliases))
        for k in known
    }
    expected = sorted(
        (k for k in known if shared[k.id]),
        key=lambda k: (-shared[k.id], k.name.lower(), k.id),
    )[:5]
    got = _Bundle(Report("", "T"), stored, None)._candidates(name)
    assert got == [{"id": k.id, "name": k.name} for k in expected]
