"""An independence group has one colour everywhere, derived from the group, with
a legend; the text drawn on the colours keeps WCAG AA contrast."""

import re

import pytest
from django.urls import reverse

from claims.models import Claim, Measure, Source
from claims.web.presentation import GROUP_COLOURS, group_colours

pytestmark = pytest.mark.django_db

SITE_CSS = "claims/web/static/claims/site.css"


def _colours_on(page: str) -> dict[str, str]:
    """Legend entries: group name -> colour."""
    return {
        name.strip(): colour.lower()
        for colour, name in re.findall(
            r'<span class="swatch" style="background: (#[0-9A-Fa-f]{6})"></span>'
            r"(?:<strong>)?([^<]+)",
            page,
        )
    }


def test_a_group_has_the_same_colour_on_the_document_and_measure_pages(client, seed):
    us = Claim.objects.get(quote__contains="approximately 3,000")
    measure = Measure.objects.get(name="North Korean personnel training in Russia")
    document = client.get(reverse("document", args=[us.document_id])).content.decode()
    chart = client.get(reverse("measure", args=[measure.pk])).content.decode()
    on_document, on_measure = _colours_on(document), _colours_on(chart)
    shared = set(on_document) & set(on_measure)
    assert "United States government" in shared
    assert all(on_document[name] == on_measure[name] for name in shared)


def test_the_colour_is_the_group_s_not_its_place_on_the_page(seed):
    roots = list(
        Source.objects.filter(parent__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    forwards = group_colours(roots)
    backwards = group_colours(reversed(roots))
    assert forwards == backwards
    assert group_colours(roots[3:4]) == {roots[3]: forwards[roots[3]]}
    # The seed's groups, fewer than the palette's colours, each have their own.
    assert len(set(forwards.values())) == len(roots) <= len(GROUP_COLOURS)


def test_a_new_group_leaves_the_others_colours_alone(seed):
    roots = list(
        Source.objects.filter(parent__isnull=True).values_list("pk", flat=True)
    )
    before = group_colours(roots)
    newcomer = Source.objects.create(name="A new outlet", kind="media")
    after = group_colours([*roots, newcomer.pk])
    assert {g: after[g] for g in roots} == before


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _mix(colour: str, share: float, base: str = "#ffffff") -> str:
    """``color-mix(in srgb, colour share, base)`` as the stylesheet draws marks."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(base[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(
        f"{round(x * share + y * (1 - share)):02x}" for x, y in zip(a, b, strict=True)
    )


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_text_on_every_group_colour_keeps_aa_contrast():
    css = open(SITE_CSS).read()
    text = re.search(r"--ink:\s*(#[0-9a-fA-F]{6})", css).group(1)
    shares = [int(p) / 100 for p in re.findall(r"var\(--mark\) (\d+)%", css)]
    assert shares, "the marks' tints are not where the test looks"
    for colour in GROUP_COLOURS:
        for share in shares:
            assert _contrast(text, _mix(colour, share)) >= 4.5, (colour, share)
