from django.core.management.base import BaseCommand

from bench.municipality import consistency_problems, generate


class Command(BaseCommand):
    help = (
        "Generate a synthetic municipality (units, people, courses, three years of progress) "
        "for benchmarks and load tests. Deterministic for a seed. Full size: --people 60000 "
        "--units 1000 --courses 20 (about 10 million module-progress rows; use PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=600)
        parser.add_argument("--units", type=int, default=40)
        parser.add_argument("--courses", type=int, default=4)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--check", action="store_true", help="check consistency afterwards")

    def handle(self, *args, people, units, courses, seed, check, **options):
        counts = generate(people=people, units=units, courses=courses, seed=seed)
        self.stdout.write(", ".join(f"{k}: {v:,}" for k, v in counts.items()))
        if check:
            problems = consistency_problems()
            for problem in problems:
                self.stderr.write(problem)
            self.stdout.write("consistent" if not problems else "INCONSISTENT")
