"""API: a person's ledger and yearly summary (issue 6 §11), with the same scope as the pages."""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status, UploadedFile

from cme.api.auth import current_user
from cme.api.schemas import ERRORS, Year
from cme.core.errors import NotFound
from cme.credits import actions, ledger
from cme.people.queries import person_for

router = Router(tags=["学分"])


class RecordOut(Schema):
    id: int
    date: date | None
    source: str
    source_name: str
    title: str
    category: str
    role: str
    hours: Decimal
    amount: Decimal
    counted: Decimal
    cut_reason: str
    status: str
    status_label: str
    status_reason: str
    where: str = ""
    certificate_number: str | None = None


class SummaryOut(Schema):
    year: int
    total: Decimal
    class1: Decimal
    class2: Decimal
    hours: Decimal
    pending: Decimal
    total_min: Decimal
    class1_min: Decimal
    result: str
    result_label: str
    reasons: list[str]
    warnings: list[str]
    records: list[RecordOut]


def _summary(person, year: int | None) -> dict:
    year = year or timezone.localdate().year
    s = ledger.summarise(person, year)
    today = timezone.localdate()
    records = []
    for line in s.lines:
        r = line.record
        certificate = getattr(r, "certificate", None)
        records.append(
            {
                "id": r.pk,
                "date": r.activity_date,
                "source": r.source_id,
                "source_name": r.source.name,
                "title": r.title,
                "category": r.category,
                "role": r.role,
                "hours": r.hours,
                "amount": r.amount,
                "counted": line.counted,
                "cut_reason": line.cut_reason,
                "status": r.status,
                "status_label": r.get_status_display(),
                "status_reason": r.status_reason,
                "where": ledger.where_is(r, today),
                "certificate_number": certificate.number if certificate else None,
            }
        )
    return {
        "year": year,
        "total": s.totals.total,
        "class1": s.totals.class1,
        "class2": s.totals.class2,
        "hours": s.totals.hours,
        "pending": s.pending,
        "total_min": s.requirement.total_min,
        "class1_min": s.requirement.class1_min,
        "result": s.outcome.result,
        "result_label": s.outcome.label,
        "reasons": s.outcome.reasons,
        "warnings": s.warnings,
        "records": records,
    }


@router.get("/credits/mine", response={200: SummaryOut, **ERRORS}, summary="我的年度学分")
def my_credits(request: HttpRequest, year: Year | None = None):
    """本人某年度的学分：总分、I类、II类与要求的差距，每条记录的状态；待审核的记录说明在谁手上、已几天。"""
    person = getattr(current_user(request), "person", None)
    if person is None:
        raise NotFound("您的账户尚未关联人员信息。")
    return _summary(person, year)


@router.get(
    "/persons/{person_id}/credits", response={200: SummaryOut, **ERRORS}, summary="人员年度学分"
)
def person_credits(request: HttpRequest, person_id: int, year: Year | None = None):
    return _summary(person_for(current_user(request), person_id), year)


class ExemptionOut(Schema):
    person_id: int
    year: int
    reason: str
    granted_at: datetime


@router.post(
    "/persons/{person_id}/credits/{year}/exemption",
    response={201: ExemptionOut, **ERRORS},
    summary="设为年度不计达标",
)
def post_exemption(
    request: HttpRequest,
    person_id: int,
    year: Year,
    reason: Form[str],
    evidence: File[UploadedFile] = None,
):
    """multipart：reason 不计达标原因（如病假、产假、新入职）；evidence 证明材料（PDF/JPG/PNG，
    必填，缺少时返回 EVIDENCE_REQUIRED）。只有本单位管理员可以设置；已设置的年度返回
    EXEMPTION_EXISTS；本单位该年度审核已报送或已通过时返回 AUDIT_LOCKED。"""
    user = current_user(request)
    person = person_for(user, person_id)
    return Status(
        201, actions.grant_exemption(person, year, actor=user, reason=reason, evidence=evidence)
    )
