"""The figure parser: every row of the qualifier table, every number form, and
properties that hold for any text."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from claims.choices import Qualifier
from claims.figures import (
    MAGNITUDES,
    PREFIX_QUALIFIERS,
    SUFFIX_QUALIFIERS,
    parse_figure,
    parse_number,
)

T = D("0.10")


def interval(text, tolerance=T, lower_limit=D(0)):
    parsed = parse_figure(text, tolerance=tolerance, lower_limit=lower_limit)
    return parsed.qualifier, parsed.value, parsed.low, parsed.high


def test_a_bare_number_is_exact():
    assert interval("3,000") == (Qualifier.EXACT, D(3000), D(3000), D(3000))


@pytest.mark.parametrize(
    "word", ["approximately", "about", "around", "roughly", "some", "an estimated"]
)
def test_approximately_widens_both_ways_by_the_tolerance(word):
    assert interval(f"{word} 3,000") == (
        Qualifier.APPROXIMATELY,
        D(3000),
        D(2700),
        D(3300),
    )


def test_the_measure_tolerance_sets_the_width_of_approximately():
    assert interval("about 3,000", tolerance=D("0.25"))[2:] == (D(2250), D(3750))


@pytest.mark.parametrize("word", ["nearly", "almost"])
def test_nearly_reaches_down_by_the_tolerance_and_not_above(word):
    assert interval(f"{word} 3,000") == (Qualifier.NEARLY, D(3000), D(2700), D(3000))


@pytest.mark.parametrize("word", ["at least", "more than", "over", "upwards of"])
def test_at_least_is_open_above(word):
    assert interval(f"{word} 3,000") == (Qualifier.AT_LEAST, D(3000), D(3000), None)


@pytest.mark.parametrize(
    "word", ["up to", "at most", "as many as", "fewer than", "under"]
)
def test_up_to_starts_at_the_measure_lower_limit(word):
    assert interval(f"{word} 10,000") == (Qualifier.UP_TO, D(10000), D(0), D(10000))


def test_up_to_is_open_below_when_the_measure_has_no_lower_limit():
    assert interval("up to 10,000", lower_limit=None)[2:] == (None, D(10000))


def test_up_to_uses_a_lower_limit_other_than_zero():
    assert interval("up to 10,000", lower_limit=D(100))[2:] == (D(100), D(10000))


@pytest.mark.parametrize(
    "text",
    [
        "between 1,500 and 3,000",
        "1,500-3,000",
        "1,500 to 3,000",
        "1,500 – 3,000",
        "from 1,500 to 3,000",
    ],
)
def test_ranges_give_their_two_ends(text):
    assert interval(text) == (Qualifier.RANGE, None, D(1500), D(3000))


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("hundreds", 200, 1_000),
        ("thousands", 2_000, 10_000),
        ("tens of thousands", 20_000, 100_000),
        ("hundreds of thousands", 200_000, 1_000_000),
        ("millions", 2_000_000, 10_000_000),
        ("millions of rounds", 2_000_000, 10_000_000),
        ("thousands of troops", 2_000, 10_000),
    ],
)
def test_magnitude_words_stand_for_their_documented_interval(text, low, high):
    assert interval(text) == (Qualifier.MAGNITUDE, None, D(low), D(high))


@pytest.mark.parametrize("word", sorted(MAGNITUDES))
def test_every_magnitude_in_the_table_is_read(word):
    qualifier, _, low, high = interval(word)
    assert qualifier == Qualifier.MAGNITUDE
    assert (low, high) == MAGNITUDES[word]


@pytest.mark.parametrize("phrase", sorted(PREFIX_QUALIFIERS))
def test_every_prefix_in_the_table_gives_its_qualifier(phrase):
    assert interval(f"{phrase} 3,000")[0] == PREFIX_QUALIFIERS[phrase]


@pytest.mark.parametrize("phrase", sorted(SUFFIX_QUALIFIERS))
def test_every_suffix_in_the_table_gives_its_qualifier(phrase):
    joiner = "" if phrase == "+" else " "
    assert interval(f"3,000{joiner}{phrase}")[0] == SUFFIX_QUALIFIERS[phrase]


@pytest.mark.parametrize(
    "text, value",
    [
        ("3,000", 3000),
        ("3000", 3000),
        ("3 000", 3000),
        ("3\u00a0000", 3000),
        ("1.5 million", 1_500_000),
        ("1.5m", 1_500_000),
        ("2 billion", 2_000_000_000),
        ("10k", 10_000),
        ("10K", 10_000),
        ("ten thousand", 10_000),
        ("a thousand", 1_000),
        ("twenty-five", 25),
        ("one hundred and fifty", 150),
        ("two million", 2_000_000),
        ("1,500.5", D("1500.5")),
    ],
)
def test_number_forms(text, value):
    assert parse_number(text) == D(value)
    assert interval(text)[1] == D(value)


def test_words_after_the_number_are_its_unit():
    assert interval("an estimated 3,000 North Korean troops") == (
        Qualifier.APPROXIMATELY,
        D(3000),
        D(2700),
        D(3300),
    )


def test_a_hyphenated_number_word_is_not_a_range():
    assert interval("twenty-five")[0] == Qualifier.EXACT


def test_a_scale_written_once_applies_to_both_ends_of_a_range():
    assert interval("1.5-3 million")[2:] == (D(1_500_000), D(3_000_000))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "lots",
        "a lot",
        "about",
        "over the moon",
        "3,000 (2,500 confirmed)",
        "XLII",
        "n/a",
        "3,000 or 4,000",
    ],
)
def test_unreadable_text_is_a_validation_error_naming_the_text(text):
    with pytest.raises(ValidationError) as error:
        parse_figure(text)
    assert f'"{text}"' in error.value.messages[0]


def test_a_range_written_backwards_is_refused_naming_the_text():
    with pytest.raises(ValidationError, match="3,000-1,000.*low end above"):
        parse_figure("3,000-1,000")


def test_a_figure_below_the_measure_lower_limit_is_refused():
    with pytest.raises(ValidationError) as error:
        parse_figure("50", lower_limit=D(100))
    assert error.value.messages == [
        'The figure "50" goes below the measure\'s lower limit (100).'
    ]


def test_a_tolerance_outside_zero_to_one_is_refused():
    with pytest.raises(ValidationError, match="tolerance"):
        parse_figure("about 3,000", tolerance=D(1))


# Property-based tests -------------------------------------------------------------

numbers = st.integers(min_value=0, max_value=10**12)
tolerances = st.decimals(min_value=0, max_value=D("0.99"), places=2)
prefixes = st.sampled_from(["", *PREFIX_QUALIFIERS])


def written(n: int) -> str:
    return f"{n:,}"


@given(prefix=prefixes, n=numbers, tolerance=tolerances)
def test_any_qualified_number_gives_low_not_above_high(prefix, n, tolerance):
    parsed = parse_figure(f"{prefix} {written(n)}".strip(), tolerance=tolerance)
    if parsed.low is not None and parsed.high is not None:
        assert parsed.low <= parsed.high
    assert parsed.value == n


@given(a=numbers, b=numbers)
def test_a_range_is_accepted_exactly_when_its_ends_are_in_order(a, b):
    text = f"between {written(a)} and {written(b)}"
    if a <= b:
        assert parse_figure(text).low == a
    else:
        with pytest.raises(ValidationError):
            parse_figure(text)


@given(text=st.text(max_size=40))
def test_any_text_is_read_with_low_not_above_high_or_refused_naming_it(text):
    try:
        parsed = parse_figure(text)
    except ValidationError as error:
        assert text in error.messages[0]
    else:
        if parsed.low is not None and parsed.high is not None:
            assert parsed.low <= parsed.high
