"""API: spot checks (抽查评估). The draw can be previewed (nothing saved) and then made with
the same seed; findings are scored per indicator by its stable id (GET /spot-check-indicators)."""

import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from cme.api.auth import current_user
from cme.api.schemas import ERRORS, OrgRef, Pages, Year
from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.holding.models import HeldSession
from cme.inspections import actions, indicators
from cme.inspections.models import SpotCheck, SpotCheckFile, SpotCheckItem
from cme.inspections.permissions import can_view_draws
from cme.inspections.queries import (
    eligible_inspectors,
    item_for,
    items_visible_to,
    spot_check_for,
    spot_checks_visible_to,
    tasks_of,
)
from cme.projects.models import Level

router = Router(tags=["抽查评估"])


class IndicatorOut(Schema):
    id: str
    group: str
    name: str
    guidance: str
    max_score: int
    veto: bool
    source: str


class IndicatorsOut(Schema):
    version: str
    max_total: int
    thresholds: dict[str, float]
    items: list[IndicatorOut]


class ProjectRef(Schema):
    id: int
    number: str | None
    name: str
    level: str
    sponsor: OrgRef


class UserRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(user) -> str:
        return user.get_full_name() or user.username


class FileOut(Schema):
    id: int
    kind: str
    name: str
    note: str
    uploaded_at: datetime.datetime


class SpotCheckFindingOut(Schema):
    score: str
    note: str = ""


class ItemOut(Schema):
    id: int
    spot_check_id: int
    project: ProjectRef
    session_id: int | None
    level: str
    city_code: str
    city_name: str
    inspectors: list[UserRef]
    visit_date: datetime.date | None
    findings: dict[str, SpotCheckFindingOut]
    score: float | None
    result: str
    result_label: str
    summary: str
    state: str
    files: list[FileOut]

    @staticmethod
    def resolve_inspectors(item: SpotCheckItem) -> list:
        return list(item.inspectors.all())

    @staticmethod
    def resolve_files(item: SpotCheckItem) -> list:
        return list(item.files.all())

    @staticmethod
    def resolve_score(item: SpotCheckItem) -> float | None:
        return None if item.score is None else float(item.score)

    @staticmethod
    def resolve_result_label(item: SpotCheckItem) -> str:
        return item.get_result_display() if item.result else ""


class StratumOut(Schema):
    level: str
    city: str
    city_name: str
    candidates: int
    drawn: int


class SpotCheckOut(Schema):
    id: int
    authority: OrgRef
    year: int
    levels: list[str]
    rate: float | None
    per_stratum: int | None
    seed: int
    candidates: int
    strata: list[StratumOut]
    indicator_version: str
    note: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_rate(sc: SpotCheck) -> float | None:
        return None if sc.rate is None else float(sc.rate)

    @staticmethod
    def resolve_candidates(sc: SpotCheck) -> int:
        return len(sc.candidate_ids)


class SpotCheckDetailOut(SpotCheckOut):
    verified: bool
    items: list[ItemOut]

    @staticmethod
    def resolve_verified(sc: SpotCheck) -> bool:
        return actions.verify_draw(sc)

    @staticmethod
    def resolve_items(sc: SpotCheck) -> list:
        return list(
            sc.items.select_related("project__sponsor").prefetch_related("inspectors", "files")
        )


class PreviewStratumOut(StratumOut):
    projects: list[ProjectRef]


class PreviewOut(Schema):
    preview: bool = True
    year: int
    seed: int
    candidates: int
    drawn: int
    strata: list[PreviewStratumOut]


class SpotCheckIn(Schema):
    year: Year
    levels: list[Level] = Field(default_factory=list, description="留空为全部级别")
    rate: Decimal | None = Field(None, description="每层抽样比例，如0.1；与 per_stratum 二选一")
    per_stratum: int | None = Field(None, description="每层抽取数量")
    seed: int | None = Field(None, description="随机种子；留空由系统随机生成并返回")
    note: str = ""
    preview: bool = Field(False, description="true：只返回抽样结果，不保存")


class AssignIn(Schema):
    item_ids: list[int]
    inspector_ids: list[int]
    visit_date: datetime.date | None = None


class FindingIn(Schema):
    score: Decimal
    note: str = ""


class FindingsIn(Schema):
    scores: dict[str, FindingIn] = Field(..., description="{指标ID: {score, note}}，全部指标必填")
    visit_date: datetime.date
    summary: str = ""
    session_id: int | None = None


def _authority(user) -> None:
    if not can_view_draws(user):
        raise PermissionDenied("抽查评估由卫生健康行政部门组织。")


@router.get(
    "/spot-check-indicators", response={200: IndicatorsOut, **ERRORS}, summary="抽查评估指标"
)
def list_indicators(request: HttpRequest) -> dict:
    return {
        "version": indicators.VERSION,
        "max_total": indicators.MAX_TOTAL,
        "thresholds": {k: float(v) for k, v in indicators.THRESHOLDS.items()},
        "items": list(indicators.INDICATORS),
    }


@router.post(
    "/spot-checks",
    response={200: PreviewOut, 201: SpotCheckDetailOut, **ERRORS},
    summary="抽取抽查项目",
)
def create_spot_check(request: HttpRequest, payload: SpotCheckIn):
    """按项目级别 × 市州分层随机抽取本辖区当年度已举办的项目。preview=true 只返回结果；
    保存时用同一 seed 得到同一样本。"""
    user = current_user(request)
    seed = payload.seed if payload.seed is not None else actions.new_seed()
    values = {
        "actor": user,
        "year": payload.year,
        "levels": [str(lv) for lv in payload.levels] or None,
        "rate": payload.rate,
        "per_stratum": payload.per_stratum,
        "seed": seed,
    }
    if payload.preview:
        p = actions.preview_draw(**values)
        return Status(
            200,
            {
                "year": p.year,
                "seed": p.seed,
                "candidates": p.total_candidates,
                "drawn": p.total_drawn,
                "strata": [{**s.as_json(), "projects": s.drawn} for s in p.strata],
            },
        )
    return Status(201, actions.create_spot_check(note=payload.note, **values))


@router.get("/spot-checks", response={200: list[SpotCheckOut], **ERRORS}, summary="抽查列表")
@paginate(Pages)
def list_spot_checks(request: HttpRequest, year: Year | None = None) -> QuerySet[SpotCheck]:
    user = current_user(request)
    _authority(user)
    qs = spot_checks_visible_to(user)
    return qs.filter(year=year) if year is not None else qs


@router.get(
    "/spot-checks/{spot_check_id}",
    response={200: SpotCheckDetailOut, **ERRORS},
    summary="抽查详情",
)
def get_spot_check(request: HttpRequest, spot_check_id: int) -> SpotCheck:
    user = current_user(request)
    _authority(user)
    return spot_check_for(user, spot_check_id)


@router.post(
    "/spot-checks/{spot_check_id}/assign",
    response={200: list[ItemOut], **ERRORS},
    summary="指派检查人员",
)
def assign(request: HttpRequest, spot_check_id: int, payload: AssignIn) -> list:
    user = current_user(request)
    _authority(user)
    spot_check = spot_check_for(user, spot_check_id)
    items = list(spot_check.items.filter(pk__in=payload.item_ids).select_related("project"))
    if len(items) != len(set(payload.item_ids)):
        raise NotFound("所选项目不属于本次抽查。")
    eligible = eligible_inspectors(spot_check)
    inspectors = list(eligible.filter(pk__in=payload.inspector_ids))
    if len(inspectors) != len(set(payload.inspector_ids)):
        raise DomainError(
            "SPOT_CHECK_INSPECTORS",
            "检查人员应为本部门或下级部门的审核人员，或本辖区的学科组专家。",
            field="inspector_ids",
        )
    return actions.assign_inspectors(
        spot_check,
        actor=user,
        items=items,
        inspectors=inspectors,
        visit_date=payload.visit_date,
    )


@router.get(
    "/spot-check-items", response={200: list[ItemOut], **ERRORS}, summary="抽查项目（我的检查任务）"
)
@paginate(Pages)
def list_items(request: HttpRequest, mine: bool = True) -> QuerySet[SpotCheckItem]:
    """mine=true：指派给我的检查任务；false：我可查看的全部抽查项目。"""
    user = current_user(request)
    qs = tasks_of(user) if mine else items_visible_to(user)
    return qs.prefetch_related("inspectors", "files")


@router.get(
    "/spot-check-items/{item_id}", response={200: ItemOut, **ERRORS}, summary="抽查项目详情"
)
def get_item(request: HttpRequest, item_id: int) -> SpotCheckItem:
    return item_for(current_user(request), item_id)


@router.post(
    "/spot-check-items/{item_id}/findings",
    response={200: ItemOut, **ERRORS},
    summary="录入检查结果",
)
def record_findings(request: HttpRequest, item_id: int, payload: FindingsIn) -> SpotCheckItem:
    """逐项评分（0～满分，最小0.5分）并填写检查记录；总分和结论按阈值自动得出。"""
    user = current_user(request)
    item = item_for(user, item_id)
    session = None
    if payload.session_id is not None:
        session = HeldSession.objects.filter(pk=payload.session_id, project=item.project).first()
        if session is None:
            raise DomainError("SPOT_CHECK_SESSION", "所选期次不属于该项目。", field="session_id")
    actions.record_findings(
        item,
        actor=user,
        scores={k: {"score": v.score, "note": v.note} for k, v in payload.scores.items()},
        visit_date=payload.visit_date,
        summary=payload.summary,
        session=session,
    )
    return item_for(user, item_id)


@router.post(
    "/spot-check-items/{item_id}/files",
    response={201: FileOut, **ERRORS},
    summary="上传现场照片或检查资料",
)
def upload_file(
    request: HttpRequest,
    item_id: int,
    file: File[UploadedFile],
    kind: Form[SpotCheckFile.Kind] = SpotCheckFile.Kind.PHOTO,
    note: Form[str] = "",
) -> Status[SpotCheckFile]:
    """multipart：kind photo（JPG/PNG）或 document（PDF/Word/JPG/PNG），不超过10MB。"""
    user = current_user(request)
    item = item_for(user, item_id)
    return Status(201, actions.add_file(item, actor=user, upload=file, kind=kind, note=note))
