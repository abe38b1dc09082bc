"""The seed article's text as stored, and loading its data into an empty database,
with history."""

import re
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from claims.models import Claim, Document, Figure, Link, Measure, Source, Topic

SEED_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "seed.json"
#: The article as it was scraped from the publisher's page, kept as it came.
SEED_ARTICLE = Path(settings.BASE_DIR) / "fixtures" / "seed_article.txt"

#: Lines a scrape leaves after the article's end: the page's links to other stories.
SCRAPE_LEFTOVERS = re.compile(r"(?:related(?: articles| stories)?|read more)", re.I)
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_BLANK_LINES = re.compile(r"\n{3,}")


def plain_text(scraped: str) -> str:
    """A scraped article as clean plain text: the Markdown ``**bold**`` markers
    taken off their words, the page's leftovers after the article ("Related")
    dropped, trailing spaces removed, and paragraphs kept, one blank line
    between each two. Pure; the stored document text of the seed is this."""
    text = scraped.replace("\r\n", "\n").replace("\r", "\n")
    text = _BOLD.sub(r"\1", text)
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and (not lines[-1] or SCRAPE_LEFTOVERS.fullmatch(lines[-1].strip())):
        lines.pop()
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines))
    return text.strip("\n")


def seed_text() -> str:
    """The seed document's text: the scraped article as plain text."""
    return plain_text(SEED_ARTICLE.read_text(encoding="utf-8"))


SEEDED_MODELS = [Document, Topic, Source, Claim, Measure, Figure, Link]


def domain_is_empty() -> bool:
    return not any(model.objects.exists() for model in SEEDED_MODELS)


@transaction.atomic
def load_seed(fixture: Path = SEED_FIXTURE) -> bool:
    """Load the seed article's data, unless the database already holds any.

    Fixture loading bypasses ``save()``, and so the history library's signals: the
    first history row of every loaded object is written here instead. Returns
    whether anything was loaded.
    """
    if not domain_is_empty():
        return False
    call_command("loaddata", str(fixture), verbosity=0)
    reason = "Loaded from the seed article"
    for model in SEEDED_MODELS:
        # Setting many-to-many fields is recorded even while loading, as a change;
        # those rows are the objects' first, so they are marked as their creation.
        model.history.all().update(history_type="+", history_change_reason=reason)
        recorded = set(model.history.values_list("id", flat=True))
        model.history.bulk_history_create(
            list(model.objects.exclude(pk__in=recorded)),
            default_change_reason=reason,
        )
    return True
