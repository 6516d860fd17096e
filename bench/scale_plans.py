"""The query plans behind docs/scale.md, on the full province (`generate_province`):
EXPLAIN (ANALYZE, BUFFERS) of each hot query, its execution time, and the sizes of the
biggest tables. PostgreSQL only.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/province DEBUG=1
    .venv/bin/python bench/scale_plans.py            # summary lines
    .venv/bin/python bench/scale_plans.py --full     # the whole plans
"""

import re
import sys

# isort: split
from scratch import scratch  # noqa: F401  (sets Django up)

# isort: split

from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from cme.audits.queries import pending_credits
from cme.certificates.models import Certificate
from cme.credits.models import CreditRecord
from cme.orgs.models import Organisation
from cme.stats.models import CreditTally

YEAR = timezone.localdate().year
FULL = "--full" in sys.argv


def explain(title: str, qs) -> None:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    took = next(line for line in plan if line.startswith("Execution Time"))
    print(f"\n== {title}: {took.split(': ')[1]}")
    for line in plan:
        if FULL or re.search(r"Scan|Join|Aggregate|Sort  |Gather|Nested Loop", line):
            print("   " + re.sub(r"\(cost=[^)]*\) ", "", line))


def main() -> None:
    person = (
        CreditRecord.objects.filter(year=YEAR)
        .order_by("person_id")
        .values("person_id")[200_000]["person_id"]
    )
    explain(
        "a learner's year (ledger.summarise)",
        CreditRecord.objects.filter(person_id=person, year=YEAR)
        .select_related("source", "session__project", "holder", "organisation", "certificate")
        .order_by("activity_date", "created_at", "pk"),
    )
    big = Organisation.objects.annotate(n=Count("staff")).order_by("-n").first()
    pending = CreditRecord.objects.filter(person__unit=big, year=YEAR, status="pending")
    explain(f"the pending records of the biggest unit ({big.n} staff)", pending)
    assert pending.count() == pending_credits(big, YEAR)
    number = Certificate.objects.order_by("pk").values_list("number", flat=True)[1_000_000]
    explain(
        "the public verify page's look-up",
        Certificate.objects.select_related("credit__person", "credit__session__project").filter(
            number=number
        ),
    )
    explain(
        "the province's credits by month, from the ledger (what the tallies replace)",
        CreditRecord.objects.filter(year=YEAR, status="valid", activity_date__year=YEAR)
        .annotate(month=ExtractMonth("activity_date"))
        .values("month")
        .annotate(amount=Sum("amount"), n=Count("id"))
        .order_by(),
    )
    explain(
        "the province's credits by month, from the tallies",
        CreditTally.objects.filter(year=YEAR, month__isnull=False)
        .values("month")
        .annotate(amount=Sum("amount"), n=Sum("records"))
        .order_by(),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid)),"
            " pg_size_pretty(pg_indexes_size(relid)) FROM pg_stat_user_tables"
            " ORDER BY pg_total_relation_size(relid) DESC LIMIT 6"
        )
        print(f"\n{'table':32} {'rows':>12} {'with indexes':>13} {'indexes':>9}")
        for name, rows, total, indexes in cursor.fetchall():
            print(f"{name:32} {rows:12,} {total:>13} {indexes:>9}")


if __name__ == "__main__":
    main()
