"""003 §二十-二十一 (issue 6 §2): a person uploads the proof of credits earned outside the
province's own projects; their unit reviews it, then the city, and only then it counts.
Certificates are not claimed twice; a reviewer may return a claim for correction or refuse
it; two reviewers cannot both decide."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.accounts.models import Role
from cme.claims import actions
from cme.claims.tests.factories import claim, pdf, reviewer, staff
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.core.models import AuditEvent
from cme.credits import ledger
from cme.credits.models import CreditRecord, CreditReview, CreditSource

D = Decimal
Status = CreditRecord.Status


def approve(record, user):
    return actions.decide_claim(record, actor=user, decision="approve")


def test_out_of_province_certificate_is_reviewed_by_unit_then_city_and_then_counts(hunan):
    nurse = hunan.persons["nurse"]
    record = claim(hunan, "2024-04-08-001(国)")
    assert (record.status, record.holder) == (Status.PENDING, hunan.city_hospital)
    assert (record.amount, record.hours, record.category) == (D("4.0"), D("12.0"), "I")
    assert ledger.where_is(record) == "等待长沙市第一医院审核，已0天"
    assert ledger.summarise(nurse, 2024).totals.total == 0

    record = approve(record, hunan.users["city_admin"])
    assert (record.status, record.holder) == (Status.PENDING, hunan.changsha)
    assert ledger.where_is(record) == "等待长沙市卫生健康委员会审核，已0天"

    record = approve(record, hunan.users["changsha"])
    assert record.status == Status.VALID and record.holder is None
    assert record.reviewed_by == hunan.users["changsha"]
    assert [(r.organisation, r.decision) for r in record.reviews.all()] == [
        (hunan.city_hospital, CreditReview.Decision.APPROVED),
        (hunan.changsha, CreditReview.Decision.APPROVED),
    ]
    summary = ledger.summarise(nurse, 2024)
    assert (summary.totals.total, summary.totals.class1) == (D(4), D(4))
    events = AuditEvent.objects.filter(object_type="credits.creditrecord", object_id=str(record.pk))
    assert sorted(events.values_list("action", flat=True)) == [
        "claim.approve",
        "claim.approve",
        "claim.submit",
    ]


def test_where_a_claim_waits_is_said_in_days(hunan, time_machine):
    record = approve(claim(hunan), hunan.users["city_admin"])
    time_machine.move_to(datetime.datetime(2024, 6, 20, 15, 0, tzinfo=datetime.UTC))
    record.refresh_from_db()
    assert ledger.where_is(record) == "等待长沙市卫生健康委员会审核，已5天"


def test_the_full_width_national_mark_is_recognised(hunan):
    record = claim(hunan, "２０２４－０４－０８－００２ （国）")
    assert record.certificate_key == "2024-04-08-002(国)"


def test_a_number_without_the_national_mark_is_refused_for_an_out_of_province_project(hunan):
    with pytest.raises(DomainError) as exc:
        claim(hunan, "2024-04-08-001(湘)")
    assert exc.value.code == "CERTIFICATE_NOT_NATIONAL" and exc.value.field == "certificate_number"
    with pytest.raises(DomainError) as exc:
        claim(hunan, "")
    assert exc.value.code == "CERTIFICATE_REQUIRED"
    assert not CreditRecord.objects.exists()


def test_a_tcm_certificate_needs_its_number_but_no_national_mark(hunan):
    record = claim(hunan, "湘中医继教 2024-0123", source="tcm_upload", amount="3")
    assert (record.certificate_key, record.hours) == ("湘中医继教2024-0123", D("18.0"))


def test_the_same_certificate_in_either_bracket_width_is_refused_naming_the_first(hunan):
    first = claim(hunan, "2024-04-08-001(国)")
    for number in ["2024-04-08-001（国）", " 2024-04-08-001 (国) "]:
        with pytest.raises(DomainError) as exc:
            claim(hunan, number, title="另一名称", activity_date=datetime.date(2024, 5, 1))
        assert exc.value.code == "DUPLICATE_CERTIFICATE"
        assert "申报编号{n}".format(n=first.pk) in exc.value.message
        assert "全国心血管护理新进展学习班" in exc.value.message
        assert "等待长沙市第一医院审核" in exc.value.message
    assert CreditRecord.objects.count() == 1


def test_another_persons_certificate_number_is_refused_without_naming_them(hunan):
    claim(hunan, "2024-04-08-001(国)")
    colleague = staff(hunan, hunan.city_hospital, "陈静", with_login=True)
    hunan.persons["colleague"] = colleague
    with pytest.raises(DomainError) as exc:
        claim(hunan, "2024-04-08-001（国）", who="colleague")
    assert exc.value.code == "CERTIFICATE_REGISTERED"
    assert hunan.persons["nurse"].name not in exc.value.message
    assert "申报编号" not in exc.value.message


def test_the_same_source_title_and_date_is_refused(hunan):
    first = claim(hunan, "", source="self_study_review", amount=None, quantity="3", title="综述")
    with pytest.raises(DomainError) as exc:
        claim(hunan, "", source="self_study_review", amount=None, quantity="4", title=" 综述 ")
    assert exc.value.code == "DUPLICATE_CLAIM"
    assert "申报编号{n}".format(n=first.pk) in exc.value.message
    claim(hunan, "", source="self_study_review", amount=None, quantity="4", title="另一篇综述")


def test_self_study_review_is_worth_half_a_credit_per_thousand_characters_capped_yearly(hunan):
    nurse = hunan.persons["nurse"]
    record = claim(
        hunan, "", source="self_study_review", amount=None, quantity="4.5", title="胸痛护理综述"
    )
    assert (record.quantity, record.amount, record.category) == (D("4.5"), D("2.3"), "II")
    assert record.hours == D("13.8")  # 2.3 credits × 6 (provincial rate; the source has none)
    second = claim(
        hunan,
        "",
        source="self_study_review",
        amount=None,
        quantity="8",
        title="压疮护理综述",
        activity_date=datetime.date(2024, 5, 2),
    )
    assert second.amount == D("4.0")
    for r in (record, second):
        approve(approve(r, hunan.users["city_admin"]), hunan.users["changsha"])
    summary = ledger.summarise(nurse, 2024)
    assert summary.totals.class2 == D(5)  # 6.3 valid, the catalogue's yearly cap of 5
    assert "每年5" in "".join(line.cut_reason for line in summary.lines)


def test_an_amount_above_the_cap_per_entry_counts_as_the_cap(hunan):
    CreditSource.objects.filter(code="paper").update(cap_per_entry=D(2))
    record = claim(hunan, "", source="paper", amount="3", title="论文")
    assert record.amount == D("2.0") and "每项上限2.0分" in record.note


def test_claims_count_only_in_the_year_of_the_activity(hunan):
    with pytest.raises(DomainError) as exc:
        claim(hunan, activity_date=datetime.date(2023, 12, 30))
    assert exc.value.code == "CLAIM_DATE_YEAR"
    with pytest.raises(DomainError) as exc:
        claim(hunan, year=2022, activity_date=datetime.date(2022, 3, 1))
    assert exc.value.code == "CLAIM_YEAR"
    with pytest.raises(DomainError) as exc:
        claim(hunan, activity_date=datetime.date(2024, 7, 1))
    assert exc.value.code == "CLAIM_DATE_FUTURE"
    assert claim(hunan, year=2023, activity_date=datetime.date(2023, 11, 2)).year == 2023


def test_only_person_sources_may_be_claimed_and_only_by_the_person(hunan):
    with pytest.raises(DomainError) as exc:
        claim(hunan, "", source="unit_lecture", amount=None, quantity="1")
    assert exc.value.code == "CLAIM_SOURCE"
    nurse = hunan.persons["nurse"]
    with pytest.raises(PermissionDenied):
        actions.submit_claim(
            nurse,
            actor=hunan.users["city_admin"],
            source=CreditSource.objects.get(code="paper"),
            year=2024,
            title="论文",
            activity_date=datetime.date(2024, 3, 1),
            amount=D(1),
            evidence=pdf(),
        )


def test_the_evidence_is_checked_by_its_content(hunan):
    fake = SimpleUploadedFile("证书.pdf", b"<html>not a scan</html>")
    with pytest.raises(DomainError) as exc:
        claim(hunan, evidence=fake)
    assert exc.value.field == "evidence" and exc.value.code == "FILE_TYPE"
    record = claim(hunan, evidence=SimpleUploadedFile("x.html", b"\x89PNG\r\n\x1a\n...."))
    assert record.evidence.name.endswith(".png")


def test_a_returned_claim_is_corrected_and_resubmitted_to_the_unit(hunan):
    record = approve(claim(hunan), hunan.users["city_admin"])
    with pytest.raises(DomainError) as exc:
        actions.decide_claim(record, actor=hunan.users["changsha"], decision="return")
    assert exc.value.code == "REASON_REQUIRED"
    record = actions.decide_claim(
        record, actor=hunan.users["changsha"], decision="return", reason="证书照片不清晰"
    )
    assert (record.status, record.holder, record.status_reason) == (
        Status.PENDING,
        None,
        "证书照片不清晰",
    )
    assert ledger.summarise(hunan.persons["nurse"], 2024).totals.total == 0
    with pytest.raises(Conflict):
        approve(record, hunan.users["changsha"])

    record = actions.resubmit_claim(
        record,
        actor=hunan.users["learner"],
        source=record.source,
        year=2024,
        title=record.title,
        activity_date=record.activity_date,
        amount=D("3.5"),
        certificate_number=record.certificate_number,
        evidence=pdf("清晰.pdf"),
    )
    assert (record.holder, record.amount, record.status_reason) == (
        hunan.city_hospital,
        D("3.5"),
        "",
    )
    record = approve(approve(record, hunan.users["city_admin"]), hunan.users["changsha"])
    assert record.status == Status.VALID
    assert [r.decision for r in record.reviews.all()] == [
        "approved",
        "returned",
        "approved",
        "approved",
    ]


def test_a_refused_claim_is_final(hunan):
    record = actions.decide_claim(
        claim(hunan), actor=hunan.users["city_admin"], decision="reject", reason="非本人证书"
    )
    assert (record.status, record.status_reason) == (Status.REJECTED, "非本人证书")
    with pytest.raises(DomainError) as exc:
        actions.resubmit_claim(
            record,
            actor=hunan.users["learner"],
            source=record.source,
            year=2024,
            title=record.title,
            activity_date=record.activity_date,
            amount=D(4),
            certificate_number="2024-04-08-001(国)",
        )
    assert exc.value.code == "CLAIM_NOT_RETURNED"
    with pytest.raises(DomainError) as exc:
        claim(hunan, "2024-04-08-001(国)", title="再次申报")
    assert exc.value.code == "DUPLICATE_CERTIFICATE" and "未通过" in exc.value.message


def test_two_reviewers_at_once_one_wins_the_other_gets_conflict(hunan):
    record = claim(hunan)
    second = reviewer(hunan, hunan.city_hospital)
    seen_by_first = CreditRecord.objects.get(pk=record.pk)
    seen_by_second = CreditRecord.objects.get(pk=record.pk)
    approve(seen_by_first, hunan.users["city_admin"])
    with pytest.raises(Conflict):
        actions.decide_claim(seen_by_second, actor=second, decision="reject", reason="重复")
    record.refresh_from_db()
    assert (record.status, record.holder) == (Status.PENDING, hunan.changsha)
    assert record.reviews.count() == 1


def test_only_the_holder_decides(hunan):
    record = claim(hunan)
    for key in ["changsha", "zhuzhou", "county_admin", "learner"]:
        with pytest.raises(PermissionDenied):
            approve(record, hunan.users[key])
    record = approve(record, hunan.users["city_admin"])
    with pytest.raises(Conflict):  # the unit decided it already: told by whom and when
        approve(record, hunan.users["city_admin"])
    with pytest.raises(PermissionDenied):
        approve(record, hunan.users["zhuzhou"])


def test_the_city_above_a_county_unit_and_the_province_above_a_provincial_unit(hunan):
    assert actions.claim_reviewer_above(hunan.county_hospital) == hunan.changsha
    assert actions.claim_reviewer_above(hunan.city_hospital) == hunan.changsha
    assert actions.claim_reviewer_above(hunan.provincial_hospital) == hunan.province
    assert actions.claim_reviewer_above(hunan.branch) == hunan.province

    hunan.persons["surgeon"] = staff(
        hunan, hunan.provincial_hospital, "周医生", seed=5, with_login=True
    )
    record = claim(hunan, who="surgeon")
    record = approve(record, hunan.users["provincial_admin"])
    assert record.holder == hunan.province
    record = approve(record, hunan.users["province"])
    assert record.status == Status.VALID


def test_a_person_without_a_unit_cannot_claim(hunan):
    nurse = hunan.persons["nurse"]
    nurse.unit = None
    nurse.save(update_fields=["unit"])
    with pytest.raises(DomainError) as exc:
        claim(hunan)
    assert exc.value.code == "CLAIM_NO_UNIT"


def test_a_second_reviewer_of_the_city_role_may_decide_at_the_city(hunan):
    record = approve(claim(hunan), hunan.users["city_admin"])
    colleague = reviewer(hunan, hunan.changsha, Role.CITY_REVIEWER)
    assert approve(record, colleague).status == Status.VALID
