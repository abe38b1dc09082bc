"""A reviewer's day in a real browser, on the seed article's data."""

import pytest
from django.contrib.auth.models import User

from claims.models import Claim, Document, Measure, Review, Source

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "a-long-test-password")
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url(f"{live_server.url}/review/")


def test_a_reviewer_grades_a_claim_and_it_leaves_the_queue(
    page, live_server, seed, reviewer_user
):
    us = Claim.objects.get(quote__contains="approximately 3,000")
    sign_in(page, live_server, reviewer_user)
    queue = page.locator("#queue .claim-row a.statement")
    assert us.statement in queue.all_inner_texts()
    before = queue.count()

    page.click(f"#queue a.statement:has-text('{us.statement}')")
    page.wait_for_url(f"{live_server.url}/claims/{us.pk}/")
    assert page.inner_text("#credibility").startswith("6")
    page.check("input[name=attribution_status][value=verified]")
    page.check("input[name=credibility][value='1']")
    page.fill("textarea[name=rationale]", "Kyiv and Seoul both corroborate it.")
    page.click("button:has-text('Record review')")
    page.wait_for_url(f"{live_server.url}/claims/{us.pk}/")
    assert page.inner_text("#credibility").startswith("1")
    assert page.inner_text("#attribution-status") == "Verified"
    assert "Kyiv and Seoul both corroborate it." in page.inner_text(".reviews")

    page.goto(f"{live_server.url}/review/")
    assert (
        us.statement
        not in page.locator("#queue .claim-row a.statement").all_inner_texts()
    )
    assert page.locator("#queue .claim-row a.statement").count() == before - 1
    assert Review.objects.get().reviewer == reviewer_user


def test_a_bad_review_shows_its_error_beside_the_field(
    page, live_server, seed, reviewer_user
):
    claim = Claim.objects.order_by("pk").first()
    sign_in(page, live_server, reviewer_user)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    page.check("input[name=attribution_status][value=verified]")
    page.check("input[name=credibility][value='2']")
    page.click("button:has-text('Record review')")
    assert "A review needs its rationale." in page.inner_text(".review-form")
    assert not Review.objects.exists()


def test_the_worked_example_chart_shows_two_conflicting_figures(
    page, live_server, seed
):
    measure = Measure.objects.get(name="North Korean personnel training in Russia")
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    rows = page.locator("svg.figure-chart g.figure-row")
    assert rows.count() == 2
    assert page.locator("svg.figure-chart g.figure-row.conflict").count() == 2
    labels = rows.all_text_contents()
    assert any("approximately 3,000" in text for text in labels)
    assert any("around 1,500" in text for text in labels)
    # The two bars sit apart on the shared axis: the lower figure ends before the
    # higher one starts.
    boxes = [
        page.locator(f"g.figure-row[data-figure='{i}'] .bar").bounding_box()
        for i in rows.evaluate_all("rows => rows.map(r => r.dataset.figure)")
    ]
    boxes.sort(key=lambda box: box["x"])
    assert boxes[0]["x"] + boxes[0]["width"] < boxes[1]["x"]


def test_the_chart_is_readable_at_400_pixels(page, live_server, seed):
    measure = Measure.objects.get(name="North Korean personnel training in Russia")
    page.set_viewport_size({"width": 400, "height": 900})
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    chart = page.locator("svg.figure-chart").bounding_box()
    assert chart["width"] <= 400
    for label in page.locator("svg.figure-chart .row-label").all():
        box = label.bounding_box()
        assert box["x"] + box["width"] <= chart["x"] + chart["width"] + 1


def test_the_document_is_marked_and_the_claim_has_its_suggestion(
    page, live_server, seed
):
    us = Claim.objects.get(quote__contains="approximately 3,000")
    page.goto(f"{live_server.url}/documents/{us.document_id}/")
    assert page.locator("#document-text a.mark").count() >= 15
    page.goto(f"{live_server.url}/claims/{us.pk}/")
    assert "Confirmed" in page.inner_text("#suggested")


def test_script_in_user_text_never_runs(page, live_server, seed):
    claim = Claim.objects.order_by("pk").first()
    source = claim.source
    source.name = (
        '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'
    )
    source.save()
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog) or dialog.dismiss())
    for path in (
        f"/claims/{claim.pk}/",
        f"/sources/{source.pk}/",
        f"/documents/{claim.document_id}/",
        "/review/",
        "/search/?q=img",
    ):
        page.goto(live_server.url + path)
        assert page.evaluate("window.__pwned") is None, path
        assert "<script>" in page.content() or "&lt;script&gt;" in page.content()
    assert dialogs == []


MARKUP = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'


@pytest.fixture
def hostile(seed):
    """Markup in a quote and statement, a source's name and aliases, a document's
    title, and script URLs, written around validation (as a row from an old system
    might be), so that only the output's escaping stands between them and a browser."""
    claim = Claim.objects.order_by("pk").first()
    document = claim.document
    start = len(document.text) + 1
    Document.objects.filter(pk=document.pk).update(
        text=f"{document.text} {MARKUP}",
        title=MARKUP,
        url="javascript:window.__pwned=1",
        archive_url="data:text/html,<script>window.__pwned=1</script>",
    )
    Claim.objects.filter(pk=claim.pk).update(
        quote=MARKUP, statement=MARKUP, quote_start=start, quote_end=start + len(MARKUP)
    )
    Source.objects.filter(pk=claim.source_id).update(name=MARKUP, aliases=[MARKUP])
    User.objects.create_superuser("boss", password="a-long-test-password")
    return Claim.objects.get(pk=claim.pk)


def assert_nothing_ran(page, where: str) -> None:
    assert page.evaluate("window.__pwned") is None, where
    for link in page.locator("a[href]").all():
        href = (link.get_attribute("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:")), (where, href)


def test_markup_in_quotes_names_and_urls_never_runs_anywhere(
    page, live_server, hostile
):
    claim = hostile
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog) or dialog.dismiss())
    pages = [
        f"/claims/{claim.pk}/",
        f"/sources/{claim.source_id}/",
        f"/documents/{claim.document_id}/",
        "/review/",
        "/search/?q=img",
    ]
    for path in pages:
        page.goto(live_server.url + path)
        assert_nothing_ran(page, path)
    page.goto(f"{live_server.url}/documents/{claim.document_id}/")
    marked = page.locator("#document-text a.mark", has_text="onerror")
    assert marked.count() == 1, "the quote is still marked, as text"
    assert MARKUP in marked.first.inner_text()

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    for path in (
        f"/admin/claims/claim/{claim.pk}/change/",
        "/admin/claims/claim/",
        f"/admin/claims/source/{claim.source_id}/change/",
        "/admin/claims/source/",
        f"/admin/claims/document/{claim.document_id}/change/",
        "/admin/claims/document/",
        f"/admin/claims/claim/{claim.pk}/history/",
    ):
        page.goto(live_server.url + path)
        assert page.locator("#content").count() == 1, path
        assert_nothing_ran(page, path)

    # The API docs show a live answer holding the markup: as text.
    page.goto(f"{live_server.url}/api/docs/")
    operation = page.locator("#operations-sources-sources_list")
    operation.locator(".opblock-summary").click()
    operation.locator(".try-out__btn").click()
    operation.locator(".execute").click()
    body = operation.locator(".live-responses-table .response-col_description pre")
    body.first.wait_for(timeout=20_000)
    assert "onerror" in body.first.inner_text()
    assert_nothing_ran(page, "/api/docs/")
    assert dialogs == []


def watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return violations


def test_the_api_docs_render_under_the_content_security_policy(page, live_server, seed):
    violations = watch_csp(page)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-tag", timeout=20_000)
    assert page.locator(".opblock-tag").count() >= 8
    assert violations == []


def test_the_pages_and_admin_break_no_content_security_policy(page, live_server, seed):
    violations = watch_csp(page)
    claim = Claim.objects.order_by("pk").first()
    for path in (
        "/",
        "/review/",
        f"/claims/{claim.pk}/",
        f"/documents/{claim.document_id}/",
        "/measures/1/",
        "/admin/login/",
    ):
        page.goto(live_server.url + path)
    assert violations == []


def test_a_rising_running_total_shows_no_conflict_and_draws_its_evolution(
    page, live_server, story, screenshots
):
    # The dam story: the ministry says 12, 31 and 410 on successive days.
    url = f"{live_server.url}/measures/{story.measure.pk}/"
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(url)

    # The ministry's own successive figures supersede each other: no conflict.
    assert page.locator("#conflicts li").count() == 0
    assert "No two current figures conflict" in page.inner_text("#no-conflicts")
    superseded = page.locator("svg.figure-chart g.figure-row.superseded")
    assert superseded.count() == 3
    opacity = superseded.first.evaluate("g => getComputedStyle(g).opacity")
    assert float(opacity) < 0.6
    assert (
        f"superseded by figure {story.thursday.pk}" in superseded.first.text_content()
    )
    # "At least 120" is a bound reaching the right edge, not an estimate.
    bound = page.locator(f"g.figure-row[data-figure='{story.bound.pk}']")
    assert bound.get_attribute("data-role") == "bound"
    plot = page.locator("svg.figure-chart > svg").bounding_box()
    arrow = bound.locator(".arrow polyline").bounding_box()
    assert abs(arrow["x"] + arrow["width"] - (plot["x"] + plot["width"])) <= 2
    assert "estimates of 2 independent groups" in page.inner_text("#best-supported")

    # The evolution: one column per publication day, each drawn.
    evolution = page.locator("svg.evolution-chart")
    columns = evolution.locator("g.day-column")
    assert columns.count() == 4
    assert evolution.locator("rect.band").count() == 4
    widths = [c.bounding_box()["width"] for c in columns.all()]
    assert min(widths) > 100 and max(widths) - min(widths) < 1
    line = evolution.locator("line.estimate-range").last.bounding_box()
    assert line["height"] > 2
    page.screenshot(path=str(screenshots / "measure-evolution.png"), full_page=True)

    # Known at the end of Tuesday: what was known then.
    evolution.locator("a text.day").nth(1).click()
    page.wait_for_url(f"{url}?known_at=2024-06-04")
    assert page.input_value("input[name=known_at]") == "2024-06-04"
    assert page.locator("#conflicts li").count() == 1
    assert page.locator("g.day-column.chosen").get_attribute("data-date") == (
        "2024-06-04"
    )

    page.set_viewport_size({"width": 400, "height": 900})
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    chart = page.locator("svg.evolution-chart").bounding_box()
    assert chart["width"] <= 400
    for label in page.locator("svg.evolution-chart text.day").all():
        box = label.bounding_box()
        assert chart["x"] <= box["x"] and box["x"] + box["width"] <= chart["x"] + 400
    page.screenshot(
        path=str(screenshots / "measure-evolution-400px.png"), full_page=True
    )
