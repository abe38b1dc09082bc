"""Why a claim has no date, in words the pages show beside "undated". Pure.

Derived, not stored: a claim whose quote is placed in its document's text was read
from that text, and so its report gives no date for it ("later", "already" and "has
accused" are not dates); a claim whose document has no stored text cannot be
checked against it, and so its date was simply not recorded.
"""

from __future__ import annotations

import datetime

NO_DATE_IN_THE_REPORT = "no date in the report"
NO_DATE_RECORDED = "no date recorded; the report's text is not stored"


def undated_reason(stated_on: datetime.date | None, quote_start: int | None) -> str:
    """The reason a claim is undated, or "" for a dated claim."""
    if stated_on is not None:
        return ""
    return NO_DATE_IN_THE_REPORT if quote_start is not None else NO_DATE_RECORDED
