"""``manage.py import_archive FILE``: restore an archive into an empty database."""

import time
from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError

from claims.exchange.archive import ArchiveError, import_archive, summary
from claims.exchange.management.commands.import_bundle import ProgressBar


class Command(BaseCommand):
    help = (
        "Restore an archive written by export_archive into a database that holds no "
        "tracker data yet (a new database after 'migrate'). All of it is restored, "
        "with the same ids and history, or none of it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, file: str, quiet: bool = False, **options):
        started = time.perf_counter()
        bar = None if quiet else ProgressBar(self.stderr)
        try:
            with bar or nullcontext():
                counts = import_archive(file, progress=bar)
        except ArchiveError as error:
            raise CommandError(f"Nothing restored: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {summary(counts)} from {file} "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )
