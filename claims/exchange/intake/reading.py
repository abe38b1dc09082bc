"""A news report's text -> proposed attributed claims, sources, dates and figures.

Pure functions over text, a gazetteer of known sources and a list of known measures:
no database, no model, nothing fetched. The reading is rules over a sentence
splitter: attribution cues ("said", "according to", "citing", "on condition of
anonymity"), quotation marks straight or curly (a quote split around "X said," is one
claim, a quotation may run over several sentences, and a sentence quoted alone goes
on quoting the speaker before), speakers by name, alias, title or description ("the
NATO chief", "The official added" -> the last official named, "the ministry" -> the
known ministry mentioned before, "Rhea Castellan, a hydrologist at ..., said"), dates
relative to the publication time, and every figure ``claims.figures`` reads, ranges
included. Every span is exact offsets into the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

from claims.figures import PREFIX_QUALIFIERS, parse_figure

# Vocabulary --------------------------------------------------------------------

#: Cue verbs of reported speech, past, present and base forms.
CUE_VERBS = (
    "said says say told tells announced announces warned warns warn noted notes note "
    "stressed stresses added adds accused accuses revealed reveals claimed claims "
    "suggested suggests described describes confirmed confirms confirm stated states "
    "reported reports insisted insists argued argues denied denies acknowledged "
    "admitted explained estimated estimates urged urges rejected rejects disputed "
    "disputes dismissed dismisses predicted predicts cautioned conceded promised "
    "pledged vowed welcomed welcomes"
).split()
#: Cues of more than one word: "called on the minister to", "put the toll at 98".
_PHRASE_CUES = (
    r"quoted as saying|called on|calls on|put (?:the|its|their) (?:\w+ ){1,4}?at"
)
#: Words between a speaker and the cue ("have accused", "later described",
#: "seemed to indirectly confirm").
_AUX = r"(?:(?:was|were|is|has|have|had|also|later|again|then|reportedly|previously|seemed to|appeared to|\w+ly)\s+)*"
_CUE_RE = re.compile(
    r"\b" + _AUX + r"(?P<verb>" + _PHRASE_CUES + "|" + "|".join(CUE_VERBS) + r")\b"
)
_SUBJECT_CUE_RE = re.compile(
    r"\bto call for\b|\bcalling for\b|\bcalled for\b|"
    r"\b(?:calling|describing) (?:it|them|him|her|the \w+)\b"
)
_ACCORDING_RE = re.compile(r"\b[Aa]ccording to (?P<who>[^,.;]+)")
_CITING_RE = re.compile(r",\s*citing (?P<who>[^,.;]+),?")
_ANONYMITY_RE = re.compile(
    r"on condition of anonymity|who (?:asked|requested) not to be named|"
    r"\b(?:an?|the) (?:former |senior |unnamed )*(?:source|official who)\b"
)
_BY_STATEMENTS_RE = re.compile(
    r"\b(?P<verb>corroborated|confirmed|echoed|contradicted|disputed) by "
    r"(?:statements|comments|remarks|reports) (?:from|by) (?:both )?(?P<who>[^.;]+)"
)
_QUOTE_RE = re.compile(r"\"[^\"]+\"|\u201c[^\u201d]+\u201d")
_INTERJECTION_RE = re.compile(
    r"^[,\s]*(?P<who>[A-Za-z][\w.'\- ]{0,60}?)\s+(?:"
    + "|".join(CUE_VERBS)
    + r")(?:\s+(?:the\s+|reporters\b)?[A-Z]?[\w.'\-]*(?:\s+[A-Z][\w.'\-]*)*)?"
    r"\s*,?\s*$"
)
_AFTER_QUOTE_RE = re.compile(
    r"^[,\s]*(?:(?P<verb1>"
    + "|".join(CUE_VERBS)
    + r")\s+(?P<who1>[A-Z][\w.'\-]*(?:\s+[A-Z][\w.'\-]*)*)|(?P<who2>(?:[Tt]he |[Aa]n? )?"
    r"[A-Za-z][\w.'\-]*(?:\s+[A-Za-z][\w.'\-]*){0,4}?)\s+(?P<verb2>"
    + "|".join(CUE_VERBS)
    + r"))\b"
)
_ABBREVIATIONS = (
    "U.S.",
    "U.K.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Gen.",
    "Sen.",
    "Rep.",
    "St.",
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "Aug.",
    "Sept.",
    "Sep.",
    "Oct.",
    "Nov.",
    "Dec.",
)
_ROLE_WORDS = {
    "official",
    "officials",
    "chief",
    "minister",
    "president",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "source",
    "sources",
    "analyst",
    "analysts",
    "diplomat",
    "diplomats",
    "commander",
    "general",
    "secretary",
    "ministry",
    "agency",
    "service",
    "government",
    "army",
    "military",
    "police",
    "experts",
    "expert",
}
#: Pronouns standing for the last speaker named.
_PRONOUNS = {"he", "she", "they", "it"}
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}


# Data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownSource:
    id: int
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = ""
    parent_id: int | None = None


@dataclass(frozen=True)
class KnownMeasure:
    id: int
    name: str
    unit: str = ""
    tolerance: Decimal = Decimal("0.10")
    lower_limit: Decimal | None = Decimal(0)


def _key(phrase: str) -> str:
    phrase = re.sub(r"\s+", " ", phrase.replace("\u2019", "'")).strip(" ,.").lower()
    return re.sub(r"^(?:the|a|an|two|three|four|several|some|many) ", "", phrase)


#: How deeply names may nest in the pattern of a gazetteer's names before it is
#: written as a flat list (the regular expression compiler recurses per level).
_MAX_NESTING = 40


def _alternatives(names) -> str:
    """A pattern matching any of ``names``, the longest first where several start at
    one place: the names as a trie ("nato(?: chief)?" for "nato" and "nato chief"),
    so that matching tries only the names that go on as the text does, not every
    name at every position. A flat list of the names, longest first, when the trie
    nests too deeply."""
    trie: dict = {}
    for name in filter(None, names):
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict, depth: int) -> str:
        if depth > _MAX_NESTING:
            raise RecursionError
        ends = "" in node
        branches = []
        for char in sorted(c for c in node if c):
            child, run = node[char], re.escape(char)
            while len(child) == 1 and "" not in child:  # a run without branches
                ((char, child),) = child.items()
                run += re.escape(char)
            branches.append(run + pattern(child, depth + 1))
        if not branches:
            return ""
        group = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        if ends:
            return f"(?:{group})?"
        return group

    try:
        return pattern(trie, 0)
    except RecursionError:
        return "|".join(
            re.escape(n)
            for n in sorted(filter(None, names), key=lambda n: (-len(n), n))
        )


class Gazetteer:
    """Known sources, found by name or alias (case and a leading article ignored)."""

    def __init__(self, sources: list[KnownSource] | tuple[KnownSource, ...]):
        self.sources = {s.id: s for s in sources}
        self.names: dict[str, int] = {}
        for s in sorted(sources, key=lambda s: s.id):
            for n in (s.name, *s.aliases):
                self.names.setdefault(_key(n), s.id)
        self._re = (
            re.compile(
                r"(?<![\w])(?:" + _alternatives(self.names) + r")(?![\w])",
                re.IGNORECASE,
            )
            if any(self.names)
            else None
        )

    def lookup(self, phrase: str) -> int | None:
        return self.names.get(_key(phrase))

    def mentions(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, source id) of every name or alias in ``text``."""
        if self._re is None:
            return []
        found = []
        for m in self._re.finditer(text.replace("\u2019", "'")):
            sid = self.names.get(_key(m.group()))
            if sid is not None:
                found.append((m.start(), m.end(), sid))
        return found


@dataclass(frozen=True)
class NewSource:
    name: str
    kind: str
    parent_id: int | None = None


@dataclass(frozen=True)
class Confidence:
    score: float
    word: str


@dataclass(frozen=True)
class ProposedClaim:
    speaker_start: int
    speaker_end: int
    cue_start: int
    cue_end: int
    quote_start: int
    quote_end: int
    quote: str
    attribution_kind: str
    source_id: int | None
    new_source: NewSource | None
    confidence: Confidence
    stated_on: date | None = None
    stated_on_precision: str = ""
    based_on_source_id: int | None = None
    based_on_new: NewSource | None = None


@dataclass(frozen=True)
class ProposedFigure:
    start: int
    end: int
    text: str
    qualifier: str
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None
    claim_index: int | None
    measure_id: int | None
    new_measure: str = ""
    note: str = ""


@dataclass(frozen=True)
class ProposedLink:
    from_claim: int
    to_claim: int | None
    relation: str
    note: str = ""


@dataclass(frozen=True)
class Reading:
    claims: tuple[ProposedClaim, ...]
    figures: tuple[ProposedFigure, ...]
    links: tuple[ProposedLink, ...] = field(default=())


# Sentences ---------------------------------------------------------------------


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split at paragraph breaks and at ".!?" (a
    closing quotation mark kept) followed by space and a capital or an opening
    quotation mark, not after a known abbreviation nor inside a quotation (“I share
    it. But I will not.” is one sentence). A line ends at LF, CR LF or a lone CR;
    a sentence holds no white space at either end."""
    spans = []
    for para in re.finditer(r"[^\r\n]+", text):
        start = para.start()
        chunk = para.group()
        for m in re.finditer(r"[.!?][\"\u201d]?(?=\s+[\"\u201cA-Z])", chunk):
            head = chunk[: m.start() + 1]
            if any(head.endswith(a) for a in _ABBREVIATIONS):
                continue
            if _inside_quotation(
                text[start : para.start() + m.end()], chunk[m.end() :]
            ):
                continue
            end = para.start() + m.end()
            spans.append((start, end))
            start = end
            while start < para.end() and text[start].isspace():
                start += 1
        if start < para.end():
            spans.append((start, para.end()))
    return [_stripped(text, s, e) for s, e in spans if text[s:e].strip()]


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the white space at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _inside_quotation(head: str, rest: str) -> bool:
    """Whether ``head`` ends inside a quotation that ``rest`` (the paragraph after
    it) closes: an opening curly mark not yet closed, or an odd number of straight
    ones. A stray mark never closed does not join the paragraph into one sentence."""
    if head.count("\u201c") > head.count("\u201d") and "\u201d" in rest:
        return True
    return head.count('"') % 2 == 1 and '"' in rest


# Dates -------------------------------------------------------------------------


def read_date(phrase: str, published_at: datetime | None) -> tuple[date | None, str]:
    """The date and precision a sentence's date words stand for, relative to the
    publication time: "on Monday" (the last Monday on or before it), "yesterday",
    "today", "on Oct. 21" -> day; "last week", "in a weekend address" -> the Monday
    of the week before (week); "earlier this month" -> the month. Else (None, "")."""
    if published_at is None:
        return None, ""
    today = published_at.date() if isinstance(published_at, datetime) else published_at
    low = phrase.lower()
    m = re.search(r"\b(?:on|last) (" + "|".join(_WEEKDAYS) + r")\b", low)
    if m:
        back = (today.weekday() - _WEEKDAYS.index(m.group(1))) % 7
        return today - timedelta(days=back), "day"
    if re.search(r"\byesterday\b", low):
        return today - timedelta(days=1), "day"
    if re.search(r"\btoday\b", low):
        return today, "day"
    m = re.search(r"\bon (" + "|".join(_MONTHS) + r")\.? (\d{1,2})\b", low)
    if m:
        d = _last_on_or_before(today, _MONTHS[m.group(1)], int(m.group(2)))
        if d is not None:
            return d, "day"
    if re.search(r"\blast week\b|\bweekend\b", low):
        monday = today - timedelta(days=today.weekday())
        return monday - timedelta(days=7), "week"
    if re.search(r"\bearlier this month\b|\bthis month\b", low):
        return today.replace(day=1), "month"
    if re.search(r"\blast month\b", low):
        first = today.replace(day=1) - timedelta(days=1)
        return first.replace(day=1), "month"
    return None, ""


def _last_on_or_before(today: date, month: int, day: int) -> date | None:
    """That day of that month in the year of ``today``, or the year before when it
    is later than ``today``; None when neither year has it ("Feb. 30", a Feb. 29
    after a year without one)."""
    for year in (today.year, today.year - 1):
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if found <= today:
            return found
    return None


# Speakers ----------------------------------------------------------------------


def guess_kind(phrase: str) -> str:
    low = phrase.lower()
    if re.search(
        r"anonymity|\bsource\b|\bsources\b|\bformer\b.*\bofficial\b|"
        r"\b(?:an?|one) \w*\s*official\b",
        low,
    ):
        return "anonymous"
    if re.search(r"\bintelligence\b", low):
        return "intelligence"
    if re.search(r"\bministry\b|\bgovernment\b|\bdepartment\b|\bkremlin\b", low):
        return "government"
    if re.search(r"\barmy\b|\bmilitary\b|\bforces\b|\bcommand\b", low):
        return "military"
    if re.search(
        r"officials\b|analysts\b|experts\b|diplomats\b|sources\b|\bgroup\b", low
    ):
        return "group"
    if re.search(r"\bnews\b|\bagency\b|\btimes\b|\bpost\b|\bmedia\b", low):
        return "media"
    return "person"


class _Speakers:
    """Resolves speaker phrases, remembering who was named for later "the official"."""

    def __init__(self, gazetteer: Gazetteer):
        self.g = gazetteer
        self.named: list[tuple[str, int | None, NewSource | None]] = []
        #: The last speaker named with each word ("minister" -> Katrin Voss), and
        #: the last organisation named: what ``refers`` looks for, kept as speakers
        #: are named so that a long text is not searched again at each reference.
        self.by_word: dict[str, tuple[int | None, NewSource | None]] = {}
        self.organization: tuple[int | None, NewSource | None] | None = None
        #: Known sources the text has mentioned so far, speaking or not, the last
        #: mentioned last.
        self.mentioned: dict[int, None] = {}
        self.name_words: dict[int, set[str]] = {}

    def see(self, sentence: str) -> None:
        """Remember the known sources a sentence read mentions."""
        for _s, _e, sid in self.g.mentions(sentence):
            self.mentioned.pop(sid, None)
            self.mentioned[sid] = None

    def name(self, phrase: str, sid: int | None, new: NewSource | None) -> None:
        """Remember a speaker named."""
        self.named.append((phrase, sid, new))
        for word in _key(phrase).split():
            self.by_word[word] = (sid, new)
        kind = self.g.sources[sid].kind if sid is not None else new.kind
        if kind in {"organization", "company"}:
            self.organization = (sid, new)

    def _words_of(self, sid: int) -> set[str]:
        words = self.name_words.get(sid)
        if words is None:
            source = self.g.sources[sid]
            words = set(
                " ".join(_key(n) for n in (source.name, *source.aliases)).split()
            )
            self.name_words[sid] = words
        return words

    def refers(self, phrase: str) -> tuple[int | None, NewSource | None] | None:
        """What a definite description ("the ministry", "the company", "the
        seismological institute") stands for: the last speaker named with its head
        word ("the minister" after "Defence Minister Katrin Voss"), else the last
        known source mentioned with it in its name or aliases ("the ministry" after
        "The Ministry of Defence"), else, for "the company" or "the firm", the last
        organisation named. None when nothing earlier fits."""
        if not phrase.lower().startswith("the "):
            return None
        words = _key(phrase).split()
        if not words or len(words) > 4:
            return None
        head = words[-1]
        if head in self.by_word:
            return self.by_word[head]
        for sid in reversed(self.mentioned):
            if set(words) <= self._words_of(sid):
                return sid, None
        if head in {"company", "firm"}:
            return self.organization
        return None

    def resolve(self, phrase: str) -> tuple[int | None, NewSource | None, float]:
        phrase = phrase.strip(" ,")
        sid = self.g.lookup(phrase)
        if sid is not None:
            self.name(phrase, sid, None)
            return sid, None, 1.0
        mentions = self.g.mentions(phrase)
        if mentions:
            # The longest mention, the rightmost of equals: the head of the phrase.
            s, e, sid = max(mentions, key=lambda m: (m[1] - m[0], m[0]))
            whole = s == 0 or phrase[:s].strip().lower() in {"the", "a", "an"}
            if whole or phrase[e:].strip() == "":
                self.name(phrase, sid, None)
                return sid, None, 0.9
        if _key(phrase) in _PRONOUNS:
            if not self.named:
                return None, None, 0.0
            _earlier, esid, enew = self.named[-1]
            return esid, enew, 0.5
        referred = self.refers(phrase)
        if referred is not None:
            return referred[0], referred[1], 0.5
        parent = None
        possessive = re.match(r"(.+?)'s\s", phrase.replace("\u2019", "'"))
        if possessive:
            parent = self.g.lookup(possessive.group(1))
        if parent is None:
            for _s, _e, psid in self.g.mentions(phrase):
                parent = psid
                break
        new = NewSource(name=phrase, kind=guess_kind(phrase), parent_id=parent)
        self.name(phrase, None, new)
        return None, new, 0.6


def _is_speaker_phrase(phrase: str, gazetteer: Gazetteer) -> bool:
    if _key(phrase) in _PRONOUNS or gazetteer.lookup(phrase) is not None:
        return True
    words = phrase.split()
    if not 1 <= len(words) <= 7:
        return False
    if gazetteer.mentions(phrase):
        return True
    if not (phrase[0].isupper() or phrase.lower().startswith(("the ", "a ", "an "))):
        return False
    low = {w.lower().strip(",") for w in words}
    if low & _ROLE_WORDS:
        return True
    # A name: every word capitalised.
    return all(w[0].isupper() for w in words)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for s, e in spans:
        for i in range(s, e):
            chars[i] = " "
    return "".join(chars)


def _clause_before(text: str, end: int) -> tuple[int, int] | None:
    """The span of the phrase just before ``end`` after the last clause break."""
    head = text[:end].rstrip(" ,")
    cut = max(head.rfind(", "), head.rfind(" \u2013 "), head.rfind(" - "))
    start = 0 if cut < 0 else cut + 2 if head[cut] == "," else cut + 3
    while start < len(head) and head[start] in " \u2013-":
        start += 1
    if start >= len(head):
        return None
    return start, len(head)


# Reading -----------------------------------------------------------------------


def _confidence(score: float) -> Confidence:
    score = round(score, 2)
    word = "high" if score >= 0.8 else "medium" if score >= 0.5 else "low"
    return Confidence(score, word)


def _claims_of_sentence(
    text: str,
    s0: int,
    s1: int,
    speakers: _Speakers,
    published_at: datetime | None,
) -> tuple[list[ProposedClaim], list[tuple[int, str]]]:
    """Claims of one sentence and the links it states (index into the result,
    relation); the links' targets are resolved by the caller."""
    sent = text[s0:s1]
    day, precision = read_date(sent, published_at)
    g = speakers.g
    out: list[ProposedClaim] = []
    links: list[tuple[int, str]] = []
    anonymous = bool(_ANONYMITY_RE.search(sent))

    def make(sp, cue, q, kind, score, based=(None, None)):
        sid, new, conf = speakers.resolve(text[sp[0] : sp[1]])
        if sid is None and new is None:
            return
        if anonymous and kind != "direct_quote":
            kind = "anonymous"
        known = g.sources.get(sid) if sid is not None else None
        guessed = new.kind if new is not None else known.kind if known else ""
        if guessed == "anonymous" and kind == "paraphrase":
            kind = "anonymous"
        out.append(
            ProposedClaim(
                speaker_start=sp[0],
                speaker_end=sp[1],
                cue_start=cue[0],
                cue_end=cue[1],
                quote_start=q[0],
                quote_end=q[1],
                quote=text[q[0] : q[1]],
                attribution_kind=kind,
                source_id=sid,
                new_source=new,
                confidence=_confidence(score * conf),
                stated_on=day,
                stated_on_precision=precision,
                based_on_source_id=based[0],
                based_on_new=based[1],
            )
        )

    # Direct quotations, a quote split around "X said," kept as one.
    quotes = [(s0 + m.start(), s0 + m.end()) for m in _QUOTE_RE.finditer(sent)]
    groups: list[list[tuple[int, int]]] = []
    for q in quotes:
        if groups and _INTERJECTION_RE.match(text[groups[-1][-1][1] : q[0]]):
            groups[-1].append(q)
        else:
            groups.append([q])
    quote_speaker = None
    for grp in groups:
        for q in grp:
            after = text[q[1] : s1]
            m = _AFTER_QUOTE_RE.match(after)
            if m:
                who = "who1" if m.group("who1") else "who2"
                verb = "verb1" if m.group("verb1") else "verb2"
                ws = q[1] + m.start(who)
                quote_speaker = (
                    (ws, q[1] + m.end(who)),
                    (q[1] + m.start(verb), q[1] + m.end(verb)),
                )
                break
    if quote_speaker is None and groups:
        before = text[s0 : groups[0][0][0]]
        for m in _CUE_RE.finditer(before):
            clause = _clause_before(text, s0 + m.start())
            if clause and _is_speaker_phrase(text[clause[0] : clause[1]], g):
                quote_speaker = (clause, (s0 + m.start("verb"), s0 + m.end("verb")))
    if quote_speaker is not None:
        for grp in groups:
            start, end = grp[0][0], grp[-1][1]
            if len(text[start:end].split()) < 2 and len(groups) > 1:
                continue
            make(quote_speaker[0], quote_speaker[1], (start, end), "direct_quote", 0.95)
        return out, links

    # "corroborated by statements from both Kyiv and Seoul": one claim a speaker.
    m = _BY_STATEMENTS_RE.search(sent)
    if m:
        cue = (s0 + m.start("verb"), s0 + m.end("verb"))
        for part in re.finditer(r"[^,]+?(?=,|\band\b|$)", m.group("who")):
            name = part.group().strip()
            name = re.sub(r"^(?:and|both)\s+", "", name).strip()
            if not name:
                continue
            ps = s0 + m.start("who") + part.start() + part.group().index(name)
            if g.lookup(name) is None and not _is_speaker_phrase(name, g):
                continue
            make((ps, ps + len(name)), cue, (s0, s1), "indirect", 0.7)
            links.append((len(out) - 1, "corroborates"))
        return out, links

    based: tuple[int | None, NewSource | None] = (None, None)
    citing = _CITING_RE.search(sent)
    if citing:
        who = citing.group("who").strip()
        bid, bnew, _ = speakers.resolve(who)
        based = (bid, bnew)

    m = _ACCORDING_RE.search(sent)
    if m:
        who = m.group("who").strip()
        ws = s0 + m.start("who")
        if re.match(r"(?:its|their|his|her) ", who):
            # "X has recorded ..., according to its latest report": X, when known
            # and the sentence's subject.
            subject = [
                (ms, me)
                for ms, me, _sid in g.mentions(sent)
                if sent[:ms].strip().lower() in {"", "the"}
            ]
            if subject:
                ws, who = s0 + subject[0][0], sent[subject[0][0] : subject[0][1]]
        make(
            (ws, ws + len(who)),
            (s0 + m.start(), s0 + m.start("who") - 1),
            (s0, s1),
            "paraphrase",
            0.9,
        )
        return out, links

    masked = _blank(
        sent,
        [(c.start(), c.end()) for c in [citing] if c]
        + [(a.start(), a.end()) for a in _ANONYMITY_RE.finditer(sent)],
    )
    for m in _CUE_RE.finditer(masked):
        if m.start() == 0:
            continue
        clause = _clause_before(masked, m.start())
        if clause is None:
            continue
        phrase = masked[clause[0] : clause[1]].strip()
        cs = clause[0] + masked[clause[0] : clause[1]].index(phrase)
        if not (_is_speaker_phrase(phrase, g) or speakers.refers(phrase)):
            # "Rhea Castellan, a hydrologist at ..., said": the speaker is the
            # sentence's first clause, the rest up to the cue describing it.
            first = masked.find(", ")
            if not 0 < first < cs or masked[:cs].rstrip()[-1:] != ",":
                continue
            phrase = masked[:first].strip()
            cs = masked.index(phrase)
            if not (_is_speaker_phrase(phrase, g) or speakers.refers(phrase)):
                continue
        kind = "citing" if citing else "paraphrase"
        if re.search(r"\bseemed to|appeared to|indirectly\b", m.group()):
            kind = "indirect"
        make(
            (s0 + cs, s0 + cs + len(phrase)),
            (s0 + m.start("verb"), s0 + m.end("verb")),
            (s0, s1),
            kind,
            0.85,
            based,
        )
        if citing:
            links.append((len(out) - 1, "based_on"))
        return out, links

    # "X has used ... to call for": the subject, when a known source, is the speaker.
    m = _SUBJECT_CUE_RE.search(sent)
    if m:
        for ms, me, _sid in g.mentions(sent):
            if ms == 0:
                whole = sent[:me]
                mm = re.match(r"(?:[A-Z][\w'.\-]*\s+){0,4}[A-Z][\w'.\-]*", sent)
                if mm and len(mm.group()) >= me:
                    whole = mm.group()
                make(
                    (s0, s0 + len(whole)),
                    (s0 + m.start(), s0 + m.end()),
                    (s0, s1),
                    "paraphrase",
                    0.6,
                )
                return out, links
    return out, links


def _quote_continued(
    text: str, s0: int, s1: int, last_end: int, last: list[ProposedClaim]
) -> list[ProposedClaim]:
    """A sentence that is a quotation and nothing else, right after a sentence
    quoting someone in the same paragraph (“It didn’t,” she said. “Nobody came.”):
    the same speaker goes on."""
    quoted = [c for c in last if c.attribution_kind == "direct_quote"]
    sentence = text[s0:s1]
    if not quoted or re.search(r"[\r\n]", text[last_end:s0]):
        return []
    if not _QUOTE_RE.fullmatch(sentence.strip()):
        return []
    before = quoted[-1]
    return [
        ProposedClaim(
            speaker_start=before.speaker_start,
            speaker_end=before.speaker_end,
            cue_start=before.cue_start,
            cue_end=before.cue_end,
            quote_start=s0,
            quote_end=s1,
            quote=sentence,
            attribution_kind="direct_quote",
            source_id=before.source_id,
            new_source=before.new_source,
            confidence=_confidence(before.confidence.score * 0.8),
            stated_on=before.stated_on,
            stated_on_precision=before.stated_on_precision,
        )
    ]


def _figure_candidates(text: str) -> list[tuple[int, int]]:
    quals = "|".join(
        re.escape(q) for q in sorted(PREFIX_QUALIFIERS, key=lambda q: (-len(q), q))
    )
    number = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    scale = r"(?:\s+(?:thousand|million|billion|trillion))?"
    amount = r"(?:" + number + r")" + scale
    # "between 300 and 400", "300-400", "some 300 to 400" (not "from 98 to 147",
    # a change, not a range).
    ranges = (
        r"\bbetween\s+" + amount + r"\s+and\s+" + amount + r"(?![\w/:]|\.\d)"
        r"|(?<!from )(?<![\w/.,:\-])(?:(?:"
        + quals
        + r")\s+)?"
        + amount
        + r"\s*(?:-|\u2013|\s+to\s+)\s*"
        + amount
        + r"(?![\w/:\-]|\.\d)"
    )
    pattern = re.compile(
        ranges
        + r"|(?<![\w/.,:])(?:(?:"
        + quals
        + r")\s+)?(?:"
        + number
        + r")"
        + scale
        + r"(?![\w/:]|\.\d)"
        r"|\b(?:dozens|hundreds|thousands|millions|billions) of \w+",
        re.IGNORECASE,
    )
    after_month = re.compile(
        r"\b(?:" + "|".join(_MONTHS) + r")\.?(?:\s+\d{1,2},)?\s+$", re.IGNORECASE
    )
    return [
        (m.start(), m.end())
        for m in pattern.finditer(text)
        if not after_month.search(text[max(0, m.start() - 20) : m.start()])
    ]


def _measure_words(
    measures: tuple[KnownMeasure, ...],
) -> list[tuple[KnownMeasure, set[str], str]]:
    """Each known measure with the words of its name and its unit, split once."""
    return [
        (m, set(re.findall(r"[a-z]+", m.name.lower())), m.unit.lower())
        for m in measures
    ]


def _measure_for(
    text: str,
    start: int,
    end: int,
    measures: list[tuple[KnownMeasure, set[str], str]],
) -> tuple[int | None, str]:
    """The known measure (``_measure_words``) the words around a figure name best
    (at least three words shared, its unit near the number counting two), else a
    new name from the words after it."""
    before = re.findall(r"[a-z]+", text[max(0, start - 60) : start].lower())[-6:]
    own = re.findall(r"[a-z]+", text[start:end].lower())
    words = re.findall(r"[a-z]+", text[end : end + 120].split(".")[0].lower())[:10]
    near = set(before) | set(own) | set(words)
    best = None
    for m, mwords, unit in measures:
        score = len(mwords & near) + (2 if unit and unit in own + words[:3] else 0)
        if score >= 3 and (best is None or score > best[0]):
            best = (score, m.id)
    if best:
        return best[1], ""
    return None, " ".join(words[:5])


def read(
    text: str,
    published_at: datetime | None,
    gazetteer: Gazetteer,
    measures: tuple[KnownMeasure, ...] | list[KnownMeasure] = (),
    publisher: int | None = None,
) -> Reading:
    """Read a report into proposals. Deterministic; no database, nothing fetched.

    ``publisher`` is the outlet's source: the speaker of its own-voice sentences,
    proposed only when they carry a figure."""
    measures = tuple(measures)
    by_id = {m.id: m for m in reversed(measures)}  # the first of one id
    words_of_measures = _measure_words(measures)
    read_figures = []
    for start, end in _figure_candidates(text):
        measure_id, new_name = _measure_for(text, start, end, words_of_measures)
        measure = by_id.get(measure_id) if measure_id is not None else None
        kwargs = {}
        if measure is not None:
            kwargs = {
                "tolerance": measure.tolerance,
                "lower_limit": measure.lower_limit,
                "unit": measure.unit or None,
            }
        try:
            parsed = parse_figure(text[start:end], **kwargs)
        except ValidationError:
            continue
        read_figures.append((start, end, parsed, measure_id, new_name))

    figure_spans = [(start, end) for start, end, *_rest in read_figures]
    speakers = _Speakers(gazetteer)
    claims: list[ProposedClaim] = []
    links: list[ProposedLink] = []
    previous: tuple[int, list[ProposedClaim]] = (0, [])
    for s0, s1 in sentences(text):
        found, stated = _claims_of_sentence(text, s0, s1, speakers, published_at)
        if not found:
            found = _quote_continued(text, s0, s1, *previous)
        previous = (s1, found)
        speakers.see(text[s0:s1])
        base = len(claims)
        claims.extend(found)
        for idx, relation in stated:
            if relation == "corroborates":
                target = base - 1 if base else None
                links.append(ProposedLink(base + idx, target, relation, text[s0:s1]))
            else:
                links.append(ProposedLink(base + idx, None, relation))
        if not found and _holds_figure(figure_spans, s0, s1):
            day, precision = read_date(text[s0:s1], published_at)
            claims.append(
                ProposedClaim(
                    speaker_start=s0,
                    speaker_end=s0,
                    cue_start=s0,
                    cue_end=s0,
                    quote_start=s0,
                    quote_end=s1,
                    quote=text[s0:s1],
                    attribution_kind="own_voice",
                    source_id=publisher,
                    new_source=None,
                    confidence=_confidence(0.5),
                    stated_on=day,
                    stated_on_precision=precision,
                )
            )

    figures: list[ProposedFigure] = []
    owners = _Owners(claims)
    for start, end, parsed, measure_id, new_name in read_figures:
        owner = owners.first_holding(start, end)
        figures.append(
            ProposedFigure(
                start,
                end,
                text[start:end],
                str(parsed.qualifier),
                parsed.value,
                parsed.low,
                parsed.high,
                owner,
                measure_id,
                new_name,
            )
        )
    figures.extend(_totals(text, figures))
    return Reading(tuple(claims), tuple(figures), tuple(links))


def _holds_figure(spans: list[tuple[int, int]], s0: int, s1: int) -> bool:
    """Whether a figure (``spans``, in the order of the text) lies within s0-s1."""
    for start, end in spans[bisect_left(spans, (s0,)) :]:
        if start >= s1:
            return False
        if end <= s1:
            return True
    return False


class _Owners:
    """The claims whose quotes hold a span, found without going through every
    claim for every figure."""

    def __init__(self, claims: list[ProposedClaim]):
        self.claims = claims
        self.starts = sorted((c.quote_start, i) for i, c in enumerate(claims))
        self.longest = max((c.quote_end - c.quote_start for c in claims), default=0)

    def first_holding(self, start: int, end: int) -> int | None:
        """The first claim (in the reading's order) whose quote holds start-end:
        only those starting at most the longest quote before it can."""
        low = bisect_left(self.starts, (start - self.longest,))
        high = bisect_right(self.starts, (start, len(self.claims)))
        holding = [
            i for _start, i in self.starts[low:high] if end <= self.claims[i].quote_end
        ]
        return min(holding, default=None)


def _totals(text: str, figures: list[ProposedFigure]) -> list[ProposedFigure]:
    """ "around 1,500 ... with an additional 1,500": the sum, its ends added."""
    out = []
    #: The last figure of each claim so far (the figures are read in the order of
    #: the text, none overlapping another).
    last: dict[int, ProposedFigure] = {}
    for f in figures:
        prev = last.get(f.claim_index) if f.claim_index is not None else None
        if f.claim_index is not None:
            last[f.claim_index] = f
        if not re.search(
            r"\b(?:an additional|another|a further)\s+$",
            text[max(0, f.start - 20) : f.start],
        ):
            continue
        if (
            prev is None
            or prev.end > f.start
            or None in (prev.low, prev.high, f.low, f.high)
        ):
            continue
        value = None if prev.value is None or f.value is None else prev.value + f.value
        out.append(
            ProposedFigure(
                prev.start,
                f.end,
                f"{prev.text} ... with an additional {f.text}",
                prev.qualifier,
                value,
                prev.low + f.low,
                prev.high + f.high,
                f.claim_index,
                f.measure_id,
                note=f"{prev.text} plus an additional {f.text}",
            )
        )
    return out
