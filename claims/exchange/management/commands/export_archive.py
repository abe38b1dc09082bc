"""``manage.py export_archive FILE``: every row and all its history, in one file."""

import time
from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError

from claims.exchange.archive import ArchiveError, export_archive, summary
from claims.exchange.management.commands.import_bundle import ProgressBar


class Command(BaseCommand):
    help = (
        "Write every source, document, claim, measure, figure, link, review, topic, "
        "user and group, and the history of every change, to FILE (JSON Lines; "
        "gzip-compressed when FILE ends in .gz). Restore with import_archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, file: str, quiet: bool = False, **options):
        started = time.perf_counter()
        bar = None if quiet else ProgressBar(self.stderr)
        try:
            with bar or nullcontext():
                counts = export_archive(file, progress=bar)
        except (ArchiveError, OSError) as error:
            raise CommandError(f"Cannot write {file}: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {summary(counts)} to {file} "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )
