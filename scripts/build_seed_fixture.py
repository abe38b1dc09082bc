"""Builds ``fixtures/seed.json`` from the seed article and the readings below.

The stored text is the scraped article as clean plain text (``claims.seed.plain_text``:
no Markdown ``**`` markers, no "Related" left over from the page, paragraphs kept).
Every claim names the exact words of the article that carry it; the models derive the
quote offsets and figure intervals, with the same validation the admin runs, in a
throwaway in-memory database. Run it again after changing the readings:

    .venv/bin/python scripts/build_seed_fixture.py [OUTPUT]
"""

import datetime
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "tracker.settings.test"
os.environ["DATABASE_URL"] = "sqlite://:memory:"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from claims.choices import (  # noqa: E402
    AttributionKind as K,
)
from claims.choices import (  # noqa: E402
    DatePrecision as P,
)
from claims.choices import (  # noqa: E402
    Qualifier,
    Relation,
    SourceKind,
)
from claims.models import (  # noqa: E402
    Claim,
    Document,
    Figure,
    Link,
    Measure,
    Source,
    Topic,
)
from claims.seed import seed_text  # noqa: E402

OUTPUT = ROOT / "fixtures" / "seed.json"

TOPICS = {
    "troops": (
        "North Korean troops in Russia",
        "North Korea's deployment of soldiers to Russia and the Kursk region, 2024.",
    ),
    "treaty": (
        "Russia–North Korea military cooperation",
        "The security treaty, arms supplies and what each side gives the other.",
    ),
    "western": (
        "Western support for Ukraine",
        "Ukraine's requests to its allies and their answers.",
    ),
}

# key: (name, kind, parent key, country, aliases, description)
SOURCES = {
    "nato": (
        "NATO",
        SourceKind.ORGANIZATION,
        None,
        "",
        ["North Atlantic Treaty Organization"],
        "The North Atlantic alliance.",
    ),
    "rutte": (
        "Mark Rutte",
        SourceKind.PERSON,
        "nato",
        "NL",
        ["Rutte", "NATO chief", "NATO Secretary General"],
        "Secretary General of NATO.",
    ),
    "us_gov": (
        "United States government",
        SourceKind.GOVERNMENT,
        None,
        "US",
        ["Washington", "U.S. government", "US government"],
        "",
    ),
    "us_officials": (
        "U.S. officials",
        SourceKind.GROUP,
        "us_gov",
        "US",
        ["US officials", "American officials"],
        "Unnamed officials of the US government.",
    ),
    "us_intel": (
        "U.S. intelligence",
        SourceKind.INTELLIGENCE,
        "us_gov",
        "US",
        ["US intelligence", "declassified intelligence"],
        "The newly declassified intelligence U.S. officials cited.",
    ),
    "ua_gov": (
        "Government of Ukraine",
        SourceKind.GOVERNMENT,
        None,
        "UA",
        ["Kyiv", "Ukrainian government"],
        "",
    ),
    "zelensky": (
        "Volodymyr Zelensky",
        SourceKind.PERSON,
        "ua_gov",
        "UA",
        ["Zelensky", "Zelenskyy", "Ukrainian President"],
        "President of Ukraine.",
    ),
    "ua_officials": (
        "Ukrainian officials",
        SourceKind.GROUP,
        "ua_gov",
        "UA",
        [],
        "Unnamed officials of the Ukrainian government.",
    ),
    "kr_gov": (
        "Government of South Korea",
        SourceKind.GOVERNMENT,
        None,
        "KR",
        ["Seoul", "South Korean government"],
        "",
    ),
    "nis": (
        "National Intelligence Service",
        SourceKind.INTELLIGENCE,
        "kr_gov",
        "KR",
        ["NIS", "South Korea's National Intelligence Service"],
        "South Korea's intelligence service.",
    ),
    "ru_gov": (
        "Government of Russia",
        SourceKind.GOVERNMENT,
        None,
        "RU",
        ["Moscow", "Russian government"],
        "",
    ),
    "kremlin": (
        "Kremlin",
        SourceKind.GOVERNMENT,
        "ru_gov",
        "RU",
        ["the Kremlin"],
        "The Russian presidential administration.",
    ),
    "putin": (
        "Vladimir Putin",
        SourceKind.PERSON,
        "kremlin",
        "RU",
        ["Putin", "Russian President"],
        "President of Russia.",
    ),
    "lavrov": (
        "Sergei Lavrov",
        SourceKind.PERSON,
        "ru_gov",
        "RU",
        ["Lavrov", "Russian Foreign Minister"],
        "Foreign Minister of Russia.",
    ),
    "ex_kremlin": (
        "A former Kremlin official",
        SourceKind.ANONYMOUS,
        "kremlin",
        "RU",
        [],
        "Spoke on condition of anonymity.",
    ),
    "icaro": (
        "ICARO Media Group",
        SourceKind.MEDIA,
        None,
        "",
        ["ICARO"],
        "Publisher of the seed article.",
    ),
    "analysts": (
        "Analysts",
        SourceKind.GROUP,
        None,
        "",
        [],
        "Unnamed analysts cited by the seed article.",
    ),
}

#: The dateline reads "28/10/2024 17h25" and names no time zone. Assumption: the
#: publisher's local time, read as Central European Time: the dateline's city is
#: Brussels, and European summer time ended on 27 October 2024, so on the 28th
#: that is CET, UTC+1. Stored as 16:25 UTC; the pages show it with its zone.
CET = datetime.timezone(datetime.timedelta(hours=1), "CET")
PUBLISHED_AT = datetime.datetime(2024, 10, 28, 17, 25, tzinfo=CET)

# Dates are read relative to publication, as DOMAIN.md's intake rules read them:
MONDAY = datetime.date(2024, 10, 28)  # "on Monday": the article's own date
LAST_WEEK = datetime.date(2024, 10, 21)  # "last week": the week before it
WEEKEND = datetime.date(2024, 10, 21)  # "a weekend address": that week's weekend
#: The outlet's own voice, undated by its words ("has provided", "so far"): the
#: report says it, on the day it was published.
IN_THE_REPORT = PUBLISHED_AT.date()
# A claim whose words give no date ("later", "already", "have accused", "warn")
# stays undated (None): the pages say "no date in the report".

# key: (source key, exact words of the article, statement, kind, date, precision, topics)
CLAIMS = {
    "rutte_deployed": (
        "rutte",
        "NATO chief Mark Rutte announced on Monday that North Korean soldiers have been "
        "deployed to the Kursk region of Russia",
        "North Korean soldiers have been deployed to Russia's Kursk region.",
        K.PARAPHRASE,
        MONDAY,
        P.DAY,
        ["troops"],
    ),
    "us_3000": (
        "us_officials",
        "Last week, U.S. officials, citing newly declassified intelligence, revealed that "
        "approximately 3,000 North Korean personnel were undergoing combat training in "
        "Russia.",
        "About 3,000 North Korean personnel are undergoing combat training in Russia.",
        K.CITING,
        LAST_WEEK,
        P.WEEK,
        ["troops"],
    ),
    "uncertain_use": (
        "icaro",
        "However, it remained uncertain whether these troops would be utilized in the "
        "conflict.",
        "It was uncertain whether the North Korean troops in Russia would be used in the "
        "conflict.",
        K.OWN_VOICE,
        LAST_WEEK,
        P.WEEK,
        ["troops"],
    ),
    "kyiv_corroborates": (
        "ua_gov",
        "This intel was corroborated by statements from both Kyiv and Seoul.",
        "Kyiv's statements support the US intelligence that about 3,000 North Korean "
        "personnel are training in Russia.",
        K.INDIRECT,
        None,
        P.DAY,
        ["troops"],
    ),
    "seoul_corroborates": (
        "kr_gov",
        "This intel was corroborated by statements from both Kyiv and Seoul.",
        "Seoul's statements support the US intelligence that about 3,000 North Korean "
        "personnel are training in Russia.",
        K.INDIRECT,
        None,
        P.DAY,
        ["troops"],
    ),
    "meeting": (
        "icaro",
        "Rutte's confirmation came after a meeting at NATO headquarters that included "
        "South Korean intelligence and military officials, as well as representatives "
        "from Australia, Japan, and New Zealand.",
        "Rutte spoke after a NATO meeting with South Korean intelligence and military "
        "officials and representatives of Australia, Japan and New Zealand.",
        K.OWN_VOICE,
        MONDAY,
        P.DAY,
        ["troops"],
    ),
    "intel_shared": (
        "icaro",
        "The NATO countries shared their intelligence evaluations during the session.",
        "NATO countries shared their intelligence evaluations at the meeting.",
        K.OWN_VOICE,
        MONDAY,
        P.DAY,
        ["troops"],
    ),
    "rutte_escalation": (
        "rutte",
        "Rutte warned that North Korea's increasing involvement represents a dangerous "
        "expansion of the conflict and heightens tensions with the West.",
        "North Korea's growing involvement is a dangerous expansion of the war and "
        "raises tensions with the West.",
        K.PARAPHRASE,
        MONDAY,
        P.DAY,
        ["troops"],
    ),
    "rutte_ammunition": (
        "rutte",
        "The NATO chief noted that North Korea has already supplied Russia with millions "
        "of rounds of ammunition and ballistic missiles",
        "North Korea has supplied Russia with millions of rounds of ammunition and "
        "ballistic missiles.",
        K.PARAPHRASE,
        MONDAY,
        P.DAY,
        ["treaty"],
    ),
    "putin_tech": (
        "icaro",
        "In exchange, Russian President Vladimir Putin has provided North Korea with "
        "military technology and other forms of support to bypass international "
        "sanctions.",
        "In exchange, Russia has given North Korea military technology and other support "
        "that gets around international sanctions.",
        K.OWN_VOICE,
        IN_THE_REPORT,
        P.DAY,
        ["treaty"],
    ),
    "putin_confirms": (
        "putin",
        "Putin seemed to indirectly confirm the presence of North Korean troops last "
        "week, referencing a mutual defense article within the new Russia-North Korea "
        "security treaty.",
        "Putin indirectly confirmed that North Korean troops are in Russia, citing the "
        "treaty's mutual defence article.",
        K.INDIRECT,
        LAST_WEEK,
        P.WEEK,
        ["troops", "treaty"],
    ),
    "lavrov_condemnations": (
        "lavrov",
        "Russian Foreign Minister Sergei Lavrov later described the Western condemnations "
        "of the cooperation as efforts to justify their own military support for Ukraine.",
        "Western condemnations of Russia's cooperation with North Korea are efforts to "
        "justify the West's own military support for Ukraine.",
        K.PARAPHRASE,
        None,
        P.DAY,
        ["treaty"],
    ),
    "lavrov_treaty": (
        "lavrov",
        "Lavrov stressed that the treaty stipulates mutual assistance in case of a "
        "military attack on either country.",
        "The Russia–North Korea treaty provides for mutual assistance if either country "
        "is attacked.",
        K.PARAPHRASE,
        None,
        P.DAY,
        ["treaty"],
    ),
    "ua_10000": (
        "ua_officials",
        "Ukrainian officials have accused North Korea of preparing to send up to 10,000 "
        "troops to assist Russia",
        "North Korea is preparing to send up to 10,000 troops to help Russia.",
        K.PARAPHRASE,
        None,
        P.DAY,
        ["troops"],
    ),
    "ua_advisors": (
        "ua_officials",
        "with some advisors allegedly already on the front lines",
        "Some North Korean advisors are already on the front lines.",
        K.PARAPHRASE,
        None,
        P.DAY,
        ["troops"],
    ),
    "nis_1500": (
        "nis",
        "According to South Korea's National Intelligence Service, around 1,500 North "
        "Korean special operations troops are currently training in Russia, with an "
        "additional 1,500 troops having entered the country.",
        "About 1,500 North Korean special operations troops are training in Russia, and "
        "another 1,500 have entered the country.",
        K.PARAPHRASE,
        MONDAY,
        P.DAY,
        ["troops"],
    ),
    "ex_kremlin_retaliation": (
        "ex_kremlin",
        "A former Kremlin official, on condition of anonymity, suggested that the "
        "deployment of North Korean forces to Kursk is seen by Moscow as retaliation "
        "after Kyiv's recent incursions in the region and following Western "
        "authorizations for limited strikes inside Russia.",
        "Moscow sees sending North Korean forces to Kursk as retaliation for Ukraine's "
        "incursion and for Western permission for limited strikes inside Russia.",
        K.ANONYMOUS,
        None,
        P.DAY,
        ["troops"],
    ),
    "ex_kremlin_cost": (
        "ex_kremlin",
        "The official added that deploying North Korean troops is both cost-effective "
        "and politically simpler for the Kremlin.",
        "For the Kremlin, deploying North Korean troops is cheaper and politically "
        "simpler.",
        K.ANONYMOUS,
        None,
        P.DAY,
        ["troops"],
    ),
    "ua_setbacks": (
        "icaro",
        "Ukrainian forces have recently suffered setbacks, ceding significant territory "
        "retaken during the summer offensive.",
        "Ukrainian forces have recently lost much of the territory taken in the summer "
        "offensive.",
        K.OWN_VOICE,
        IN_THE_REPORT,
        P.DAY,
        ["troops"],
    ),
    "analysts_refocus": (
        "analysts",
        "Analysts warn that the North Korean reinforcements could enable Russian units "
        "to refocus on the eastern Ukrainian front, where Ukrainian defenses are under "
        "significant pressure.",
        "North Korean reinforcements could free Russian units to refocus on Ukraine's "
        "eastern front.",
        K.PARAPHRASE,
        None,
        P.DAY,
        ["troops"],
    ),
    "zelensky_requests": (
        "zelensky",
        "Ukrainian President Volodymyr Zelensky has used Pyongyang's support for Russia "
        "to call for more decisive action from Western allies, including permission to "
        "use longer-range U.S.-provided missiles to strike deeper into Russia and a "
        "formal NATO invitation for Ukraine.",
        "Ukraine asks its allies for permission to strike deeper into Russia with "
        "longer-range US missiles and for a formal NATO invitation.",
        K.PARAPHRASE,
        None,
        P.DAY,
        ["western"],
    ),
    "washington_rebuffed": (
        "icaro",
        "So far, Washington has rebuffed these requests.",
        "Washington has so far refused Ukraine's requests.",
        K.OWN_VOICE,
        IN_THE_REPORT,
        P.DAY,
        ["western"],
    ),
    "zelensky_fight": (
        "zelensky",
        '"Ukraine will be forced to actually fight against North Korea in Europe," '
        "Zelensky said in a weekend address",
        "Ukraine will have to fight North Korea in Europe.",
        K.DIRECT_QUOTE,
        WEEKEND,
        P.WEEK,
        ["troops", "western"],
    ),
    "zelensky_stronger": (
        "zelensky",
        'urging allies to make "stronger decisions."',
        'Zelensky urged allies to make "stronger decisions".',
        K.DIRECT_QUOTE,
        WEEKEND,
        P.WEEK,
        ["western"],
    ),
}

# key: (name, unit, tolerance, lower limit, topics, description)
MEASURES = {
    "training": (
        "North Korean personnel training in Russia",
        "personnel",
        "0.10",
        0,
        ["troops"],
        "North Korean military personnel undergoing training "
        "in Russia at a given time.",
    ),
    "in_russia": (
        "North Korean troops in Russia",
        "troops",
        "0.10",
        0,
        ["troops"],
        "All North Korean troops in Russia, training or deployed.",
    ),
    "to_be_sent": (
        "North Korean troops to be sent to Russia",
        "troops",
        "0.10",
        0,
        ["troops"],
        "Troops North Korea is preparing to send: what Russia "
        "may yet receive, not what it has.",
    ),
    "rounds": (
        "Ammunition rounds North Korea has supplied to Russia",
        "rounds",
        "0.10",
        0,
        ["treaty"],
        "Artillery and other rounds delivered to Russia.",
    ),
}

# (claim key, measure key, text as written, as_of, override: (qualifier, value, low,
#  high) or None, note)
FIGURES = [
    ("us_3000", "training", "approximately 3,000", None, None, ""),
    ("nis_1500", "training", "around 1,500", None, None, ""),
    (
        "nis_1500",
        "in_russia",
        "around 1,500 ... with an additional 1,500",
        None,
        (Qualifier.APPROXIMATELY, 3000, 2850, 3150),
        "1,500 training plus 1,500 entered: around 1,500 (1,350 to 1,650 at the "
        "measure's 10%) plus an additional 1,500, so 2,850 to 3,150.",
    ),
    (
        "ua_10000",
        "to_be_sent",
        "up to 10,000",
        datetime.date(2024, 10, 28),
        None,
        "Dated by the article: the officials' own date is not given.",
    ),
    ("rutte_ammunition", "rounds", "millions of rounds", None, None, ""),
]

# (from claim, relation, to claim, note)
LINKS = [
    (
        "kyiv_corroborates",
        Relation.CORROBORATES,
        "us_3000",
        '"This intel was corroborated by statements from both Kyiv and Seoul."',
    ),
    (
        "seoul_corroborates",
        Relation.CORROBORATES,
        "us_3000",
        '"This intel was corroborated by statements from both Kyiv and Seoul."',
    ),
    (
        "putin_confirms",
        Relation.CORROBORATES,
        "rutte_deployed",
        "Putin's indirect confirmation of North Korean troops in Russia.",
    ),
    (
        "ex_kremlin_retaliation",
        Relation.CORROBORATES,
        "rutte_deployed",
        "Speaks of the deployment to Kursk as a fact seen from Moscow.",
    ),
]


def build(output: Path = OUTPUT) -> None:
    call_command("migrate", verbosity=0)
    text = seed_text()
    document = Document(
        title="North Korean Troop Deployment in Russia's Kursk Region Confirmed by NATO "
        "Chief Amid Escalating Conflict",
        publisher="ICARO Media Group",
        published_at=PUBLISHED_AT,
        language="en",
        text=text,
    )
    save(document)

    topics = {}
    for key, (name, description) in TOPICS.items():
        topics[key] = save(Topic(name=name, description=description))

    sources: dict[str, Source] = {}
    for key, (name, kind, parent, country, aliases, description) in SOURCES.items():
        sources[key] = save(
            Source(
                name=name,
                kind=kind,
                parent=sources[parent] if parent else None,
                country=country,
                aliases=aliases,
                description=description,
            )
        )

    claims: dict[str, Claim] = {}
    for key, (
        source,
        quote,
        statement,
        kind,
        date,
        precision,
        topic_keys,
    ) in CLAIMS.items():
        claim = save(
            Claim(
                source=sources[source],
                document=document,
                quote=quote,
                statement=statement,
                attribution_kind=kind,
                stated_on=date,
                stated_on_precision=precision if date else "",
            )
        )
        if text[claim.quote_start : claim.quote_end] != quote:
            raise SystemExit(f"{key}: the offsets do not point at the quote")
        claim.topics.set([topics[t] for t in topic_keys])
        claims[key] = claim

    measures: dict[str, Measure] = {}
    for key, (
        name,
        unit,
        tolerance,
        lower,
        topic_keys,
        description,
    ) in MEASURES.items():
        measure = save(
            Measure(
                name=name,
                unit=unit,
                # A running total of what was supplied; troop counts rise and fall.
                kind="cumulative" if key == "rounds" else "level",
                tolerance=tolerance,
                lower_limit=lower,
                description=description,
            )
        )
        measure.topics.set([topics[t] for t in topic_keys])
        measures[key] = measure

    for claim, measure, text_as_written, as_of, override, note in FIGURES:
        figure = Figure(
            claim=claims[claim],
            measure=measures[measure],
            text=text_as_written,
            as_of=as_of,
            as_of_given=as_of is not None,
            note=note,
        )
        if override:
            figure.bounds_overridden = True
            figure.qualifier, figure.value, figure.low, figure.high = override
        save(figure)

    for source, relation, target, note in LINKS:
        save(
            Link(
                from_claim=claims[source],
                relation=relation,
                to_claim=claims[target],
                note=note,
            )
        )

    out = io.StringIO()
    call_command(
        "dumpdata",
        "claims.Document",
        "claims.Topic",
        "claims.Source",
        "claims.Claim",
        "claims.Measure",
        "claims.Figure",
        "claims.Link",
        indent=1,
        stdout=out,
    )
    output.write_text(out.getvalue() + "\n", encoding="utf-8")
    print(
        f"Wrote {output}: {len(sources)} sources, {len(claims)} "
        f"claims, {len(FIGURES)} figures, {len(LINKS)} links."
    )


def save(instance):
    instance.full_clean()
    instance.save()
    return instance


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
