"""API: distance-learning filings, courses and completion records (003 §十二), and society
annual meetings with their attendance (002 §四.三). Same scoped queries and actions as the
pages; ID numbers only masked in answers, whole ones only in request bodies."""

import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from cme.accounts.scope import acting_org
from cme.api.auth import current_user
from cme.api.schemas import ERRORS, ImportRecordOut, OrgRef, Pages, ReasonIn, Year
from cme.core import idnumbers
from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.credits.models import CreditRecord
from cme.distance import completions, filings, meetings
from cme.distance.models import (
    AnnualMeeting,
    AttendanceImport,
    CompletionImport,
    Course,
    MeetingAttendee,
    ProviderFiling,
)
from cme.distance.permissions import owns_filing
from cme.distance.queries import (
    attendance_import_for,
    attendee_for,
    batch_for,
    batch_records,
    batches_visible_to,
    city_authorities,
    course_for,
    distance_record_for,
    filing_for,
    filings_visible_to,
    meeting_for,
    meetings_visible_to,
)

router = Router(tags=["远程教育"])
meeting_router = Router(tags=["学术年会"])


# --- schemas -----------------------------------------------------------------------------------


class FilingOut(Schema):
    id: int
    provider: OrgRef
    city: OrgRef
    state: str
    state_label: str
    contact_name: str
    contact_phone: str
    pc_platform: str
    mobile_platform: str
    introduction: str
    submitted_at: datetime.datetime
    decided_at: datetime.datetime | None
    decision_reason: str
    revoked_at: datetime.datetime | None
    revocation_reason: str

    @staticmethod
    def resolve_state_label(filing: ProviderFiling) -> str:
        return filing.get_state_display()


class DistanceDecisionIn(Schema):
    accept: bool = Field(..., description="true 通过（备案/审核无误）/ false 不通过")
    reason: str = Field("", description="不通过时必填")


class RevokeOut(Schema):
    filing: FilingOut
    voided_records: int


class CourseIn(Schema):
    year: Year
    name: str
    summary: str
    hours: Decimal = Field(..., description="学时")
    category: str = Field(..., description="I / II；I类限国家级远程项目，须填 project_number")
    code: str = Field("", description="机构自编课程编号，可用于学习记录")
    project_number: str = ""


class CourseOut(Schema):
    id: int
    filing_id: int
    year: int
    code: str
    name: str
    summary: str
    hours: Decimal
    category: str
    project_number: str
    credits: Decimal = Field(..., description="完成全部学时可得学分")
    state: str
    state_label: str
    decision_reason: str

    @staticmethod
    def resolve_credits(course: Course) -> Decimal:
        return filings.credits_for(course)

    @staticmethod
    def resolve_state_label(course: Course) -> str:
        return course.get_state_display()


class CompletionBatchOut(ImportRecordOut):
    filing_id: int
    review: str
    review_label: str
    reviewed_at: datetime.datetime | None
    review_reason: str

    @staticmethod
    def resolve_review_label(batch: CompletionImport) -> str:
        return batch.get_review_display()


class CompletionRecordOut(Schema):
    """A credit record of a batch; the ID number only masked."""

    id: int
    row: int
    name: str
    id_number_masked: str
    course_id: int
    title: str
    year: int
    category: str
    hours: Decimal
    amount: Decimal
    activity_date: datetime.date | None
    status: str
    status_reason: str

    @staticmethod
    def resolve_row(record: CreditRecord) -> int:
        return record.distance_completion.row

    @staticmethod
    def resolve_course_id(record: CreditRecord) -> int:
        return record.distance_completion.course_id

    @staticmethod
    def resolve_name(record: CreditRecord) -> str:
        return record.person.name

    @staticmethod
    def resolve_id_number_masked(record: CreditRecord) -> str:
        return idnumbers.mask(record.person.id_number)


def _city(city_id: int):
    city = city_authorities().filter(pk=city_id).first()
    if city is None:
        raise DomainError("FILING_CITY", "请选择市州卫生健康委员会作为备案机关。", field="city_id")
    return city


# --- filings ----------------------------------------------------------------------------------


@router.get("/distance/filings", response={200: list[FilingOut], **ERRORS}, summary="备案列表")
@paginate(Pages)
def list_filings(request: HttpRequest, state: str = "") -> QuerySet[ProviderFiling]:
    """远程教育机构看本机构的备案；市卫健委看向本市申请的备案；state 按状态筛选。"""
    qs = filings_visible_to(current_user(request))
    return qs.filter(state=state) if state else qs


@router.post("/distance/filings", response={201: FilingOut, **ERRORS}, summary="申请备案")
def apply_filing(
    request: HttpRequest,
    city_id: Form[int],
    contact_name: Form[str],
    contact_phone: Form[str],
    pc_platform: Form[str],
    mobile_platform: Form[str],
    introduction: Form[str],
    commitment: Form[bool],
    qualification: File[UploadedFile],
) -> Status[ProviderFiling]:
    """multipart：各字段及 qualification 资质证明文件（PDF/JPG/PNG，不超过10MB）；
    commitment=true 承诺提供两种学习平台、保存学习记录、维护个人信息安全。"""
    user = current_user(request)
    filing = filings.apply_for_filing(
        actor=user,
        city=_city(city_id),
        contact_name=contact_name,
        contact_phone=contact_phone,
        pc_platform=pc_platform,
        mobile_platform=mobile_platform,
        introduction=introduction,
        qualification=qualification,
        commitment=commitment,
    )
    return Status(201, filing)


@router.get(
    "/distance/filings/{filing_id}", response={200: FilingOut, **ERRORS}, summary="备案详情"
)
def get_filing(request: HttpRequest, filing_id: int) -> ProviderFiling:
    return filing_for(current_user(request), filing_id)


@router.post(
    "/distance/filings/{filing_id}/decision",
    response={200: FilingOut, **ERRORS},
    summary="市卫健委备案审核",
)
def decide_filing(
    request: HttpRequest, filing_id: int, payload: DistanceDecisionIn
) -> ProviderFiling:
    user = current_user(request)
    filing = filing_for(user, filing_id)
    return filings.decide_filing(filing, actor=user, accept=payload.accept, reason=payload.reason)


@router.post(
    "/distance/filings/{filing_id}/revoke",
    response={200: RevokeOut, **ERRORS},
    summary="撤销备案（作废未审核年度的学分）",
)
def revoke_filing(request: HttpRequest, filing_id: int, payload: ReasonIn) -> dict:
    user = current_user(request)
    filing = filing_for(user, filing_id)
    count = filings.revoke_filing(filing, actor=user, reason=payload.reason)
    return {"filing": filing, "voided_records": count}


# --- courses -----------------------------------------------------------------------------------


@router.get(
    "/distance/filings/{filing_id}/courses",
    response={200: list[CourseOut], **ERRORS},
    summary="备案课程",
)
@paginate(Pages)
def list_courses(
    request: HttpRequest, filing_id: int, year: Year | None = None, state: str = ""
) -> QuerySet[Course]:
    qs = filing_for(current_user(request), filing_id).courses.all()
    if year is not None:
        qs = qs.filter(year=year)
    return qs.filter(state=state) if state else qs


@router.post(
    "/distance/filings/{filing_id}/courses",
    response={201: CourseOut, **ERRORS},
    summary="报送课程备案",
)
def file_course(request: HttpRequest, filing_id: int, payload: CourseIn) -> Status[Course]:
    user = current_user(request)
    filing = filing_for(user, filing_id)
    return Status(201, filings.file_course(filing, actor=user, **payload.dict()))


@router.get(
    "/distance/courses/{course_id}", response={200: CourseOut, **ERRORS}, summary="课程详情"
)
def get_course(request: HttpRequest, course_id: int) -> Course:
    return course_for(current_user(request), course_id)


@router.post(
    "/distance/courses/{course_id}/decision",
    response={200: CourseOut, **ERRORS},
    summary="市卫健委课程备案审核",
)
def decide_course(request: HttpRequest, course_id: int, payload: DistanceDecisionIn) -> Course:
    user = current_user(request)
    course = course_for(user, course_id)
    return filings.decide_course(course, actor=user, accept=payload.accept, reason=payload.reason)


# --- completion records ------------------------------------------------------------------------


@router.post(
    "/distance/filings/{filing_id}/completions",
    response={201: CompletionBatchOut, **ERRORS},
    summary="上传学习记录",
)
def upload_completions(
    request: HttpRequest, filing_id: int, file: File[UploadedFile]
) -> Status[CompletionImport]:
    """multipart 字段 file（.xlsx/.xls/.csv）：姓名、证件号码、课程名称或课程编号、学习时长（学时）、
    完成日期。检查后返回报告，逐行列出错误；确认前不写入任何数据。"""
    user = current_user(request)
    filing = filing_for(user, filing_id)
    return Status(201, completions.preview_completion_import(filing, file, actor=user))


@router.get(
    "/distance/completion-batches",
    response={200: list[CompletionBatchOut], **ERRORS},
    summary="学习记录批次",
)
@paginate(Pages)
def list_batches(request: HttpRequest, review: str | None = None) -> QuerySet[CompletionImport]:
    """review=pending 待审核（市卫健委的审核队列）/ accepted / refused / voided。"""
    qs = batches_visible_to(current_user(request))
    return qs.filter(review=review) if review is not None else qs


@router.get(
    "/distance/completion-batches/{batch_id}",
    response={200: CompletionBatchOut, **ERRORS},
    summary="导入报告与审核状态",
)
def get_batch(request: HttpRequest, batch_id: int) -> CompletionImport:
    return batch_for(current_user(request), batch_id)


@router.post(
    "/distance/completion-batches/{batch_id}/commit",
    response={200: CompletionBatchOut, **ERRORS},
    summary="确认报送学习记录",
)
def commit_batch(request: HttpRequest, batch_id: int) -> CompletionImport:
    """由后台任务全部写入（待审核），或有错误时一条也不写；state 为 committing 时，
    用 GET 查询，直到 committed 或 invalid。"""
    user = current_user(request)
    batch = batch_for(user, batch_id)
    if not owns_filing(user, batch.filing):
        raise PermissionDenied("只有该远程教育机构可以报送学习记录。")
    return completions.queue_completion_commit(batch, actor=user)


@router.get(
    "/distance/completion-batches/{batch_id}/records",
    response={200: list[CompletionRecordOut], **ERRORS},
    summary="批次中的学分记录",
)
@paginate(Pages)
def list_batch_records(request: HttpRequest, batch_id: int) -> QuerySet[CreditRecord]:
    return batch_records(batch_for(current_user(request), batch_id))


@router.post(
    "/distance/completion-batches/{batch_id}/review",
    response={200: CompletionBatchOut, **ERRORS},
    summary="市卫健委审核学习记录",
)
def review_batch(
    request: HttpRequest, batch_id: int, payload: DistanceDecisionIn
) -> CompletionImport:
    user = current_user(request)
    batch = batch_for(user, batch_id)
    return completions.review_batch(batch, actor=user, accept=payload.accept, reason=payload.reason)


@router.post(
    "/distance/records/{record_id}/void",
    response={200: CompletionRecordOut, **ERRORS},
    summary="作废虚假学分记录",
)
def void_record(request: HttpRequest, record_id: int, payload: ReasonIn) -> CreditRecord:
    user = current_user(request)
    record = distance_record_for(user, record_id)
    completions.void_record(record, actor=user, reason=payload.reason)
    return distance_record_for(user, record_id)


# --- annual meetings ----------------------------------------------------------------------------


class MeetingOut(Schema):
    id: int
    society: OrgRef
    branch: OrgRef | None
    year: int
    name: str
    starts_on: datetime.date
    ends_on: datetime.date
    place: str
    in_plan: bool
    state: str
    state_label: str
    credits: Decimal | None = Field(None, description="确认后每人授予的省级I类学分")
    attendee_count: int
    decided_at: datetime.datetime | None
    decision_reason: str

    @staticmethod
    def resolve_state_label(meeting: AnnualMeeting) -> str:
        return meeting.get_state_display()

    @staticmethod
    def resolve_attendee_count(meeting: AnnualMeeting) -> int:
        return meeting.attendees.count()


class MeetingAttendeeIn(Schema):
    name: str
    id_number: str
    id_type: str = Field("", description="证件类型，默认居民身份证")


class MeetingAttendeeOut(Schema):
    id: int
    person_id: int
    name: str
    id_number_masked: str
    source: str
    credits: Decimal | None

    @staticmethod
    def resolve_name(attendee: MeetingAttendee) -> str:
        return attendee.person.name

    @staticmethod
    def resolve_id_number_masked(attendee: MeetingAttendee) -> str:
        return idnumbers.mask(attendee.person.id_number)

    @staticmethod
    def resolve_credits(attendee: MeetingAttendee) -> Decimal | None:
        return attendee.record.amount if attendee.record_id else None


class AttendanceImportOut(ImportRecordOut):
    meeting_id: int


class MeetingDecisionIn(Schema):
    confirm: bool = Field(..., description="true 确认 / false 不予确认")
    reason: str = Field("", description="不予确认时必填")


@meeting_router.get("/meetings", response={200: list[MeetingOut], **ERRORS}, summary="学术年会列表")
@paginate(Pages)
def list_meetings(
    request: HttpRequest, year: Year | None = None, state: str = ""
) -> QuerySet[AnnualMeeting]:
    """学会看本学会的年会；省继教办看已报送的年会；state=submitted 为待确认。"""
    qs = meetings_visible_to(current_user(request))
    if year is not None:
        qs = qs.filter(year=year)
    return qs.filter(state=state) if state else qs


@meeting_router.post("/meetings", response={201: MeetingOut, **ERRORS}, summary="登记学术年会")
def create_meeting(
    request: HttpRequest,
    year: Form[Year],
    name: Form[str],
    starts_on: Form[datetime.date],
    ends_on: Form[datetime.date],
    place: Form[str],
    in_plan: Form[bool],
    plan_document: File[UploadedFile],
    branch_id: Form[int | None] = None,
) -> Status[AnnualMeeting]:
    """multipart：in_plan=true 已列入学会年度学术计划；plan_document 年度学术计划扫描件；
    branch_id 举办的专业委员会/分会（不填为学会本身）。政策未规定年会学分的年度（如2021）
    拒绝登记（MEETING_NO_CREDITS）。"""
    user = current_user(request)
    branch = None
    if branch_id is not None:
        society = acting_org(user)
        branch = society.branches.filter(pk=branch_id).first() if society else None
        if branch is None:
            raise NotFound("本学会没有该专业委员会或分会。")
    meeting = meetings.record_meeting(
        actor=user,
        year=year,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        place=place,
        in_plan=in_plan,
        plan_document=plan_document,
        branch=branch,
    )
    return Status(201, meeting)


@meeting_router.get(
    "/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS}, summary="年会详情"
)
def get_meeting(request: HttpRequest, meeting_id: int) -> AnnualMeeting:
    return meeting_for(current_user(request), meeting_id)


@meeting_router.get(
    "/meetings/{meeting_id}/attendees",
    response={200: list[MeetingAttendeeOut], **ERRORS},
    summary="参会名单",
)
@paginate(Pages)
def list_attendees(request: HttpRequest, meeting_id: int) -> QuerySet[MeetingAttendee]:
    meeting = meeting_for(current_user(request), meeting_id)
    return meeting.attendees.select_related("person", "record").order_by("pk")


@meeting_router.post(
    "/meetings/{meeting_id}/attendees",
    response={201: MeetingAttendeeOut, **ERRORS},
    summary="按证件号码录入参会人员",
)
def add_attendee(
    request: HttpRequest, meeting_id: int, payload: MeetingAttendeeIn
) -> Status[MeetingAttendee]:
    user = current_user(request)
    meeting = meeting_for(user, meeting_id)
    return Status(201, meetings.add_attendee(meeting, actor=user, **payload.dict()))


@meeting_router.delete(
    "/meeting-attendees/{attendee_id}", response={204: None, **ERRORS}, summary="移出参会人员"
)
def remove_attendee(request: HttpRequest, attendee_id: int) -> Status[None]:
    user = current_user(request)
    meetings.remove_attendee(attendee_for(user, attendee_id), actor=user)
    return Status(204, None)


@meeting_router.post(
    "/meetings/{meeting_id}/attendance-imports",
    response={201: AttendanceImportOut, **ERRORS},
    summary="上传参会名单",
)
def upload_attendance(
    request: HttpRequest, meeting_id: int, file: File[UploadedFile]
) -> Status[AttendanceImport]:
    user = current_user(request)
    meeting = meeting_for(user, meeting_id)
    return Status(201, meetings.preview_attendance_import(meeting, file, actor=user))


@meeting_router.get(
    "/attendance-imports/{import_id}",
    response={200: AttendanceImportOut, **ERRORS},
    summary="参会名单导入报告",
)
def get_attendance_import(request: HttpRequest, import_id: int) -> AttendanceImport:
    return attendance_import_for(current_user(request), import_id)


@meeting_router.post(
    "/attendance-imports/{import_id}/commit",
    response={200: AttendanceImportOut, **ERRORS},
    summary="确认导入参会名单",
)
def commit_attendance(request: HttpRequest, import_id: int) -> AttendanceImport:
    user = current_user(request)
    record = attendance_import_for(user, import_id)
    return meetings.queue_attendance_commit(record, actor=user)


@meeting_router.post(
    "/meetings/{meeting_id}/submit", response={200: MeetingOut, **ERRORS}, summary="报送省继教办"
)
def submit_meeting(request: HttpRequest, meeting_id: int) -> AnnualMeeting:
    user = current_user(request)
    return meetings.submit_meeting(meeting_for(user, meeting_id), actor=user)


@meeting_router.post(
    "/meetings/{meeting_id}/decision",
    response={200: MeetingOut, **ERRORS},
    summary="省继教办确认学术年会",
)
def decide_meeting(
    request: HttpRequest, meeting_id: int, payload: MeetingDecisionIn
) -> AnnualMeeting:
    """确认后每位参会人员获得一条有效的省级I类学分记录（当年政策 society_annual_meeting.credits）。"""
    user = current_user(request)
    meeting = meeting_for(user, meeting_id)
    return meetings.decide_meeting(
        meeting, actor=user, confirm=payload.confirm, reason=payload.reason
    )
