"""Benchmark: the pages issue 8 §2 names, on the full province that `generate_province`
builds (520,000 persons, 6,000 units, ~14 million credit records of the year).

Printed, per page: p50/p95 over BENCH_REQUESTS (30) requests through Django's test client
(no network) and the SQL queries of one request; beside them, the floor: the login page,
which touches no data. Targets: a learner's credits page and the public verify page p95 <
50 ms; the province's annual audit summary and dashboard < 2 s; the other list pages
paginate on the database.

The data is built once, separately (about 11 minutes on PostgreSQL), then measured:

    createdb -h 127.0.0.1 -U postgres province
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/province DEBUG=1
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py generate_province
    .venv/bin/python bench/province_pages.py

The bench adds its own logins (bench-*) and issues certificates for a few records; it
changes nothing else.
"""

import os
import random
import statistics
import time

# isort: split
from scratch import scratch  # noqa: F401  (sets Django up)

# isort: split

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import Membership, Role, User
from cme.certificates.actions import issue_certificates
from cme.credits.models import CreditRecord
from cme.orgs.models import Organisation
from cme.people.models import Person

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
YEAR = int(os.environ.get("BENCH_YEAR", timezone.localdate().year))


def login(username: str, organisation: Organisation, role: str) -> Client:
    account, _created = User.objects.get_or_create(
        username=username, defaults={"first_name": username, "must_change_password": False}
    )
    if not Membership.objects.filter(user=account).exists():
        Membership.objects.create(user=account, organisation=organisation, role=role)
    client = Client()
    client.force_login(account)
    return client


def learners(n: int) -> list[Client]:
    rng = random.Random(8)
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    clients = []
    for i in range(n):
        person = Person.objects.filter(pk__gte=rng.randint(1, top)).order_by("pk").first()
        account, _ = User.objects.get_or_create(
            username=f"bench-learner-{i}", defaults={"must_change_password": False}
        )
        Person.objects.filter(user=account).exclude(pk=person.pk).update(user=None)
        Person.objects.filter(pk=person.pk).update(user=account)
        if not Membership.objects.filter(user=account).exists():
            Membership.objects.create(user=account, organisation=person.unit, role=Role.LEARNER)
        client = Client()
        client.force_login(account)
        clients.append(client)
    return clients


def certificate_numbers(n: int) -> list[str]:
    records = list(
        CreditRecord.objects.filter(year=YEAR, status="valid", session__isnull=False)
        .filter(certificate__isnull=True)
        .order_by("?")[:n]
    )
    issue_certificates(records)
    return list(
        CreditRecord.objects.filter(certificate__isnull=False).values_list(
            "certificate__number", flat=True
        )[:n]
    )


def measure(clients: list[Client], urls: list[str]) -> tuple[float, float, int]:
    times = []
    for i in range(REQUESTS):
        client, url = clients[i % len(clients)], urls[i % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        clients[0].get(urls[0])
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries)


def main() -> None:
    setup_test_environment()  # the test client's host
    province = Organisation.objects.get(name="湖南省卫生健康委员会")
    city = Organisation.objects.get(name="长沙市卫生健康委员会")
    big = (
        Organisation.objects.exclude(kind="authority")
        .annotate(n=Count("staff"))
        .order_by("-n")
        .first()
    )
    office = login("bench-province", province, Role.PROVINCIAL_OFFICE)
    reviewer = login("bench-city", city, Role.CITY_REVIEWER)
    unit = login("bench-unit", big, Role.UNIT_ADMIN)
    numbers = certificate_numbers(REQUESTS)
    y = f"?year={YEAR}"
    pages = [
        ("floor: login page", [Client()], [reverse("login")], None),
        ("learner's credits", learners(REQUESTS), [reverse("credits:mine") + y], 50),
        ("public verify", [Client()], [reverse("certificates:verify", args=[n]) for n in numbers], 50),
        ("province dashboard", [office], [reverse("stats:dashboard") + y], 2000),
        ("province audit summary", [office], [reverse("stats:audits") + y], 2000),
        ("province audit queue", [office], [reverse("audits:queue") + y], 2000),
        ("credits by unit, March", [office], [reverse("stats:credits") + y + "&month=3"], None),
        ("province persons list", [office], [reverse("people:list")], None),
        ("province persons, page 500", [office], [reverse("people:list") + "?page=500"], None),
        ("province units list", [office], [reverse("orgs:list")], None),
        ("city persons list", [reviewer], [reverse("people:list")], None),
        (f"unit audit ({big.staff.count()} staff)", [unit], [reverse("audits:unit", args=[big.pk, YEAR])], 300),
    ]  # fmt: skip
    print(f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'target':>8}")
    for name, clients, urls, target in pages:
        p50, p95, n = measure(clients, urls)
        mark = "" if target is None else f"{target:>6}" + (" ok" if p95 < target else " !!")
        print(f"{name:34} {p50:8.1f} {p95:8.1f} {n:8d} {mark}")


if __name__ == "__main__":
    main()
