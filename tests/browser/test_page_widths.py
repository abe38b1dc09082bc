"""No reviewer page scrolls sideways, at 400 px (a phone) or at 1,400 px."""

import pytest
from django.urls import get_resolver

from claims.models import Measure
from claims.web import urls as web_urls

from .reviewer_pages import (
    VISITED,
    editor_and_reviewer,
    read_the_seed_report,
    reviewer_pages,
    sign_in,
)

pytestmark = pytest.mark.django_db(transaction=True)

#: The elements wider than the viewport, outermost first, to name in a failure.
WIDE = """(width) => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > width + 0.5)
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
       + (e.className && e.className.baseVal === undefined && e.className
          ? "." + String(e.className).trim().split(/\\s+/).join(".") : "")
       + " right=" + Math.round(e.getBoundingClientRect().right))"""


#: The chart labels that stick out of their chart (and would be cut off).
CUT_OFF = """() => [...document.querySelectorAll("svg.figure-chart, svg.evolution-chart")]
  .flatMap(svg => {
    const box = svg.getBoundingClientRect();
    return [...svg.querySelectorAll("text")]
      .filter(t => t.getBoundingClientRect().width > 0)
      .filter(t => {
        const r = t.getBoundingClientRect();
        return r.left < box.left - 1 || r.right > box.right + 1;
      })
      .map(t => t.textContent.trim());
  })"""


def test_every_web_url_is_visited():
    names = {p.name for p in web_urls.urlpatterns}
    assert names == VISITED, names ^ VISITED
    assert get_resolver()  # the project's URLs load


def overflow(page, width: int) -> str | None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    cut_off = page.evaluate(CUT_OFF)
    if scroll <= width and not cut_off:
        return None
    return (
        f"{page.url}: {scroll} px wide; {page.evaluate(WIDE, width)}; "
        f"chart labels cut off: {cut_off}"
    )


@pytest.mark.parametrize("width", [400, 1400])
def test_no_reviewer_page_scrolls_sideways(page, live_server, seed, width):
    page.set_viewport_size({"width": width, "height": 900})
    too_wide = []
    page.goto(f"{live_server.url}/accounts/login/")
    too_wide.append(overflow(page, width))
    sign_in(page, live_server, editor_and_reviewer())
    pages = reviewer_pages()
    assert len(pages) > 40
    for _name, path in pages:
        page.goto(live_server.url + path)
        too_wide.append(overflow(page, width))
    read_the_seed_report(page, live_server)
    too_wide.append(overflow(page, width))
    # A bad review shows its errors; the page still fits.
    page.goto(live_server.url + pages[3][1])
    page.click("button:has-text('Record review')")
    too_wide.append(overflow(page, width))
    too_wide = [entry for entry in too_wide if entry]
    assert not too_wide, "\n".join(too_wide)


def test_the_dam_story_measure_pages_fit_400_pixels(page, live_server, story):
    page.set_viewport_size({"width": 400, "height": 900})
    too_wide = []
    for measure in Measure.objects.all():
        page.goto(f"{live_server.url}/measures/{measure.pk}/")
        too_wide.append(overflow(page, 400))
    too_wide = [entry for entry in too_wide if entry]
    assert not too_wide, "\n".join(too_wide)


def test_a_long_chart_label_is_cut_short_at_400_pixels_and_whole_elsewhere(
    page, live_server, seed
):
    measure = Measure.objects.get(figures__text__contains="with an additional")
    figure = measure.figures.get(text__contains="with an additional")
    page.set_viewport_size({"width": 400, "height": 900})
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    row = page.locator(f"g.figure-row[data-figure='{figure.pk}']")
    cut_short = row.locator(".row-label .cut-short")
    assert cut_short.first.is_visible()
    assert any(text.endswith("…") for text in cut_short.all_text_contents())
    assert row.locator(".row-label .in-full").first.is_hidden()
    # In full in the row's tooltip and in the table below the chart.
    assert figure.text in row.locator("title").first.text_content()
    table_row = page.locator(f"#figures-table tr[data-figure='{figure.pk}']")
    assert figure.text in table_row.inner_text()
    page.set_viewport_size({"width": 1400, "height": 900})
    assert row.locator(".row-label .cut-short").first.is_hidden()
    assert row.locator(".row-label .in-full").last.is_visible()
    assert figure.text in row.locator(".row-label .in-full").all_text_contents()


def test_a_long_document_title_on_a_source_page_is_one_line_whole_on_hover(
    page, live_server, seed
):
    from claims.models import Document, Source

    document = Document.objects.get()
    source = Source.objects.filter(claims__isnull=False).order_by("pk").first()
    page.set_viewport_size({"width": 400, "height": 900})
    page.goto(f"{live_server.url}/sources/{source.pk}/")
    link = page.locator(".claim-row a.cut-short").first
    assert link.inner_text() == document.title
    assert link.get_attribute("title") == document.title
    line = link.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert link.bounding_box()["height"] <= 1.5 * line
    # Cut short: it holds more than it shows.
    assert link.evaluate("e => e.scrollWidth > e.clientWidth")
