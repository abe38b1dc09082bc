"""Intake's reading of a report, on small texts: no database."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.exchange.intake.reading import (
    Confidence,
    Gazetteer,
    KnownMeasure,
    KnownSource,
    ProposedClaim,
    _holds_figure,
    _Owners,
    read,
    read_date,
    sentences,
)

#: Monday 28 October 2024, 16:25 UTC.
PUBLISHED = datetime(2024, 10, 28, 16, 25, tzinfo=UTC)

GAZETTEER = Gazetteer(
    [
        KnownSource(1, "NATO", ("North Atlantic Treaty Organization",), "organization"),
        KnownSource(2, "Mark Rutte", ("Rutte", "NATO chief"), "person", 1),
        KnownSource(3, "United States government", ("Washington",), "government"),
        KnownSource(4, "U.S. officials", ("US officials",), "group", 3),
        KnownSource(
            5, "U.S. intelligence", ("declassified intelligence",), "intelligence", 3
        ),
        KnownSource(9, "Government of South Korea", ("Seoul",), "government"),
        KnownSource(
            10,
            "National Intelligence Service",
            ("NIS", "South Korea's National Intelligence Service"),
            "intelligence",
            9,
        ),
        KnownSource(11, "Government of Russia", ("Moscow",), "government"),
        KnownSource(12, "Kremlin", ("the Kremlin",), "government", 11),
        KnownSource(14, "Sergei Lavrov", ("Lavrov",), "person", 11),
        KnownSource(7, "Volodymyr Zelensky", ("Zelensky",), "person"),
    ]
)


def one(text, gazetteer=GAZETTEER, published_at=PUBLISHED):
    reading = read(text, published_at, gazetteer)
    assert len(reading.claims) == 1, reading.claims
    return reading.claims[0]


def speaker(text, claim):
    return text[claim.speaker_start : claim.speaker_end]


def cue(text, claim):
    return text[claim.cue_start : claim.cue_end]


# Cues ------------------------------------------------------------------------

CUES = {
    "said": "Rutte said that the alliance was ready.",
    "told": "Rutte told reporters that the alliance was ready.",
    "announced": "Rutte announced that the alliance was ready.",
    "warned": "Rutte warned that the alliance was ready.",
    "noted": "Rutte noted that the alliance was ready.",
    "stressed": "Rutte stressed that the alliance was ready.",
    "added": "Rutte added that the alliance was ready.",
    "accused": "Rutte accused Moscow of preparing an attack.",
    "revealed": "Rutte revealed that the alliance was ready.",
    "claimed": "Rutte claimed that the alliance was ready.",
    "quoted as saying": "Rutte was quoted as saying the alliance was ready.",
    "rejected": "Rutte rejected suggestions that the alliance was slow.",
    "disputed": "Rutte disputed that account of the meeting.",
    "called on": "Rutte called on allies to send more troops.",
    "put the toll at": "Rutte put the toll at 40 on Sunday evening.",
}


@pytest.mark.parametrize("verb", CUES)
def test_a_cue_verb_attributes_the_sentence_to_its_speaker(verb):
    text = CUES[verb]
    claim = one(text)
    assert cue(text, claim) == verb
    assert speaker(text, claim) == "Rutte"
    assert claim.source_id == 2
    assert claim.attribution_kind == "paraphrase"
    assert claim.quote == text


def test_according_to_is_a_paraphrase_of_the_named_source():
    text = (
        "According to South Korea's National Intelligence Service, around 1,500 "
        "troops are training in Russia."
    )
    claim = one(text)
    assert cue(text, claim) == "According to"
    assert speaker(text, claim) == "South Korea's National Intelligence Service"
    assert claim.source_id == 10
    assert claim.attribution_kind == "paraphrase"


def test_citing_names_the_speaker_and_proposes_what_it_is_based_on():
    text = (
        "U.S. officials, citing newly declassified intelligence, revealed that "
        "troops were training."
    )
    reading = read(text, PUBLISHED, GAZETTEER)
    (claim,) = reading.claims
    assert speaker(text, claim) == "U.S. officials"
    assert cue(text, claim) == "revealed"
    assert claim.source_id == 4
    assert claim.attribution_kind == "citing"
    assert claim.based_on_source_id == 5
    assert [(link.from_claim, link.relation) for link in reading.links] == [
        (0, "based_on")
    ]


def test_on_condition_of_anonymity_makes_the_claim_anonymous_with_a_new_source():
    text = (
        "A former Kremlin official, on condition of anonymity, suggested that the "
        "move was retaliation."
    )
    claim = one(text)
    assert speaker(text, claim) == "A former Kremlin official"
    assert claim.attribution_kind == "anonymous"
    assert claim.source_id is None
    assert claim.new_source.name == "A former Kremlin official"
    assert claim.new_source.kind == "anonymous"
    assert claim.new_source.parent_id == 12  # the Kremlin, named in the words


# Speakers --------------------------------------------------------------------


def test_a_speaker_by_title_and_name():
    text = "NATO chief Mark Rutte announced on Monday that troops were deployed."
    claim = one(text)
    assert speaker(text, claim) == "NATO chief Mark Rutte"
    assert claim.source_id == 2


def test_a_speaker_by_title_alone():
    text = "The NATO chief noted that ammunition was supplied."
    claim = one(text)
    assert speaker(text, claim) == "The NATO chief"
    assert claim.source_id == 2


def test_the_official_is_the_official_named_before():
    text = (
        "A former Kremlin official, on condition of anonymity, suggested that it was "
        "retaliation. The official added that it was cheap."
    )
    reading = read(text, PUBLISHED, GAZETTEER)
    first, second = reading.claims
    assert speaker(text, second) == "The official"
    assert cue(text, second) == "added"
    assert second.new_source == first.new_source
    assert second.attribution_kind == "anonymous"
    assert second.confidence.score < first.confidence.score


def test_a_pronoun_is_the_speaker_named_before():
    text = "Lavrov stressed that the treaty holds. He said that it was mutual."
    first, second = read(text, PUBLISHED, GAZETTEER).claims
    assert speaker(text, second) == "He"
    assert second.source_id == first.source_id == 14
    assert second.confidence.score < first.confidence.score


def test_a_pronoun_with_nobody_named_before_proposes_nothing():
    assert read("He said that it was mutual.", PUBLISHED, GAZETTEER).claims == ()


def test_a_count_before_a_known_group_is_not_part_of_its_name():
    text = "Two U.S. officials, speaking on condition of anonymity, said it held."
    claim = one(text)
    assert claim.source_id == 4
    assert claim.attribution_kind == "anonymous"


def test_the_minister_is_the_speaker_named_with_that_title():
    gazetteer = Gazetteer([KnownSource(1, "Katrin Voss", ("Voss",), "person")])
    text = (
        "Defence Minister Katrin Voss told parliament that the deal was done. "
        "The minister said the aircraft were ready."
    )
    first, second = read(text, PUBLISHED, gazetteer).claims
    assert speaker(text, second) == "The minister"
    assert second.source_id == first.source_id == 1
    assert second.confidence.score < first.confidence.score


def test_the_ministry_is_the_known_source_mentioned_before_with_that_word():
    gazetteer = Gazetteer(
        [KnownSource(30, "Ministry of Defence", (), "government")]
        + list(GAZETTEER.sources.values())
    )
    text = (
        "The Ministry of Defence will sign the contract in March. In a statement, "
        "the ministry put the value of the contract at 1.1 billion euros."
    )
    claim = one(text, gazetteer)
    assert speaker(text, claim) == "the ministry"
    assert cue(text, claim) == "put the value of the contract at"
    assert claim.source_id == 30


def test_a_description_nothing_before_fits_is_not_a_speaker():
    text = "The minister said the aircraft were ready."
    claim = one(text, Gazetteer([]))
    assert claim.source_id is None and claim.new_source.name == "The minister"
    text = "The coast guard said the ship was seized."
    assert read(text, PUBLISHED, Gazetteer([])).claims == ()


def test_the_company_is_the_organisation_named_before():
    gazetteer = Gazetteer([KnownSource(5, "Halden Shipping", (), "organization")])
    text = (
        "The owner, Halden Shipping, said it had lost contact. "
        '"We have no news," the company said.'
    )
    first, second = read(text, PUBLISHED, gazetteer).claims
    assert second.attribution_kind == "direct_quote"
    assert second.source_id == first.source_id == 5


def test_a_speaker_after_the_statement_claims_the_whole_sentence():
    gazetteer = Gazetteer([KnownSource(8, "Lunet coast guard", (), "military")])
    text = (
        "The ship was seized on Tuesday, according to the Lunet coast guard. "
        "The vessel was escorted to port, the coast guard said in a statement."
    )
    first, second = read(text, PUBLISHED, gazetteer).claims
    assert speaker(text, second) == "the coast guard"
    assert second.source_id == 8
    assert (
        second.quote
        == "The vessel was escorted to port, the coast guard said in a statement."
    )


def test_a_speaker_described_between_commas_is_the_first_clause():
    text = (
        "Rhea Castellan, a hydrologist at the University of Orne who has studied "
        "the river for two decades, said the council had ignored warnings."
    )
    claim = one(text, Gazetteer([]))
    assert speaker(text, claim) == "Rhea Castellan"
    assert claim.new_source.name == "Rhea Castellan"
    assert claim.quote == text


def test_a_long_known_name_is_a_speaker():
    gazetteer = Gazetteer(
        [KnownSource(9, "A doctor at the main hospital in Dassan", (), "anonymous")]
    )
    text = (
        "A doctor at the main hospital in Dassan, who spoke on condition of "
        "anonymity, said the hospital was full."
    )
    claim = one(text, gazetteer)
    assert claim.source_id == 9
    assert claim.attribution_kind == "anonymous"


def test_according_to_its_report_is_the_known_subject_of_the_sentence():
    gazetteer = Gazetteer([KnownSource(6, "International Maritime Bureau", ("IMB",))])
    text = (
        "The International Maritime Bureau has recorded more than 30 boardings, "
        "according to its latest quarterly report."
    )
    claim = one(text, gazetteer)
    assert speaker(text, claim) == "International Maritime Bureau"
    assert claim.source_id == 6
    assert claim.attribution_kind == "paraphrase"


def test_an_action_calling_something_a_quotation_is_its_subjects():
    gazetteer = Gazetteer(
        [KnownSource(7, "Lunet foreign ministry", ("Lunet's foreign ministry",))]
    )
    text = (
        "Lunet's foreign ministry summoned the ambassador on Wednesday, calling "
        'the seizure "an act of piracy."'
    )
    claim = one(text, gazetteer)
    assert claim.source_id == 7
    assert cue(text, claim) == "calling the seizure"
    assert claim.quote == text


def test_an_unknown_source_calling_something_proposes_nothing():
    text = 'Crowds marched on Wednesday, calling the seizure "an act of piracy."'
    assert read(text, PUBLISHED, GAZETTEER).claims == ()


def test_an_unknown_speaker_is_a_new_source_with_a_guessed_kind():
    text = "Ukrainian officials said that the line held."
    claim = one(text, Gazetteer([]))
    assert claim.source_id is None
    assert claim.new_source.name == "Ukrainian officials"
    assert claim.new_source.kind == "group"


def test_a_ministry_is_a_government_body():
    text = "The Defence Ministry said that the line held."
    assert one(text, Gazetteer([])).new_source.kind == "government"


def test_a_sentence_without_a_cue_is_not_proposed():
    text = "However, it remained uncertain whether these troops would be used."
    assert read(text, PUBLISHED, GAZETTEER).claims == ()


def test_a_capitalised_headline_verb_is_not_a_cue():
    text = "North Korean Troops Enter Russia: NATO Chief Confirms"
    assert read(text, PUBLISHED, GAZETTEER).claims == ()


# Quotations ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"We are ready to act," Rutte said.',
        "\u201cWe are ready to act,\u201d Rutte said.",
        '"We are ready to act," said Rutte.',
        'Rutte said: "We are ready to act."',
    ],
    ids=["straight", "curly", "said-first", "colon"],
)
def test_a_direct_quote(text):
    claim = one(text)
    assert claim.attribution_kind == "direct_quote"
    assert claim.source_id == 2
    assert "We are ready to act" in claim.quote
    assert claim.quote[0] in '"\u201c' and claim.quote[-1] in '"\u201d.'


def test_a_quote_split_around_x_said_is_one_claim():
    text = "\u201cWe are ready,\u201d Rutte said, \u201cand we will act.\u201d"
    claim = one(text)
    assert claim.quote == text
    assert speaker(text, claim) == "Rutte"
    assert cue(text, claim) == "said"


def test_two_quotes_apart_are_two_claims_of_one_speaker():
    text = (
        '"Ukraine will fight," Zelensky said in a weekend address, urging allies to '
        'make "stronger decisions."'
    )
    reading = read(text, PUBLISHED, GAZETTEER)
    assert [c.quote for c in reading.claims] == [
        '"Ukraine will fight,"',
        '"stronger decisions."',
    ]
    assert {c.source_id for c in reading.claims} == {7}


def test_a_quote_split_around_he_told_the_paper_is_one_claim():
    text = (
        "Lavrov stressed that the treaty holds. \u201cIt was tested,\u201d he told "
        "the Courier, \u201cand it held.\u201d"
    )
    first, second = read(text, PUBLISHED, GAZETTEER).claims
    assert second.quote == text[text.index("\u201c") :]
    assert second.source_id == 14


def test_a_sentence_of_quotation_alone_goes_on_quoting_the_speaker_before():
    text = '"We were told it would hold," said Lavrov. "Nobody came." Rutte left.'
    first, second = read(text, PUBLISHED, GAZETTEER).claims
    assert second.quote == '"Nobody came."'
    assert second.source_id == first.source_id == 14
    assert second.attribution_kind == "direct_quote"
    assert second.confidence.score < first.confidence.score


@pytest.mark.parametrize(
    "text",
    [
        '"We were told it would hold," said Lavrov.\n\n"Nobody came."',
        'Lavrov said the treaty held. "Nobody came."',
        '"Nobody came."',
    ],
    ids=["new-paragraph", "after-a-paraphrase", "nobody-before"],
)
def test_a_quotation_alone_is_nobodys_after_a_break_or_without_a_quote_before(text):
    claims = read(text, PUBLISHED, GAZETTEER).claims
    assert all(c.quote != '"Nobody came."' for c in claims)


def test_a_quotation_of_several_sentences_is_one_sentence():
    text = '\u201cI share it. But I will wait.\u201d Rutte left. "So. Then." Fine.'
    assert [text[s:e] for s, e in sentences(text)] == [
        "\u201cI share it. But I will wait.\u201d",
        "Rutte left.",
        '"So. Then."',
        "Fine.",
    ]


def test_a_stray_quotation_mark_does_not_join_the_sentences_after_it():
    text = "\u201cI share it. But I will wait. Rutte left. Lavrov stayed."
    assert [text[s:e] for s, e in sentences(text)] == [
        "\u201cI share it.",
        "But I will wait.",
        "Rutte left.",
        "Lavrov stayed.",
    ]


def test_statements_from_two_sources_are_two_claims_corroborating_the_last():
    text = (
        "U.S. officials revealed that troops were training. This intel was "
        "corroborated by statements from both Moscow and Seoul."
    )
    reading = read(text, PUBLISHED, GAZETTEER)
    assert [c.source_id for c in reading.claims] == [4, 11, 9]
    assert [(lk.from_claim, lk.to_claim, lk.relation) for lk in reading.links] == [
        (1, 0, "corroborates"),
        (2, 0, "corroborates"),
    ]


# Dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("announced on Monday", (date(2024, 10, 28), "day")),
        ("said on Friday", (date(2024, 10, 25), "day")),
        ("said yesterday", (date(2024, 10, 27), "day")),
        ("said on Oct. 21", (date(2024, 10, 21), "day")),
        ("said on Dec. 21", (date(2023, 12, 21), "day")),
        ("said last week", (date(2024, 10, 21), "week")),
        ("said in a weekend address", (date(2024, 10, 21), "week")),
        ("said earlier this month", (date(2024, 10, 1), "month")),
        ("said", (None, "")),
    ],
)
def test_dates_relative_to_publication(words, expected):
    assert read_date(words, PUBLISHED) == expected


def test_no_publication_time_no_date():
    assert read_date("said yesterday", None) == (None, "")


def test_a_claim_carries_its_date():
    claim = one("Rutte said yesterday that the alliance was ready.")
    assert (claim.stated_on, claim.stated_on_precision) == (date(2024, 10, 27), "day")


# Figures ---------------------------------------------------------------------

MEASURES = (
    KnownMeasure(1, "North Korean personnel training in Russia", "personnel"),
    KnownMeasure(4, "Ammunition rounds North Korea has supplied to Russia", "rounds"),
)


@pytest.mark.parametrize(
    ("text", "figure", "low", "high"),
    [
        (
            "Rutte said approximately 3,000 troops left.",
            "approximately 3,000",
            2700,
            3300,
        ),
        ("Rutte said up to 10,000 troops left.", "up to 10,000", 0, 10000),
        (
            "Rutte said millions of rounds were sent.",
            "millions of rounds",
            2000000,
            10000000,
        ),
        ("Rutte said 1.5 million people left.", "1.5 million", 1500000, 1500000),
        ("Rutte said more than 200 people left.", "more than 200", 200, None),
    ],
)
def test_figures_with_their_intervals_belong_to_the_claim_quoting_them(
    text, figure, low, high
):
    reading = read(text, PUBLISHED, GAZETTEER)
    (found,) = reading.figures
    assert found.text == figure == text[found.start : found.end]
    assert found.low == (None if low is None else Decimal(low))
    assert found.high == (None if high is None else Decimal(high))
    assert found.claim_index == 0


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("Rutte said between 300 and 400 left.", [("between 300 and 400", 300, 400)]),
        ("Rutte said 1,500-3,000 left.", [("1,500-3,000", 1500, 3000)]),
        ("Rutte said 10-12 thousand left.", [("10-12 thousand", 10000, 12000)]),
        (
            "Rutte said the toll rose from 98 to 147.",
            [("98", 98, 98), ("147", 147, 147)],
        ),
        ("Rutte said it hit at 4:12 a.m. and 40 died.", [("40", 40, 40)]),
    ],
    ids=["between", "hyphen", "scaled", "from-to-is-a-change", "clock-time"],
)
def test_ranges_are_one_figure_a_change_two_and_a_clock_time_none(text, figures):
    found = read(text, PUBLISHED, GAZETTEER).figures
    assert [(f.text, f.low, f.high) for f in found] == [
        (t, Decimal(low), Decimal(high)) for t, low, high in figures
    ]


def test_a_figure_proposes_the_known_measure_its_words_name():
    text = (
        "U.S. officials revealed that approximately 3,000 North Korean personnel "
        "were training in Russia, and that North Korea supplied Russia with millions "
        "of rounds."
    )
    reading = read(text, PUBLISHED, GAZETTEER, MEASURES)
    assert [(f.text, f.measure_id) for f in reading.figures] == [
        ("approximately 3,000", 1),
        ("millions of rounds", 4),
    ]


def test_a_figure_without_a_known_measure_proposes_a_name():
    (figure,) = read("Rutte said 40 tanks burned.", PUBLISHED, GAZETTEER).figures
    assert figure.measure_id is None
    assert figure.new_measure == "tanks burned"


def test_an_additional_number_proposes_the_total():
    text = "Rutte said around 1,500 troops train, with an additional 1,500 deployed."
    figures = read(text, PUBLISHED, GAZETTEER).figures
    total = figures[-1]
    assert (total.low, total.high) == (Decimal(2850), Decimal(3150))
    assert text[total.start : total.end].startswith("around 1,500")


def test_dates_and_clock_times_are_not_figures():
    text = (
        "28/10/2024 17h25\n\nRutte said on Oct. 21, 2024 and on September 3 that "
        "40 tanks burned."
    )
    assert [f.text for f in read(text, PUBLISHED, GAZETTEER).figures] == ["40"]


def test_an_own_voice_sentence_is_proposed_only_when_it_carries_a_figure():
    text = "The army lost 40 tanks. It was a bad week for the army."
    reading = read(text, PUBLISHED, GAZETTEER, publisher=16)
    (claim,) = reading.claims
    assert claim.attribution_kind == "own_voice"
    assert claim.quote == "The army lost 40 tanks."
    assert claim.source_id == 16
    (figure,) = reading.figures
    assert figure.claim_index == 0


def test_a_figure_in_an_attributed_claim_makes_no_own_voice_claim():
    reading = read("Rutte said 40 tanks burned.", PUBLISHED, GAZETTEER, publisher=16)
    assert [c.attribution_kind for c in reading.claims] == ["paraphrase"]


# Sentences -------------------------------------------------------------------


def test_sentences_do_not_split_after_abbreviations():
    text = "U.S. officials said so on Oct. 21 in Washington. Rutte agreed."
    assert [text[s:e] for s, e in sentences(text)] == [
        "U.S. officials said so on Oct. 21 in Washington.",
        "Rutte agreed.",
    ]


# Properties ------------------------------------------------------------------

WORDS = st.sampled_from(
    [
        "Rutte",
        "said",
        "told",
        "that",
        "the",
        "NATO chief",
        "according to",
        "citing",
        "Seoul",
        ",",
        ".",
        '"',
        "\u201c",
        "\u201d",
        "approximately",
        "3,000",
        "up to",
        "10,000",
        "on Monday",
        "last week",
        "The official",
        "added",
        "on condition of anonymity",
        "A former Kremlin official",
        "\n",
        "millions of rounds",
        "Lavrov",
        "stressed",
        "and",
        "troops",
    ]
)
TEXTS = st.lists(WORDS, max_size=40).map(" ".join) | st.text(max_size=200)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_every_span_lies_in_the_text_and_is_its_quote(text):
    reading = read(text, PUBLISHED, GAZETTEER, MEASURES)
    for c in reading.claims:
        for s, e in [
            (c.quote_start, c.quote_end),
            (c.speaker_start, c.speaker_end),
            (c.cue_start, c.cue_end),
        ]:
            assert 0 <= s <= e <= len(text)
        assert text[c.quote_start : c.quote_end] == c.quote
        assert 0 <= c.confidence.score <= 1
    for f in reading.figures:
        assert 0 <= f.start < f.end <= len(text)
        if " ... " not in f.text:
            assert text[f.start : f.end] == f.text
        assert f.claim_index is None or 0 <= f.claim_index < len(reading.claims)


@settings(max_examples=100, deadline=None)
@given(TEXTS)
def test_reading_is_deterministic(text):
    assert read(text, PUBLISHED, GAZETTEER, MEASURES) == read(
        text, PUBLISHED, GAZETTEER, MEASURES
    )


# Long texts: what each figure and reference is read against is found without
# going through every earlier row; the answers are the plain definitions'.


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 30)), max_size=15),
    st.lists(st.tuples(st.integers(0, 80), st.integers(0, 10)), max_size=15),
)
def test_a_figure_s_claim_is_the_first_whose_quote_holds_it(quotes, figures):
    claims = [
        ProposedClaim(
            0,
            0,
            0,
            0,
            start,
            start + length,
            "",
            "paraphrase",
            None,
            None,
            Confidence(1, "high"),
        )
        for start, length in quotes
    ]
    owners = _Owners(claims)
    for start, length in figures:
        end = start + length
        expected = next(
            (
                i
                for i, c in enumerate(claims)
                if c.quote_start <= start and end <= c.quote_end
            ),
            None,
        )
        assert owners.first_holding(start, end) == expected


@settings(max_examples=200, deadline=None)
@given(
    # A figure is some text: no span is empty.
    st.lists(st.tuples(st.integers(0, 90), st.integers(1, 9)), max_size=12).map(
        lambda spans: sorted((s, s + n) for s, n in spans)
    ),
    st.integers(0, 100),
    st.integers(0, 20),
)
def test_a_sentence_holds_a_figure_as_the_plain_definition_says(spans, s0, length):
    s1 = s0 + length
    assert _holds_figure(spans, s0, s1) == any(s0 <= a and b <= s1 for a, b in spans)


@pytest.mark.parametrize(
    "phrase, published, expected",
    [
        ("on Feb. 29", date(2024, 2, 28), None),  # no Feb. 29 in 2023
        ("on Feb. 29", date(2024, 3, 1), date(2024, 2, 29)),
        ("on Feb. 29", date(2025, 3, 1), date(2024, 2, 29)),
        ("on Dec. 30", date(2024, 1, 2), date(2023, 12, 30)),
        ("on Feb. 30", date(2024, 3, 6), None),
    ],
)
def test_a_day_of_a_month_is_the_last_one_on_or_before_publication(
    phrase, published, expected
):
    moment = datetime(published.year, published.month, published.day, tzinfo=UTC)
    assert read_date(f"Rutte said {phrase} that", moment) == (
        (expected, "day") if expected else (None, "")
    )


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["Jan.", "Feb.", "February", "Sept.", "Dec."]),
    st.integers(0, 99),
    st.dates(min_value=date(1901, 1, 1)),
)
def test_any_day_of_a_month_reads_without_error(month, day, published):
    moment = datetime(published.year, published.month, published.day, tzinfo=UTC)
    found, precision = read_date(f"It happened on {month} {day}.", moment)
    assert found is None or (found <= published and precision == "day")
