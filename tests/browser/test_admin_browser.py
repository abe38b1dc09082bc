"""The admin in a real browser: the claim list fits 1,400 px; a figure's derived
fields open only when its bounds are overridden."""

import pytest

from claims.models import Claim

from ..factories import ClaimFactory, DocumentFactory, FigureFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONG = (
    "North Korean soldiers have been deployed to the Kursk region of Russia, an "
    "area where Ukrainian forces recently made incursions, according to statements "
    "made after a meeting at NATO headquarters with South Korean officials."
)


def admin_sign_in(page, live_server, width=1400):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_the_claim_list_fits_1400_pixels(page, live_server, admin_user, screenshots):
    document = DocumentFactory(
        title="A report with a rather long title about troops and dams " * 2,
        text=LONG,
    )
    for _ in range(5):
        ClaimFactory(document=document, statement=LONG, quote=LONG[:60], stated_on=None)
    admin_sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/claims/claim/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1400, f"the claim list is {width} px wide"
    for column in ("attributed_as", "date", "status", "grade"):
        box = page.locator(f"#result_list td.field-{column}").first.bounding_box()
        assert box and box["x"] + box["width"] <= 1400, column
    statement = page.locator("#result_list .field-short_statement .statement").first
    assert statement.get_attribute("title") == LONG
    # One or two lines of it, not eight.
    line = float(statement.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert statement.bounding_box()["height"] <= 2.5 * line
    page.screenshot(path=str(screenshots / "admin-claim-list-1400.png"))


def test_derived_bounds_open_only_when_overridden(page, live_server, admin_user):
    figure = FigureFactory()
    claim = Claim.objects.get(pk=figure.claim_id)
    admin_sign_in(page, live_server, width=1600)
    page.goto(f"{live_server.url}/admin/claims/claim/{claim.pk}/change/")
    low = page.locator("#id_figures-0-low")
    assert low.get_attribute("readonly") is not None
    page.check("#id_figures-0-bounds_overridden")
    assert low.get_attribute("readonly") is None
    page.uncheck("#id_figures-0-bounds_overridden")
    assert low.get_attribute("readonly") is not None
    interval = page.locator("td.field-interval").first.inner_text()
    assert interval.strip() == "2,700 to 3,300"
