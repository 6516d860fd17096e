"""API: the credit source catalogue, a person's claims and their review, and unit academic
activities (issue 6 §2-3). Same scoped queries and actions as the pages; errors are
`{code, message}` like everywhere else."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from cme.accounts.scope import acting_org
from cme.api.auth import current_user
from cme.api.schemas import ERRORS, OrgRef, Pages, Year
from cme.claims import actions, activities
from cme.claims.permissions import can_review_claims, is_returned
from cme.claims.queries import (
    activities_visible_to,
    activity_for,
    claim_for,
    claims_held_by,
    my_claims,
)
from cme.core.errors import DomainError, PermissionDenied
from cme.credits import ledger
from cme.credits.models import CreditRecord, CreditReview, CreditSource

router = Router(tags=["学分申报"])


# --- the catalogue -------------------------------------------------------------------------------


class CreditSourceOut(Schema):
    code: str
    name: str
    category: str
    claim: str = Field(..., description="sponsor/person/unit/provider/society：谁录入")
    claim_label: str
    unit: str = Field(..., description="hours 学时 / event 次 / kchars 千字 / credit 学分")
    credits_per_unit: Decimal | None
    lecturer_credits_per_unit: Decimal | None
    hours_per_credit: Decimal | None
    cap_per_entry: Decimal | None
    cap_per_year: Decimal | None
    cap_group: str
    needs_certificate_number: bool
    evidence: str = Field(..., description="审核须见材料")

    @staticmethod
    def resolve_claim_label(source: CreditSource) -> str:
        return source.get_claim_display()


@router.get(
    "/credit-sources", response={200: list[CreditSourceOut], **ERRORS}, summary="学分来源目录"
)
def credit_sources(request: HttpRequest, claim: str = ""):
    """启用的学分来源；claim=person 为本人可申报的来源，claim=unit 为单位录入的学术活动。"""
    qs = CreditSource.objects.filter(active=True)
    return qs.filter(claim=claim) if claim else qs


# --- claims --------------------------------------------------------------------------------------


class PersonRef(Schema):
    id: int
    name: str


class ReviewOut(Schema):
    organisation: OrgRef
    decision: str
    decision_label: str
    comment: str
    decided_at: datetime


class ClaimOut(Schema):
    id: int
    person: PersonRef
    unit: OrgRef | None
    year: int
    source: str
    source_name: str
    category: str
    title: str
    activity_date: date | None
    quantity: Decimal | None
    amount: Decimal
    hours: Decimal
    certificate_number: str
    status: str = Field(..., description="pending/valid/rejected/void")
    status_label: str
    returned: bool = Field(..., description="退回修改：待本人修改后重新提交")
    where: str = Field(..., description="如“等待长沙市卫生健康委员会审核，已5天”")
    status_reason: str
    holder: OrgRef | None
    holder_since: datetime | None
    has_evidence: bool
    reviews: list[ReviewOut]
    created_at: datetime

    @staticmethod
    def resolve_unit(record: CreditRecord):
        return record.person.unit

    @staticmethod
    def resolve_source(record: CreditRecord) -> str:
        return record.source_id

    @staticmethod
    def resolve_source_name(record: CreditRecord) -> str:
        return record.source.name

    @staticmethod
    def resolve_status_label(record: CreditRecord) -> str:
        return "退回修改" if is_returned(record) else record.get_status_display()

    @staticmethod
    def resolve_returned(record: CreditRecord) -> bool:
        return is_returned(record)

    @staticmethod
    def resolve_where(record: CreditRecord) -> str:
        return ledger.where_is(record) if not is_returned(record) else ""

    @staticmethod
    def resolve_has_evidence(record: CreditRecord) -> bool:
        return bool(record.evidence)

    @staticmethod
    def resolve_reviews(record: CreditRecord) -> list[dict]:
        reviews = list(record.reviews.all())
        out = []
        for n, review in enumerate(reviews, start=1):
            rejected = n == len(reviews) and record.status == CreditRecord.Status.REJECTED
            out.append(
                {
                    "organisation": review.organisation,
                    "decision": "rejected" if rejected else review.decision,
                    "decision_label": "不予认可" if rejected else _review_label(review),
                    "comment": review.comment,
                    "decided_at": review.decided_at,
                }
            )
        return out


def _review_label(review: CreditReview) -> str:
    return review.get_decision_display()


def _with_reviews(qs):
    return qs.prefetch_related("reviews__organisation")


def _claim_args(
    source: str,
    year: int,
    title: str,
    activity_date: date,
    quantity: Decimal | None,
    amount: Decimal | None,
    hours: Decimal | None,
    certificate_number: str,
) -> dict:
    chosen = CreditSource.objects.filter(code=source).first()
    if chosen is None:
        raise DomainError(
            "CLAIM_SOURCE", "学分来源代码无效：{c}。".format(c=source), field="source"
        )
    return {
        "source": chosen,
        "year": year,
        "title": title,
        "activity_date": activity_date,
        "quantity": quantity,
        "amount": amount,
        "hours": hours,
        "certificate_number": certificate_number,
    }


def _claimant(user):
    person = getattr(user, "person", None)
    if person is None:
        raise PermissionDenied("您的账户尚未关联人员信息，不能申报学分。")
    return person


@router.post("/claims", response={201: ClaimOut, **ERRORS}, summary="申报学分")
def post_claim(
    request: HttpRequest,
    source: Form[str],
    year: Form[Year],
    title: Form[str],
    activity_date: Form[date],
    evidence: File[UploadedFile],
    quantity: Form[Decimal | None] = None,
    amount: Form[Decimal | None] = None,
    hours: Form[Decimal | None] = None,
    certificate_number: Form[str] = "",
):
    """multipart：source 来源代码（见 /credit-sources?claim=person）、year、title、activity_date、
    evidence 证明材料（PDF/JPG/PNG）；按来源填 quantity（千字/次/学时）或 amount（证书学分）、
    certificate_number（出省国家级项目须含“（国）”）。重复申报返回 DUPLICATE_CERTIFICATE /
    CERTIFICATE_REGISTERED / DUPLICATE_CLAIM。"""
    user = current_user(request)
    person = _claimant(user)
    args = _claim_args(
        source, year, title, activity_date, quantity, amount, hours, certificate_number
    )
    record = actions.submit_claim(person, actor=user, evidence=evidence, **args)
    return Status(201, _with_reviews(my_claims(user)).get(pk=record.pk))


@router.get("/claims/mine", response={200: list[ClaimOut], **ERRORS}, summary="我的申报")
@paginate(Pages)
def get_my_claims(request: HttpRequest):
    return _with_reviews(my_claims(current_user(request)))


@router.get("/claims/queue", response={200: list[ClaimOut], **ERRORS}, summary="待我审核的学分申报")
@paginate(Pages)
def get_queue(request: HttpRequest):
    """本单位（单位管理员）或本机构（市州卫健委）现持有的待审核申报，等待最久的在前。"""
    user = current_user(request)
    if not can_review_claims(user):
        raise PermissionDenied("只有单位管理员和卫生健康行政部门可以审核学分申报。")
    return _with_reviews(claims_held_by(user))


@router.get("/claims/{claim_id}", response={200: ClaimOut, **ERRORS}, summary="一条学分申报")
def get_claim(request: HttpRequest, claim_id: int):
    return claim_for(current_user(request), claim_id)


@router.post(
    "/claims/{claim_id}/resubmit",
    response={200: ClaimOut, **ERRORS},
    summary="修改后重新提交退回的申报",
)
def resubmit_claim(
    request: HttpRequest,
    claim_id: int,
    source: Form[str],
    year: Form[Year],
    title: Form[str],
    activity_date: Form[date],
    evidence: File[UploadedFile] = None,
    quantity: Form[Decimal | None] = None,
    amount: Form[Decimal | None] = None,
    hours: Form[Decimal | None] = None,
    certificate_number: Form[str] = "",
):
    """字段同“申报学分”；不上传 evidence 则沿用原材料。只有退回修改的申报可以重新提交。"""
    user = current_user(request)
    record = claim_for(user, claim_id)
    args = _claim_args(
        source, year, title, activity_date, quantity, amount, hours, certificate_number
    )
    actions.resubmit_claim(record, actor=user, evidence=evidence, **args)
    return claim_for(user, claim_id)


class ClaimDecisionIn(Schema):
    decision: Literal["approve", "return", "reject"] = Field(
        ..., description="approve 通过 / return 退回修改 / reject 不予认可"
    )
    reason: str = ""


@router.post(
    "/claims/{claim_id}/decision", response={200: ClaimOut, **ERRORS}, summary="审核学分申报"
)
def post_decision(request: HttpRequest, claim_id: int, payload: ClaimDecisionIn):
    """持有该申报的单位（或市州卫健委）审核；退回修改、不予认可须填 reason
    （REASON_REQUIRED）；已被他人处理时返回 CONFLICT（409）。"""
    user = current_user(request)
    record = claim_for(user, claim_id)
    actions.decide_claim(record, actor=user, decision=payload.decision, reason=payload.reason)
    return claim_for(user, claim_id)


# --- unit activities -----------------------------------------------------------------------------


class ActivityIn(Schema):
    source: str = Field(
        ..., description="unit_lecture / unit_case_discussion / hunan_unit_activity"
    )
    title: str
    activity_date: date
    credits: Decimal | None = Field(None, description="仅按学分计的来源（湖南单位学术活动）")
    hours: Decimal | None = Field(None, description="按次计分的活动可填活动学时")
    lecturers: list[str] = Field(default_factory=list, description="本单位人员姓名或身份证号码")
    participants: list[str] = Field(default_factory=list, description="同上")


class ActivityRecordOut(Schema):
    person: PersonRef
    role: str
    amount: Decimal
    hours: Decimal


class ActivityOut(Schema):
    id: int
    unit: OrgRef
    source: str
    source_name: str
    title: str
    activity_date: date
    year: int
    credits: Decimal
    lecturer_credits: Decimal
    hours: Decimal
    lecturer_count: int
    participant_count: int
    records: list[ActivityRecordOut]

    @staticmethod
    def resolve_source(activity) -> str:
        return activity.source_id

    @staticmethod
    def resolve_source_name(activity) -> str:
        return activity.source.name

    @staticmethod
    def resolve_records(activity) -> list:
        return list(activity.records.select_related("person").order_by("-role", "person__name"))


@router.post("/unit-activities", response={201: ActivityOut, **ERRORS}, summary="录入单位学术活动")
def post_unit_activity(request: HttpRequest, payload: ActivityIn):
    """单位管理员为本单位人员录入，学分即时生效；非本单位人员返回 STAFF_NOT_OF_UNIT；同时是主讲人
    和参加人员的只计主讲人学分；年度上限在学分汇总时计算。"""
    user = current_user(request)
    source = CreditSource.objects.filter(code=payload.source).first()
    if source is None:
        raise DomainError("ACTIVITY_SOURCE", "活动类别代码无效。", field="source")
    activity = activities.record_unit_activity(
        acting_org(user),
        actor=user,
        source=source,
        title=payload.title,
        activity_date=payload.activity_date,
        credits=payload.credits,
        hours=payload.hours,
        lecturers=payload.lecturers,
        participants=payload.participants,
    )
    return Status(201, activity_for(user, activity.pk))


@router.get("/unit-activities", response={200: list[ActivityOut], **ERRORS}, summary="单位学术活动")
@paginate(Pages)
def get_unit_activities(request: HttpRequest, year: Year | None = None):
    user = current_user(request)
    if not can_review_claims(user):
        raise PermissionDenied("只有单位管理员和卫生健康行政部门可以查看单位学术活动。")
    qs = activities_visible_to(user)
    return qs.filter(year=year) if year else qs
