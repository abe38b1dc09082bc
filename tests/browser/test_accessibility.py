"""Accessibility in a real browser: axe-core finds nothing serious or critical on
any reviewer page or on the admin's claim pages; charts have a text alternative;
focus is visible; the review form works with the keyboard alone."""

import hashlib
import re
from pathlib import Path

import pytest

from claims.models import Claim, Review

from .reviewer_pages import (
    editor_and_reviewer,
    read_the_seed_report,
    reviewer_pages,
    sign_in,
)
from .test_admin_browser import admin_sign_in

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[1] / "data" / "vendor" / "axe-core"

#: axe's result, only what a failure message needs.
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
    count: v.nodes.length,
  }));
}"""


@pytest.fixture
def axe_page(browser):
    """A page whose context lets a test inject a script despite the site's
    Content-Security-Policy (the policy itself has its own tests)."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_vendored_axe_is_the_one_recorded():
    readme = (AXE / "README.md").read_text()
    recorded = re.search(r"sha256 of `axe.min.js` \| `([0-9a-f]{64})`", readme)
    digest = hashlib.sha256((AXE / "axe.min.js").read_bytes()).hexdigest()
    assert recorded and recorded.group(1) == digest
    version = re.search(r"\| Version \| ([0-9.]+) \|", readme).group(1)
    assert f"axe v{version}" in (AXE / "axe.min.js").read_text()[:100]


def serious(page) -> list[str]:
    """The serious and critical violations axe finds on the page, described."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE / "axe.min.js"))
    found = page.evaluate(RUN)
    return [
        f"{page.url}: {v['id']} ({v['impact']}, {v['count']}×) {v['help']}: "
        f"{v['targets']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1400, 400])
def test_no_reviewer_page_has_a_serious_violation(axe_page, live_server, seed, width):
    page = axe_page
    page.set_viewport_size({"width": width, "height": 900})
    found = []
    page.goto(f"{live_server.url}/accounts/login/")
    found += serious(page)
    sign_in(page, live_server, editor_and_reviewer())
    for _name, path in reviewer_pages():
        page.goto(live_server.url + path)
        found += serious(page)
    read_the_seed_report(page, live_server)
    found += serious(page)
    assert not found, "\n".join(found)


def test_the_admin_claim_pages_have_no_serious_violation(
    axe_page, live_server, seed, admin_user
):
    page = axe_page
    claim = Claim.objects.filter(figures__isnull=False).order_by("pk").first()
    admin_sign_in(page, live_server)
    found = []
    for path in ("/admin/claims/claim/", f"/admin/claims/claim/{claim.pk}/change/"):
        page.goto(live_server.url + path)
        found += serious(page)
    assert not found, "\n".join(found)


#: What the keyboard is on, and how its focus is drawn.
FOCUSED = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), name: e.name || "", value: e.value || "",
          text: (e.textContent || "").trim().slice(0, 40),
          outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def test_every_chart_is_described_by_the_table_of_its_figures(
    page, live_server, seed, story
):
    from claims.models import Measure

    checked = 0
    for measure in Measure.objects.all():
        page.goto(f"{live_server.url}/measures/{measure.pk}/")
        for chart in page.locator("svg.figure-chart, svg.evolution-chart").all():
            tables = [
                page.locator(f"#{ref}")
                for ref in chart.get_attribute("aria-describedby").split()
            ]
            described = [t for t in tables if t.evaluate("e => e.tagName") == "TABLE"]
            assert len(described) == 1, measure.name
            table = described[0]
            assert chart.get_attribute("aria-labelledby")
            if "figure-chart" in chart.get_attribute("class"):
                figures = chart.locator("g.figure-row").count()
                assert table.locator("tbody tr[data-figure]").count() == figures
            else:
                days = chart.locator("g.day-column").count()
                assert table.locator("tbody tr").count() == days
            checked += 1
    assert checked >= 8  # both charts of the seed's and the dam story's measures


def test_focus_is_visible(page, live_server, seed, reviewer_user):
    from .test_reviewing import sign_in as sign_in_reviewer

    sign_in_reviewer(page, live_server, reviewer_user)
    claim = Claim.objects.filter(figures__isnull=False).order_by("pk").first()
    for path in (
        "/",
        f"/claims/{claim.pk}/",
        f"/measures/{claim.figures.first().measure_id}/",
    ):
        page.goto(live_server.url + path)
        seen = []
        for _ in range(12):
            page.keyboard.press("Tab")
            now = focused(page)
            seen.append(now["tag"])
            assert now["outline"] == "solid" and now["width"] >= 2, (path, now)
        assert "a" in seen and ("button" in seen or "input" in seen), seen


def test_a_reviewer_reviews_a_claim_with_the_keyboard_alone(
    page, live_server, seed, reviewer_user
):
    from .test_reviewing import sign_in as sign_in_reviewer

    claim = Claim.objects.get(quote__contains="approximately 3,000")
    sign_in_reviewer(page, live_server, reviewer_user)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")

    def tab_to(name):
        for _ in range(200):
            page.keyboard.press("Tab")
            if focused(page)["name"] == name:
                return focused(page)
        raise AssertionError(f"Tab never reached {name}")

    # The first choice of a group takes the focus; an arrow key moves to the next
    # one and picks it.
    assert tab_to("attribution_status")["value"] == "unverified"
    page.keyboard.press("ArrowDown")
    assert focused(page)["value"] == "verified"
    assert tab_to("credibility")["value"] == "1"
    page.keyboard.press("ArrowDown")
    assert focused(page)["value"] == "2"
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "rationale"
    page.keyboard.type("Seoul's intelligence service says so too.")
    page.keyboard.press("Tab")
    assert focused(page) | {"outline": "", "width": 0} == {
        "tag": "button",
        "name": "",
        "value": "",
        "text": "Record review",
        "outline": "",
        "width": 0,
    }
    with page.expect_navigation():
        page.keyboard.press("Enter")
    review = Review.objects.get()
    assert (review.claim_id, review.reviewer) == (claim.pk, reviewer_user)
    assert (review.attribution_status, review.credibility) == ("verified", 2)
    assert review.rationale == "Seoul's intelligence service says so too."
    assert page.inner_text("#attribution-status") == "Verified"


def test_the_admin_autocomplete_boxes_stay_named_as_they_change(
    axe_page, live_server, seed, admin_user
):
    page = axe_page
    claim = Claim.objects.filter(topics__isnull=False).order_by("pk").first()
    admin_sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/claims/claim/{claim.pk}/change/")
    box = page.locator("#id_topics + .select2")
    search = box.locator(".select2-search__field")
    assert search.get_attribute("aria-label") == "Topics"
    assert box.locator(".select2-selection__choice").count() == claim.topics.count()
    # Remove all with the mouse's button, then choose one again by typing.
    box.locator(".select2-selection__clear").dispatch_event("mousedown")
    page.keyboard.press("Escape")
    assert box.locator(".select2-selection__choice").count() == 0
    search.click()
    search.type("North")
    page.locator(".select2-results__option--highlighted").wait_for()
    page.keyboard.press("Enter")
    assert box.locator(".select2-selection__choice").count() == 1
    assert search.get_attribute("aria-label") == "Topics"
    assert box.locator(".select2-selection__clear").get_attribute("aria-hidden")
    found = serious(page)
    assert not found, "\n".join(found)
