"""Select to claim in a real browser: an editor selects a passage of the seed
article, follows "Claim this passage" and records the claim."""

import pytest

from claims.models import Claim, Document, Source

from ..factories import ClaimFactory, DocumentFactory
from .test_reviewing import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

#: Selects the text from the first occurrence of ``from`` to the end of the first
#: occurrence of ``to`` after it, across the marks and claim numbers between them.
SELECT = """([from, to]) => {
  const root = document.getElementById("document-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node, start = null, end = null;
  while ((node = walker.nextNode())) {
    if (start === null && node.data.includes(from)) {
      start = [node, node.data.indexOf(from)];
    }
    if (start !== null && end === null && node.data.includes(to)) {
      end = [node, node.data.indexOf(to) + to.length];
    }
  }
  const range = document.createRange();
  range.setStart(start[0], start[1]);
  range.setEnd(end[0], end[1]);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""

#: The page position of the first and last character of a passage.
CORNERS = """(passage) => {
  const root = document.getElementById("document-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.data.indexOf(passage);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + 1);
    const first = range.getBoundingClientRect();
    range.setStart(node, at + passage.length - 1);
    range.setEnd(node, at + passage.length);
    const last = range.getBoundingClientRect();
    return [first.left + 1, first.top + first.height / 2,
            last.right - 1, last.top + last.height / 2];
  }
  return null;
}"""


def test_an_editor_claims_a_selected_passage_with_the_proposed_source(
    page, live_server, seed, editor_user, screenshots
):
    document = Document.objects.get()
    passage = "North Korea has already supplied Russia with millions of rounds"
    start = document.text.index(passage)
    sign_in(page, live_server, editor_user)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    link = page.locator("#claim-selection")
    assert link.is_hidden()

    page.evaluate(SELECT, [passage, passage])
    link.wait_for(state="visible")
    assert link.get_attribute("data-start") == str(start)
    assert link.get_attribute("data-end") == str(start + len(passage))
    page.screenshot(path=str(screenshots / "select-to-claim.png"))
    link.click()
    page.wait_for_url(f"**/documents/{document.pk}/claims/new/?start={start}&end=*")
    assert page.input_value("textarea[name=quote]") == passage
    rutte = Source.objects.get(name="Mark Rutte")
    assert page.input_value("select[name=source]") == str(rutte.pk)
    assert page.input_value("select[name=attribution_kind]") == "paraphrase"
    page.fill("textarea[name=statement]", "North Korea supplied Russia with shells.")
    page.click("button:has-text('Record claim')")
    page.wait_for_url(f"{live_server.url}/claims/*/")
    claim = Claim.objects.get(quote=passage)
    assert page.url == f"{live_server.url}/claims/{claim.pk}/"
    assert (claim.quote_start, claim.quote_end) == (start, start + len(passage))
    assert claim.source == rutte
    assert claim.history.get().history_user == editor_user


def test_a_selection_across_marks_and_claim_numbers_has_the_text_s_offsets(
    page, live_server, seed, editor_user
):
    document = Document.objects.get()
    first, last = "the Kursk region of Russia", "This marks a significant"
    start = document.text.index(first)
    end = document.text.index(last) + len(last)
    sign_in(page, live_server, editor_user)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    page.evaluate(SELECT, [first, last])
    link = page.locator("#claim-selection")
    link.wait_for(state="visible")
    assert (link.get_attribute("data-start"), link.get_attribute("data-end")) == (
        str(start),
        str(end),
    )
    assert page.locator("#document-text sup.ref").count() > 0
    link.click()
    quote = page.input_value("textarea[name=quote]")
    assert quote == document.text[start:end]
    assert quote.startswith("the Kursk region of Russia, an area where")


def test_a_passage_selected_with_the_mouse_is_offered(
    page, live_server, seed, editor_user
):
    document = Document.objects.get()
    passage = "This marks a significant escalation"
    start = document.text.index(passage)
    sign_in(page, live_server, editor_user)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    x0, y0, x1, y1 = page.evaluate(CORNERS, passage)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    link = page.locator("#claim-selection")
    link.wait_for(state="visible")
    assert link.get_attribute("data-start") == str(start)
    assert link.get_attribute("data-end") == str(start + len(passage))
    page.keyboard.press("Escape")
    assert link.is_hidden()


def test_readers_get_no_claim_link(page, live_server, seed):
    document = Document.objects.get()
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    page.evaluate(SELECT, ["This marks", "This marks"])
    assert page.locator("#claim-selection").count() == 0


def test_a_selection_after_windows_line_breaks_claims_the_right_words(
    page, live_server, editor_user
):
    document = DocumentFactory(
        text="Kyiv said so.\r\nSeoul said the same.\r\n\r\nMoscow denied it."
    )
    ClaimFactory(document=document, quote="Seoul said the same.", stated_on=None)
    sign_in(page, live_server, editor_user)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    page.evaluate(SELECT, ["Moscow denied", "Moscow denied"])
    link = page.locator("#claim-selection")
    link.wait_for(state="visible")
    link.click()
    assert page.input_value("textarea[name=quote]") == "Moscow denied"
    assert page.input_value("input[name=quote_start]") == str(
        document.text.index("Moscow")
    )
