"""The demo's ledger (issue 6): last year's credits for the staff of two hospitals (about
four in five reach the requirement, so the annual audit has both results), and this year's
for 李小红 (learner) with a claim waiting at the city, so her page answers "where is it"."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from cme.credits.models import CreditRecord, CreditReview
from cme.orgs.models import Organisation
from cme.people.models import Person

HOSPITALS = ("长沙市第一医院", "浏阳市人民医院")
TITLES = {
    "provincial_project": "省级继续医学教育项目",
    "national_project": "国家级继续医学教育项目",
    "unit_lecture": "科室业务学习",
    "paper": "发表论文",
    "self_study_review": "自学综述",
}


def _record(person, year, source, category, amount, day, **extra) -> CreditRecord:
    amount = Decimal(amount)
    return CreditRecord(
        person=person,
        year=year,
        category=category,
        source_id=source,
        amount=amount,
        hours=extra.pop("hours", amount * 6),
        title=extra.pop("title", TITLES.get(source, "")),
        activity_date=day,
        status=extra.pop("status", CreditRecord.Status.VALID),
        **extra,
    )


def load_credits(accounts) -> int:
    rng = random.Random(2026)
    today = timezone.localdate()
    last = today.year - 1
    records = []
    units = Organisation.objects.filter(name__in=HOSPITALS)
    for person in Person.objects.filter(unit__in=units).order_by("pk"):
        short = rng.random() < 0.2  # about one in five falls short
        class1 = Decimal(rng.choice(["2", "3"]) if short else rng.choice(["5", "6", "8", "10"]))
        class2 = Decimal(rng.randint(8, 14) if short else rng.randint(16, 22))
        day = datetime.date(last, rng.randint(3, 11), rng.randint(1, 28))
        records.append(_record(person, last, "provincial_project", "I", class1, day))
        records.append(_record(person, last, "unit_lecture", "II", "5", day, hours=Decimal("10")))
        records.append(_record(person, last, "paper", "II", class2 - 5, day, hours=Decimal(0)))
    learner = accounts["learner"].person
    city = Organisation.objects.get(name="长沙市卫生健康委员会")
    this_year = [
        _record(learner, today.year, "unit_lecture", "II", "4", today.replace(month=3, day=15)),
        _record(
            learner,
            today.year,
            "self_study_review",
            "II",
            "3",
            today.replace(month=4, day=2),
            hours=Decimal(0),
            title="急性胸痛护理进展综述",
        ),
        _record(
            learner,
            today.year,
            "out_of_province",
            "I",
            "4",
            today.replace(month=9, day=20),
            status=CreditRecord.Status.PENDING,
            title="全国心血管护理新进展学习班（2026-04-08-017(国)）",
            certificate_number="2026-04-08-017(国)",
            certificate_key="2026-04-08-017(国)",
            holder=city,
            holder_since=timezone.now() - datetime.timedelta(days=5),
        ),
    ]
    CreditRecord.objects.bulk_create(records + this_year)
    claim = this_year[-1]
    claim.submitted_by = accounts["learner"]
    claim.save(update_fields=["submitted_by"])
    CreditReview.objects.create(
        record=claim,
        organisation=learner.unit,
        decision=CreditReview.Decision.APPROVED,
        comment="证书真实，同意。",
        decided_by=accounts["cs_hospital1"],
    )
    return len(records) + len(this_year)
