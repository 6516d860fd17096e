"""Completion records: the provider's name list is checked row by row and written whole or
not at all; the city accepts or refuses the batch, voids false records, and revoking the
filing voids what the provider gave that is not yet audited (003 §十二)."""

import random
from decimal import Decimal

import pytest

from cme.core.errors import DomainError, PermissionDenied
from cme.core.models import ImportRecord
from cme.credits.ledger import summarise
from cme.credits.models import CreditRecord
from cme.demo.builders import resident_id
from cme.distance import completions, filings
from cme.distance.models import Completion, CompletionImport, Course
from cme.distance.tests.conftest import add_course, apply, completion_file

Status = CreditRecord.Status


def upload(cast, filing, rows):
    return completions.preview_completion_import(
        filing, completion_file(rows), actor=cast.users["distance"]
    )


def commit(cast, batch) -> CompletionImport:
    completions.queue_completion_commit(batch, actor=cast.users["distance"])
    batch.refresh_from_db()
    return batch


def report(cast, filing, rows) -> CompletionImport:
    batch = upload(cast, filing, rows)
    assert batch.state == ImportRecord.State.PREVIEWED, batch.errors
    return commit(cast, batch)


def row(person, course, hours="6", date="2024-05-01"):
    return [person.name, person.id_number, course.name, hours, date]


def messages(batch) -> dict[int, str]:
    return {e["row"]: "{c}：{m}".format(c=e["column"], m=e["message"]) for e in batch.errors}


def test_bad_rows_are_reported_by_row_and_nothing_is_written(cast, filing, course):
    nurse, doctor = cast.persons["nurse"], cast.persons["doctor"]
    stranger = resident_id(random.Random(99), "430102")
    waiting = filings.file_course(
        filing,
        actor=cast.users["distance"],
        year=2024,
        name="尚未备案的课程",
        summary="内容",
        hours="3",
        category="II",
    )
    batch = upload(
        cast,
        filing,
        [
            row(nurse, course),  # 2: good
            ["张无名", stranger, course.name, "3", "2024-05-01"],  # 3: not in registry
            row(doctor, waiting, "3"),  # 4: course not filed
            row(doctor, course, "7.5"),  # 5: above the course's 6 学时
            row(nurse, course, "3"),  # 6: same person and course as row 2
            ["王建设", doctor.id_number, course.name, "3", "2024-05-01"],  # 7: name differs
            row(doctor, course, "3", "明天"),  # 8: not a date
            [doctor.name, doctor.id_number, "没有这门课", "3", "2024-05-01"],  # 9: unknown course
        ],
    )
    assert batch.state == ImportRecord.State.INVALID
    errors = messages(batch)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9]
    assert "人员库中没有" in errors[3] and "4301" in errors[3]
    assert stranger not in errors[3]  # masked
    assert "尚未备案的课程" in errors[4] and "待审核" in errors[4] and "不予认可" in errors[4]
    assert "超过课程“急诊医学新进展”的备案学时6.0学时" in errors[5]
    assert "与第2行重复" in errors[6]
    assert "姓名“王建设”" in errors[7]
    assert errors[8].startswith("完成日期")
    assert "不是本机构在长沙市卫生健康委员会备案的课程" in errors[9]
    assert waiting.state == Course.State.SUBMITTED
    assert not CreditRecord.objects.exists() and not Completion.objects.exists()
    with pytest.raises(DomainError) as exc:
        completions.queue_completion_commit(batch, actor=cast.users["distance"])
    assert exc.value.code == "IMPORT_NOT_READY"


def test_only_filed_courses_count(cast, filing, course, provider):
    """A course of the provider filed with another city does not count in Changsha."""
    zhuzhou_filing = filings.decide_filing(
        apply(cast, cast.zhuzhou), actor=cast.users["zhuzhou"], accept=True
    )
    zhuzhou_course = add_course(cast, zhuzhou_filing, "株洲备案课程", "3", "II")
    batch = upload(cast, filing, [row(cast.persons["nurse"], zhuzhou_course, "3")])
    assert batch.state == ImportRecord.State.INVALID
    assert "不是本机构在长沙市卫生健康委员会备案的课程" in messages(batch)[2]


def test_a_course_year_must_match_the_completion_date(cast, filing, course):
    batch = upload(cast, filing, [row(cast.persons["nurse"], course, "6", "2023-12-30")])
    assert "备案年度为2024年" in messages(batch)[2]


def test_committed_rows_are_pending_credits_held_by_the_city(cast, provider, filing, course):
    nurse, doctor = cast.persons["nurse"], cast.persons["doctor"]
    batch = report(cast, filing, [row(nurse, course), row(doctor, course, "4")])
    assert batch.state == ImportRecord.State.COMMITTED and batch.created_count == 2
    assert batch.review == CompletionImport.Review.PENDING
    records = {r.person_id: r for r in CreditRecord.objects.all()}
    first = records[nurse.pk]
    assert first.status == Status.PENDING and first.source_id == "distance"
    assert first.organisation == provider and first.holder == cast.changsha
    assert first.title == course.name and first.category == "I" and first.year == 2024
    assert first.hours == Decimal("6.0") and first.amount == Decimal("2.0")
    assert records[doctor.pk].amount == Decimal("1.3")
    assert summarise(nurse, 2024).pending == Decimal("2.0")
    assert summarise(nurse, 2024).totals.total == 0


def test_accepted_batch_is_valid_and_counted(cast, filing, course, city_course):
    nurse = cast.persons["nurse"]
    batch = report(cast, filing, [row(nurse, course), row(nurse, city_course, "12")])
    completions.review_batch(batch, actor=cast.users["changsha"], accept=True)
    assert set(CreditRecord.objects.values_list("status", flat=True)) == {Status.VALID}
    assert not CreditRecord.objects.filter(holder__isnull=False).exists()
    totals = summarise(nurse, 2024).totals
    assert totals.total == Decimal("4.0") and totals.class1 == Decimal("2.0")
    assert totals.class2 == Decimal("2.0")


def test_a_person_is_credited_for_a_course_once(cast, filing, course):
    nurse = cast.persons["nurse"]
    report(cast, filing, [row(nurse, course)])
    again = upload(cast, filing, [row(nurse, course, "3")])
    assert again.state == ImportRecord.State.INVALID
    assert "已获得课程“急诊医学新进展”的学分（待生效）" in messages(again)[2]


def test_a_refused_batch_is_rejected_and_may_be_reported_again(cast, filing, course):
    nurse = cast.persons["nurse"]
    batch = report(cast, filing, [row(nurse, course)])
    with pytest.raises(DomainError) as exc:
        completions.review_batch(batch, actor=cast.users["changsha"], accept=False)
    assert exc.value.code == "REASON_REQUIRED"
    completions.review_batch(
        batch, actor=cast.users["changsha"], accept=False, reason="学习时长与平台记录不符"
    )
    record = CreditRecord.objects.get()
    assert record.status == Status.REJECTED and record.status_reason == "学习时长与平台记录不符"
    assert report(cast, filing, [row(nurse, course, "5")]).state == ImportRecord.State.COMMITTED


def test_a_false_record_is_voided_by_the_city(cast, filing, course):
    nurse, doctor = cast.persons["nurse"], cast.persons["doctor"]
    batch = report(cast, filing, [row(nurse, course), row(doctor, course)])
    completions.review_batch(batch, actor=cast.users["changsha"], accept=True)
    false = CreditRecord.objects.get(person=nurse)
    assert summarise(nurse, 2024).totals.total == Decimal("2.0")
    completions.void_record(false, actor=cast.users["changsha"], reason="平台无该学员学习记录")
    false.refresh_from_db()
    assert false.status == Status.VOID and false.status_reason == "平台无该学员学习记录"
    assert summarise(nurse, 2024).totals.total == 0
    assert CreditRecord.objects.get(person=doctor).status == Status.VALID


def _old_record(cast, filing, person, year: int) -> CreditRecord:
    """A valid record the provider gave in an earlier (audited) year."""
    course = Course.objects.create(
        filing=filing,
        year=year,
        name="{y}年课程".format(y=year),
        summary="内容",
        hours=Decimal(3),
        category="II",
        state=Course.State.FILED,
        submitted_by=cast.users["distance"],
    )
    batch = CompletionImport.objects.create(
        filing=filing,
        uploaded_by=cast.users["distance"],
        file_name="{y}.xlsx".format(y=year),
        sha256="0" * 64,
        state=ImportRecord.State.COMMITTED,
        review=CompletionImport.Review.ACCEPTED,
    )
    record = CreditRecord.objects.create(
        person=person,
        year=year,
        category="II",
        source_id="distance",
        amount=Decimal("0.5"),
        hours=Decimal(3),
        title=course.name,
        organisation=filing.provider,
        status=Status.VALID,
    )
    Completion.objects.create(batch=batch, course=course, person=person, record=record, row=2)
    return record


def test_revoking_the_provider_voids_its_unaudited_records(cast, filing, course, city_course):
    nurse, doctor = cast.persons["nurse"], cast.persons["doctor"]
    accepted = report(cast, filing, [row(nurse, course), row(doctor, course)])
    completions.review_batch(accepted, actor=cast.users["changsha"], accept=True)
    waiting = report(cast, filing, [row(nurse, city_course, "12")])
    older = _old_record(cast, filing, nurse, 2022)
    last_year = _old_record(cast, filing, doctor, 2023)
    assert summarise(nurse, 2024).totals.total == Decimal("2.0")

    count = filings.revoke_filing(filing, actor=cast.users["changsha"], reason="虚假授分")

    assert count == 4  # this year's two valid and one pending, and last year's
    voided = CreditRecord.objects.filter(status=Status.VOID)
    assert set(voided.values_list("status_reason", flat=True)) == {
        "远程教育机构备案已撤销：虚假授分"
    }
    assert summarise(nurse, 2024).totals.total == 0 and summarise(nurse, 2024).pending == 0
    last_year.refresh_from_db()
    assert last_year.status == Status.VOID
    older.refresh_from_db()
    assert older.status == Status.VALID  # 2022: audited, left alone
    waiting.refresh_from_db()
    assert waiting.review == CompletionImport.Review.VOIDED
    filing.refresh_from_db()
    assert filing.state == filing.State.REVOKED and filing.revocation_reason == "虚假授分"
    with pytest.raises(DomainError) as exc:
        upload(cast, filing, [row(doctor, city_course, "12")])
    assert exc.value.code == "FILING_NOT_FILED"


def test_another_city_cannot_review_or_void(cast, filing, course):
    batch = report(cast, filing, [row(cast.persons["nurse"], course)])
    with pytest.raises(PermissionDenied):
        completions.review_batch(batch, actor=cast.users["zhuzhou"], accept=True)
    with pytest.raises(PermissionDenied):
        completions.void_record(CreditRecord.objects.get(), actor=cast.users["zhuzhou"], reason="x")
    with pytest.raises(PermissionDenied):
        filings.revoke_filing(filing, actor=cast.users["zhuzhou"], reason="x")
