"""The README's screenshots of the main reviewer pages, at 1,400 and 400 px.

Written to ``docs/screenshots/`` with ``UPDATE_SCREENSHOTS=1`` (see the
``screenshots`` fixture), as ``{page}-1400.png`` and ``{page}-400.png``: the top of
each page, at most ``TALLEST`` pixels of it, so that the files stay small.
"""

import struct

import pytest
from django.db.models import Count

from claims.models import Claim, Measure, Source, Topic

from .reviewer_pages import MAIN
from .test_reviewing import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

#: The height kept of a page, by viewport width.
TALLEST = {1400: 1500, 400: 1400}


def main_pages() -> dict[str, str]:
    """The README's pages: the seed's worked example where there is a choice."""
    claim = Claim.objects.get(quote__contains="approximately 3,000")
    measure = Measure.objects.get(name="North Korean personnel training in Russia")
    source = Source.objects.annotate(n=Count("claims")).order_by("-n", "pk").first()
    topic = Topic.objects.annotate(n=Count("claims")).order_by("-n", "pk").first()
    pages = {
        "home": "/",
        "queue": "/review/",
        "claim": f"/claims/{claim.pk}/",
        "document": f"/documents/{claim.document_id}/",
        "measure": f"/measures/{measure.pk}/",
        "source": f"/sources/{source.pk}/",
        "topic": f"/topics/{topic.pk}/",
    }
    assert tuple(pages) == MAIN
    return pages


def png_size(path) -> tuple[int, int]:
    with open(path, "rb") as file:
        header = file.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("width", [1400, 400])
def test_screenshots_of_the_main_pages(
    page, live_server, seed, reviewer_user, screenshots, width
):
    sign_in(page, live_server, reviewer_user)
    page.set_viewport_size({"width": width, "height": 900})
    for name, path in main_pages().items():
        page.goto(live_server.url + path)
        height = page.evaluate("document.documentElement.scrollHeight")
        shot = screenshots / f"{name}-{width}.png"
        page.screenshot(
            path=str(shot),
            full_page=True,
            clip={
                "x": 0,
                "y": 0,
                "width": width,
                "height": min(height, TALLEST[width]),
            },
        )
        shown = png_size(shot)
        assert shown[0] == width and shown[1] <= TALLEST[width], (name, shown)
        assert 10_000 < shot.stat().st_size < 400_000, (name, shot.stat().st_size)


def test_the_readme_shows_every_screenshot_and_each_one_exists():
    import re

    from .conftest import SCREENSHOTS

    readme = (SCREENSHOTS.parents[1] / "README.md").read_text()
    linked = set(re.findall(r"docs/screenshots/([\w-]+\.png)", readme))
    stored = {path.name for path in SCREENSHOTS.glob("*.png")}
    assert linked <= stored, linked - stored
    names = {f"{name}-{width}.png" for name in MAIN for width in (1400, 400)}
    assert names <= linked, names - linked
    assert "admin-claim-list-1400.png" in stored
