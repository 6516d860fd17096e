"""Distance learning at the boundaries of CREDIT-RULES §4 and §2: 3 学时 = 1 I类 credit for a
national distance project, 6 学时 = 1 II类 credit for a city-level course, rounded half up to
one decimal; a record the city voids (虚假授分)
leaves the learner's page, the unit's audit page and its counts at once."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cme.credits.models import CreditRecord
from cme.credits.tests.agree import Figures, views
from cme.credits.tests.factories import credit
from cme.distance import completions
from cme.distance.tests.conftest import add_course
from cme.distance.tests.test_completions import report, row

D = Decimal
YEAR = 2024


@pytest.mark.parametrize(
    ("category", "hours", "credits"),
    [
        ("I", "3", "1.0"),
        ("I", "7", "2.3"),
        ("I", "0.5", "0.2"),
        ("II", "6", "1.0"),
        ("II", "3", "0.5"),
    ],
)
def test_distance_rate_hours_per_credit(cast, filing, category, hours, credits):
    course = add_course(cast, filing, "课程{c}{h}".format(c=category, h=hours), "12", category)
    nurse = cast.persons["nurse"]
    batch = report(cast, filing, [row(nurse, course, hours=hours, date="2024-10-31")])
    completions.review_batch(batch, actor=cast.users["changsha"], accept=True)
    record = CreditRecord.objects.get(person=nurse)
    assert (record.amount, record.category, record.hours) == (D(credits), category, D(hours))


def _counts(client, unit) -> dict[str, str]:
    body = client.get(reverse("audits:unit", args=[unit.pk, YEAR])).content.decode()
    return dict(re.findall(r'<strong class="count-([a-z-]+)">(\d+)</strong>', body))


def test_a_distance_record_voided_by_the_city_leaves_every_reader_at_once(client, cast, filing):
    course = add_course(cast, filing, "急诊医学新进展", "6")  # 2.0 I类
    nurse = cast.persons["nurse"]
    credit(nurse, YEAR, "3.0")
    credit(nurse, YEAR, "20.0", "paper")
    client.force_login(cast.users["city_admin"])
    assert _counts(client, cast.city_hospital)["qualified"] == "0"
    batch = report(cast, filing, [row(nurse, course, date="2024-11-15")])
    completions.review_batch(batch, actor=cast.users["changsha"], accept=True)
    assert _counts(client, cast.city_hospital)["qualified"] == "1"  # not a minute later
    assert views(client, cast, nurse, YEAR) == Figures(D(25), D(5), D(20), "qualified")
    client.force_login(cast.users["city_admin"])
    _counts(client, cast.city_hospital)
    record = CreditRecord.objects.get(person=nurse, source_id="distance")
    completions.void_record(record, actor=cast.users["changsha"], reason="平台无该学员学习记录")
    assert _counts(client, cast.city_hospital)["qualified"] == "0"
    assert views(client, cast, nurse, YEAR) == Figures(D(23), D(3), D(20), "not_qualified")
