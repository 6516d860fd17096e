"""API: declarations (check without saving, create, edit, submit), the review queue and
decisions (SPEC §4; issue 4 §13)."""

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from cme.accounts.scope import acting_org
from cme.api.auth import current_user
from cme.api.schemas import ERRORS, OrgRef, Pages, Year
from cme.core.errors import DomainError, NotFound
from cme.orgs.models import Region
from cme.people.models import Person
from cme.policy.models import Discipline
from cme.projects import actions
from cme.projects.models import Attachment, Kind, Level, Project, ReviewStep
from cme.projects.queries import project_for, projects_visible_to, review_queue_for
from cme.projects.rules import check_declaration

router = Router(tags=["项目申报"])


class TeacherIn(Schema):
    name: str
    unit_name: str = ""
    title: str = Field("", description="职称全称，如 副主任医师")
    specialty: str = ""
    person_id: int | None = Field(None, description="在册人员的id（本单位教师）")
    is_leader: bool = False
    consent: bool = Field(False, description="已取得知情同意并留存证据")


class LessonIn(Schema):
    topic: str
    teacher: int = Field(..., description="teachers 列表中的序号（从0开始）")
    hours: Decimal = Field(..., description="学时，一位小数", examples=[2.0])
    kind: str = Field("theory", description="theory 理论授课 / practice 实验·技术示范")


class SessionIn(Schema):
    starts_on: date
    ends_on: date
    region: str | None = Field(None, description="举办地区划代码，如 430102")
    address: str = ""
    place_outside: str = Field("", description="境外或港澳台举办地（将被 PLACE_MAINLAND 拒绝）")


class DeclarationIn(Schema):
    """A whole declaration (the form's five tabs)."""

    year: Year = Field(..., examples=[2024])
    level: str = Field(..., description="national / provincial / city", examples=["provincial"])
    kind: str = Field("new", description="new 新申报 / filing 备案")
    previous_id: int | None = Field(None, description="备案时：上一年度项目的id")
    name: str = Field(..., examples=["基层医院急危重症救治新进展学习班"])
    discipline: str | None = Field(
        None, description="学科代码 二级-三级，如 04-08", examples=["04-08"]
    )
    sponsor_is_first: bool = True
    co_sponsors: str = ""
    leader_id: int | None = None
    leader_phone: str = ""
    form: str = "face_to_face"
    audience: str = ""
    expected_participants: int | None = Field(None, ge=1, le=1_000_000)
    sessions_planned: int = Field(1, ge=1, le=99)
    credits: Decimal | None = Field(None, ge=0, le=Decimal("999.9"), decimal_places=1)
    needs_sources: list[str] = []
    needs_analysis: str = ""
    objectives: str = ""
    assessment_method: str = ""
    evaluation_levels: list[int] = Field([], description="效果评估层次 1-7，1-3 必选")
    fees: str = ""
    is_annual_meeting: bool = False
    teachers: list[TeacherIn] = []
    lessons: list[LessonIn] = []
    sessions: list[SessionIn] = []
    attachments: list[str] = Field(
        [],
        description="仅用于检查：已具备的附件类型（licence, leader_title, teacher_consent, pledge, inspection）",
    )


class RuleFindingOut(Schema):
    rule_id: str
    level: str
    field: str
    message: str
    source: str = ""


class StepOut(Schema):
    id: int
    round: int
    order: int
    stage: str
    reviewer: OrgRef
    decision: str
    comment: str
    field_comments: dict
    decided_at: datetime | None


class DeclarationOut(Schema):
    id: int
    year: int
    level: str
    kind: str
    number: str | None
    name: str
    state: str
    sponsor: OrgRef
    declared_by: OrgRef
    findings: list[RuleFindingOut]
    submitted_at: datetime | None
    approved_at: datetime | None


class DeclarationDetailOut(DeclarationOut):
    review_steps: list[StepOut]

    @staticmethod
    def resolve_review_steps(project: Project) -> list[ReviewStep]:
        return list(project.review_steps.select_related("reviewer"))


class ReviewDecisionIn(Schema):
    decision: str = Field(..., description="approved 通过 / returned 退回修改 / rejected 不予通过")
    comment: str = ""
    field_comments: dict[str, str] = Field(
        {}, description="逐项意见：字段名 → 意见，退回时显示在对应字段旁"
    )


class BatchDecisionIn(ReviewDecisionIn):
    step_ids: list[int]


class BatchDecisionOut(Schema):
    decided: int
    failed: list[str]


def _fields(payload: DeclarationIn, user) -> dict:
    values = payload.dict(
        exclude={
            "year",
            "level",
            "kind",
            "previous_id",
            "teachers",
            "lessons",
            "sessions",
            "attachments",
            "discipline",
            "leader_id",
        }
    )
    values["discipline"] = _discipline(payload.discipline, payload.year)
    values["leader"] = _person(payload.leader_id, user)
    return values


def _discipline(code: str | None, year: int) -> Discipline | None:
    if not code:
        return None
    try:
        secondary, tertiary = code.split("-")
    except ValueError:
        raise DomainError(
            "DISCIPLINE_INVALID", "学科代码应为“二级-三级”，如 04-08。", field="discipline"
        ) from None
    found = (
        Discipline.objects.filter(year__lte=year, secondary_code=secondary, tertiary_code=tertiary)
        .order_by("-year")
        .first()
    )
    if found is None:
        raise DomainError(
            "DISCIPLINE_INVALID", "学科代码“{c}”不存在。".format(c=code), field="discipline"
        )
    return found


def _person(pk: int | None, user) -> Person | None:
    if pk is None:
        return None
    from cme.people.queries import persons_visible_to

    person = persons_visible_to(user).filter(pk=pk).first()
    if person is None:
        raise DomainError(
            "PERSON_NOT_FOUND", "未找到该人员（须为本单位在册人员）。", field="leader_id"
        )
    return person


def _content(payload: DeclarationIn, user) -> dict:
    return {
        "teachers": [
            {**t.dict(exclude={"person_id"}), "person": _person(t.person_id, user)}
            for t in payload.teachers
        ],
        "lessons": [lesson.dict() for lesson in payload.lessons],
        "sessions": [
            {
                **s.dict(),
                "region": Region.objects.filter(code=s.region).first() if s.region else None,
            }
            for s in payload.sessions
        ],
    }


def _build(payload: DeclarationIn, user, project: Project | None = None) -> Project:
    org = acting_org(user)
    if project is None:
        if payload.level not in Level.values or payload.kind not in Kind.values:
            raise DomainError("DECLARATION_INVALID", "项目级别或申报类型无效。")
        previous = (
            projects_visible_to(user).filter(pk=payload.previous_id).first()
            if payload.previous_id
            else None
        )
        project = actions.start_declaration(
            actor=user,
            declared_by=org,
            year=payload.year,
            level=payload.level,
            kind=payload.kind,
            name=payload.name,
            previous=previous,
        )
    actions.save_draft(project, _fields(payload, user), actor=user)
    actions.replace_content(project, _content(payload, user), actor=user)
    return project


@router.post(
    "/declarations/check",
    response={200: list[RuleFindingOut], **ERRORS},
    summary="检查申报（不保存）",
)
def check(request: HttpRequest, payload: DeclarationIn) -> list:
    """按当年政策参数运行全部申报规则，返回检查结果；不保存任何数据。"""
    user = current_user(request)
    with transaction.atomic():
        project = _build(payload, user)
        for kind in payload.attachments:
            if kind in Attachment.Kind.values:
                Attachment.objects.create(project=project, kind=kind, file="check-only")
        findings = [f.as_dict() for f in check_declaration(project)]
        transaction.set_rollback(True)
    return findings


@router.post(
    "/declarations", response={201: DeclarationDetailOut, **ERRORS}, summary="新建申报（草稿）"
)
def create(request: HttpRequest, payload: DeclarationIn):
    user = current_user(request)
    with transaction.atomic():
        project = _build(payload, user)
    project.findings = [f.as_dict() for f in check_declaration(project)]
    return Status(201, project)


@router.get("/declarations", response={200: list[DeclarationOut], **ERRORS}, summary="申报列表")
@paginate(Pages)
def list_declarations(
    request: HttpRequest, year: Year | None = None, state: str | None = None
) -> QuerySet[Project]:
    qs = projects_visible_to(current_user(request))
    if year:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state=state)
    return qs


@router.get(
    "/declarations/{project_id}", response={200: DeclarationDetailOut, **ERRORS}, summary="申报详情"
)
def get_declaration(request: HttpRequest, project_id: int) -> Project:
    return project_for(current_user(request), project_id)


@router.put(
    "/declarations/{project_id}",
    response={200: DeclarationDetailOut, **ERRORS},
    summary="修改申报（草稿或退回修改）",
)
def update(request: HttpRequest, project_id: int, payload: DeclarationIn) -> Project:
    user = current_user(request)
    project = project_for(user, project_id)
    with transaction.atomic():
        _build(payload, user, project)
    project.refresh_from_db()
    project.findings = [f.as_dict() for f in check_declaration(project)]
    return project


@router.post(
    "/declarations/{project_id}/submit",
    response={200: DeclarationDetailOut, **ERRORS},
    summary="提交申报",
)
def submit(request: HttpRequest, project_id: int) -> Project:
    user = current_user(request)
    return actions.submit_declaration(project_for(user, project_id), actor=user)


@router.get("/review-queue", response={200: list[StepOut], **ERRORS}, summary="待我审核")
@paginate(Pages)
def review_queue(request: HttpRequest) -> QuerySet[ReviewStep]:
    return review_queue_for(current_user(request))


def _step_for(user, step_id: int) -> ReviewStep:
    step = ReviewStep.objects.select_related("project", "reviewer").filter(pk=step_id).first()
    if step is None or not projects_visible_to(user).filter(pk=step.project_id).exists():
        raise NotFound()
    return step


@router.post(
    "/review-steps/{step_id}/decide", response={200: StepOut, **ERRORS}, summary="审核决定"
)
def decide(request: HttpRequest, step_id: int, payload: ReviewDecisionIn) -> ReviewStep:
    user = current_user(request)
    return actions.decide(
        _step_for(user, step_id),
        actor=user,
        decision=payload.decision,
        comment=payload.comment,
        field_comments=payload.field_comments,
    )


@router.post(
    "/review-steps/batch-decide", response={200: BatchDecisionOut, **ERRORS}, summary="批量审核"
)
def batch(request: HttpRequest, payload: BatchDecisionIn) -> dict:
    user = current_user(request)
    steps = [_step_for(user, pk) for pk in payload.step_ids]
    done, failed = actions.batch_decide(
        steps, actor=user, decision=payload.decision, comment=payload.comment
    )
    return {"decided": done, "failed": failed}


class PublicProjectOut(Schema):
    """A published project with the public columns (shared/reference/README.md)."""

    学科名称: str
    项目编号: str
    项目名称: str
    申办单位: str
    项目负责人: str
    负责人电话: str
    起止日期: str
    天数: str
    举办地点: str
    授予学员学分: str
    教学对象: str
    拟招生人数: str
    备注: str


@router.get(
    "/public/projects",
    auth=None,
    response={200: list[PublicProjectOut]},
    summary="项目公布名单（无需登录）",
)
@paginate(Pages)
def public_projects(
    request: HttpRequest,
    year: Year | None = None,
    level: str | None = None,
    discipline: str | None = None,
    sponsor: str | None = None,
    leader: str | None = None,
    number: str | None = None,
    q: str | None = Query(None, description="项目名称或内容中的词"),
) -> list[dict]:
    from cme.projects.public import COLUMNS, public_row
    from cme.projects.public import public_projects as search

    params = {
        k: str(v)
        for k, v in {
            "year": year,
            "level": level,
            "discipline": discipline,
            "sponsor": sponsor,
            "leader": leader,
            "number": number,
            "q": q,
        }.items()
        if v
    }
    return [
        {column: str(value) for column, value in zip(COLUMNS, public_row(p), strict=True)}
        for p in search(params)
    ]


@router.post(
    "/declarations/{project_id}/attachments/{kind}",
    response={200: DeclarationDetailOut, **ERRORS},
    summary="上传申报附件",
)
def upload_attachment(
    request: HttpRequest, project_id: int, kind: str, file: File[UploadedFile]
) -> Project:
    """附件类型：licence 执业许可证, leader_title 负责人职称证明, teacher_consent 教师知情同意书,
    pledge 承诺书, inspection 年度校验证明；PDF/JPG/PNG，不超过10MB。"""
    from django.core.exceptions import ValidationError

    from cme.core.uploads import validate_scan

    user = current_user(request)
    project = project_for(user, project_id)
    try:
        validate_scan(file)
    except ValidationError as exc:
        raise DomainError("FILE_TYPE", exc.messages[0], field="file") from None
    actions.attach_file(project, kind=kind, file=file, actor=user)
    project.findings = [f.as_dict() for f in check_declaration(project)]
    return project
