"""A deterministic, realistic corpus for scale tests and benchmarks.

Written in chunks of claims (their documents, topics, figures, links and reviews
together), each row with its first history entry, topics included
(``devtools.rows``: plain rows, ids given here, one ``executemany`` a batch; no
model instances, no signals). Memory holds one chunk and an id a claim, so a
million claims take about what ten thousand do.

The same ``claims`` and ``seed`` always give the same corpus.
"""

from __future__ import annotations

import datetime
import random
from array import array
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from claims import caching
from claims.choices import (
    AttributionKind,
    AttributionStatus,
    DatePrecision,
    Qualifier,
    Relation,
    SourceKind,
)
from claims.figures import interval_for
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic
from devtools.rows import Writer

BATCH = 2_000
#: Claims written at a time, with their documents (a multiple of ``PER_DOCUMENT``).
CHUNK = 15_000
PER_DOCUMENT = 30
REVIEWED_SHARE = 0.2
CORPUS_MARK = "Generated corpus"
#: The measures the benchmark compares, by figure count; built when claims allow.
BENCHMARK_SIZES = (10, 100, 1_000, 10_000)
START = datetime.date(2022, 2, 24)

_COUNTRIES = ["US", "KR", "UA", "RU", "GB", "FR", "DE", "JP", "KP", "PL", "TR", "IL"]
_NOUNS = [
    "troops",
    "artillery rounds",
    "drones",
    "missiles",
    "tanks",
    "advisors",
    "engineers",
    "refugees",
    "casualties",
    "sorties",
    "convoys",
    "shells",
]
_PLACES = [
    "Kursk",
    "Kharkiv",
    "Donetsk",
    "Zaporizhzhia",
    "Belgorod",
    "Crimea",
    "Kherson",
    "Luhansk",
    "Bakhmut",
    "Avdiivka",
    "Pokrovsk",
    "Sumy",
]
_VERBS = ["said", "stated", "claimed", "told reporters", "estimated", "reported"]
_QUALIFIED = [
    (Qualifier.APPROXIMATELY, "approximately {n:,}"),
    (Qualifier.EXACT, "{n:,}"),
    (Qualifier.AT_LEAST, "at least {n:,}"),
    (Qualifier.UP_TO, "up to {n:,}"),
    (Qualifier.NEARLY, "nearly {n:,}"),
]


@dataclass
class CorpusSummary:
    sources: int
    documents: int
    claims: int
    measures: int
    figures: int
    links: int
    reviews: int


def corpus_exists() -> bool:
    return Topic.objects.filter(name__startswith=CORPUS_MARK).exists()


@transaction.atomic
def generate(*, claims: int, seed: int = 1, progress=None) -> CorpusSummary:
    """Write a corpus of ``claims`` claims and everything around them;
    ``progress(done, total)`` is called after each chunk."""
    rng = random.Random(seed)
    writer = Writer(reason=CORPUS_MARK, batch_size=BATCH)
    topics = [{"name": f"{CORPUS_MARK} {seed}: topic {i}"} for i in range(1, 9)]
    writer.insert(Topic, topics)
    topic_ids = [t["id"] for t in topics]
    sources = _sources(writer, rng, seed, max(60, min(600, claims // 150)))
    measures = _measures(writer, seed, claims, topic_ids)
    # Which claims carry a figure, on which measure, around which value.
    on_measure = array("i", [-1]) * claims
    picks = iter(rng.sample(range(claims), k=sum(m["size"] for m in measures)))
    for index, measure in enumerate(measures):
        measure["centre"] = rng.choice([1_500, 3_000, 10_000, 50_000])
        for _ in range(measure["size"]):
            on_measure[next(picks)] = index
    claim_ids = array("q")
    counts = {"documents": 0, "figures": 0, "links": 0, "reviews": 0}
    for first in range(0, claims, CHUNK):
        rows = _claims_and_documents(
            writer, rng, seed, first, min(claims, first + CHUNK), sources, topic_ids
        )
        counts["documents"] += rows.pop()
        claim_ids.extend(row["id"] for row in rows)
        counts["figures"] += _figures(writer, rng, first, rows, measures, on_measure)
        counts["links"] += _links(writer, rng, first, rows, claim_ids)
        counts["reviews"] += _reviews(writer, rows)
        if progress is not None:
            progress(first + len(rows), claims)
    writer.finish()
    caching.bump_all()  # bulk writes send no signals
    return CorpusSummary(
        sources=len(sources),
        documents=counts["documents"],
        claims=len(claim_ids),
        measures=len(measures),
        figures=counts["figures"],
        links=counts["links"],
        reviews=counts["reviews"],
    )


def _sources(writer: Writer, rng: random.Random, seed: int, count: int) -> list:
    """Governments and organisations with ministries, units and officials below."""
    tops = [
        {
            "name": f"Government {seed}-{i}" if i % 3 else f"Outlet {seed}-{i}",
            "kind": SourceKind.GOVERNMENT if i % 3 else SourceKind.MEDIA,
            "country": _COUNTRIES[i % len(_COUNTRIES)],
            "reliability": rng.choice("ABCDEF"),
            "aliases": [f"G{seed}-{i}"],
        }
        for i in range(max(10, count // 10))
    ]
    writer.insert(Source, tops)
    middle = [
        {
            "name": f"Ministry {seed}-{i}",
            "kind": rng.choice(
                [
                    SourceKind.GOVERNMENT,
                    SourceKind.MILITARY,
                    SourceKind.INTELLIGENCE,
                ]
            ),
            "parent_id": tops[i % len(tops)]["id"],
            "country": tops[i % len(tops)]["country"],
            "reliability": rng.choice("ABCDEF"),
        }
        for i in range(count // 3)
    ]
    writer.insert(Source, middle)
    people = [
        {
            "name": f"Official {seed}-{i}",
            "kind": rng.choice(
                [SourceKind.PERSON, SourceKind.GROUP, SourceKind.ANONYMOUS]
            ),
            "parent_id": middle[i % len(middle)]["id"],
            "country": middle[i % len(middle)]["country"],
        }
        for i in range(count - len(tops) - len(middle))
    ]
    writer.insert(Source, people)
    return [(row["id"], row["name"]) for row in [*tops, *middle, *people]]


def _measures(writer: Writer, seed: int, claims: int, topic_ids: list) -> list[dict]:
    """The benchmark's sizes that fit in a fifth of the claims, then smaller ones."""
    budget = claims // 5
    sizes = [size for size in BENCHMARK_SIZES if size <= budget]
    remaining = budget - sum(sizes)
    while remaining >= 20:
        size = min(remaining, 20 + (len(sizes) * 37) % 400)
        sizes.append(size)
        remaining -= size
    field = Measure._meta.get_field
    measures = [
        {
            "name": f"{CORPUS_MARK} {seed}: measure {i} ({size} figures)",
            "unit": _NOUNS[i % len(_NOUNS)],
            "description": str(size),
        }
        for i, size in enumerate(sizes)
    ]
    writer.insert(Measure, measures)
    writer.insert_m2m(
        Measure,
        "topics",
        measures,
        [(m, topic_ids[i % len(topic_ids)]) for i, m in enumerate(measures)],
    )
    for measure, size in zip(measures, sizes, strict=True):
        measure["size"] = size
        measure["tolerance"] = field("tolerance").get_default()
        measure["lower_limit"] = field("lower_limit").get_default()
    return measures


def _claims_and_documents(writer, rng, seed, first, last, sources, topic_ids) -> list:
    """Claims ``first`` to ``last`` (excluded) and their documents, of about thirty
    claims each; every quote is a sentence of its text. The last item of the list
    answered is the number of documents written."""
    texts: dict[int, list[str]] = {}
    specs = []
    for i in range(first, last):
        d = i // PER_DOCUMENT
        source_id, source_name = sources[rng.randrange(len(sources))]
        number = rng.choice([1, 2, 3, 5, 8]) * 10 ** rng.randrange(1, 5)
        noun, place = rng.choice(_NOUNS), rng.choice(_PLACES)
        quote = (
            f"{source_name} {rng.choice(_VERBS)} that about {number:,} {noun} were "
            f"near {place} (item {i})."
        )
        texts.setdefault(d, []).append(quote)
        day = START + datetime.timedelta(days=(d * 3) % 900)
        specs.append(
            (d, source_id, quote, f"About {number:,} {noun} near {place}.", day)
        )
    documents = []
    for d, sentences in texts.items():
        published = START + datetime.timedelta(days=(d * 3) % 900 + 1)
        documents.append(
            {
                "title": f"{CORPUS_MARK} {seed}: report {d}",
                "publisher": f"Outlet {d % 40}",
                "url": f"https://corpus.example/{seed}/{d}",
                "published_at": datetime.datetime.combine(
                    published, datetime.time(12), tzinfo=datetime.UTC
                ),
                "text": "\n\n".join(sentences),
            }
        )
    writer.insert(Document, documents)
    document_ids = {d: row["id"] for d, row in zip(texts, documents, strict=True)}
    del documents, texts

    offsets: dict[int, int] = {}
    claims = []
    for d, source_id, quote, statement, day in specs:
        start = offsets.get(d, 0)
        offsets[d] = start + len(quote) + 2
        precision = rng.choice([DatePrecision.DAY] * 6 + [DatePrecision.WEEK])
        if precision == DatePrecision.WEEK:
            day -= datetime.timedelta(days=day.weekday())
        claim = {
            "source_id": source_id,
            "document_id": document_ids[d],
            "quote": quote,
            "statement": statement,
            "quote_start": start,
            "quote_end": start + len(quote),
            "attribution_kind": rng.choice(AttributionKind.values),
            "stated_on": day,
            "stated_on_precision": precision,
        }
        if rng.random() < REVIEWED_SHARE:
            # Graded as its review (written below) will say: no second pass.
            claim["attribution_status"] = rng.choice(
                [AttributionStatus.VERIFIED] * 4 + [AttributionStatus.MISATTRIBUTED]
            )
            claim["credibility"] = rng.randint(1, 6)
        claims.append(claim)
    writer.insert(Claim, claims)
    writer.insert_m2m(
        Claim,
        "topics",
        claims,
        [(c, topic_ids[(first + i) % len(topic_ids)]) for i, c in enumerate(claims)],
    )
    return [*claims, len(document_ids)]


def _figures(writer, rng, first, claims, measures, on_measure) -> int:
    """The figures of these claims: each measure gets as many as its name says,
    from distinct claims."""
    figures = []
    for i, claim in enumerate(claims, start=first):
        if on_measure[i] < 0:
            continue
        measure = measures[on_measure[i]]
        centre = measure["centre"]
        qualifier, template = rng.choice(_QUALIFIED)
        value = Decimal(max(1, int(rng.gauss(centre, centre * 0.3))))
        parsed = interval_for(
            qualifier, value, measure["tolerance"], measure["lower_limit"]
        )
        figures.append(
            {
                "claim_id": claim["id"],
                "measure_id": measure["id"],
                "text": template.format(n=int(value)),
                "qualifier": parsed.qualifier,
                "value": parsed.value,
                "low": parsed.low,
                "high": parsed.high,
                "as_of": claim["stated_on"],
            }
        )
    writer.insert(Figure, figures)
    return len(figures)


def _links(writer, rng, first, claims, claim_ids) -> int:
    """Repeats and based-on chains to earlier claims, and corroborations and
    contradictions with earlier claims: never a cycle, never two links between
    one pair (each claim links at most once, to an earlier one)."""
    links = []
    for i in range(max(1, first), first + len(claims)):
        roll = rng.random()
        if roll < 0.15:
            relation = Relation.REPEATS if roll < 0.1 else Relation.BASED_ON
            j = max(0, i - rng.randint(1, 60))
        elif roll < 0.3:
            relation = Relation.CORROBORATES if roll < 0.25 else Relation.CONTRADICTS
            j = rng.randrange(i)
        else:
            continue
        links.append(
            {
                "from_claim_id": claim_ids[i],
                "to_claim_id": claim_ids[j],
                "relation": relation,
            }
        )
    writer.insert(Link, links)
    return len(links)


def _reviews(writer, claims) -> int:
    """The review behind each graded claim's current grade."""
    reviews = [
        {
            "claim_id": claim["id"],
            "attribution_status": claim["attribution_status"],
            "credibility": claim["credibility"],
            "rationale": "Checked against the record.",
        }
        for claim in claims
        if claim.get("attribution_status", AttributionStatus.UNVERIFIED)
        != AttributionStatus.UNVERIFIED
    ]
    writer.insert(Review, reviews)
    return len(reviews)


def bundle(*, claims: int, seed: int = 1) -> dict:
    """An import bundle of ``claims`` new claims, with its documents, sources,
    a measure, figures on a third of the claims, and repeats/corroborates links."""
    found: dict[str, list] = {kind: [] for kind in BUNDLE_KINDS}
    for kind, row in bundle_rows(claims=claims, seed=seed):
        found[kind].append(row)
    return found


#: The kinds of a generated bundle, in the order they are written.
BUNDLE_KINDS = ("documents", "sources", "measures", "claims", "figures", "links")


def bundle_rows(*, claims: int, seed: int = 1):
    """The rows of ``bundle``, one ``(kind, row)`` at a time: a document after its
    claims, their figures and links."""
    rng = random.Random(seed)
    tag = f"bundle-{seed}"
    yield "sources", {"key": "top", "name": f"Government {tag}", "kind": "government"}
    for i in range(50):
        yield (
            "sources",
            {
                "key": f"s{i}",
                "name": f"Official {tag}-{i}",
                "kind": "person",
                "parent": "top",
            },
        )
    yield "measures", {"key": "m", "name": f"Troops seen ({tag})", "unit": "troops"}
    per_document = 30
    for d in range(0, claims, per_document):
        sentences = []
        for i in range(d, min(claims, d + per_document)):
            number = rng.choice([1, 2, 3, 5]) * 10 ** rng.randrange(2, 5)
            quote = f"Official {i} said about {number:,} troops were seen (row {i})."
            sentences.append(quote)
            yield (
                "claims",
                {
                    "key": f"c{i}",
                    "source": f"s{i % 50}",
                    "document": f"d{d}",
                    "quote": quote,
                    "statement": f"About {number:,} troops were seen.",
                    "attribution_kind": "paraphrase",
                    "stated_on": "2024-10-20",
                },
            )
            if i % 3 == 0:
                yield (
                    "figures",
                    {
                        "key": f"f{i}",
                        "claim": f"c{i}",
                        "measure": "m",
                        "text": f"about {number:,}",
                    },
                )
            if i % 5 == 4:
                yield (
                    "links",
                    {
                        "key": f"l{i}",
                        "from_claim": f"c{i}",
                        "to_claim": f"c{i - 1}",
                        "relation": "repeats",
                    },
                )
        yield (
            "documents",
            {
                "key": f"d{d}",
                "title": f"Report {tag}-{d}",
                "url": f"https://bundle.example/{seed}/{d}",
                "published_at": "2024-10-28T12:00:00Z",
                "text": " ".join(sentences),
            },
        )


def write_bundle(path, *, claims: int, seed: int = 1) -> int:
    """Write ``bundle(claims=..., seed=...)`` to the file ``path`` as JSON without
    holding it: each kind's rows go to a temporary file as they are made, then the
    pieces are joined. Answers the file's size in bytes."""
    import json
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bundle-") as folder:
        parts = {
            kind: open(f"{folder}/{kind}", "w+", encoding="utf-8")
            for kind in BUNDLE_KINDS
        }
        try:
            for kind, row in bundle_rows(claims=claims, seed=seed):
                part = parts[kind]
                part.write(("," if part.tell() else "") + json.dumps(row))
            with open(path, "w", encoding="utf-8") as out:
                out.write("{")
                for n, kind in enumerate(BUNDLE_KINDS):
                    out.write(("," if n else "") + json.dumps(kind) + ": [")
                    parts[kind].seek(0)
                    shutil.copyfileobj(parts[kind], out, 1 << 20)
                    out.write("]")
                out.write("}")
                return out.tell()
        finally:
            for part in parts.values():
                part.close()
