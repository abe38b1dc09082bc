"""``manage.py import_bundle FILE``: import a JSON bundle, all of it or none,
reading the file a chunk of rows at a time (``claims.exchange.bundle_stream``)."""

import time

from django.core.management.base import CommandError

from claims.exchange.bundle import BundleError
from claims.exchange.bundle_stream import NotJSON, import_bundle_file
from claims.exchange.progress import FileCommand


class Command(FileCommand):
    help = (
        "Import a JSON bundle of documents, sources, measures, claims, figures and "
        "links (see claims/exchange/bundle.py). Every row is validated; a bad row is reported "
        "with its kind, key, field and reason, and then nothing is written."
    )

    file_help = "The bundle, or - for standard input."

    def handle(self, *args, file: str, quiet: bool = False, **options):
        started = time.perf_counter()
        try:
            with self.progress(quiet) as bar:
                result = import_bundle_file(file, progress=bar)
        except (OSError, NotJSON) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
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
