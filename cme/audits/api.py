"""API: a unit's audit of a year and its list, submission and decisions, a reviewer's queue,
the province's list for 人社, the policy what-if, and the learner's annual certificate
(verified through the shared `GET /certificates/{number}/verify`). Same queries and actions
as the pages; ID numbers only ever masked."""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cme.accounts.scope import is_authority
from cme.api.auth import current_user
from cme.api.schemas import ERRORS, OrgRef, Pages, Year, file_response
from cme.audits import actions, documents, exports, queries
from cme.audits.models import AnnualAudit, AnnualCertificate
from cme.audits.whatif import what_if as run_what_if
from cme.core import idnumbers
from cme.core.errors import PermissionDenied
from cme.core.exports import XLSX, xlsx_response
from cme.people.queries import person_for

router = Router(tags=["学分审核"])


class AuditOut(Schema):
    id: int | None
    unit: OrgRef
    year: int
    state: str = Field(
        ...,
        description="not_submitted 未审核 / in_review 审核中 / returned 退回 / rejected 不通过 / approved 通过",
    )
    state_label: str
    round: int
    chain: list[OrgRef] = Field(..., description="审核单位，由近及远")
    holder: OrgRef | None = Field(None, description="当前审核单位")
    staff_count: int
    qualified_count: int
    submitted_at: datetime | None
    decided_at: datetime | None
    reason: str

    @staticmethod
    def resolve_state_label(audit: AnnualAudit) -> str:
        return audit.get_state_display()

    @staticmethod
    def resolve_chain(audit: AnnualAudit) -> list:
        if audit.pk:
            return queries.chain_of(audit)
        return actions.reviewers_of(audit.unit)


class RowOut(Schema):
    person_id: int
    name: str
    id_number_masked: str
    title: str
    department: str
    total: Decimal
    class1: Decimal
    class2: Decimal
    hours: Decimal
    result: str = Field(..., description="qualified 达标 / not_qualified 不达标 / exempt 不计达标")
    result_label: str
    reasons: list[str]
    warnings: list[str] = Field(..., description="近5年国家级项目学分提示")
    voided: bool = Field(..., description="该年度学分已因弄虚作假作废")
    void_reason: str

    @staticmethod
    def resolve_id_number_masked(row: queries.Row) -> str:
        return idnumbers.mask(row.id_number)


class ListOut(Schema):
    audit: AuditOut
    snapshot: bool = Field(..., description="true：提交时的审核名单；false：按当前有效学分实时计算")
    counts: dict[str, int]
    count: int
    items: list[RowOut]


class AuditDecisionIn(Schema):
    decision: str = Field(..., description="approve 审核通过 / return 退回 / reject 不通过")
    reason: str = Field("", description="退回或不通过时必填")


class WhatIfIn(Schema):
    year: Year
    total_min: Decimal = Field(..., ge=0, le=1000, description="总学分不少于")
    class1_min: Decimal = Field(..., ge=0, le=1000, description="I类学分不少于")
    class2_max_counted: Decimal | None = Field(
        None, ge=0, le=1000, description="II类学分计入总分上限"
    )
    limit: int = Field(100, ge=0, le=1000, description="每类最多列出的人数")


class AuditChangeOut(Schema):
    person_id: int
    name: str
    id_number_masked: str
    unit: str
    total: Decimal
    class1: Decimal
    class2: Decimal
    reasons: list[str]


class WhatIfOut(Schema):
    year: int
    people: int
    exempt: int
    qualified_now: int
    qualified_draft: int
    to_not_qualified_count: int
    to_qualified_count: int
    to_not_qualified: list[AuditChangeOut] = Field(..., description="由达标变为不达标，原因按草案")
    to_qualified: list[AuditChangeOut] = Field(
        ..., description="由不达标变为达标，原因为现行要求下"
    )


class HrSentOut(Schema):
    year: int
    persons: int
    units: int
    sent_at: datetime


@router.get(
    "/audits/units/{unit_id}/{year}",
    response={200: ListOut, **ERRORS},
    summary="单位年度学分审核及名单",
)
def unit_audit(
    request: HttpRequest,
    unit_id: int,
    year: Year,
    result: str = Query("", description="qualified / not_qualified / exempt / voided"),
    department: str = "",
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=500),
):
    """未提交或退回时按当前有效学分实时计算；提交后为提交时的名单。"""
    unit = queries.unit_for_audit(current_user(request), unit_id)
    audit = queries.audit_of(unit, year)
    listing = queries.unit_list(
        audit, result=result, department=department, page=page, per_page=page_size
    )
    return {
        "audit": audit,
        "snapshot": listing.snapshot,
        "counts": listing.counts,
        "count": listing.page.paginator.count,
        "items": listing.rows if listing.page.number == page else [],
    }


@router.post(
    "/audits/units/{unit_id}/{year}/submit",
    response={200: AuditOut, **ERRORS},
    summary="提交年度学分审核",
)
def submit(request: HttpRequest, unit_id: int, year: Year) -> AnnualAudit:
    """本单位管理员提交；退回后修改学分可重新提交（名单重新生成）。"""
    user = current_user(request)
    return actions.submit_audit(queries.unit_for_audit(user, unit_id), year, actor=user)


@router.post(
    "/audits/{audit_id}/decision",
    response={200: AuditOut, **ERRORS},
    summary="审核年度学分审核",
)
def decide(request: HttpRequest, audit_id: int, payload: AuditDecisionIn) -> AnnualAudit:
    """当前审核单位审核：通过则报送下一级，省级通过后达标人员获得年度合格证明；两人同时审核时后者返回409。"""
    user = current_user(request)
    audit = queries.audit_for(user, audit_id)
    return actions.decide_audit(audit, actor=user, decision=payload.decision, reason=payload.reason)


@router.get(
    "/audits/queue",
    response={200: list[AuditOut], **ERRORS},
    summary="学分审核待办",
)
@paginate(Pages)
def review_queue(request: HttpRequest, state: str = "", year: Year | None = None):
    """不传 state：本单位待审核的；传 state：管辖范围内该状态的（省继教办可看全省）。"""
    user = current_user(request)
    if not is_authority(user):
        raise PermissionDenied("只有卫生健康行政部门可以审核学分。")
    qs = queries.review_queue_for(user, state or None)
    return qs.filter(year=year) if year else qs


@router.get(
    "/audits/hr/{year}/export",
    response={**ERRORS},
    openapi_extra=file_response("审核通过单位的达标人员名单（证件号码脱敏）", XLSX),
    summary="导出报送人社名单",
)
def hr_export(request: HttpRequest, year: Year) -> HttpResponse:
    entries = queries.hr_entries(current_user(request), year)
    return xlsx_response(
        "{y}年度继续医学教育学分达标人员名单.xlsx".format(y=year),
        exports.HR_HEADERS,
        exports.hr_rows(year, entries.iterator(chunk_size=2000)),
    )


@router.post(
    "/audits/hr/{year}/sent",
    response={200: HrSentOut, **ERRORS},
    summary="标记年度名单已报送人社",
)
def hr_sent(request: HttpRequest, year: Year):
    return actions.mark_sent_to_hr(year, actor=current_user(request))


@router.post(
    "/audits/what-if",
    response={200: WhatIfOut, **ERRORS},
    summary="年度学分要求试算（不保存）",
)
def what_if(request: HttpRequest, payload: WhatIfIn):
    outcome = run_what_if(
        current_user(request),
        payload.year,
        total_min=payload.total_min,
        class1_min=payload.class1_min,
        class2_max_counted=payload.class2_max_counted,
        limit=payload.limit,
    )

    def out(changes):
        return [
            {
                "person_id": c.person_id,
                "name": c.person.name if c.person else "",
                "id_number_masked": idnumbers.mask(c.person.id_number) if c.person else "",
                "unit": c.person.unit.name if c.person and c.person.unit else "",
                "total": c.totals.total,
                "class1": c.totals.class1,
                "class2": c.totals.class2,
                "reasons": c.reasons,
            }
            for c in changes[: payload.limit]
        ]

    return {
        "year": outcome.year,
        "people": outcome.people,
        "exempt": outcome.exempt,
        "qualified_now": outcome.qualified_now,
        "qualified_draft": outcome.qualified_draft,
        "to_not_qualified_count": len(outcome.to_not_qualified),
        "to_qualified_count": len(outcome.to_qualified),
        "to_not_qualified": out(outcome.to_not_qualified),
        "to_qualified": out(outcome.to_qualified),
    }


@router.get(
    "/annual-certificates/mine/{year}/pdf",
    response={**ERRORS},
    openapi_extra=file_response("已签名的年度合格证明PDF"),
    summary="下载本人年度合格证明",
)
def my_annual_certificate(request: HttpRequest, year: Year) -> HttpResponse:
    return documents.annual_certificate_download(
        getattr(current_user(request), "person", None), year
    )


@router.get(
    "/persons/{person_id}/annual-certificates/{year}/pdf",
    response={**ERRORS},
    openapi_extra=file_response("已签名的年度合格证明PDF"),
    summary="下载本单位人员的年度合格证明",
)
def staff_annual_certificate(request: HttpRequest, person_id: int, year: Year) -> HttpResponse:
    """本单位管理员（人事）或上级卫生健康行政部门下载其管理范围内人员的年度合格证明。"""
    user = current_user(request)
    return documents.annual_certificate_download(person_for(user, person_id), year, printed_by=user)


class AnnualCertificateOut(Schema):
    """A 年度合格证明 as the shared verify endpoint returns it."""

    number: str
    kind: str = Field(..., description="年度合格证明")
    status: str = Field(..., description="valid 有效 / void 已作废")
    status_label: str
    name: str
    id_number_masked: str
    unit: str
    year: int
    total: Decimal
    class1: Decimal
    class2: Decimal
    hours: Decimal
    issued_on: date


def annual_certificate_out(c: AnnualCertificate) -> dict:
    """Plain values: the verify endpoint answers either schema, told apart by their fields."""
    return {
        "number": c.display_number,
        "kind": c.kind_label,
        "status": c.status,
        "status_label": c.status_label,
        "name": c.person.name,
        "id_number_masked": idnumbers.mask(c.person.id_number),
        "unit": c.unit_name,
        "year": c.year,
        "total": c.total,
        "class1": c.class1,
        "class2": c.class2,
        "hours": c.hours,
        "issued_on": c.issued_on,
    }


class VoidIn(Schema):
    reason: str = Field(..., description="作废原因（如弄虚作假的事实与处理依据）")


class VoidOut(Schema):
    person_id: int
    year: int
    voided_records: int = Field(..., description="本次作废的学分记录数")


@router.post(
    "/persons/{person_id}/credits/{year}/void",
    response={200: VoidOut, **ERRORS},
    summary="作废某人某年度全部学分（弄虚作假）",
)
def post_void_year(request: HttpRequest, person_id: int, year: Year, payload: VoidIn):
    """003 §二十六：卫生健康行政部门作废其管理范围内人员一个年度的全部学分；该年度的审核名单结果与
    年度合格证明随之作废，本人可看到原因。"""
    user = current_user(request)
    person = person_for(user, person_id)
    count = actions.void_person_year(person, year, actor=user, reason=payload.reason)
    return {"person_id": person.pk, "year": year, "voided_records": count}
