"""``manage.py generate_corpus --claims N --seed S``: a deterministic corpus."""

import time

from django.core.management.base import BaseCommand

from devtools import corpus


class Command(BaseCommand):
    help = (
        "Build a deterministic, realistic corpus: a source hierarchy, documents whose "
        "text holds every quote, claims, measures with 10 to 10,000 figures, repeats "
        "and based-on chains, corroborations, contradictions and reviews."
    )

    def add_arguments(self, parser):
        parser.add_argument("--claims", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, claims: int, seed: int, **options):
        if claims < 1:
            self.stderr.write("--claims must be at least 1.")
            raise SystemExit(2)
        started = time.perf_counter()
        summary = corpus.generate(claims=claims, seed=seed)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated in {elapsed:.1f} s: {summary.sources:,} sources, "
                f"{summary.documents:,} documents, {summary.claims:,} claims, "
                f"{summary.measures:,} measures, {summary.figures:,} figures, "
                f"{summary.links:,} links, {summary.reviews:,} reviews."
            )
        )
