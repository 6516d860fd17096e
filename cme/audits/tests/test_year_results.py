"""Issue 6 §7: the audit reads every staff member's year from one GROUP BY
(`ledger.year_results`); it must say what the person's own summary says — totals under the
caps, the result and the five-year warning (national credits of this year and the four
before, valid ones only)."""

from decimal import Decimal

from cme.audits.tests.factories import YEAR
from cme.credits import ledger
from cme.credits.models import CreditRecord, Exemption
from cme.credits.tests.factories import credit
from cme.people.models import Person


def test_bulk_results_agree_with_each_persons_summary(cast):
    nurse, doctor = cast.persons["nurse"], cast.persons["doctor"]  # 三级: five-year check
    credit(nurse, YEAR, "4", "national_project")
    credit(nurse, YEAR - 3, "5", "national_project")
    credit(nurse, YEAR - 5, "9", "national_project")  # six years ago: not counted
    credit(nurse, YEAR - 1, "9", "national_project", status=CreditRecord.Status.VOID)
    for _ in range(7):
        credit(nurse, YEAR, "2", "unit_lecture")  # capped at 10 with the case discussions
    credit(nurse, YEAR, "1", "unit_case_discussion")
    credit(nurse, YEAR, "4", "self_study_review")
    credit(nurse, YEAR, "3", "self_study_review")  # capped at 5
    credit(doctor, YEAR, "8", "national_project")
    credit(doctor, YEAR - 2, "2.5", "out_of_province")
    credit(doctor, YEAR, "20", "paper")
    county = cast.persons["county_doctor"]  # 二级, county-licensed: not checked
    credit(county, YEAR, "2", status=CreditRecord.Status.PENDING)
    Exemption.objects.create(
        person=cast.persons["zhuzhou_nurse"],
        year=YEAR,
        reason="产假",
        granted_by=cast.users["admin"],
    )
    people = Person.objects.all()
    bulk = ledger.year_results(people, YEAR)
    assert set(bulk) == set(people.values_list("pk", flat=True))
    for person in people:
        summary = ledger.summarise(person, YEAR)
        result = bulk[person.pk]
        assert result.totals == summary.totals, person
        assert result.outcome.result == summary.outcome.result, person
        assert result.outcome.reasons == summary.outcome.reasons, person
        assert result.warnings == summary.warnings, person
    assert bulk[nurse.pk].totals.class2 == Decimal(15)  # 10 + 5 under the caps
    assert bulk[nurse.pk].warnings == ["近5年（2020-2024年）国家级项目学分9.0分，少于10分"]
    assert bulk[doctor.pk].warnings == []  # 8 + 2.5 ≥ 10
