"""What the reviewer pages draw, from what the domain's selectors read: the colours
of independence groups, the measure page's chart and evolution chart, the document
page's marked text, the claim page's quote in context."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from claims import selectors, timeline
from claims.web import charts, marking

#: Colours for independence groups, distinguishable by most colour-blind readers
#: (Okabe and Ito's palette, then Tableau's), cycled when there are more groups.
GROUP_COLOURS = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#8C6D31",
    "#7F7F7F",
    "#BCBD22",
    "#17BECF",
]


def group_colours(
    groups: Iterable[int], ranks: dict[int, int] | None = None
) -> dict[int, str]:
    """A colour for each group, the same on every page: the group's rank among
    all groups (the top-level sources, by id; ``selectors.group_ranks``), not its
    place on the page. It changes only if a group with a lower id is deleted or
    put under another source; groups beyond the palette's length share colours."""
    groups = list(dict.fromkeys(groups))
    if ranks is None:
        ranks = selectors.group_ranks() if groups else {}
    return {
        group: GROUP_COLOURS[ranks.get(group, group) % len(GROUP_COLOURS)]
        for group in groups
    }


def document_page(document) -> dict:
    """The document's text cut into marked segments, coloured by independence group
    (``selectors.document_page``): a claim is listed under each group it speaks
    for, and its mark takes the colour of the first."""
    found = selectors.document_page(document)
    claims, groups_of_claim = found["claims"], found["groups"]
    colours = group_colours(g for c in claims for g in groups_of_claim[c.pk])
    spans = [
        marking.Span(c.pk, c.quote_start, c.quote_end)
        for c in claims
        if c.quote_start is not None
    ]
    by_id = {c.pk: c for c in claims}
    pieces = [
        {
            "text": piece.text,
            "claims": [by_id[key] for key in piece.covering],
            "colour": colours[groups_of_claim[piece.covering[0]][0]]
            if piece.covering
            else "",
            "ending": [by_id[key] for key in piece.ending],
        }
        for piece in marking.segments(document.text, spans)
    ]
    legend: dict[int, dict] = {}
    for claim in claims:
        for group in groups_of_claim[claim.pk]:
            entry = legend.setdefault(
                group,
                {
                    "group": found["group_refs"][group],
                    "colour": colours[group],
                    "sources": {},
                },
            )
            entry["sources"][claim.source_id] = claim.source
    return {
        "pieces": pieces,
        "claims": claims,
        "legend": [
            {**entry, "sources": list(entry["sources"].values())}
            for entry in legend.values()
        ],
        "unplaced": [c for c in claims if c.quote_start is None],
    }


def claim_page(claim) -> dict:
    """Everything the claim page shows (``selectors.claim_page``) and the quote in
    its surrounding text."""
    text = claim.document.text
    if text and claim.quote_start is not None:
        before, quote, after = marking.excerpt(text, claim.quote_start, claim.quote_end)
    else:
        before, quote, after = "", claim.quote, ""
    return {
        **selectors.claim_page(claim),
        "context": {"before": before, "quote": quote, "after": after},
    }


#: What a JSON text inside a <script> element may not hold as it is: "</script>"
#: or "<!--" would end or change the element; escaped, JSON reads the same.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(document: dict | None) -> SafeString | None:
    """A JSON-LD document as the text of a ``<script type="application/ld+json">``
    (a data block: not run, so the Content-Security-Policy lets it be), with the
    characters that could end the element escaped; None for no document."""
    if document is None:
        return None
    text = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_SCRIPT_ESCAPES))  # noqa: S308 - escaped above


ROW_HEIGHT = 40
CHART_TOP = 8
AXIS_HEIGHT = 34
#: How many best-supported stretches the measure page lists (all are drawn), and
#: how many groups it names for each role of a stretch (all are counted).
MAX_STRETCHES_LISTED = 20
MAX_GROUPS_NAMED = 12


def _date_key(figure: dict) -> datetime.date:
    return figure["date"] or datetime.date.min


def measure_chart(result: dict) -> dict:
    """Rows, axis and shading for the measure page's SVG, from a comparison.

    A current figure is drawn as it stands at T (``at_interval``: on a running
    total, an earlier figure is open above); a superseded one as it was given,
    faded, naming the figure that superseded it. Bounds are drawn hollow, their
    open ends reaching the edge of the plot.
    """
    figures = result["figures"]
    by_id = {f["id"]: f for f in figures}
    group_refs = {g["id"]: g for f in figures for g in f["groups"]}
    conflicts: dict[int, list[int]] = {}
    for conflict in result["conflicts"]:
        a, b = conflict["figure_ids"]
        conflicts.setdefault(a, []).append(b)
        conflicts.setdefault(b, []).append(a)
    axis = charts.axis_for(_chart_values(figures))
    colours = group_colours(f["group"]["id"] for f in figures)
    order = {group: index for index, group in enumerate(colours)}
    ordered = sorted(
        figures, key=lambda f: (order[f["group"]["id"]], _date_key(f), f["id"])
    )
    rows = []
    for index, figure in enumerate(ordered):
        top = CHART_TOP + index * ROW_HEIGHT
        shown = figure["at_interval"] or {"low": figure["low"], "high": figure["high"]}
        low, high = shown["low"], shown["high"]
        row = {
            "figure": figure,
            "role": figure["role"],
            "superseded_by": by_id.get(figure["superseded_by"]),
            "projected": figure["at_interval"] is not None
            and figure["high"] is not None
            and high is None,
            "low": low,
            "high": high,
            "colour": colours[figure["group"]["id"]],
            "label_y": top + 13,
            "bar_y": top + 27,
            "conflicts_with": sorted(conflicts.get(figure["id"], [])),
            "exact": low is not None and low == high,
            "hollow": figure["role"] == timeline.BOUND
            or (
                figure["role"] == timeline.SUPERSEDED
                and figure["qualifier"] not in timeline.ESTIMATE_QUALIFIERS
            ),
            "open_low": low is None,
            "open_high": high is None,
        }
        if axis is not None:
            row["x1"] = 0.0 if low is None else axis.at(low)
            row["x2"] = 100.0 if high is None else axis.at(high)
            row["width"] = round(max(row["x2"] - row["x1"], 0.4), 3)
        rows.append(row)
    stretches = [
        {
            **stretch,
            **_named("supporting", stretch["supporting_groups"], group_refs),
            **_named("consistent", stretch["consistent_groups"], group_refs),
            **_named("other", stretch["other_groups"], group_refs),
        }
        for stretch in result["best_supported"]
    ]
    shading: list[dict] = []
    if axis is not None:
        spans = []
        for stretch in stretches:
            x1 = 0.0 if stretch["low"] is None else axis.at(stretch["low"])
            x2 = 100.0 if stretch["high"] is None else axis.at(stretch["high"])
            spans.append((x1, max(x2, x1 + 0.4), stretch))
        for x1, x2, stretch in sorted(spans, key=lambda span: span[:2]):
            if shading and x1 <= shading[-1]["x2"]:
                # Tied stretches that touch on the chart share one band.
                shading[-1]["x2"] = max(shading[-1]["x2"], x2)
                shading[-1]["count"] += 1
            else:
                shading.append({"x": x1, "x2": x2, "stretch": stretch, "count": 1})
        for shade in shading:
            shade["width"] = round(shade["x2"] - shade["x"], 3)
    plot_height = CHART_TOP + len(rows) * ROW_HEIGHT
    return {
        "rows": rows,
        "axis": axis,
        "shading": shading,
        "stretches": stretches[:MAX_STRETCHES_LISTED],
        "stretches_unlisted": max(len(stretches) - MAX_STRETCHES_LISTED, 0),
        "conflicts": [
            (by_id[c["figure_ids"][0]], by_id[c["figure_ids"][1]], c["same_group"])
            for c in result["conflicts"]
        ],
        "plot_height": plot_height,
        "height": plot_height + AXIS_HEIGHT,
        "legend": [
            {"group": _ref(g, group_refs), "colour": c} for g, c in colours.items()
        ],
        "roles": {row["role"] for row in rows},
    }


def _chart_values(figures: list[dict]) -> list:
    """The values the chart's axis covers: every figure's ends, and room beyond
    them for an open end to point into (a bound at the axis's end would show as
    a stub)."""
    values = [v for f in figures for v in (f["low"], f["high"])]
    finite = [v for v in values if v is not None]
    if not finite:
        return values
    low, high = min(finite), max(finite)
    room = (high - low) * 0.15 or abs(high) * 0.15 or 1
    shown = [f["at_interval"] or f for f in figures]
    if any(s["high"] is None for s in shown):
        values.append(high + room)
    if any(s["low"] is None for s in shown):
        values.append(low - room)
    return values


def _ref(group: int, refs: dict[int, dict]) -> dict:
    return refs.get(group) or {"id": group, "name": f"group #{group}"}


def _named(role: str, groups: list[int], refs: dict[int, dict]) -> dict:
    """The first ``MAX_GROUPS_NAMED`` of ``groups`` as refs under ``role``, and
    how many more there are under ``role_more``: a page names a few voices, the
    API all of them."""
    named = [_ref(g, refs) for g in groups[:MAX_GROUPS_NAMED]]
    return {role: named, f"{role}_more": max(len(groups) - MAX_GROUPS_NAMED, 0)}


def evolution_chart(evolution: dict, known_at: datetime.datetime | None) -> dict:
    """The geometry of the measure page's evolution chart (``charts.evolution``),
    the day of ``known_at`` (in the site's time zone) picked out."""
    chosen = None
    if known_at is not None:
        chosen = timezone.localtime(known_at).date()
    return charts.evolution(evolution["steps"], chosen=chosen)
