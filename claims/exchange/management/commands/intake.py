"""``manage.py intake FILE...``: read reports into proposals and import each one.

A ``.json`` file holds one report, ``{"title", "publisher", "url", "published_at",
"text"}``, or a list of them. Any other file is a plain-text report: optional header
lines first (``Title:``, ``Publisher:``, ``URL:``, ``Published:``), ended by a blank
line, then the text; what the header does not say comes from ``--title``,
``--publisher``, ``--url`` and ``--published-at``, and the title otherwise from the
text's first line.

Each report is read (``intake.selectors.propose_report``) and its proposals imported
as one bundle (``bundle.import_bundle``): all of that report or none of it. A report
that cannot be read or imported is reported with its errors and the others go on;
the command then exits non-zero. ``--dry-run`` prints the proposals as JSON and
stores nothing.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from claims.exchange.bundle import BUNDLE_ANNOTATION, BundleError, import_bundle
from claims.exchange.intake.proposals import Report
from claims.exchange.intake.selectors import ReportError, propose_report
from claims.exchange.progress import FileCommand
from claims.models import Document

#: The fields of a report in a JSON file.
REPORT_FIELDS = ("title", "publisher", "url", "published_at", "text")
#: Header lines of a plain-text report, by their lower-cased name.
HEADER = {
    "title": "title",
    "publisher": "publisher",
    "url": "url",
    "published": "published_at",
    "published at": "published_at",
}
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z ]*):[ \t]*(.*)$")
TITLE_LENGTH = Document._meta.get_field("title").max_length


@dataclass
class Entry:
    """One report of a file, or why it could not be read: ``name`` says which
    (``FILE`` or ``FILE#n`` for the n-th of a list, from 1)."""

    name: str
    report: Report | None = None
    errors: dict[str, str] = field(default_factory=dict)


def read_moment(value) -> datetime | None:
    """A publication time from ISO text (a date alone is its midnight), in the
    site's time zone when it names none; ``ValueError`` when unreadable."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("Give the publication time as ISO 8601 text.")
    text = value.strip()
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise ValueError(
                f"{text!r} is not a date or date-time (ISO 8601, e.g. "
                "2024-10-28T17:25:00+01:00)."
            )
        moment = datetime(day.year, day.month, day.day)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _report(name: str, values: dict) -> Entry:
    errors = {}
    try:
        published_at = read_moment(values.get("published_at"))
    except ValueError as error:
        errors["published_at"] = str(error)
        published_at = None
    for key in ("title", "publisher", "url", "text"):
        if not isinstance(values.get(key, ""), str):
            errors[key] = "Must be text."
    if errors:
        return Entry(name, errors=errors)
    return Entry(
        name,
        Report(
            text=values.get("text", ""),
            title=values.get("title", ""),
            publisher=values.get("publisher", ""),
            url=values.get("url", ""),
            published_at=published_at,
        ),
    )


def json_reports(name: str, content: str) -> list[Entry]:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as error:
        return [Entry(name, errors={"file": f"Not JSON: {error}"})]
    many = isinstance(data, list)
    entries = []
    for number, item in enumerate(data if many else [data], start=1):
        label = f"{name}#{number}" if many else name
        if not isinstance(item, dict):
            entries.append(
                Entry(label, errors={"report": "A report is a JSON object."})
            )
            continue
        unknown = sorted(set(item) - set(REPORT_FIELDS))
        if unknown:
            entries.append(
                Entry(
                    label,
                    errors={
                        "report": f"Unknown field(s) {', '.join(unknown)}; a report "
                        f"has {', '.join(REPORT_FIELDS)}."
                    },
                )
            )
            continue
        entries.append(_report(label, item))
    return entries


def text_report(name: str, content: str, defaults: dict) -> Entry:
    """A plain-text report: the header lines (up to the first blank line), if the
    file starts with them, then the text."""
    values = dict(defaults)
    lines = content.split("\n")
    header: dict[str, str] = {}
    for index, line in enumerate(lines):
        if not line.strip():
            if header:
                content = "\n".join(lines[index + 1 :])
            break
        match = _HEADER_LINE.match(line.strip())
        if not match or match[1].strip().lower() not in HEADER:
            header = {}
            break
        header[HEADER[match[1].strip().lower()]] = match[2].strip()
    values.update(header)
    values["text"] = content
    if not values.get("title"):
        first = next(
            (line.strip() for line in content.splitlines() if line.strip()), ""
        )
        values["title"] = first[:TITLE_LENGTH]
    return _report(name, values)


def reports_of(path: str, defaults: dict) -> list[Entry]:
    try:
        content = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [Entry(path, errors={"file": f"Cannot read it: {error}"})]
    if path.lower().endswith(".json"):
        return json_reports(path, content)
    return [text_report(path, content, defaults)]


class Command(FileCommand):
    help = (
        "Read plain-text (.txt) or JSON (.json) reports into proposed claims, "
        "sources, figures and links, and import each report as one bundle (all of "
        "it or none). A report that fails is reported and the others go on; the "
        "command exits non-zero if any failed. --dry-run prints the proposals."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files",
            nargs="+",
            metavar="FILE",
            help="A .json file (a report or a list of them) or a plain-text report.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the proposals (JSON, on standard output); store nothing.",
        )
        parser.add_argument("--title", default="", help="Plain text: the title.")
        parser.add_argument("--publisher", default="", help="Plain text: the outlet.")
        parser.add_argument(
            "--url",
            default="",
            help="Plain text: the report's URL (for one file; else a URL: header).",
        )
        parser.add_argument(
            "--published-at",
            default="",
            help="Plain text: when it was published (ISO 8601 date or date-time).",
        )
        parser.add_argument(
            "--user", default="", help="The username the history records."
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, files, dry_run=False, quiet=False, user="", **options):
        recorded_by = None
        if user:
            recorded_by = get_user_model().objects.filter(username=user).first()
            if recorded_by is None:
                raise CommandError(f"No user {user!r}.")
        defaults = {
            "title": options.get("title", ""),
            "publisher": options.get("publisher", ""),
            "url": options.get("url", ""),
            "published_at": options.get("published_at", ""),
        }
        started = time.perf_counter()
        entries = [entry for path in files for entry in reports_of(path, defaults)]
        failed: list[Entry] = []
        created: Counter[str] = Counter()
        proposals = []
        with self.progress(quiet) as bar:
            for done, entry in enumerate(entries, start=1):
                if not entry.errors:
                    self._intake(entry, dry_run, recorded_by, created, proposals)
                if entry.errors:
                    failed.append(entry)
                if bar is not None:
                    bar("reports", done, len(entries))
        for entry in failed:
            for name, reason in entry.errors.items():
                self.stderr.write(f"{entry.name}: {name}: {reason}")
        if dry_run:
            self.stdout.write(json.dumps(proposals, indent=2, ensure_ascii=False))
        good = len(entries) - len(failed)
        what = ", ".join(f"{n:,} {kind}" for kind, n in created.items() if n)
        summary = (
            f"Read {good:,} of {len(entries):,} report(s); stored nothing (dry run)"
            if dry_run
            else f"Imported {good:,} of {len(entries):,} report(s): created "
            f"{what or 'nothing'}"
        )
        elapsed = time.perf_counter() - started
        (self.stderr if dry_run else self.stdout).write(
            self.style.SUCCESS(f"{summary} in {elapsed:.1f} s.")
        )
        if failed:
            raise CommandError(
                f"{len(failed):,} report(s) failed"
                + (" and stored nothing" if not dry_run else "")
                + ": "
                + ", ".join(entry.name for entry in failed)
                + "."
            )

    def _intake(self, entry: Entry, dry_run, user, created: Counter, proposals: list):
        """Propose and (unless a dry run) import one report; its errors go on
        ``entry``."""
        try:
            bundle = propose_report(entry.report)
        except ReportError as error:
            entry.errors.update(error.errors)
            return
        if dry_run:
            proposals.append({"report": entry.name, "proposals": bundle})
            return
        try:
            result = import_bundle(bundle, user=user)
        except BundleError as error:
            for row in error.errors:
                where = f"{row.kind} {row.key}".strip()
                key = f"{where}: {row.field or '(row)'}"
                earlier = entry.errors.get(key)
                entry.errors[key] = (
                    f"{earlier}; {row.reason}" if earlier else row.reason
                )
            return
        created.update(result.created)
        reason = bundle.get(BUNDLE_ANNOTATION, {}).get("reason")
        if reason:
            self.stderr.write(f"{entry.name}: no claims proposed: {reason}")
