"""The words of the pages: no stray spaces inside brackets, numbers pluralised,
ids named, the spread explained, grades in words beside their numbers."""

import html
import re

import pytest
from django.urls import reverse

from claims.models import Claim, Document, Measure, Source, Topic

pytestmark = pytest.mark.django_db


def every_seed_page(client) -> dict[str, str]:
    urls = [reverse("home"), reverse("review-queue"), reverse("search") + "?q=troops"]
    urls += [
        reverse("claim", args=[pk]) for pk in Claim.objects.values_list("pk", flat=True)
    ]
    for model, name in (
        (Document, "document"),
        (Measure, "measure"),
        (Source, "source"),
        (Topic, "topic"),
    ):
        urls += [
            reverse(name, args=[pk])
            for pk in model.objects.values_list("pk", flat=True)
        ]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def visible_text(page: str) -> str:
    """The page's words as a reader sees them: tags dropped, runs of white space one
    space (as a browser draws them), entities read."""
    page = re.sub(r"<(script|style|title)[^>]*>.*?</\1>", " ", page, flags=re.S)
    text = re.sub(r"<[^>]+>", "", page)
    return re.sub(r"\s+", " ", html.unescape(text))


def test_no_stray_spaces_inside_brackets(client, seed, story):
    for url, page in every_seed_page(client).items():
        text = visible_text(page)
        stray = re.findall(r".{0,30}(?:[(\[] | [)\]]).{0,10}", text)
        assert not stray, (url, stray[:3])


def test_counts_are_pluralised(client, seed, story):
    for url, page in every_seed_page(client).items():
        wrong = re.findall(
            r"\b1 (?:sources|claims|figures|groups|origins|conflicts)\b",
            visible_text(page),
        )
        assert not wrong, (url, wrong)


def test_ids_are_named_figure_or_claim(client, seed, story):
    for url, page in every_seed_page(client).items():
        svg_text = " ".join(re.findall(r"<text[^>]*>(.*?)</text>", page, flags=re.S))
        text = visible_text(page) + " " + visible_text(svg_text)
        bare = re.findall(r".{0,20}(?<!Claim )#\d+.{0,5}", text)
        assert not bare, (url, bare[:3])


def test_the_chart_names_each_row_s_figure_and_claim(client, story):
    measure = Measure.objects.get()
    page = client.get(reverse("measure", args=[measure.pk])).content.decode()
    for figure in measure.figures.all():
        assert f"figure {figure.pk}, claim {figure.claim_id}" in page


def test_the_spread_is_explained_where_it_is_shown(client, seed, story):
    for url, page in every_seed_page(client).items():
        if "×" in visible_text(page):
            assert 'id="spread-help"' in page, url


def test_a_grade_says_its_words_beside_its_number(client, seed):
    text = visible_text(client.get(reverse("review-queue")).content.decode())
    assert re.search(r"\b6 truth cannot be judged\b", text)


def test_a_refused_delete_pluralises_its_dependents(editor, seed):
    analysts = Source.objects.get(name="Analysts")  # one claim
    answer = editor.delete(f"/api/sources/{analysts.pk}/")
    assert answer.status_code == 409
    assert ": 1 claim depends on it." in answer.json()["detail"]
