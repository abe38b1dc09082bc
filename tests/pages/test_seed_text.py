"""The seed article on the pages: its text as paragraphs with no Markdown and no
scrape leftover, its publication time with its zone, and an undated claim saying
why it has no date."""

import re
from html import escape
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from claims.models import Claim, Document, Review
from claims.undated import NO_DATE_IN_THE_REPORT, NO_DATE_RECORDED, undated_reason
from claims.web import paragraphs

from ..factories import ClaimFactory, DocumentFactory

pytestmark = pytest.mark.django_db


class Paragraphs(HTMLParser):
    """The text of each ``<p>`` inside the element with ``id`` (or ``class``),
    ``<br>`` read as a line break, the claim numbers (``<sup>``) left out."""

    def __init__(self, **attribute):
        super().__init__()
        ((self.name, self.value),) = attribute.items()
        self.depth = 0  # inside the element: its nesting depth, else 0
        self.found: list[str] = []
        self.current: list[str] | None = None
        self.in_sup = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            if tag not in ("br",):
                self.depth += 1
            self.in_sup += tag == "sup"
            if tag == "p":
                self.current = []
            elif tag == "br" and self.current is not None:
                self.current.append("\n")
        elif self.value in (attrs.get(self.name) or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if not self.depth:
            return
        self.depth -= 1
        self.in_sup -= tag == "sup"
        if tag == "p" and self.current is not None:
            self.found.append("".join(self.current))
            self.current = None

    def handle_data(self, data):
        if self.in_sup:
            return
        if self.depth and self.current is not None:
            self.current.append(data)
        elif self.depth and data.strip():
            self.found.append(f"TEXT OUTSIDE A PARAGRAPH: {data!r}")


def paragraphs_in(html: str, **attribute) -> list[str]:
    parser = Paragraphs(**attribute)
    parser.feed(html)
    return parser.found


def test_the_document_page_shows_the_articles_paragraphs_as_paragraphs(reviewer, seed):
    document = Document.objects.get()
    html = reviewer.get(reverse("document", args=[document.pk])).content.decode()
    shown = paragraphs_in(html, id="document-text")
    assert shown == document.text.split("\n\n")
    assert len(shown) == 13
    assert shown[3].startswith("BRUSSELS – NATO chief Mark Rutte announced on Monday")
    assert shown[-1] == (
        "The views expressed in this article do not reflect the opinion of ICARO, "
        "or any of its affiliates."
    )
    assert "**" not in html
    assert (
        not html.split('id="document-text"')[1]
        .split("</article>")[0]
        .endswith("Related</p>")
    )
    assert "Related" not in "".join(shown)


def test_the_document_page_shows_its_publication_time_with_its_zone(reviewer, seed):
    document = Document.objects.get()
    html = reviewer.get(reverse("document", args=[document.pk])).content.decode()
    # 17h25 in Brussels (CET, UTC+1) is 16:25 UTC: the site shows UTC, and says so.
    assert (
        '<time datetime="2024-10-28T16:25:00+00:00">28 Oct 2024, 16:25 UTC</time>'
        in html
    )


def test_a_reviews_time_on_the_claim_page_has_its_zone(reviewer, seed):
    claim = Claim.objects.get(quote__contains="approximately 3,000")
    review = Review.objects.create(
        claim=claim,
        reviewer=reviewer.user,
        attribution_status="verified",
        credibility=2,
        rationale="Two groups.",
    )
    html = reviewer.get(reverse("claim", args=[claim.pk])).content.decode()
    shown = review.created_at.strftime("%-d %b %Y, %H:%M")
    assert f"{shown} UTC</time>" in html


def test_the_claim_page_shows_the_quotes_context_in_its_paragraphs(reviewer, seed):
    claim = Claim.objects.get(quote__contains="approximately 3,000")
    html = reviewer.get(reverse("claim", args=[claim.pk])).content.decode()
    shown = paragraphs_in(html, **{"class": "context"})
    # The paragraph before the quote's is cut at the start, the one after at the end.
    assert len(shown) == 3
    assert shown[0].startswith("…") and shown[0].endswith("the contested region.")
    assert shown[1] == next(
        p
        for p in Claim.objects.get(pk=claim.pk).document.text.split("\n\n")
        if claim.quote in p
    )
    assert shown[2].startswith("Rutte's confirmation came after") and shown[2].endswith(
        "…"
    )
    assert f'<mark class="quote">{claim.quote}</mark>' in html


def test_a_line_break_inside_a_paragraph_of_the_context_is_kept(reviewer, seed):
    document = DocumentFactory(text="Kyiv\nMonday\n\nRutte said <b>so</b>.\n\nEnd.")
    claim = ClaimFactory(document=document, quote="Rutte said <b>so</b>.")
    html = reviewer.get(reverse("claim", args=[claim.pk])).content.decode()
    assert paragraphs_in(html, **{"class": "context"}) == [
        "Kyiv\nMonday",
        "Rutte said <b>so</b>.",
        "End.",
    ]
    assert "Kyiv<br>Monday" in html
    assert "&lt;b&gt;so&lt;/b&gt;" in html  # escaped


def test_the_queue_says_why_an_undated_claim_has_no_date(reviewer, seed):
    html = reviewer.get(reverse("review-queue")).content.decode()
    rows = re.findall(r'<li class="claim-row">.*?</li>', html, re.S)
    undated = [row for row in rows if "undated" in row]
    assert undated
    for row in undated:
        assert "undated — no date in the report" in row
    assert re.search(r"·\s*undated\s*·", html) is None  # never the bare word
    lavrov = Claim.objects.get(quote__contains="Lavrov later described")
    page = reviewer.get(reverse("claim", args=[lavrov.pk])).content.decode()
    assert "undated — no date in the report" in page


def test_a_claim_of_a_document_without_text_says_its_date_was_not_recorded(
    reviewer,
):
    claim = ClaimFactory(document=DocumentFactory(text=""), stated_on=None)
    html = reviewer.get(reverse("claim", args=[claim.pk])).content.decode()
    assert f"undated — {escape(NO_DATE_RECORDED)}" in html
    assert NO_DATE_IN_THE_REPORT not in html


@pytest.mark.parametrize(
    "stated_on, quote_start, reason",
    [
        (None, 120, "no date in the report"),
        (None, None, "no date recorded; the report's text is not stored"),
        ("2024-10-28", 120, ""),
        ("2024-10-28", None, ""),
    ],
)
def test_the_undated_reason(stated_on, quote_start, reason):
    assert undated_reason(stated_on, quote_start) == reason


@pytest.mark.parametrize(
    "text, spans",
    [
        ("One.", [(0, 4)]),
        ("One.\n\nTwo.", [(0, 4), (6, 10)]),
        ("One\nline.\n \n\n  Two.\n", [(0, 9), (15, 20)]),
        ("\n\nOne.\n\n\n", [(2, 6)]),
        ("", []),
    ],
)
def test_paragraph_spans(text, spans):
    assert paragraphs.paragraph_spans(text) == spans


def test_pieces_are_cut_where_paragraphs_end_and_keep_their_offsets():
    pieces = [("Intro. ", "a"), ("Quote ends.\n\nNext", "q"), (" starts.", "b")]
    found = paragraphs.split_pieces(pieces)
    assert [[(f.start, f.text, f.piece, f.last) for f in p] for p in found] == [
        [(0, "Intro. ", "a", True), (7, "Quote ends.", "q", False)],
        [(20, "Next", "q", True), (24, " starts.", "b", True)],
    ]
