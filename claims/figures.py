"""Figure text -> qualifier, nominal value and interval.

Pure Python: takes the text as written ("approximately 3,000", "up to 10,000",
"millions of rounds") and the measure's tolerance, lower limit and unit, and returns
what the text stands for. The text is read completely or not at all: anything the
reader cannot account for (a second number, a qualifier left over after the number,
a percentage on a measure that is not one, a number beyond ``MAX_NUMBER``, a
European "3.000") raises a ``ValidationError`` naming the text and the reason,
never a silent zero and never a silent misreading.

A figure is read as::

    [prefix qualifier] number [% ] [suffix qualifier] [unit or noun phrase]
    [prefix qualifier] [between|from] number [%] (and|to|-) number [%] [suffix] [noun]
    order of magnitude [of] [noun phrase]

The vocabulary is the tables below; each row has a test. Numbers written in words
are read by the small grammar in ``_Reader``: the libraries that turn words into
numbers refuse "a thousand", "a dozen", "half a million" and "two and a half
thousand", and some read "one hundred billion billion" as a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    InvalidOperation,
    localcontext,
)
from typing import NamedTuple

from django.core.exceptions import ValidationError

from claims.choices import Qualifier

DEFAULT_TOLERANCE = Decimal("0.10")
DEFAULT_LOWER_LIMIT = Decimal(0)

#: The largest number a figure may be written with. With "approximately" its high
#: end is at most ``MAX_NUMBER * (1 + tolerance)``, below 2 * 10^15, which a
#: DecimalField(max_digits=24, decimal_places=4) holds.
MAX_NUMBER = Decimal(10) ** 15
#: Values and ends are kept to the four decimal places they are stored with.
PLACES = Decimal("0.0001")

#: Words written before a number, and what they mean. The longest phrase that
#: matches wins: "just under" is nearly, "under" is up to.
PREFIX_QUALIFIERS: dict[str, Qualifier] = {
    "approximately": Qualifier.APPROXIMATELY,
    "approx": Qualifier.APPROXIMATELY,
    "approx.": Qualifier.APPROXIMATELY,
    "about": Qualifier.APPROXIMATELY,
    "around": Qualifier.APPROXIMATELY,
    "roughly": Qualifier.APPROXIMATELY,
    "some": Qualifier.APPROXIMATELY,
    "an estimated": Qualifier.APPROXIMATELY,
    "estimated": Qualifier.APPROXIMATELY,
    "est.": Qualifier.APPROXIMATELY,
    "circa": Qualifier.APPROXIMATELY,
    "c.": Qualifier.APPROXIMATELY,
    "ca.": Qualifier.APPROXIMATELY,
    "~": Qualifier.APPROXIMATELY,
    "nearly": Qualifier.NEARLY,
    "almost": Qualifier.NEARLY,
    "close to": Qualifier.NEARLY,
    "just under": Qualifier.NEARLY,
    "just short of": Qualifier.NEARLY,
    "at least": Qualifier.AT_LEAST,
    "more than": Qualifier.AT_LEAST,
    "over": Qualifier.AT_LEAST,
    "well over": Qualifier.AT_LEAST,
    "just over": Qualifier.AT_LEAST,
    "upwards of": Qualifier.AT_LEAST,
    "in excess of": Qualifier.AT_LEAST,
    "no fewer than": Qualifier.AT_LEAST,
    "no less than": Qualifier.AT_LEAST,
    "up to": Qualifier.UP_TO,
    "at most": Qualifier.UP_TO,
    "as many as": Qualifier.UP_TO,
    "fewer than": Qualifier.UP_TO,
    "less than": Qualifier.UP_TO,
    "under": Qualifier.UP_TO,
    "well under": Qualifier.UP_TO,
    "no more than": Qualifier.UP_TO,
}

#: Words written after a number (or a range): "3,000 or more", "3,000+",
#: "3,000-plus", "3,000 or so", "3,000-odd".
SUFFIX_QUALIFIERS: dict[str, Qualifier] = {
    "or more": Qualifier.AT_LEAST,
    "+": Qualifier.AT_LEAST,
    "plus": Qualifier.AT_LEAST,
    "-plus": Qualifier.AT_LEAST,
    "or so": Qualifier.APPROXIMATELY,
    "or thereabouts": Qualifier.APPROXIMATELY,
    "odd": Qualifier.APPROXIMATELY,
    "-odd": Qualifier.APPROXIMATELY,
    "or fewer": Qualifier.UP_TO,
    "or less": Qualifier.UP_TO,
}

#: Orders of magnitude written as words, and the closed interval each stands for.
#: "thousands" is at least two thousand and fewer than ten thousand; the interval is
#: stored closed, so its high end is the next order's first value. "A few" is two
#: to five of the unit, "several" and the plural two to ten.
MAGNITUDES: dict[str, tuple[Decimal, Decimal]] = {
    "dozens": (Decimal(24), Decimal(100)),
    "a few dozen": (Decimal(24), Decimal(60)),
    "several dozen": (Decimal(24), Decimal(120)),
    "hundreds": (Decimal(200), Decimal(1_000)),
    "a few hundred": (Decimal(200), Decimal(500)),
    "several hundred": (Decimal(200), Decimal(1_000)),
    "thousands": (Decimal(2_000), Decimal(10_000)),
    "a few thousand": (Decimal(2_000), Decimal(5_000)),
    "several thousand": (Decimal(2_000), Decimal(10_000)),
    "tens of thousands": (Decimal(20_000), Decimal(100_000)),
    "hundreds of thousands": (Decimal(200_000), Decimal(1_000_000)),
    "millions": (Decimal(2_000_000), Decimal(10_000_000)),
    "a few million": (Decimal(2_000_000), Decimal(5_000_000)),
    "several million": (Decimal(2_000_000), Decimal(10_000_000)),
    "tens of millions": (Decimal(20_000_000), Decimal(100_000_000)),
    "hundreds of millions": (Decimal(200_000_000), Decimal(1_000_000_000)),
    "billions": (Decimal(2_000_000_000), Decimal(10_000_000_000)),
}

#: Scale words and abbreviations after a numeral: "1.5 million", "10k", "3bn".
SCALES: dict[str, Decimal] = {
    "hundred": Decimal(100),
    "k": Decimal(1_000),
    "thousand": Decimal(1_000),
    "m": Decimal(1_000_000),
    "mn": Decimal(1_000_000),
    "million": Decimal(1_000_000),
    "bn": Decimal(1_000_000_000),
    "billion": Decimal(1_000_000_000),
    "tn": Decimal(1_000_000_000_000),
    "trillion": Decimal(1_000_000_000_000),
}
#: Scales that count only written against the digits: "10k" is ten thousand, but
#: "10 m" may be ten metres.
ATTACHED_SCALES = frozenset({"k", "m"})

#: Numbers written in words below a hundred ("twenty-five" is read as a compound).
WORD_VALUES: dict[str, int] = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
} | {
    word: 20 + 10 * n
    for n, word in enumerate(
        "twenty thirty forty fifty sixty seventy eighty ninety".split()
    )
}
#: Multipliers in numbers written in words, largest group first: "two million
#: three hundred thousand". ("Hundred" is read inside a group: "fifteen hundred".)
WORD_MULTIPLIERS: dict[str, int] = {
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}
#: "Half a million", "a half million", "a quarter of a million", "half a dozen".
FRACTIONS: dict[str, Decimal] = {
    "half a": Decimal("0.5"),
    "a half": Decimal("0.5"),
    "a quarter": Decimal("0.25"),
    "a quarter of a": Decimal("0.25"),
    "quarter of a": Decimal("0.25"),
    "three quarters of a": Decimal("0.75"),
}

#: A number written as a percentage: "12%", "12 percent", "12 per cent".
PERCENT_SIGNS = ("%", "percent", "per cent", "percentage point", "percentage points")
#: A measure's unit that is a percentage: "%", "percent", "% of GDP", ...
_PERCENT_UNIT_RE = re.compile(
    r"(?:%|percent|per cent|percentage(?: points?)?)(?: of\b.*)?", re.S
)

#: Words that, left over after the number, would be a second number or a scale.
LEFTOVER_NUMBER_WORDS = frozenset(
    [*WORD_VALUES, *WORD_MULTIPLIERS, *SCALES]
    + "hundreds thousands millions billions trillions dozen dozens tens half quarter "
    "quarters".split()
)
#: Qualifiers that, left over after the number, would change what it means. Those
#: that are also ordinary prepositions ("troops around Kursk", "up to the front")
#: may stand in a noun phrase.
LEFTOVER_QUALIFIERS = frozenset(
    phrase
    for phrase in [
        *PREFIX_QUALIFIERS,
        *SUFFIX_QUALIFIERS,
        "percentage",
    ]
    if phrase
    not in {"about", "around", "some", "over", "under", "up to", "close to", "odd"}
)


@dataclass(frozen=True)
class ParsedFigure:
    """What a figure's text stands for. ``None`` for ``low``/``high`` is an open end."""

    qualifier: Qualifier
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None


def normalize(text: str) -> str:
    """Lower-case, unify dashes and spaces, and trim: the form the tables are in."""
    text = re.sub(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]", "-", text.lower())
    text = re.sub(r"\s+", " ", text)
    return text.strip().rstrip(".").rstrip()


def is_percentage_unit(unit: str | None) -> bool:
    """Whether a measure's unit is a percentage ("%", "percent", "% of GDP")."""
    return unit is not None and bool(_PERCENT_UNIT_RE.fullmatch(normalize(unit)))


# Reading ---------------------------------------------------------------------------

#: Arithmetic on figures is exact; only the final quantize rounds.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


class _Token(NamedTuple):
    kind: str  # "num", "word" or "sym"
    text: str
    start: int
    spaced: bool  # written after a space


# Digits with any separators between them are one token, checked when read:
# "3,000", "3 000", "1.5", and also "3.000" or "5 5", which are refused.
_TOKEN_RE = re.compile(
    r"(?P<num>[0-9]+(?:[,. ][0-9]+)*)|(?P<word>[^\W\d_]+)|(?P<sym>\S)"
)


def _tokens(raw: str) -> list[_Token]:
    return [
        _Token(
            match.lastgroup or "sym",
            match.group(0),
            match.start(),
            match.start() > 0 and raw[match.start() - 1] == " ",
        )
        for match in _TOKEN_RE.finditer(raw)
    ]


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(token.text for token in _tokens(text))


def _phrases[V](table: dict[str, V]) -> list[tuple[tuple[str, ...], str, V]]:
    """A table's phrases as token sequences, the longest first."""
    rows = [(_phrase(phrase), phrase, value) for phrase, value in table.items()]
    return sorted(rows, key=lambda row: (-len(row[0]), -len(row[1])))


_PREFIXES = _phrases(PREFIX_QUALIFIERS)
_SUFFIXES = _phrases(SUFFIX_QUALIFIERS)
_MAGNITUDES = _phrases(MAGNITUDES)
_FRACTIONS = _phrases(FRACTIONS)
_PERCENTS = _phrases(dict.fromkeys(PERCENT_SIGNS, True))
_LEFTOVER_QUALIFIERS = _phrases(dict.fromkeys(LEFTOVER_QUALIFIERS, True))
_LEFTOVER_PERCENTS = _phrases(dict.fromkeys([*PERCENT_SIGNS, "percentage"], True))

_PLAIN_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_EUROPEAN_THOUSANDS_RE = re.compile(r"[1-9][0-9]{0,2}\.[0-9]{3}")
_COMMA_GROUPS_RE = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_SPACE_GROUPS_RE = re.compile(r"[1-9][0-9]{0,2}(?: [0-9]{3})+(?:\.[0-9]+)?")
_DOT_GROUPS_RE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?")
_DECIMAL_COMMA_RE = re.compile(r"[0-9]+,[0-9]+")


@dataclass(frozen=True)
class _Number:
    value: Decimal
    start: int  # the index of its first token
    end: int  # the index of the token after it
    scale: Decimal | None  # a scale written last ("12 thousand"), shared by a range
    in_words: bool


class _Reader:
    """Reads the tokens of one figure's text from left to right."""

    def __init__(
        self, text: str, raw: str, *, lower_limit: Decimal | None, unit: str | None
    ):
        self.text = text
        self.raw = raw
        self.tokens = _tokens(raw)
        self.pos = 0
        self.negative_allowed = lower_limit is None or lower_limit < 0
        self.lower_limit = lower_limit
        self.unit = unit
        self.percent_allowed = is_percentage_unit(unit)

    # Errors ------------------------------------------------------------------------

    def unreadable(self, why: str) -> ValidationError:
        return ValidationError(
            'Cannot read a figure from "%(text)s": %(reason)s.',
            code="unreadable_figure",
            params={"text": self.text, "reason": why},
        )

    def percent_not_allowed(self) -> ValidationError:
        if self.unit is None or not self.unit.strip():
            return ValidationError(
                'The figure "%(text)s" is a percentage, but the measure\'s unit is '
                "not a percentage.",
                code="percent_not_allowed",
                params={"text": self.text},
            )
        return ValidationError(
            'The figure "%(text)s" is a percentage, but the measure\'s unit, '
            '"%(unit)s", is not a percentage.',
            code="percent_not_allowed",
            params={"text": self.text, "unit": self.unit},
        )

    # Looking at tokens -------------------------------------------------------------

    def word(self, i: int) -> str | None:
        return self.tokens[i].text if i < len(self.tokens) else None

    def is_num(self, i: int) -> bool:
        return i < len(self.tokens) and self.tokens[i].kind == "num"

    def match[V](
        self, phrases: list[tuple[tuple[str, ...], str, V]], i: int
    ) -> tuple[str, V, int] | None:
        """The longest phrase written at token ``i``: its name, value and end."""
        for words, name, value in phrases:
            if tuple(self.word(j) for j in range(i, i + len(words))) == words:
                return name, value, i + len(words)
        return None

    def written(self, number: _Number) -> str:
        last = self.tokens[number.end - 1]
        return self.raw[self.tokens[number.start].start : last.start + len(last.text)]

    def rest(self, i: int) -> str:
        return self.raw[self.tokens[i].start :] if i < len(self.tokens) else ""

    # Numbers -----------------------------------------------------------------------

    def digits(self, written: str) -> Decimal:
        """The value of one token of digits, or the reason it cannot be read."""
        if _PLAIN_RE.fullmatch(written):
            if _EUROPEAN_THOUSANDS_RE.fullmatch(written):
                whole, part = written.split(".")
                raise ValidationError(
                    'The figure "%(text)s" is ambiguous: "%(number)s" could be '
                    "%(small)s or %(large)s (a European thousands separator). Write "
                    '"%(large)s" for the larger, or "%(small)s" for the smaller.',
                    code="ambiguous_decimal",
                    params={
                        "text": self.text,
                        "number": written,
                        "small": written.rstrip("0").rstrip("."),
                        "large": f"{int(whole + part):,}",
                    },
                )
            return Decimal(written)
        if _COMMA_GROUPS_RE.fullmatch(written):
            return Decimal(written.replace(",", ""))
        if _SPACE_GROUPS_RE.fullmatch(written):
            return Decimal(written.replace(" ", ""))
        if _DOT_GROUPS_RE.fullmatch(written):
            raise ValidationError(
                'The figure "%(text)s" is ambiguous: "%(number)s" uses dots as '
                "thousands separators, and a dot may also be a decimal point. Write "
                'thousands with commas ("%(large)s").',
                code="ambiguous_decimal",
                params={
                    "text": self.text,
                    "number": written,
                    "large": _english(written),
                },
            )
        if _DECIMAL_COMMA_RE.fullmatch(written):
            raise ValidationError(
                'The figure "%(text)s" is ambiguous: "%(number)s" could be a decimal '
                "comma (%(decimal)s) or misplaced thousands separators. Write decimals "
                'with a dot ("%(decimal)s") and thousands in groups of three.',
                code="ambiguous_decimal",
                params={
                    "text": self.text,
                    "number": written,
                    "decimal": written.replace(",", "."),
                },
            )
        raise self.unreadable(f'"{written}" is not one number as written')

    def small(self, i: int) -> tuple[int, int] | None:
        """One to ninety-nine in words: "seven", "fifteen", "twenty-five"."""
        word = self.word(i)
        if word not in WORD_VALUES or word == "zero" or self.tokens[i].kind != "word":
            return None
        value = WORD_VALUES[word]
        if value < 20 or value % 10:
            return value, i + 1
        unit = self.word(i + 2)
        if (
            self.word(i + 1) == "-"
            and not self.tokens[i + 1].spaced
            and unit in WORD_VALUES
            and 0 < WORD_VALUES[unit] < 10
            and not self.tokens[i + 2].spaced
        ):
            return value + WORD_VALUES[unit], i + 3
        unit = self.word(i + 1)
        if unit in WORD_VALUES and 0 < WORD_VALUES[unit] < 10:
            return value + WORD_VALUES[unit], i + 2
        return value, i + 1

    def below_thousand(self, i: int, first: bool) -> tuple[int, int, bool] | None:
        """One to 9,999 in words ("a hundred", "one hundred and five", "fifteen
        hundred"), and whether it ended on "hundred"."""
        if first and self.word(i) == "a" and self.word(i + 1) == "hundred":
            value, j = 1, i + 1
        else:
            read = self.small(i)
            if read is None:
                return None
            value, j = read
        if self.word(j) != "hundred":
            return value, j, False
        value, j = value * 100, j + 1
        read = self.small(j + 1 if self.word(j) == "and" else j)
        if read is None or self.word(read[1]) == "hundred":
            # "between one hundred and two hundred": the "and" joins two numbers.
            return value, j, True
        return value + read[0], read[1], False

    def half(self, i: int) -> int | None:
        """The end of "and a half" written at ``i``."""
        if (self.word(i), self.word(i + 1), self.word(i + 2)) == ("and", "a", "half"):
            return i + 3
        return None

    def in_words(self, i: int) -> _Number | None:
        """A number written in words: "ten thousand", "two and a half thousand"."""
        if self.word(i) == "zero":
            return _Number(Decimal(0), i, i + 1, None, True)
        fraction = self.match(_FRACTIONS, i)
        if fraction is not None:
            _, part, j = fraction
            multiplier = WORD_MULTIPLIERS.get(self.word(j) or "")
            if multiplier is None and self.word(j) in ("dozen", "hundred"):
                multiplier = 12 if self.word(j) == "dozen" else 100
            if multiplier is not None:
                return _Number(part * multiplier, i, j + 1, None, True)
        total, j, last, scale = Decimal(0), i, None, None
        while True:
            first = j == i
            if (
                first
                and self.word(j) == "a"
                and (
                    self.word(j + 1) in WORD_MULTIPLIERS or self.word(j + 1) == "dozen"
                )
            ):
                count, k, hundred = Decimal(1), j + 1, False
            else:
                read = self.below_thousand(j, first)
                if read is None:
                    break
                count, k, hundred = Decimal(read[0]), read[1], read[2]
            if (end := self.half(k)) is not None:
                count, k, hundred = count + Decimal("0.5"), end, False
            multiplier = WORD_MULTIPLIERS.get(self.word(k) or "")
            if first and self.word(k) == "dozen":
                total, j = count * 12, k + 1
                break
            if multiplier is None or (last is not None and multiplier >= last):
                total, j = total + count, k
                scale = Decimal(100) if first and hundred else None
                break
            total, j, last = total + count * multiplier, k + 1, multiplier
            scale = Decimal(multiplier) if first else None
            if (end := self.half(j)) is not None and first:
                total, j = total + Decimal(multiplier) / 2, end
                break
            if self.word(j) == "and":
                # "two thousand and five"; but in "between two thousand and three
                # thousand" the "and" joins two numbers.
                read = self.below_thousand(j + 1, False)
                if read is not None and self.word(read[1]) not in WORD_MULTIPLIERS:
                    total, j, scale = total + read[0], read[1], None
                    break
        if j == i:
            return None
        return _Number(total, i, j, scale, True)

    def number(self, i: int, *, signed: bool) -> _Number | None:
        """The number written at token ``i``, if one is."""
        start, negative = i, False
        if signed and self.word(i) == "-" and self.is_num(i + 1):
            if not self.negative_allowed:
                raise ValidationError(
                    'The figure "%(text)s" is a negative count: the measure cannot go '
                    "below %(limit)s.",
                    code="negative_figure",
                    params={"text": self.text, "limit": self.lower_limit},
                )
            negative, i = True, i + 1
        if self.is_num(i):
            value, end, scale = self.digits(self.tokens[i].text), i + 1, None
            written = self.word(end)
            if written in SCALES and not (
                written in ATTACHED_SCALES and self.tokens[end].spaced
            ):
                scale = SCALES[written]
                value, end = value * scale, end + 1
            read = _Number(-value if negative else value, start, end, scale, False)
        else:
            read = self.in_words(i)
        if read is not None and abs(read.value) > MAX_NUMBER:
            raise ValidationError(
                'The figure "%(text)s" is too large: a figure may be at most '
                "%(largest)s (10^15).",
                code="too_large",
                params={"text": self.text, "largest": f"{MAX_NUMBER:,}"},
            )
        return read

    def percent(self) -> bool:
        found = self.match(_PERCENTS, self.pos)
        if found is None:
            return False
        if not self.percent_allowed:
            raise self.percent_not_allowed()
        self.pos = found[2]
        return True

    # The figure --------------------------------------------------------------------

    def figure(self, tolerance: Decimal) -> ParsedFigure:
        magnitude = self.match(_MAGNITUDES, 0)
        if magnitude is not None:
            _, (low, high), self.pos = magnitude
            if self.word(self.pos) == "of":
                self.pos += 1
            self.leftover()
            return ParsedFigure(Qualifier.MAGNITUDE, None, low, high)

        prefix = self.match(_PREFIXES, 0)
        if prefix is not None:
            self.pos = prefix[2]
        between = (
            self.word(self.pos) if self.word(self.pos) in ("between", "from") else None
        )
        if between:
            self.pos += 1
        first = self.number(self.pos, signed=True)
        if first is None:
            if prefix and (after := self.match(_MAGNITUDES, self.pos)):
                raise self.unreadable(
                    f'"{prefix[0]}" cannot qualify an order of magnitude ("{after[0]}")'
                )
            raise self.unreadable("no number in it")
        self.pos = first.end
        self.percent()

        second = self.second_number(first, between)
        if second is not None:
            self.percent()
            if (
                first.scale is None
                and second.scale is not None
                and 0 <= first.value * second.scale <= second.value
            ):
                # "10-12 thousand", "1.5-3 million": a scale written once
                # applies to both ends.
                first = _Number(
                    first.value * second.scale,
                    first.start,
                    first.end,
                    second.scale,
                    first.in_words,
                )
        elif between:
            raise self.unreadable(f'"{between}" needs a second number')

        suffix = self.match(_SUFFIXES, self.pos)
        if suffix is not None:
            self.pos = suffix[2]
        self.leftover()

        qualifier = prefix[1] if prefix else None
        if prefix and suffix and prefix[1] != suffix[1]:
            raise self.unreadable(
                f'"{prefix[0]}" and "{suffix[0]}" contradict each other'
            )
        qualifier = qualifier or (suffix[1] if suffix else None)
        if second is None:
            return interval_for(
                qualifier or Qualifier.EXACT, first.value, tolerance, self.lower_limit
            )
        if qualifier not in (None, Qualifier.APPROXIMATELY):
            said = (prefix or suffix or ("",))[0]
            raise self.unreadable(f'"{said}" cannot qualify a range')
        low, high = first.value, second.value
        if qualifier == Qualifier.APPROXIMATELY:
            low, high = low - abs(low) * tolerance, high + abs(high) * tolerance
        return ParsedFigure(Qualifier.RANGE, None, _floor(low), _ceil(high))

    def second_number(self, first: _Number, between: str | None) -> _Number | None:
        """The high end of a range written after ``first``, if one is."""
        joiner = self.word(self.pos)
        joiners = {"between": ("and", "to", "-"), "from": ("to", "-")}
        if joiner not in joiners.get(between or "", ("to", "-")):
            return None
        second = self.number(self.pos + 1, signed=joiner != "-")
        if second is None:
            return None
        if joiner == "-" and (first.in_words or second.in_words):
            low, high = self.written(first), self.written(second)
            raise self.unreadable(
                f'"{low}-{high}" is not one number, and a hyphen is read as a range '
                f'only between digits: write "{low} to {high}" for a range'
            )
        self.pos = second.end
        return second

    def leftover(self) -> None:
        """Refuse what is left after the number unless it is a unit or noun phrase."""
        rest = self.rest(self.pos)
        for i in range(self.pos, len(self.tokens)):
            token = self.tokens[i]
            if token.kind == "num" or any(ch.isnumeric() for ch in token.text):
                raise self.unreadable(f'"{rest}" after the number holds another number')
            if token.text in LEFTOVER_NUMBER_WORDS:
                kind = "scale" if token.text in SCALES else "number"
                raise self.unreadable(
                    f'"{rest}" after the number holds the {kind} word "{token.text}"'
                )
            if (found := self.match(_LEFTOVER_PERCENTS, i)) is not None:
                if not self.percent_allowed:
                    raise self.percent_not_allowed()
                raise self.unreadable(f'"{found[0]}" in "{rest}" follows no number')
            if (found := self.match(_LEFTOVER_QUALIFIERS, i)) is not None:
                raise self.unreadable(
                    f'"{rest}" after the number holds the qualifier "{found[0]}"'
                )


def _english(european: str) -> str:
    """ "2.500.000,5" written the English way: "2,500,000.5"."""
    whole, _, part = european.partition(",")
    return f"{int(whole.replace('.', '')):,}" + (f".{part}" if part else "")


def _to_decimal(value: Decimal | str | int | float) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def parse_number(text: str) -> Decimal:
    """Read one number, completely: "3,000", "3 000", "1.5 million", "10k", "ten
    thousand", "fifteen hundred", "a dozen", "half a million", "-5"."""
    raw = normalize(text)
    reader = _Reader(text, raw, lower_limit=None, unit=None)
    with localcontext(_EXACT):
        read = reader.number(0, signed=True)
        if read is None:
            raise reader.unreadable("not a number")
        if read.end < len(reader.tokens):
            raise reader.unreadable(
                f'"{reader.rest(read.end)}" is not part of a number'
            )
        return read.value


def parse_figure(
    text: str,
    *,
    tolerance: Decimal | str = DEFAULT_TOLERANCE,
    lower_limit: Decimal | str | None = DEFAULT_LOWER_LIMIT,
    unit: str | None = None,
) -> ParsedFigure:
    """Read ``text`` into a qualifier, nominal value and interval, or refuse it.

    ``tolerance`` widens "approximately" both ways and "nearly" downwards;
    ``lower_limit`` (``None``: unbounded) is the low end of "up to" and the floor no
    figure may go below; a negative number is refused as a negative count unless the
    lower limit is below zero or absent. ``unit`` is the measure's unit: a
    percentage ("12%") is read only when it is one. Every value and end returned has
    at most four decimal places (a low end rounded down, a high end up).
    """
    try:
        tolerance = _to_decimal(tolerance)
        lower_limit = None if lower_limit is None else _to_decimal(lower_limit)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(
            "The tolerance and lower limit must be numbers.", code="bad_tolerance"
        ) from exc
    if lower_limit is not None and not lower_limit.is_finite():
        raise ValidationError(
            "The lower limit must be a number.", code="bad_lower_limit"
        )
    if not tolerance.is_finite() or tolerance < 0 or tolerance >= 1:
        raise ValidationError(
            "The tolerance must be at least 0 and below 1.", code="bad_tolerance"
        )
    raw = normalize(text)
    if not raw:
        raise ValidationError(
            'Cannot read a figure from "%(text)s": %(reason)s.',
            code="unreadable_figure",
            params={"text": text, "reason": "it is empty"},
        )
    reader = _Reader(text, raw, lower_limit=lower_limit, unit=unit)
    with localcontext(_EXACT):
        parsed = reader.figure(tolerance)

    if lower_limit is not None:
        for end in (parsed.low, parsed.value, parsed.high):
            if end is not None and end < lower_limit:
                raise ValidationError(
                    'The figure "%(text)s" goes below the measure\'s lower limit '
                    "(%(limit)s).",
                    code="below_lower_limit",
                    params={"text": text, "limit": lower_limit},
                )
    if parsed.low is not None and parsed.high is not None and parsed.low > parsed.high:
        raise ValidationError(
            'The figure "%(text)s" has its low end above its high end.',
            code="low_above_high",
            params={"text": text},
        )
    return parsed


def interval_for(
    qualifier: Qualifier,
    value: Decimal,
    tolerance: Decimal = DEFAULT_TOLERANCE,
    lower_limit: Decimal | None = DEFAULT_LOWER_LIMIT,
) -> ParsedFigure:
    """The interval a qualified single number stands for, to four decimal places."""
    with localcontext(_EXACT):
        spread = abs(value) * tolerance
        match qualifier:
            case Qualifier.EXACT:
                low, high = value, value
            case Qualifier.APPROXIMATELY:
                low, high = value - spread, value + spread
            case Qualifier.NEARLY:
                # Nearly is short of the number: towards zero.
                low, high = sorted(
                    (value, value - spread if value >= 0 else value + spread)
                )
            case Qualifier.AT_LEAST:
                low, high = value, None
            case Qualifier.UP_TO:
                low, high = lower_limit, value
            case _:
                raise ValueError(f"{qualifier} does not qualify a single number")
        return ParsedFigure(qualifier, _round(value), _floor(low), _ceil(high))


def _quantize(number: Decimal | None, rounding: str) -> Decimal | None:
    if number is None or int(number.as_tuple().exponent) >= -4:
        return number
    return number.quantize(PLACES, rounding=rounding, context=_EXACT)


def _floor(number: Decimal | None) -> Decimal | None:
    return _quantize(number, ROUND_FLOOR)


def _ceil(number: Decimal | None) -> Decimal | None:
    return _quantize(number, ROUND_CEILING)


def _round(number: Decimal | None) -> Decimal | None:
    return _quantize(number, ROUND_HALF_EVEN)
