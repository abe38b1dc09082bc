"""``manage.py export_archive FILE``: every row and all its history, in one file."""

import time

from django.core.management.base import CommandError

from claims.exchange.archive import ArchiveError, export_archive, summary
from claims.exchange.progress import FileCommand


class Command(FileCommand):
    help = (
        "Write every source, document, claim, measure, figure, link, review, topic, "
        "user and group, and the history of every change, to FILE (JSON Lines; "
        "gzip-compressed when FILE ends in .gz). Restore with import_archive."
    )

    def handle(self, *args, file: str, quiet: bool = False, **options):
        started = time.perf_counter()
        try:
            with self.progress(quiet) as bar:
                counts = export_archive(file, progress=bar)
        except (ArchiveError, OSError) as error:
            raise CommandError(f"Cannot write {file}: {error}") from error
        self.done(f"Wrote {summary(counts)} to {file}", started)
