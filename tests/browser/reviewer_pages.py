"""Every reviewer page, listed from the web URLs, on the seed article's data.

``reviewer_pages()`` returns (name, path) pairs: each claim, document, source,
measure and topic, the queue (filtered too), search with and without a query,
intake, the new-claim form (empty and from a selected passage) and the home page.
The sign-in page is visited before signing in. A URL added to ``claims.web.urls``
without an entry here fails ``test_every_web_url_is_visited``.
"""

from pathlib import Path

from django.urls import reverse

from claims.models import Claim, Document, Measure, Source, Topic
from claims.permissions import EDITORS, REVIEWERS

from ..factories import UserFactory

PASSWORD = "a-long-test-password"
#: The seed article's text, as the intake page is given it.
SEED_TEXT = (
    Path(__file__).resolve().parents[2] / "fixtures" / "seed_article.txt"
).read_text()

#: The URL names of claims.web.urls, and how each is visited below.
VISITED = {
    "home",
    "review-queue",
    "claim",
    "document",
    "new-claim",
    "measure",
    "source",
    "topic",
    "search",
    "intake",
    "login",
    "logout",  # a POST that redirects: signing out is no page
}

#: The pages shown as screenshots in the README, at 1,400 and 400 px.
MAIN = ("home", "queue", "claim", "document", "measure", "source", "topic")


def reviewer_pages() -> list[tuple[str, str]]:
    """Every page a signed-in editor and reviewer sees, as (name, path)."""
    pages = [("home", reverse("home")), ("queue", reverse("review-queue"))]
    topic = Topic.objects.order_by("pk").first()
    source = Source.objects.filter(claims__isnull=False).order_by("pk").first()
    pages.append(
        (
            "queue-filtered",
            f"{reverse('review-queue')}?topic={topic.pk}&source={source.pk}",
        )
    )
    pages += [("claim", reverse("claim", args=[pk])) for pk in _pks(Claim)]
    for pk in _pks(Document):
        pages.append(("document", reverse("document", args=[pk])))
        pages.append(("new-claim", reverse("new-claim", args=[pk])))
    claim = Claim.objects.exclude(quote="").order_by("pk").first()
    start = claim.quote_start
    pages.append(
        (
            "new-claim-selected",
            f"{reverse('new-claim', args=[claim.document_id])}"
            f"?start={start}&end={start + len(claim.quote)}",
        )
    )
    pages += [("measure", reverse("measure", args=[pk])) for pk in _pks(Measure)]
    pages += [("source", reverse("source", args=[pk])) for pk in _pks(Source)]
    pages += [("topic", reverse("topic", args=[pk])) for pk in _pks(Topic)]
    pages += [
        ("search", reverse("search")),
        ("search-results", f"{reverse('search')}?q=Korea"),
        ("intake", reverse("intake")),
    ]
    return pages


def _pks(model) -> list[int]:
    return list(model.objects.order_by("pk").values_list("pk", flat=True))


def editor_and_reviewer():
    """A user in both groups, so that every form on every page shows."""
    from django.contrib.auth.models import Group

    from claims.permissions import ensure_groups

    ensure_groups()
    user = UserFactory(username="eddie")
    user.groups.add(*Group.objects.filter(name__in=[EDITORS, REVIEWERS]))
    return user


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url(f"{live_server.url}/review/")


def read_the_seed_report(page, live_server):
    """Paste the seed article into the intake page and wait for its proposals."""
    page.goto(f"{live_server.url}/intake/")
    page.fill("#id_title", "North Korean troops in Kursk")
    page.fill("#id_publisher", "ICARO Media Group")
    page.fill("#id_text", SEED_TEXT)
    page.click("button:has-text('Read the proposals')")
    page.wait_for_selector("#proposals")
