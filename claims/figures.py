"""Figure text -> qualifier, nominal value and interval.

Pure Python: takes the text as written ("approximately 3,000", "up to 10,000",
"millions of rounds") and the measure's tolerance and lower limit, and returns what
the text stands for. Unreadable text raises a ``ValidationError`` naming the text,
never a silent zero.

The vocabulary is the tables below; each row has a test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from claims.choices import Qualifier

DEFAULT_TOLERANCE = Decimal("0.10")
DEFAULT_LOWER_LIMIT = Decimal(0)

#: Words written before a number, longest first when matched, and what they mean.
PREFIX_QUALIFIERS: dict[str, Qualifier] = {
    "approximately": Qualifier.APPROXIMATELY,
    "approx.": Qualifier.APPROXIMATELY,
    "about": Qualifier.APPROXIMATELY,
    "around": Qualifier.APPROXIMATELY,
    "roughly": Qualifier.APPROXIMATELY,
    "some": Qualifier.APPROXIMATELY,
    "an estimated": Qualifier.APPROXIMATELY,
    "estimated": Qualifier.APPROXIMATELY,
    "circa": Qualifier.APPROXIMATELY,
    "~": Qualifier.APPROXIMATELY,
    "nearly": Qualifier.NEARLY,
    "almost": Qualifier.NEARLY,
    "close to": Qualifier.NEARLY,
    "at least": Qualifier.AT_LEAST,
    "more than": Qualifier.AT_LEAST,
    "over": Qualifier.AT_LEAST,
    "upwards of": Qualifier.AT_LEAST,
    "in excess of": Qualifier.AT_LEAST,
    "up to": Qualifier.UP_TO,
    "at most": Qualifier.UP_TO,
    "as many as": Qualifier.UP_TO,
    "fewer than": Qualifier.UP_TO,
    "less than": Qualifier.UP_TO,
    "under": Qualifier.UP_TO,
    "no more than": Qualifier.UP_TO,
}

#: Words written after a number: "3,000 or more", "3,000+".
SUFFIX_QUALIFIERS: dict[str, Qualifier] = {
    "or more": Qualifier.AT_LEAST,
    "+": Qualifier.AT_LEAST,
    "plus": Qualifier.AT_LEAST,
    "or fewer": Qualifier.UP_TO,
    "or less": Qualifier.UP_TO,
}

#: Orders of magnitude written as words, and the interval each stands for.
#: "thousands" is at least two thousand and fewer than ten thousand; the interval is
#: stored closed, so its high end is the next order's first value.
MAGNITUDES: dict[str, tuple[Decimal, Decimal]] = {
    "dozens": (Decimal(24), Decimal(100)),
    "hundreds": (Decimal(200), Decimal(1_000)),
    "several hundred": (Decimal(200), Decimal(1_000)),
    "thousands": (Decimal(2_000), Decimal(10_000)),
    "several thousand": (Decimal(2_000), Decimal(10_000)),
    "tens of thousands": (Decimal(20_000), Decimal(100_000)),
    "hundreds of thousands": (Decimal(200_000), Decimal(1_000_000)),
    "millions": (Decimal(2_000_000), Decimal(10_000_000)),
    "several million": (Decimal(2_000_000), Decimal(10_000_000)),
    "tens of millions": (Decimal(20_000_000), Decimal(100_000_000)),
}

#: Scale words and abbreviations after a numeral: "1.5 million", "10k".
SCALES: dict[str, Decimal] = {
    "k": Decimal(1_000),
    "thousand": Decimal(1_000),
    "m": Decimal(1_000_000),
    "mn": Decimal(1_000_000),
    "million": Decimal(1_000_000),
    "bn": Decimal(1_000_000_000),
    "billion": Decimal(1_000_000_000),
}

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
#: Numbers written in words: "ten thousand", "one hundred and fifty".
WORD_VALUES: dict[str, int] = {word: n for n, word in enumerate(_UNITS)} | {
    word: 20 + 10 * n for n, word in enumerate(_TENS)
}
WORD_MULTIPLIERS: dict[str, int] = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
}

_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:\.\d+)?"
_SCALE = r"(?:\s*(?:" + "|".join(sorted(SCALES, key=len, reverse=True)) + r")\b)?"
_NUMWORD = (
    r"(?:"
    + "|".join(sorted([*WORD_VALUES, *WORD_MULTIPLIERS, "a"], key=len, reverse=True))
    + r")"
)
_WORDS = rf"{_NUMWORD}(?:(?:\s+|-|\s+and\s+){_NUMWORD})*\b"
_NUMBER = rf"(?:{_DIGITS}{_SCALE}|{_WORDS})"
_NUMBER_RE = re.compile(_NUMBER)
_RANGE_RES = [
    re.compile(rf"^between\s+(?P<a>{_NUMBER})\s+and\s+(?P<b>{_NUMBER})(?P<rest>.*)$"),
    re.compile(rf"^from\s+(?P<a>{_NUMBER})\s+to\s+(?P<b>{_NUMBER})(?P<rest>.*)$"),
    re.compile(rf"^(?P<a>{_NUMBER})\s+to\s+(?P<b>{_NUMBER})(?P<rest>.*)$"),
    # A hyphen joins numerals only: "twenty-five" is one number, not a range.
    re.compile(
        rf"^(?P<a>{_DIGITS}{_SCALE})\s*-\s*(?P<b>{_DIGITS}{_SCALE})(?P<rest>.*)$"
    ),
]
#: What may follow the number: a unit or noun phrase, with no digits in it.
_TRAILER_RE = re.compile(r"^[^\d]*$")


@dataclass(frozen=True)
class ParsedFigure:
    """What a figure's text stands for. ``None`` for ``low``/``high`` is an open end."""

    qualifier: Qualifier
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None


def _unreadable(text: str, why: str = "") -> ValidationError:
    reason = f": {why}" if why else ""
    return ValidationError(
        'Cannot read a figure from "%(text)s"%(reason)s.',
        code="unreadable_figure",
        params={"text": text, "reason": reason},
    )


def normalize(text: str) -> str:
    """Lower-case, unify dashes and spaces, and trim: the form the tables are in."""
    text = text.lower().replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"[\t\n\r ]+", " ", text)
    return text.strip().rstrip(".")


def parse_number(text: str) -> Decimal:
    """Read one number: "3,000", "3 000", "1.5 million", "10k", "ten thousand"."""
    raw = normalize(text)
    match = re.fullmatch(rf"({_DIGITS})\s*({'|'.join(SCALES)})?", raw)
    if match:
        digits = re.sub(r"[, \u00a0\u202f]", "", match.group(1))
        try:
            number = Decimal(digits)
        except (
            InvalidOperation
        ) as exc:  # pragma: no cover - the pattern admits digits only
            raise _unreadable(text) from exc
        if match.group(2):
            number *= SCALES[match.group(2)]
        return number
    if re.fullmatch(_WORDS, raw):
        return Decimal(_words_to_int(raw, text))
    raise _unreadable(text, "not a number")


def _words_to_int(words: str, text: str) -> int:
    total = current = 0
    seen_any = False
    for word in re.split(r"\s+|-", words):
        if word == "and":
            continue
        if word == "a":
            current = max(current, 1)
            continue
        if word in WORD_VALUES:
            current += WORD_VALUES[word]
            seen_any = True
        elif word == "hundred":
            current = max(current, 1) * 100
            seen_any = True
        elif word in WORD_MULTIPLIERS:
            total += max(current, 1) * WORD_MULTIPLIERS[word]
            current = 0
            seen_any = True
        else:  # pragma: no cover - the pattern admits only the words above
            raise _unreadable(text, f'"{word}" is not a number word')
    if not seen_any:
        raise _unreadable(text, "no number in it")
    return total + current


def _strip_prefix(text: str) -> tuple[Qualifier | None, str]:
    for phrase in sorted(PREFIX_QUALIFIERS, key=len, reverse=True):
        if text.startswith(phrase):
            rest = text[len(phrase) :]
            if phrase[-1].isalpha() and rest[:1].isalpha():
                continue  # "about" must not match "abouts", "some" not "something"
            return PREFIX_QUALIFIERS[phrase], rest.strip()
    return None, text


def _leading_number(text: str) -> tuple[Decimal, str] | None:
    match = _NUMBER_RE.match(text)
    if not match or not match.group(0).strip():
        return None
    try:
        value = parse_number(match.group(0))
    except ValidationError:
        return None
    return value, text[match.end() :].strip()


def _check_trailer(original: str, rest: str) -> None:
    if not _TRAILER_RE.match(rest):
        raise _unreadable(original, f'cannot tell what "{rest}" adds')


def parse_figure(
    text: str,
    *,
    tolerance: Decimal | str = DEFAULT_TOLERANCE,
    lower_limit: Decimal | str | None = DEFAULT_LOWER_LIMIT,
) -> ParsedFigure:
    """Read ``text`` into a qualifier, nominal value and interval.

    ``tolerance`` widens "approximately" both ways and "nearly" downwards;
    ``lower_limit`` (``None``: unbounded) is the low end of "up to" and the floor
    no figure may go below.
    """
    tolerance = Decimal(str(tolerance))
    lower_limit = None if lower_limit is None else Decimal(str(lower_limit))
    if tolerance < 0 or tolerance >= 1:
        raise ValidationError(
            "The tolerance must be at least 0 and below 1.", code="bad_tolerance"
        )
    raw = normalize(text)
    if not raw:
        raise _unreadable(text, "it is empty")

    parsed = _parse_magnitude(raw) or _parse_range(text, raw)
    if parsed is None:
        parsed = _parse_single(text, raw, tolerance, lower_limit)

    if parsed.low is not None and parsed.high is not None and parsed.low > parsed.high:
        raise ValidationError(
            'The figure "%(text)s" has its low end above its high end.',
            code="low_above_high",
            params={"text": text},
        )
    if lower_limit is not None:
        for end in (parsed.low, parsed.high):
            if end is not None and end < lower_limit:
                raise ValidationError(
                    'The figure "%(text)s" goes below the measure\'s lower limit '
                    "(%(limit)s).",
                    code="below_lower_limit",
                    params={"text": text, "limit": lower_limit},
                )
    return parsed


def _parse_magnitude(raw: str) -> ParsedFigure | None:
    for word in sorted(MAGNITUDES, key=len, reverse=True):
        if raw == word or raw.startswith(word + " "):
            rest = raw[len(word) :].strip()
            if rest.startswith("of "):
                rest = rest[3:]
            if rest and not _TRAILER_RE.match(rest):
                return None
            low, high = MAGNITUDES[word]
            return ParsedFigure(Qualifier.MAGNITUDE, None, low, high)
    return None


def _parse_range(text: str, raw: str) -> ParsedFigure | None:
    for pattern in _RANGE_RES:
        match = pattern.match(raw)
        if match:
            low = parse_number(match.group("a"))
            high = parse_number(match.group("b"))
            rest = match.group("rest").strip()
            _check_trailer(text, rest)
            # "1.5-3 million": a scale written once applies to both ends.
            scale = re.search(rf"(?:{'|'.join(SCALES)})$", match.group("b"))
            if scale and not re.search(rf"(?:{'|'.join(SCALES)})$", match.group("a")):
                multiplier = SCALES[scale.group(0)]
                if low * multiplier <= high:
                    low *= multiplier
            return ParsedFigure(Qualifier.RANGE, None, low, high)
    return None


def _parse_single(
    text: str, raw: str, tolerance: Decimal, lower_limit: Decimal | None
) -> ParsedFigure:
    qualifier, rest = _strip_prefix(raw)
    leading = _leading_number(rest)
    if leading is None:
        raise _unreadable(text, "no number in it")
    value, rest = leading
    if qualifier is None:
        for phrase in sorted(SUFFIX_QUALIFIERS, key=len, reverse=True):
            if (
                rest == phrase
                or rest.startswith(phrase + " ")
                or (phrase == "+" and rest.startswith("+"))
            ):
                qualifier = SUFFIX_QUALIFIERS[phrase]
                rest = rest[len(phrase) :].strip()
                break
    _check_trailer(text, rest)
    return interval_for(qualifier or Qualifier.EXACT, value, tolerance, lower_limit)


def interval_for(
    qualifier: Qualifier,
    value: Decimal,
    tolerance: Decimal = DEFAULT_TOLERANCE,
    lower_limit: Decimal | None = DEFAULT_LOWER_LIMIT,
) -> ParsedFigure:
    """The interval a qualified single number stands for."""
    match qualifier:
        case Qualifier.EXACT:
            low, high = value, value
        case Qualifier.APPROXIMATELY:
            low, high = value * (1 - tolerance), value * (1 + tolerance)
        case Qualifier.NEARLY:
            low, high = value * (1 - tolerance), value
        case Qualifier.AT_LEAST:
            low, high = value, None
        case Qualifier.UP_TO:
            low, high = lower_limit, value
        case _:
            raise ValueError(f"{qualifier} does not qualify a single number")
    return ParsedFigure(qualifier, value, low, high)
