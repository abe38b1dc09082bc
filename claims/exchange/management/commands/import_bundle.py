"""``manage.py import_bundle FILE``: import a JSON bundle, all of it or none."""

import json
import sys
import time

from django.core.management.base import CommandError

from claims.exchange.bundle import BundleError, import_bundle
from claims.exchange.progress import FileCommand


class Command(FileCommand):
    help = (
        "Import a JSON bundle of documents, sources, measures, claims, figures and "
        "links (see claims/exchange/bundle.py). Every row is validated; a bad row is reported "
        "with its kind, key, field and reason, and then nothing is written."
    )

    file_help = "The bundle, or - for standard input."

    def handle(self, *args, file: str, quiet: bool = False, **options):
        try:
            handle = sys.stdin if file == "-" else open(file, encoding="utf-8")
            with handle:
                bundle = json.load(handle)
        except (OSError, json.JSONDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        started = time.perf_counter()
        try:
            with self.progress(quiet) as bar:
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
