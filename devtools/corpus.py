"""A deterministic, realistic corpus for scale tests and benchmarks.

Built with bulk writes (one INSERT per batch, never a save per row), with
``claims.bulk_history`` writing every generated row's first history entry, topics
included: ``post_save`` and ``m2m_changed`` do not see ``bulk_create``.

The same ``claims`` and ``seed`` always give the same corpus.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from claims import bulk_history, caching
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

BATCH = 2_000
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


def _bulk(model, objects: list) -> list:
    created = model.objects.bulk_create(objects, batch_size=BATCH)
    bulk_history.insert_created(model, created, reason=CORPUS_MARK, batch_size=BATCH)
    return created


@transaction.atomic
def generate(*, claims: int, seed: int = 1) -> CorpusSummary:
    """Write a corpus of ``claims`` claims and everything around them."""
    rng = random.Random(seed)
    topics = _bulk(
        Topic,
        [Topic(name=f"{CORPUS_MARK} {seed}: topic {i}") for i in range(1, 9)],
    )
    sources = _sources(rng, seed, max(60, min(600, claims // 150)))
    measures = _measures(seed, claims, topics)
    claim_rows, documents = _claims_and_documents(rng, seed, claims, sources, topics)
    figures = _figures(rng, claim_rows, measures)
    links = _links(rng, claim_rows)
    reviews = _reviews(rng, claim_rows)
    caching.bump_all()  # bulk writes send no signals
    return CorpusSummary(
        sources=len(sources),
        documents=len(documents),
        claims=len(claim_rows),
        measures=len(measures),
        figures=figures,
        links=links,
        reviews=reviews,
    )


def _sources(rng: random.Random, seed: int, count: int) -> list[Source]:
    """Governments and organisations with ministries, units and officials below."""
    tops = _bulk(
        Source,
        [
            Source(
                name=f"Government {seed}-{i}" if i % 3 else f"Outlet {seed}-{i}",
                kind=SourceKind.GOVERNMENT if i % 3 else SourceKind.MEDIA,
                country=_COUNTRIES[i % len(_COUNTRIES)],
                reliability=rng.choice("ABCDEF"),
                aliases=[f"G{seed}-{i}"],
            )
            for i in range(max(10, count // 10))
        ],
    )
    middle = _bulk(
        Source,
        [
            Source(
                name=f"Ministry {seed}-{i}",
                kind=rng.choice(
                    [
                        SourceKind.GOVERNMENT,
                        SourceKind.MILITARY,
                        SourceKind.INTELLIGENCE,
                    ]
                ),
                parent=tops[i % len(tops)],
                country=tops[i % len(tops)].country,
                reliability=rng.choice("ABCDEF"),
            )
            for i in range(count // 3)
        ],
    )
    people = _bulk(
        Source,
        [
            Source(
                name=f"Official {seed}-{i}",
                kind=rng.choice(
                    [SourceKind.PERSON, SourceKind.GROUP, SourceKind.ANONYMOUS]
                ),
                parent=middle[i % len(middle)],
                country=middle[i % len(middle)].country,
            )
            for i in range(count - len(tops) - len(middle))
        ],
    )
    return [*tops, *middle, *people]


def _measures(seed: int, claims: int, topics: list[Topic]) -> list[Measure]:
    """The benchmark's sizes that fit in a fifth of the claims, then smaller ones."""
    budget = claims // 5
    sizes = [size for size in BENCHMARK_SIZES if size <= budget]
    remaining = budget - sum(sizes)
    while remaining >= 20:
        size = min(remaining, 20 + (len(sizes) * 37) % 400)
        sizes.append(size)
        remaining -= size
    measures = _bulk(
        Measure,
        [
            Measure(
                name=f"{CORPUS_MARK} {seed}: measure {i} ({size} figures)",
                unit=_NOUNS[i % len(_NOUNS)],
                description=str(size),
            )
            for i, size in enumerate(sizes)
        ],
    )
    rows = Measure.topics.through.objects.bulk_create(
        [
            Measure.topics.through(measure=m, topic=topics[i % len(topics)])
            for i, m in enumerate(measures)
        ]
    )
    bulk_history.insert_m2m(Measure, "topics", rows, batch_size=BATCH)
    return measures


def _claims_and_documents(rng, seed, count, sources, topics):
    """Documents of about thirty claims each; every quote is a sentence of its text."""
    per_document = 30
    documents: list[Document] = []
    claim_specs: list[tuple[int, Source, str, str, datetime.date]] = []
    texts: list[list[str]] = []
    for i in range(count):
        d = i // per_document
        if d == len(texts):
            texts.append([])
        source = sources[rng.randrange(len(sources))]
        number = rng.choice([1, 2, 3, 5, 8]) * 10 ** rng.randrange(1, 5)
        noun, place = rng.choice(_NOUNS), rng.choice(_PLACES)
        quote = (
            f"{source.name} {rng.choice(_VERBS)} that about {number:,} {noun} were "
            f"near {place} (item {i})."
        )
        texts[d].append(quote)
        day = START + datetime.timedelta(days=(d * 3) % 900)
        claim_specs.append(
            (d, source, quote, f"About {number:,} {noun} near {place}.", day)
        )
    for d, sentences in enumerate(texts):
        published = START + datetime.timedelta(days=(d * 3) % 900 + 1)
        documents.append(
            Document(
                title=f"{CORPUS_MARK} {seed}: report {d}",
                publisher=f"Outlet {d % 40}",
                url=f"https://corpus.example/{seed}/{d}",
                published_at=datetime.datetime.combine(
                    published, datetime.time(12), tzinfo=datetime.UTC
                ),
                text="\n\n".join(sentences),
            )
        )
    documents = _bulk(Document, documents)

    offsets: dict[int, int] = {}
    claims = []
    for d, source, quote, statement, day in claim_specs:
        start = offsets.get(d, 0)
        offsets[d] = start + len(quote) + 2
        precision = rng.choice([DatePrecision.DAY] * 6 + [DatePrecision.WEEK])
        if precision == DatePrecision.WEEK:
            day -= datetime.timedelta(days=day.weekday())
        claim = Claim(
            source=source,
            document=documents[d],
            quote=quote,
            statement=statement,
            quote_start=start,
            quote_end=start + len(quote),
            attribution_kind=rng.choice(AttributionKind.values),
            stated_on=day,
            stated_on_precision=precision,
        )
        if rng.random() < REVIEWED_SHARE:
            # Graded as its review (written below) will say: no second pass.
            claim.attribution_status = rng.choice(
                [AttributionStatus.VERIFIED] * 4 + [AttributionStatus.MISATTRIBUTED]
            )
            claim.credibility = rng.randint(1, 6)
        claims.append(claim)
    claims = _bulk(Claim, claims)
    rows = Claim.topics.through.objects.bulk_create(
        [
            Claim.topics.through(claim=c, topic=topics[i % len(topics)])
            for i, c in enumerate(claims)
        ],
        batch_size=BATCH,
    )
    bulk_history.insert_m2m(Claim, "topics", rows, batch_size=BATCH)
    return claims, documents


_QUALIFIED = [
    (Qualifier.APPROXIMATELY, "approximately {n:,}"),
    (Qualifier.EXACT, "{n:,}"),
    (Qualifier.AT_LEAST, "at least {n:,}"),
    (Qualifier.UP_TO, "up to {n:,}"),
    (Qualifier.NEARLY, "nearly {n:,}"),
]


def _figures(rng, claims, measures) -> int:
    """Each measure gets as many figures as its name says, from distinct claims."""
    figures = []
    pool = iter(
        rng.sample(range(len(claims)), k=sum(int(m.description) for m in measures))
    )
    for measure in measures:
        centre = rng.choice([1_500, 3_000, 10_000, 50_000])
        for _ in range(int(measure.description)):
            claim = claims[next(pool)]
            qualifier, template = rng.choice(_QUALIFIED)
            value = Decimal(max(1, int(rng.gauss(centre, centre * 0.3))))
            parsed = interval_for(
                qualifier, value, measure.tolerance, measure.lower_limit
            )
            figures.append(
                Figure(
                    claim=claim,
                    measure=measure,
                    text=template.format(n=int(value)),
                    qualifier=parsed.qualifier,
                    value=parsed.value,
                    low=parsed.low,
                    high=parsed.high,
                    as_of=claim.stated_on,
                )
            )
    return len(_bulk(Figure, figures))


def _links(rng, claims) -> int:
    """Repeats and based-on chains to earlier claims (so never a cycle), and
    corroborations and contradictions between random pairs; one per pair."""
    links, seen = [], set()
    n = len(claims)
    for i in range(1, n):
        roll = rng.random()
        if roll < 0.15:
            relation = Relation.REPEATS if roll < 0.1 else Relation.BASED_ON
            j = max(0, i - rng.randint(1, 60))
        elif roll < 0.3:
            relation = Relation.CORROBORATES if roll < 0.25 else Relation.CONTRADICTS
            j = rng.randrange(n)
        else:
            continue
        pair = (min(i, j), max(i, j))
        if i == j or pair in seen:
            continue
        seen.add(pair)
        links.append(Link(from_claim=claims[i], to_claim=claims[j], relation=relation))
    return len(_bulk(Link, links))


def _reviews(rng, claims) -> int:
    """The review behind each graded claim's current grade."""
    reviews = [
        Review(
            claim=claim,
            attribution_status=claim.attribution_status,
            credibility=claim.credibility,
            rationale="Checked against the record.",
        )
        for claim in claims
        if claim.attribution_status != AttributionStatus.UNVERIFIED
    ]
    return len(_bulk(Review, reviews))


def bundle(*, claims: int, seed: int = 1) -> dict:
    """An import bundle of ``claims`` new claims, with its documents, sources,
    a measure, figures on a third of the claims, and repeats/corroborates links."""
    rng = random.Random(seed)
    tag = f"bundle-{seed}"
    sources = [{"key": "top", "name": f"Government {tag}", "kind": "government"}] + [
        {
            "key": f"s{i}",
            "name": f"Official {tag}-{i}",
            "kind": "person",
            "parent": "top",
        }
        for i in range(50)
    ]
    documents, rows, figures, links = [], [], [], []
    per_document = 30
    for d in range(0, claims, per_document):
        sentences = []
        for i in range(d, min(claims, d + per_document)):
            number = rng.choice([1, 2, 3, 5]) * 10 ** rng.randrange(2, 5)
            quote = f"Official {i} said about {number:,} troops were seen (row {i})."
            sentences.append(quote)
            rows.append(
                {
                    "key": f"c{i}",
                    "source": f"s{i % 50}",
                    "document": f"d{d}",
                    "quote": quote,
                    "statement": f"About {number:,} troops were seen.",
                    "attribution_kind": "paraphrase",
                    "stated_on": "2024-10-20",
                }
            )
            if i % 3 == 0:
                figures.append(
                    {
                        "key": f"f{i}",
                        "claim": f"c{i}",
                        "measure": "m",
                        "text": f"about {number:,}",
                    }
                )
            if i % 5 == 4:
                links.append(
                    {
                        "key": f"l{i}",
                        "from_claim": f"c{i}",
                        "to_claim": f"c{i - 1}",
                        "relation": "repeats",
                    }
                )
        documents.append(
            {
                "key": f"d{d}",
                "title": f"Report {tag}-{d}",
                "url": f"https://bundle.example/{seed}/{d}",
                "published_at": "2024-10-28T12:00:00Z",
                "text": " ".join(sentences),
            }
        )
    return {
        "documents": documents,
        "sources": sources,
        "measures": [{"key": "m", "name": f"Troops seen ({tag})", "unit": "troops"}],
        "claims": rows,
        "figures": figures,
        "links": links,
    }
