"""Issue 4 §9: two approvals at the same moment get two numbers — on PostgreSQL, many at
once give distinct, gap-free numbers per discipline and year (SQLite serialises writers)."""

import threading

import pytest
from django.db import connection, connections, transaction

from cme.accounts.models import User
from cme.orgs.actions import create_organisation
from cme.orgs.models import Organisation
from cme.policy.models import Discipline
from cme.projects.actions import issue_number
from cme.projects.models import Level, Project

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_approvals_get_distinct_gap_free_numbers():
    from conftest import ensure_regions

    ensure_regions()
    unit = create_organisation(
        actor=None, name="并发测试医院", kind=Organisation.Kind.MEDICAL, region=None
    )
    creator = User.objects.create_user("concurrency", password="x" * 12)
    discipline = Discipline.objects.get(year=2022, secondary_code="04", tertiary_code="08")
    projects = [
        Project.objects.create(
            year=2024,
            level=Level.PROVINCIAL,
            name="并发{}".format(i),
            sponsor=unit,
            declared_by=unit,
            created_by=creator,
            discipline=discipline,
        )
        for i in range(16)
    ]
    numbers, errors = [], []
    barrier = threading.Barrier(len(projects))

    def approve(project):
        try:
            barrier.wait()
            with transaction.atomic():
                numbers.append(issue_number(project))
        except Exception as exc:  # reported below; a thread must not die silently
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(p,)) for p in projects]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == ["2024-04-08-{:03d}(湘)".format(i) for i in range(1, 17)]
