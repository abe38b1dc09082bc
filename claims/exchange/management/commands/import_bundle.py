"""``manage.py import_bundle FILE``: import a JSON bundle, all of it or none."""

import json
import sys
import time
from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from tqdm import tqdm

from claims.exchange.bundle import BundleError, import_bundle


class _Unterminated:
    """The command's standard error as tqdm writes to it: each piece as it comes.
    Django's ``OutputWrapper`` would end every write with a new line (and colour it
    as an error on a terminal), which breaks a bar redrawn in place."""

    def __init__(self, out: OutputWrapper):
        self._out = out

    def write(self, text: str) -> None:
        self._out.write(text, style_func=lambda plain: plain, ending="")

    def __getattr__(self, name: str):
        return getattr(self._out, name)


class ProgressBar:
    """The progress the import and export functions report, ``(kind, done,
    total)``, drawn by tqdm on the command's standard error: one bar a kind,
    redrawn in place and left complete. Used as a context manager, so that a bar an
    error interrupts is closed before the error is written."""

    #: The kind, a bar of 30, done/total as before, then tqdm's time taken and left.
    FORMAT = "{desc:<10} |{bar:30}| {n:>8,}/{total:,} [{elapsed}<{remaining}]"

    def __init__(self, stream: OutputWrapper):
        self.stream = _Unterminated(stream)
        self.kind: str | None = None
        self.bar: tqdm | None = None

    def __call__(self, kind: str, done: int, total: int) -> None:
        if kind != self.kind:
            self.close()
            self.kind = kind
            self.bar = tqdm(
                total=total, desc=kind, file=self.stream, bar_format=self.FORMAT
            )
        if self.bar is None:  # this kind's bar is complete
            return
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Command(BaseCommand):
    help = (
        "Import a JSON bundle of documents, sources, measures, claims, figures and "
        "links (see claims/exchange/bundle.py). Every row is validated; a bad row is reported "
        "with its kind, key, field and reason, and then nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The bundle, or - for standard input.")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, file: str, quiet: bool = False, **options):
        try:
            handle = sys.stdin if file == "-" else open(file, encoding="utf-8")
            with handle:
                bundle = json.load(handle)
        except (OSError, json.JSONDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        started = time.perf_counter()
        bar = None if quiet else ProgressBar(self.stderr)
        try:
            with bar or nullcontext():
                result = import_bundle(bundle, progress=bar)
        except BundleError as error:
            for row in error.errors:
                self.stderr.write(
                    f"{row.kind} {row.key}: {row.field or '(row)'}: {row.reason}"
                )
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        created = ", ".join(f"{n:,} {kind}" for kind, n in result.created.items() if n)
        matched = ", ".join(f"{n:,} {kind}" for kind, n in result.matched.items() if n)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported in {elapsed:.1f} s: created {created or 'nothing'}"
                + (f"; matched stored {matched}" if matched else "")
                + "."
            )
        )
