"""The figure parser: every row of the qualifier table, every number form, every
refusal, and properties that hold for any text.

Expected values are written out here, never read back from the parser's own tables.
"""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.choices import Qualifier
from claims.figures import (
    MAGNITUDES,
    PREFIX_QUALIFIERS,
    SUFFIX_QUALIFIERS,
    interval_for,
    is_percentage_unit,
    normalize,
    parse_figure,
    parse_number,
)

from .helpers import validation_error

T = D("0.10")
EXACT, APPROXIMATELY, NEARLY = (
    Qualifier.EXACT,
    Qualifier.APPROXIMATELY,
    Qualifier.NEARLY,
)
AT_LEAST, UP_TO, RANGE = Qualifier.AT_LEAST, Qualifier.UP_TO, Qualifier.RANGE
MAGNITUDE = Qualifier.MAGNITUDE


def read(text, tolerance=T, lower_limit=D(0), unit=None):
    parsed = parse_figure(text, tolerance=tolerance, lower_limit=lower_limit, unit=unit)
    return parsed.qualifier, parsed.value, parsed.low, parsed.high


def refusal(text, **kwargs):
    """The error refusing ``text``; its message names the text."""
    error = validation_error(parse_figure, text, **kwargs)
    assert f'"{text}"' in error.messages[0]
    return error


# The table, row by row -------------------------------------------------------------


def test_a_bare_number_is_exact():
    assert read("3,000") == (EXACT, D(3000), D(3000), D(3000))


@pytest.mark.parametrize(
    "text",
    [
        "approximately 3,000",
        "about 3,000",
        "around 3,000",
        "roughly 3,000",
        "some 3,000",
        "an estimated 3,000",
        "circa 3,000",
        "3,000 or so",
        "3,000-odd",
        "3,000 odd",
        "3,000 or thereabouts",
        "approx. 3,000",
        "approx 3,000",
        "estimated 3,000",
        "est. 3,000",
        "c. 3,000",
        "ca. 3,000",
        "~3,000",
    ],
)
def test_approximately_widens_both_ways_by_the_tolerance(text):
    assert read(text) == (APPROXIMATELY, D(3000), D(2700), D(3300))


def test_the_measure_tolerance_sets_the_width_of_approximately():
    assert read("about 3,000", tolerance=D("0.25"))[2:] == (D(2250), D(3750))


def test_a_zero_tolerance_makes_approximately_a_point():
    assert read("about 3,000", tolerance=D(0))[2:] == (D(3000), D(3000))


@pytest.mark.parametrize(
    "text",
    [
        "nearly 3,000",
        "almost 3,000",
        "just under 3,000",
        "close to 3,000",
        "just short of 3,000",
    ],
)
def test_nearly_reaches_down_by_the_tolerance_and_not_above(text):
    assert read(text) == (NEARLY, D(3000), D(2700), D(3000))


@pytest.mark.parametrize(
    "text",
    [
        "at least 3,000",
        "more than 3,000",
        "over 3,000",
        "upwards of 3,000",
        "well over 3,000",
        "just over 3,000",
        "in excess of 3,000",
        "no fewer than 3,000",
        "no less than 3,000",
        "3,000 or more",
        "3,000+",
        "3,000 +",
        "3,000-plus",
        "3,000 plus",
        "3,000+ troops",
    ],
)
def test_at_least_is_open_above(text):
    assert read(text) == (AT_LEAST, D(3000), D(3000), None)


@pytest.mark.parametrize(
    "text",
    [
        "up to 10,000",
        "at most 10,000",
        "as many as 10,000",
        "fewer than 10,000",
        "less than 10,000",
        "under 10,000",
        "well under 10,000",
        "no more than 10,000",
        "10,000 or fewer",
        "10,000 or less",
    ],
)
def test_up_to_starts_at_the_measure_lower_limit(text):
    assert read(text) == (UP_TO, D(10000), D(0), D(10000))


def test_up_to_is_open_below_when_the_measure_has_no_lower_limit():
    assert read("up to 10,000", lower_limit=None)[2:] == (None, D(10000))


def test_up_to_uses_a_lower_limit_other_than_zero():
    assert read("up to 10,000", lower_limit=D(100))[2:] == (D(100), D(10000))


@pytest.mark.parametrize(
    "text",
    [
        "between 1,500 and 3,000",
        "1,500-3,000",
        "1,500 to 3,000",
        "1,500 – 3,000",
        "1,500 — 3,000 troops",
        "from 1,500 to 3,000",
        "between 1,500 and 3,000 North Korean troops",
        "1.5-3 thousand",
        "fifteen hundred to three thousand",
    ],
)
def test_ranges_give_their_two_ends(text):
    assert read(text) == (RANGE, None, D(1500), D(3000))


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("10-12 thousand", 10_000, 12_000),
        ("10 to 12 thousand", 10_000, 12_000),
        ("10-12k", 10_000, 12_000),
        ("ten to twelve thousand", 10_000, 12_000),
        ("between 1 and 2 million", 1_000_000, 2_000_000),
        ("1.5-3 million", 1_500_000, 3_000_000),
        ("between one hundred and two hundred", 100, 200),
        ("between two thousand and three thousand", 2_000, 3_000),
        ("between one hundred and fifty and two hundred", 150, 200),
        # The scale is shared only when the low end stays below the high end.
        ("500 to 2 thousand", 500, 2_000),
        ("10k-12k", 10_000, 12_000),
    ],
)
def test_a_scale_written_once_applies_to_both_ends_of_a_range(text, low, high):
    assert read(text) == (RANGE, None, D(low), D(high))


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("approximately 2,000-3,000", 1800, 3300),
        ("about 2,000-3,000", 1800, 3300),
        ("some 12,000 to 15,000", 10_800, 16_500),
        ("2,000-3,000 or so", 1800, 3300),
        ("around 12,000 to 15,000 troops", 10_800, 16_500),
    ],
)
def test_an_approximate_range_is_widened_by_the_tolerance(text, low, high):
    assert read(text) == (RANGE, None, D(low), D(high))


@pytest.mark.parametrize(
    "text, value",
    [
        ("a dozen", 12),
        ("half a million", 500_000),
        ("two and a half thousand", 2_500),
        ("half a dozen", 6),
        ("two dozen", 24),
        ("a million and a half", 1_500_000),
        ("one and a half million", 1_500_000),
        ("a quarter of a million", 250_000),
        ("three quarters of a million", 750_000),
        ("a half million", 500_000),
        ("a quarter million", 250_000),
        ("a dozen troops", 12),
    ],
)
def test_fractions_and_dozens_in_words_are_exact(text, value):
    assert read(text) == (EXACT, D(value), D(value), D(value))


def test_more_than_a_dozen_is_at_least_twelve():
    assert read("more than a dozen") == (AT_LEAST, D(12), D(12), None)


def test_well_over_is_at_least():
    assert read("well over 600") == (AT_LEAST, D(600), D(600), None)


MAGNITUDE_INTERVALS = {
    "dozens": (24, 100),
    "a few dozen": (24, 60),
    "several dozen": (24, 120),
    "hundreds": (200, 1_000),
    "a few hundred": (200, 500),
    "several hundred": (200, 1_000),
    "thousands": (2_000, 10_000),
    "a few thousand": (2_000, 5_000),
    "several thousand": (2_000, 10_000),
    "tens of thousands": (20_000, 100_000),
    "hundreds of thousands": (200_000, 1_000_000),
    "millions": (2_000_000, 10_000_000),
    "a few million": (2_000_000, 5_000_000),
    "several million": (2_000_000, 10_000_000),
    "tens of millions": (20_000_000, 100_000_000),
    "hundreds of millions": (200_000_000, 1_000_000_000),
    "billions": (2_000_000_000, 10_000_000_000),
}


@pytest.mark.parametrize("text, ends", MAGNITUDE_INTERVALS.items())
def test_magnitude_words_stand_for_their_documented_interval(text, ends):
    assert read(text) == (MAGNITUDE, None, D(ends[0]), D(ends[1]))


def test_no_magnitude_word_is_left_without_a_documented_interval():
    assert set(MAGNITUDES) == set(MAGNITUDE_INTERVALS)


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("millions of rounds", 2_000_000, 10_000_000),
        ("millions of rounds of artillery shells", 2_000_000, 10_000_000),
        ("thousands of troops", 2_000, 10_000),
        ("a few hundred North Korean troops", 200, 500),
        ("hundreds of thousands of people", 200_000, 1_000_000),
    ],
)
def test_a_magnitude_may_be_followed_by_what_it_counts(text, low, high):
    assert read(text) == (MAGNITUDE, None, D(low), D(high))


# Every phrase in the tables has an expectation written here ------------------------

PREFIX_EXPECTED = {
    "approximately": APPROXIMATELY,
    "approx": APPROXIMATELY,
    "approx.": APPROXIMATELY,
    "about": APPROXIMATELY,
    "around": APPROXIMATELY,
    "roughly": APPROXIMATELY,
    "some": APPROXIMATELY,
    "an estimated": APPROXIMATELY,
    "estimated": APPROXIMATELY,
    "est.": APPROXIMATELY,
    "circa": APPROXIMATELY,
    "c.": APPROXIMATELY,
    "ca.": APPROXIMATELY,
    "~": APPROXIMATELY,
    "nearly": NEARLY,
    "almost": NEARLY,
    "close to": NEARLY,
    "just under": NEARLY,
    "just short of": NEARLY,
    "at least": AT_LEAST,
    "more than": AT_LEAST,
    "over": AT_LEAST,
    "well over": AT_LEAST,
    "just over": AT_LEAST,
    "upwards of": AT_LEAST,
    "in excess of": AT_LEAST,
    "no fewer than": AT_LEAST,
    "no less than": AT_LEAST,
    "up to": UP_TO,
    "at most": UP_TO,
    "as many as": UP_TO,
    "fewer than": UP_TO,
    "less than": UP_TO,
    "under": UP_TO,
    "well under": UP_TO,
    "no more than": UP_TO,
}
SUFFIX_EXPECTED = {
    "or more": AT_LEAST,
    "+": AT_LEAST,
    "plus": AT_LEAST,
    "-plus": AT_LEAST,
    "or so": APPROXIMATELY,
    "or thereabouts": APPROXIMATELY,
    "odd": APPROXIMATELY,
    "-odd": APPROXIMATELY,
    "or fewer": UP_TO,
    "or less": UP_TO,
}


def test_every_prefix_phrase_has_an_expectation_here():
    assert set(PREFIX_QUALIFIERS) == set(PREFIX_EXPECTED)


def test_every_suffix_phrase_has_an_expectation_here():
    assert set(SUFFIX_QUALIFIERS) == set(SUFFIX_EXPECTED)


@pytest.mark.parametrize("phrase, qualifier", PREFIX_EXPECTED.items())
def test_each_prefix_gives_its_qualifier(phrase, qualifier):
    assert read(f"{phrase} 3,000 troops")[0] == qualifier


@pytest.mark.parametrize("phrase, qualifier", SUFFIX_EXPECTED.items())
def test_each_suffix_gives_its_qualifier(phrase, qualifier):
    joiner = "" if phrase[0] in "+-" else " "
    assert read(f"3,000{joiner}{phrase} troops")[0] == qualifier


def test_a_prefix_and_a_suffix_that_agree_are_read_once():
    assert read("about 3,000 or so") == (APPROXIMATELY, D(3000), D(2700), D(3300))
    assert read("at least 3,000+") == (AT_LEAST, D(3000), D(3000), None)


# Number forms ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("3,000", 3000),
        ("3000", 3000),
        ("3 000", 3000),
        ("3\u00a0000", 3000),
        ("3\u202f000", 3000),
        ("1,500.5", D("1500.5")),
        ("1.5 million", 1_500_000),
        ("1.5m", 1_500_000),
        ("1.5M", 1_500_000),
        ("2 billion", 2_000_000_000),
        ("3bn", 3_000_000_000),
        ("3 bn", 3_000_000_000),
        ("2.5 trillion", 2_500_000_000_000),
        ("10k", 10_000),
        ("10K", 10_000),
        ("12 thousand", 12_000),
        ("3.5", D("3.5")),
        ("0.25", D("0.25")),
        ("0.250", D("0.25")),
        ("1000.000", 1000),
        ("ten thousand", 10_000),
        ("a thousand", 1_000),
        ("a hundred", 100),
        ("a hundred thousand", 100_000),
        ("twenty-five", 25),
        ("twenty five", 25),
        ("one hundred and fifty", 150),
        ("one hundred fifty", 150),
        ("fifteen hundred", 1_500),
        ("twenty-five hundred", 2_500),
        ("fifteen hundred thousand", 1_500_000),
        ("two million", 2_000_000),
        ("two million three hundred thousand", 2_300_000),
        ("two thousand and five", 2_005),
        ("one million and fifty", 1_000_050),
        ("nineteen hundred and five", 1_905),
        ("one hundred and five thousand", 105_000),
        ("nine hundred ninety-nine thousand nine hundred ninety-nine", 999_999),
        ("zero", 0),
        ("0", 0),
        ("a dozen", 12),
        ("half a million", 500_000),
        ("two and a half thousand", 2_500),
    ],
)
def test_number_forms(text, value):
    assert parse_number(text) == D(value)
    assert read(text) == (EXACT, D(value), D(value), D(value))


@pytest.mark.parametrize("text", ["3,000 troops", "five five", "ten-twelve", "lots"])
def test_parse_number_reads_one_number_completely_or_refuses(text):
    with pytest.raises(ValidationError) as info:
        parse_number(text)
    assert f'"{text}"' in info.value.messages[0]


def test_parse_number_reads_a_sign():
    assert parse_number("-5") == D(-5)


def test_normalize_lower_cases_and_unifies_dashes_and_spaces():
    assert normalize("  About\u00a03,000\u2013 4,000 Troops. ") == (
        "about 3,000- 4,000 troops"
    )


@pytest.mark.parametrize(
    "text",
    [
        "approximately 3,000 North Korean troops",
        "an estimated 3,000 troops",
        "3,000 troops around Kursk",
        "3,000 troops up to the front",
        "3,000 troops over the border",
        "3,000-strong force",
        "3,000 North Korean troops.",
    ],
)
def test_words_after_the_number_are_its_unit_or_noun_phrase(text):
    assert read(text)[1] == D(3000)


# Refusals --------------------------------------------------------------------------


def test_two_numbers_in_words_joined_by_a_hyphen_are_refused():
    error = refusal("ten-twelve")
    assert error.code == "unreadable_figure"
    assert 'write "ten to twelve" for a range' in error.messages[0]


def test_two_numbers_in_words_side_by_side_are_refused():
    error = refusal("five five")
    assert 'the number word "five"' in error.messages[0]


def test_a_contradictory_prefix_and_suffix_are_refused():
    error = refusal("up to 3,000 or more")
    assert '"up to" and "or more" contradict each other' in error.messages[0]


def test_a_scale_word_left_over_is_refused():
    error = refusal("100 billion billion")
    assert 'the scale word "billion"' in error.messages[0]


@pytest.mark.parametrize(
    "text, why",
    [
        ("3,000 (2,500 confirmed)", "another number"),
        ("3,000 or 4,000", "another number"),
        ("3,000 troops in 2024", "another number"),
        ("1e5", "another number"),
        ("3,000 troops and a dozen tanks", 'number word "dozen"'),
        ("3,000 troops and two tanks", 'number word "two"'),
        ("3,000 thousand million", 'scale word "million"'),
        ("3,000 m", 'scale word "m"'),
        ("10 k", 'scale word "k"'),
        ("3,000 at least", 'qualifier "at least"'),
        ("3,000 troops or more", 'qualifier "or more"'),
        ("3,000 troops, roughly", 'qualifier "roughly"'),
        ("3,000 troops or so", 'qualifier "or so"'),
        ("3,000 troops plus tanks", 'qualifier "plus"'),
        ("3,000 troops, at most", 'qualifier "at most"'),
    ],
)
def test_words_left_over_that_change_the_number_are_refused(text, why):
    error = refusal(text)
    assert error.code == "unreadable_figure"
    assert why in error.messages[0]


@pytest.mark.parametrize("unit", ["personnel", "troops", None, ""])
def test_a_percentage_on_a_measure_that_is_not_one_is_refused(unit):
    error = refusal("100%", unit=unit)
    assert error.code == "percent_not_allowed"
    assert "is a percentage" in error.messages[0]
    if unit:
        assert f'"{unit}"' in error.messages[0]


@pytest.mark.parametrize(
    "text", ["12 percent", "12 per cent", "12 %", "10-12%", "3,000 troops %"]
)
def test_every_way_of_writing_a_percentage_is_refused_on_a_count(text):
    assert refusal(text, unit="personnel").code == "percent_not_allowed"


@pytest.mark.parametrize(
    "text, unit, low, high",
    [
        ("12%", "%", 12, 12),
        ("12 percent", "Percent", 12, 12),
        ("12 per cent", "per cent", 12, 12),
        ("12%", "percentage", 12, 12),
        ("3 percentage points", "percentage points", 3, 3),
        ("10-12%", "%", 10, 12),
        ("10% to 12%", "% of GDP", 10, 12),
        ("12", "%", 12, 12),
    ],
)
def test_a_percentage_is_read_on_a_measure_in_percent(text, unit, low, high):
    assert read(text, unit=unit)[2:] == (D(low), D(high))


@pytest.mark.parametrize(
    "unit, answer",
    [
        ("%", True),
        ("Percent", True),
        ("per cent", True),
        ("percentage", True),
        ("Percentage points", True),
        ("% of GDP", True),
        ("personnel", False),
        ("percentile", False),
        ("", False),
        (None, False),
    ],
)
def test_which_units_are_percentages(unit, answer):
    assert is_percentage_unit(unit) is answer


def test_a_negative_count_is_refused_saying_so():
    error = refusal("-500")
    assert error.code == "negative_figure"
    assert "negative count" in error.messages[0]


@pytest.mark.parametrize("text", ["about -500", "-500 troops", "1,000 to -500"])
def test_a_negative_number_anywhere_in_a_count_is_refused(text):
    assert refusal(text).code == "negative_figure"


@pytest.mark.parametrize(
    "text, lower_limit, expected",
    [
        ("-500", None, (EXACT, D(-500), D(-500), D(-500))),
        ("-500", D(-1000), (EXACT, D(-500), D(-500), D(-500))),
        ("about -500", None, (APPROXIMATELY, D(-500), D(-550), D(-450))),
        ("nearly -500", None, (NEARLY, D(-500), D(-500), D(-450))),
        ("-10 to -5", None, (RANGE, None, D(-10), D(-5))),
        ("about -10 to 10", None, (RANGE, None, D(-11), D(11))),
    ],
)
def test_a_measure_below_zero_reads_negative_numbers(text, lower_limit, expected):
    assert read(text, lower_limit=lower_limit) == expected


@pytest.mark.parametrize(
    "text", ["99999999999999999999", "1,000,000,000,000,001", "1,001 trillion"]
)
def test_a_number_beyond_ten_to_the_fifteen_is_refused(text):
    error = refusal(text)
    assert error.code == "too_large"
    assert "too large" in error.messages[0]


@pytest.mark.parametrize(
    "text, readings",
    [
        ("3.000", '"3.000" could be 3 or 3,000'),
        ("1.500", '"1.500" could be 1.5 or 1,500'),
        ("10.000", '"10.000" could be 10 or 10,000'),
        ("12.500 troops", '"12.500" could be 12.5 or 12,500'),
        ("1.500 million", '"1.500" could be 1.5 or 1,500'),
        ("2.500.000", 'thousands with commas ("2,500,000")'),
        ("1.234,5", 'thousands with commas ("1,234.5")'),
        ("1,5", '"1,5" could be a decimal comma (1.5)'),
        ("0,5", '"0,5" could be a decimal comma (0.5)'),
    ],
)
def test_a_european_number_is_refused_as_ambiguous(text, readings):
    error = refusal(text)
    assert error.code == "ambiguous_decimal"
    assert "ambiguous" in error.messages[0]
    assert readings in error.messages[0]


@pytest.mark.parametrize(
    "text, why",
    [
        ("up to 2,000-3,000", '"up to" cannot qualify a range'),
        ("2,000-3,000+", '"+" cannot qualify a range'),
        ("up to tens of thousands", '"up to" cannot qualify an order of magnitude'),
        ("between 1,500", '"between" needs a second number'),
        # Two thousand and three, or two to three thousand?
        ("between two thousand and three", '"between" needs a second number'),
        ("5 5", '"5 5" is not one number as written'),
        ("1,50,000", '"1,50,000" is not one number as written'),
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("lots", "no number in it"),
        ("a lot", "no number in it"),
        ("about", "no number in it"),
        ("over the moon", "no number in it"),
        ("XLII", "no number in it"),
        ("n/a", "no number in it"),
        ("hundred", "no number in it"),
        ("$3,000", "no number in it"),
    ],
)
def test_unreadable_text_is_refused_naming_the_text_and_the_reason(text, why):
    error = refusal(text)
    assert error.code == "unreadable_figure"
    assert why in error.messages[0]


def test_a_range_written_backwards_is_refused_naming_the_text():
    error = refusal("3,000-1,000")
    assert error.code == "low_above_high"
    assert "low end above" in error.messages[0]


@pytest.mark.parametrize("text", ["50", "up to 50", "about 105"])
def test_a_figure_below_the_measure_lower_limit_is_refused(text):
    error = refusal(text, lower_limit=D(100))
    assert error.code == "below_lower_limit"
    assert error.messages == [
        f'The figure "{text}" goes below the measure\'s lower limit (100).'
    ]


@pytest.mark.parametrize("tolerance", [D(1), D("-0.1"), "NaN"])
def test_a_tolerance_outside_zero_to_one_is_refused(tolerance):
    with pytest.raises(ValidationError, match="tolerance"):
        parse_figure("about 3,000", tolerance=tolerance)


def test_a_lower_limit_that_is_not_a_number_is_refused():
    with pytest.raises(ValidationError, match="lower limit"):
        parse_figure("3,000", lower_limit="NaN")


# What is returned can be stored ----------------------------------------------------

STORED = DecimalValidator(max_digits=24, decimal_places=4)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0.123456", (EXACT, D("0.1235"), D("0.1234"), D("0.1235"))),
        ("about 0.12345", (APPROXIMATELY, D("0.1234"), D("0.1111"), D("0.1358"))),
        ("nearly 0.33333", (NEARLY, D("0.3333"), D("0.2999"), D("0.3334"))),
        ("0.12345-0.2", (RANGE, None, D("0.1234"), D("0.2"))),
    ],
)
def test_values_and_ends_are_kept_to_four_places_widening_the_interval(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize("tolerance", [D(0), T, D("0.9999")])
def test_the_largest_figure_fits_the_stored_field_at_any_tolerance(tolerance):
    _, value, low, high = read("about 1,000 trillion", tolerance=tolerance)
    assert value == D(10) ** 15
    for number in (value, low, high):
        STORED(number)


def test_interval_for_rounds_the_ends_outwards():
    parsed = interval_for(APPROXIMATELY, D("0.12345"), T, D(0))
    assert (parsed.value, parsed.low, parsed.high) == (
        D("0.1234"),
        D("0.1111"),
        D("0.1358"),
    )


@pytest.mark.parametrize(
    "qualifier, low, high",
    [
        (EXACT, D(3000), D(3000)),
        (APPROXIMATELY, D(2700), D(3300)),
        (NEARLY, D(2700), D(3000)),
        (AT_LEAST, D(3000), None),
        (UP_TO, D(0), D(3000)),
    ],
)
def test_interval_for_each_qualifier(qualifier, low, high):
    parsed = interval_for(qualifier, D(3000), T, D(0))
    assert (parsed.qualifier, parsed.value, parsed.low, parsed.high) == (
        qualifier,
        D(3000),
        low,
        high,
    )


def test_interval_for_refuses_a_range():
    with pytest.raises(ValueError):
        interval_for(RANGE, D(3000))


# Properties ------------------------------------------------------------------------

tolerances = st.decimals(min_value=0, max_value=D("0.99"), places=2)

FRAGMENTS = [
    "about", "up to", "nearly", "at least", "between", "from", "and", "to", "-",
    "%", "percent", "a", "half", "a dozen", "thousand", "million", "billion",
    "hundred", "and a half", "3,000", "3.000", "1.5", "10k", "5 000", "twenty",
    "five", "+", "or more", "or so", "plus", "odd", "troops", "of", "thousands",
    "tens of", "a few", "zero", "0", "999,999,999,999,999", "1,000 trillion", "1,5",
    "-500", "0.00001", "~", "quarter of a", "ninety-nine", "12", "m", "k",
]  # fmt: skip
figure_like = st.lists(st.sampled_from(FRAGMENTS), max_size=6).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(
    text=figure_like | st.text(max_size=30),
    tolerance=tolerances,
    lower_limit=st.sampled_from([D(0), None]),
    unit=st.sampled_from([None, "%", "personnel"]),
)
def test_whatever_is_accepted_is_ordered_and_storable(
    text, tolerance, lower_limit, unit
):
    try:
        parsed = parse_figure(
            text, tolerance=tolerance, lower_limit=lower_limit, unit=unit
        )
    except ValidationError as error:
        assert text in error.messages[0]
        return
    ends = [n for n in (parsed.value, parsed.low, parsed.high) if n is not None]
    for number in ends:
        assert isinstance(number, D)
        assert number.as_tuple().exponent >= -4
        assert abs(number) <= 2 * D(10) ** 15
        STORED(number)
    if parsed.low is not None and parsed.high is not None:
        assert parsed.low <= parsed.high
    if parsed.value is not None:
        assert parsed.low is None or parsed.low <= parsed.value
        assert parsed.high is None or parsed.value <= parsed.high


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_any_text_is_read_or_refused_with_a_validation_error_naming_it(text):
    try:
        parse_figure(text)
    except ValidationError as error:
        assert text in error.messages[0]


# A reference reader, written independently: (qualifier phrase, number in digits or
# words, noun) -> the interval the domain says it stands for.

ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def below_hundred(n: int) -> str:
    if n < 20:
        return ONES[n]
    return TENS[n // 10] + (f"-{ONES[n % 10]}" if n % 10 else "")


def below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return below_hundred(rest)
    head = f"{ONES[hundreds]} hundred"
    return f"{head} and {below_hundred(rest)}" if rest else head


def in_words(n: int) -> str:
    if n == 0:
        return "zero"
    groups = []
    for name, size in (("billion", 10**9), ("million", 10**6), ("thousand", 10**3)):
        count, n = divmod(n, size)
        if count:
            groups.append(f"{below_thousand(count)} {name}")
    if n:
        groups.append(below_thousand(n))
    return " ".join(groups)


def written_forms(n: int) -> list[str]:
    forms = [f"{n:,}", str(n), f"{n:,}".replace(",", " "), in_words(n)]
    if n and n % 1000 == 0:
        forms.append(f"{n // 1000}k")
    if n and n % 1_000_000 == 0:
        forms.append(f"{n // 1_000_000} million")
    return forms


def test_the_reference_writes_numbers_in_words_as_people_do():
    assert in_words(2_305_017) == (
        "two million three hundred and five thousand seventeen"
    )
    assert in_words(40) == "forty"


QUALIFIED = [
    ("{n}", "exact"),
    ("approximately {n}", "approximately"),
    ("about {n}", "approximately"),
    ("some {n}", "approximately"),
    ("an estimated {n}", "approximately"),
    ("{n} or so", "approximately"),
    ("nearly {n}", "nearly"),
    ("almost {n}", "nearly"),
    ("just under {n}", "nearly"),
    ("at least {n}", "at_least"),
    ("more than {n}", "at_least"),
    ("well over {n}", "at_least"),
    ("{n} or more", "at_least"),
    ("{n}+", "at_least"),
    ("{n}-plus", "at_least"),
    ("up to {n}", "up_to"),
    ("as many as {n}", "up_to"),
    ("no more than {n}", "up_to"),
]
NOUNS = ["", "troops", "North Korean troops", "rounds of artillery shells"]


def expected_interval(kind: str, n: int, t: D):
    return {
        "exact": (n, n),
        "approximately": (n - n * t, n + n * t),
        "nearly": (n - n * t, n),
        "at_least": (n, None),
        "up_to": (0, n),
    }[kind]


@settings(max_examples=300, deadline=None)
@given(
    qualified=st.sampled_from(QUALIFIED),
    n=st.integers(min_value=0, max_value=10**12 - 1),
    form=st.integers(min_value=0, max_value=5),
    noun=st.sampled_from(NOUNS),
    t=tolerances,
)
def test_qualified_numbers_match_the_reference(qualified, n, form, noun, t):
    template, kind = qualified
    forms = written_forms(n)
    text = f"{template.format(n=forms[form % len(forms)])} {noun}".strip()
    parsed = parse_figure(text, tolerance=t)
    assert (parsed.qualifier, parsed.value) == (kind, n), text
    assert (parsed.low, parsed.high) == expected_interval(kind, n, t), text


RANGES = ["between {a} and {b}", "{a} to {b}", "{a}-{b}", "from {a} to {b}"]


@settings(max_examples=200, deadline=None)
@given(
    template=st.sampled_from(RANGES),
    ends=st.lists(st.integers(0, 10**12), min_size=2, max_size=2).map(sorted),
    form=st.integers(min_value=0, max_value=2),
    about=st.booleans(),
    t=tolerances,
)
def test_ranges_match_the_reference(template, ends, form, about, t):
    a, b = ends
    text = template.format(a=written_forms(a)[form], b=written_forms(b)[form])
    text = f"about {text}" if about else text
    parsed = parse_figure(text, tolerance=t)
    low, high = (a - a * t, b + b * t) if about else (a, b)
    assert (parsed.qualifier, parsed.value, parsed.low, parsed.high) == (
        RANGE,
        None,
        low,
        high,
    ), text


@given(a=st.integers(0, 10**12), b=st.integers(0, 10**12))
def test_a_range_is_accepted_exactly_when_its_ends_are_in_order(a, b):
    text = f"between {a:,} and {b:,}"
    if a <= b:
        assert read(text)[2:] == (D(a), D(b))
    else:
        assert refusal(text).code == "low_above_high"
