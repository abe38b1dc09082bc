"""``manage.py memory_bench``: the peak memory of ``import_bundle`` (at each
``--sizes``) and of ``export_archive`` on this database, each in a child process."""

from django.core.management.base import BaseCommand, CommandError

from devtools import memory_bench


class Command(BaseCommand):
    help = (
        "Peak resident memory of import_bundle at each size of generated bundle "
        "(written to this database) and of export_archive, each run as a child."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes",
            default="10000,100000",
            help="Claims in each bundle imported, comma-separated (0: no import).",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-export", action="store_true")

    def handle(self, *args, sizes: str, seed: int, no_export: bool, **options):
        counts = [int(n) for n in sizes.split(",") if int(n) > 0]
        peaks = memory_bench.report(
            self.stdout, sizes=counts, seed=seed, export=not no_export
        )
        if any(p.returncode for p in peaks):
            raise CommandError("A measured command failed.")
