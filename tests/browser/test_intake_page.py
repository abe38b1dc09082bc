"""An editor takes a report in through the intake page, in a real browser."""

import pytest

from claims.models import Document

from .reviewer_pages import SEED_TEXT
from .test_reviewing import sign_in, watch_csp

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_editor_reads_edits_and_accepts_a_report(
    page, live_server, seed, editor_user, screenshots
):
    violations = watch_csp(page)
    sign_in(page, live_server, editor_user)
    page.click("header nav a:has-text('Intake')")
    page.wait_for_url(f"{live_server.url}/intake/")
    page.fill("#id_title", "North Korean troops in Kursk")
    page.fill("#id_publisher", "ICARO Media Group")
    page.fill("#id_url", "https://example.org/kursk")
    page.fill("#id_published_at", "2024-10-28T16:25")
    page.fill("#id_text", SEED_TEXT)
    page.click("button:has-text('Read the proposals')")
    page.wait_for_selector("#proposals")

    marks = page.locator("#intake-text a.mark")
    assert marks.count() >= 15
    rows = page.locator("#proposals fieldset.proposal")
    assert rows.count() >= 15
    # A matched source hides the new source's fields; a new one shows them.
    assert page.locator("#c1 .new-source").is_hidden()
    page.select_option("#id_c1-source", "new")
    assert page.locator("#c1 .new-source").is_visible()
    page.select_option("#id_c1-source", index=0)

    # A mark leads to its proposal, which is highlighted.
    first = marks.first
    key = first.get_attribute("data-rows").split(" ")[0]
    first.click()
    assert "current" in page.get_attribute(f"#{key}", "class")
    # An unchecked proposal's marks fade.
    page.uncheck(f"#id_{key}-include")
    assert "excluded" in first.get_attribute("class")
    page.check(f"#id_{key}-include")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots / "intake.png"), full_page=False)

    page.fill("#id_c2-statement", "")
    page.click("button:has-text('Accept the checked proposals')")
    assert "Nothing was stored." in page.inner_text("#intake-errors")
    assert "A claim needs a statement." in page.inner_text("#c2")
    assert not Document.objects.filter(url="https://example.org/kursk").exists()

    page.fill("#id_c2-statement", "North Korean troops are in Kursk.")
    page.click("button:has-text('Accept the checked proposals')")
    document = Document.objects.get(url="https://example.org/kursk")
    page.wait_for_url(f"{live_server.url}/documents/{document.pk}/")
    assert "Imported: " in page.inner_text(".messages")
    assert page.locator("#document-text a.mark").count() >= 15
    assert document.claims.filter(
        statement="North Korean troops are in Kursk."
    ).exists()
    assert violations == []
