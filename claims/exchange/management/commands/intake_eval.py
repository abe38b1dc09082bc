"""``manage.py intake_eval DIR``: intake's reading scored on annotated reports."""

from django.core.management.base import BaseCommand, CommandError

from claims.exchange.intake.evaluation import (
    AnnotationError,
    evaluate,
    load_directory,
    read_report,
    table,
)


class Command(BaseCommand):
    help = (
        "Read every annotated report of DIR (NAME.txt with its gold in NAME.json, or "
        "a NAME.json pointing at a Django fixture) as intake would, with the report's "
        "sources and measures known, and print recall (gold attributed claims found), "
        "precision (proposed attributed claims matching a gold one) and figures found "
        "with the gold's interval, a row per report and their total, then each "
        "report's missed claims, wrong proposals and missed figures. With a "
        "threshold, a report below it makes the command fail."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The annotated-report directory.")
        parser.add_argument(
            "--report",
            action="append",
            default=[],
            help="Only the report of this NAME (may be given more than once).",
        )
        parser.add_argument(
            "--min-recall",
            type=float,
            default=0.0,
            help="Fail when a report's recall is below this fraction (0 to 1).",
        )
        parser.add_argument(
            "--min-precision",
            type=float,
            default=0.0,
            help="Fail when a report's precision is below this fraction (0 to 1).",
        )
        parser.add_argument(
            "--all-figures",
            action="store_true",
            help="Fail when a report's gold figure is not proposed with its interval.",
        )

    def handle(self, *args, directory, report, min_recall, min_precision, **options):
        try:
            reports = load_directory(directory)
        except AnnotationError as error:
            raise CommandError(str(error)) from error
        if report:
            unknown = sorted(set(report) - {r.name for r in reports})
            if unknown:
                raise CommandError(
                    f"No report named {', '.join(unknown)} in {directory}"
                )
            reports = [r for r in reports if r.name in report]
        rows = [(r.name, evaluate(read_report(r.gold), r.gold)) for r in reports]
        self.stdout.write(table(rows))
        failures = []
        for name, scores in rows:
            self.stdout.write(f"\n{name}: {scores.report()}")
            if scores.recall < min_recall:
                failures.append(f"{name}: recall {scores.recall:.2f} < {min_recall}")
            if scores.precision < min_precision:
                failures.append(
                    f"{name}: precision {scores.precision:.2f} < {min_precision}"
                )
            if options["all_figures"] and scores.figures_missed:
                failures.append(f"{name}: {len(scores.figures_missed)} figures missed")
        if failures:
            raise CommandError("Below the thresholds: " + "; ".join(failures))
