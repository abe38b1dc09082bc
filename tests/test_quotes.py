"""Finding a quote in its document's text (claims.quotes): exact, normalised,
ambiguous, picked by prefix, suffix or start, and missing with the nearest passage;
checked against a brute-force reference on random text."""

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.quotes import locate, nearest_passage, normalized

from .helpers import validation_error

TEXT = (
    "Rutte said “North Korean troops” are in Kursk. Officials — citing "
    "intelligence — said the troops  were   in Kursk too."
)


def test_an_exact_quote_is_found_where_it_is():
    span = locate(TEXT, "North Korean troops")
    assert (span.start, span.end) == (12, 31)
    assert TEXT[span.start : span.end] == span.exact == "North Korean troops"


def test_straight_quotes_hyphens_and_single_spaces_match_the_documents_typography():
    span = locate(TEXT, 'said "North Korean troops" are')
    assert span.exact == "said “North Korean troops” are"
    assert TEXT[span.start : span.end] == span.exact
    span = locate(TEXT, "Officials - citing intelligence - said the troops were in")
    assert span.exact == "Officials — citing intelligence — said the troops  were   in"


def test_a_quote_occurring_twice_is_refused_saying_how_many_times_and_where():
    error = validation_error(locate, TEXT, "in Kursk")
    [problem] = error.error_dict["quote"]
    assert problem.code == "ambiguous_quote"
    assert problem.params["count"] == 2
    assert "occurs 2 times" in error.messages[0]
    assert "quote_prefix" in error.messages[0]


def test_a_prefix_a_suffix_or_a_start_picks_one_occurrence():
    second = TEXT.rindex("in Kursk")
    assert locate(TEXT, "in Kursk", prefix="were ").start == second
    assert locate(TEXT, "in Kursk", suffix=" too").start == second
    assert locate(TEXT, "in Kursk", suffix=".").start == TEXT.index("in Kursk")
    assert locate(TEXT, "in Kursk", start=second).start == second


def test_a_start_where_the_quote_is_not_is_refused_naming_where_it_is():
    error = validation_error(locate, TEXT, "in Kursk", start=3)
    [problem] = error.error_dict["quote_start"]
    assert problem.code == "quote_start_mismatch"
    assert str(TEXT.index("in Kursk")) in error.messages[0]


def test_a_prefix_no_occurrence_has_is_refused():
    error = validation_error(locate, TEXT, "in Kursk", prefix="nowhere ")
    assert error.error_dict["quote"][0].code == "quote_context_mismatch"


def test_a_missing_quote_is_refused_showing_the_nearest_passage():
    error = validation_error(locate, TEXT, "Officials, citing intelligence, said")
    [problem] = error.error_dict["quote"]
    assert problem.code == "quote_not_found"
    assert "Officials — citing intelligence — said" in problem.params["passage"]


def test_the_nearest_passage_of_an_empty_text_is_empty():
    assert nearest_passage("", "anything") == ""


def test_normalising_keeps_the_offset_of_every_character():
    text = "a\u00a0 “b”\u2014c"
    flat, offsets = normalized(text)
    assert flat == 'a "b"-c'
    assert [text[offsets[i]] for i in range(len(flat)) if flat[i] != " "] == [
        "a",
        "“",
        "b",
        "”",
        "\u2014",
        "c",
    ]
    assert offsets[-1] == len(text)


# Against a brute-force reference -----------------------------------------------------

ALPHABET = ["a", "b", " ", "  ", "\n", "“", "”", '"', "'", "’", "-", "—"]


def reference_starts(text: str, quote: str) -> list[int]:
    """Every start of an exact occurrence; when there is none, every start i with
    some end j such that text[i:j] normalised is the quote normalised."""
    exact = [i for i in range(len(text)) if text.startswith(quote, i)]
    if exact:
        return exact
    needle = normalized(quote)[0].strip()
    return sorted(
        {
            i
            for i in range(len(text))
            for j in range(i + 1, len(text) + 1)
            if normalized(text[i:j])[0] == needle
        }
    )


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=14).map("".join),
    data=st.data(),
)
def test_locate_agrees_with_a_brute_force_search(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    if data.draw(st.booleans()):  # typed again with plain typography
        quote = quote.translate(str.maketrans("“”’—", '""\'-'))
    if not normalized(quote)[0].strip():
        return  # a quote of nothing but spaces is refused as empty
    expected = reference_starts(text, quote)
    try:
        span = locate(text, quote)
    except ValidationError as error:
        [problem] = error.error_dict["quote"]
        assert problem.code == "ambiguous_quote"
        assert problem.params["count"] == len(expected) > 1
        return
    assert expected == [span.start]
    assert normalized(text[span.start : span.end])[0].strip() == (
        normalized(quote)[0].strip()
    )
