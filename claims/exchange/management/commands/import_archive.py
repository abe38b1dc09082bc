"""``manage.py import_archive FILE``: restore an archive into an empty database."""

import time

from django.core.management.base import CommandError

from claims.exchange.archive import ArchiveError, import_archive, summary
from claims.exchange.progress import FileCommand


class Command(FileCommand):
    help = (
        "Restore an archive written by export_archive into a database that holds no "
        "tracker data yet (a new database after 'migrate'). All of it is restored, "
        "with the same ids and history, or none of it."
    )

    def handle(self, *args, file: str, quiet: bool = False, **options):
        started = time.perf_counter()
        try:
            with self.progress(quiet) as bar:
                counts = import_archive(file, progress=bar)
        except ArchiveError as error:
            raise CommandError(f"Nothing restored: {error}") from error
        self.done(f"Restored {summary(counts)} from {file}", started)
