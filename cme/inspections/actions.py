"""Every state change of a spot check: the draw, assigning inspectors, recording the
findings and result, adding photos and files (SPEC §8; 003 §十; 004 §七.2). Pages and the
API both call these; each re-checks permission and writes the audit trail."""

import datetime
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from cme.accounts.models import Role
from cme.accounts.scope import acting_org, role_of
from cme.core import audit
from cme.core.errors import DomainError, PermissionDenied
from cme.core.uploads import SCAN_MAX_BYTES, WORD, is_ooxml
from cme.holding.models import HeldSession
from cme.inspections import indicators
from cme.inspections.draw import Candidate, draw
from cme.inspections.models import SpotCheck, SpotCheckFile, SpotCheckItem
from cme.inspections.permissions import can_draw, can_manage, can_record
from cme.inspections.queries import candidates, eligible_inspectors, held_projects
from cme.orgs.models import Organisation
from cme.projects.models import Level, Project

SEED_LIMIT = 10**12
PER_STRATUM_MAX = 100
ITEM_FOR_UPDATE = ("spot_check", "project__declared_by")


def new_seed() -> int:
    """A fresh random number shown to the user as the default seed of a draw."""
    return secrets.randbelow(10**8)


# --- the draw ----------------------------------------------------------------------------------


@dataclass
class Stratum:
    level: str
    city: str
    city_name: str
    candidates: int
    drawn: list[Project] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label)

    def as_json(self) -> dict:
        return {
            "level": self.level,
            "city": self.city,
            "city_name": self.city_name,
            "candidates": self.candidates,
            "drawn": len(self.drawn),
        }


@dataclass
class DrawPreview:
    authority: Organisation
    year: int
    levels: list[str]
    rate: Decimal | None
    per_stratum: int | None
    seed: int
    candidate_list: list[Candidate]
    strata: list[Stratum]

    @property
    def total_candidates(self) -> int:
        return len(self.candidate_list)

    @property
    def total_drawn(self) -> int:
        return sum(len(s.drawn) for s in self.strata)


def _size(rate, per_stratum) -> tuple[Decimal | None, int | None]:
    if (rate is None) == (per_stratum is None):
        raise DomainError(
            "SPOT_CHECK_SIZE", "请填写每层抽样比例或每层抽取数量，二者选其一。", field="rate"
        )
    if rate is not None:
        try:
            rate = Decimal(str(rate))
        except InvalidOperation:
            raise DomainError("SPOT_CHECK_SIZE", "抽样比例格式不正确。", field="rate") from None
        if not Decimal(0) < rate <= Decimal(1):
            raise DomainError("SPOT_CHECK_SIZE", "抽样比例应大于0且不超过100%。", field="rate")
        return rate.quantize(Decimal("0.001")), None
    if not 1 <= per_stratum <= PER_STRATUM_MAX:
        raise DomainError(
            "SPOT_CHECK_SIZE",
            "每层抽取数量应为1～{m}。".format(m=PER_STRATUM_MAX),
            field="per_stratum",
        )
    return None, per_stratum


def preview_draw(
    *,
    actor,
    year: int,
    levels: list[str] | None = None,
    rate: Decimal | None = None,
    per_stratum: int | None = None,
    seed: int,
) -> DrawPreview:
    """The sample the draw would give, without saving anything."""
    if not can_draw(actor):
        raise PermissionDenied("只有卫生健康行政部门可以组织抽查评估。")
    authority = acting_org(actor)
    levels = list(levels or Level.values)
    unknown = [lv for lv in levels if lv not in Level.values]
    if unknown:
        raise DomainError("SPOT_CHECK_LEVEL", "项目级别无效。", field="levels")
    rate, per_stratum = _size(rate, per_stratum)
    if not 0 <= seed < SEED_LIMIT:
        raise DomainError(
            "SPOT_CHECK_SEED",
            "随机种子应为0～{m}之间的整数。".format(m=SEED_LIMIT - 1),
            field="seed",
        )
    projects = {p.pk: p for p in held_projects(authority, year, levels)}
    candidate_list, names = candidates(projects.values())
    drawn = draw(candidate_list, rate if rate is not None else per_stratum, seed)
    sizes: dict[tuple[str, str], int] = {}
    for c in candidate_list:
        sizes[c.stratum] = sizes.get(c.stratum, 0) + 1
    strata = [
        Stratum(
            level=level,
            city=city,
            city_name=names[city],
            candidates=sizes[(level, city)],
            drawn=[projects[c.pk] for c in picks],
        )
        for (level, city), picks in drawn.items()
    ]
    return DrawPreview(
        authority=authority,
        year=year,
        levels=levels,
        rate=rate,
        per_stratum=per_stratum,
        seed=seed,
        candidate_list=candidate_list,
        strata=strata,
    )


@transaction.atomic
def create_spot_check(
    *,
    actor,
    year: int,
    levels: list[str] | None = None,
    rate: Decimal | None = None,
    per_stratum: int | None = None,
    seed: int,
    note: str = "",
) -> SpotCheck:
    """Draw and keep the sample, with the candidates and seed so anyone can repeat it."""
    preview = preview_draw(
        actor=actor, year=year, levels=levels, rate=rate, per_stratum=per_stratum, seed=seed
    )
    if not preview.candidate_list:
        raise DomainError(
            "SPOT_CHECK_EMPTY",
            "{y}年度本辖区没有已举办的项目可供抽查。".format(y=year),
            field="year",
        )
    spot_check = SpotCheck.objects.create(
        authority=preview.authority,
        year=year,
        levels=preview.levels,
        rate=preview.rate,
        per_stratum=preview.per_stratum,
        seed=seed,
        candidate_ids=[[c.level, c.city, c.pk] for c in preview.candidate_list],
        strata=[s.as_json() for s in preview.strata],
        indicator_version=indicators.VERSION,
        note=(note or "").strip()[:255],
        created_by=actor,
    )
    SpotCheckItem.objects.bulk_create(
        SpotCheckItem(
            spot_check=spot_check,
            project=project,
            level=s.level,
            city_code=s.city,
            city_name=s.city_name,
        )
        for s in preview.strata
        for project in s.drawn
    )
    audit.record(
        "inspection.draw",
        actor=actor,
        obj=spot_check,
        scope_path=preview.authority.tree_path,
        changes={
            "年度": year,
            "抽样": spot_check.size_display,
            "随机种子": seed,
            "候选项目数": preview.total_candidates,
            "抽中项目数": preview.total_drawn,
        },
        comment=spot_check.note,
    )
    return spot_check


def verify_draw(spot_check: SpotCheck) -> bool:
    """Repeat the draw from the kept candidates and seed: True if it gives the same projects."""
    pool = [Candidate(level=lv, city=city, pk=pk) for lv, city, pk in spot_check.candidate_ids]
    again = draw(pool, spot_check.rate_or_n, spot_check.seed)
    expected = sorted(c.pk for picks in again.values() for c in picks)
    return expected == sorted(spot_check.items.values_list("project_id", flat=True))


# --- inspectors --------------------------------------------------------------------------------


@transaction.atomic
def assign_inspectors(
    spot_check: SpotCheck,
    *,
    actor,
    items: list[SpotCheckItem],
    inspectors: list,
    visit_date: datetime.date | None = None,
) -> list[SpotCheckItem]:
    """Set the inspectors (and optionally the planned visit date) of the chosen items. An
    expert never inspects a project of their own unit."""
    if not can_manage(actor, spot_check):
        raise PermissionDenied("只有组织抽查的部门可以指派检查人员。")
    if not items:
        raise DomainError("SPOT_CHECK_ITEMS", "请选择要指派的抽查项目。", field="items")
    if not inspectors:
        raise DomainError("SPOT_CHECK_INSPECTORS", "请选择检查人员。", field="inspectors")
    allowed = set(eligible_inspectors(spot_check).values_list("pk", flat=True))
    for person in inspectors:
        if person.pk not in allowed:
            raise DomainError(
                "SPOT_CHECK_INSPECTORS",
                "{n}不是本部门或下级部门的审核人员，也不是本辖区的学科组专家。".format(
                    n=person.get_full_name() or person.username
                ),
                field="inspectors",
            )
    for item in items:
        if item.spot_check_id != spot_check.pk:
            raise DomainError("SPOT_CHECK_ITEMS", "所选项目不属于本次抽查。", field="items")
        for person in inspectors:
            if role_of(person) == Role.EXPERT and person.membership.organisation_id in (
                item.project.sponsor_id,
                item.project.declared_by_id,
            ):
                raise DomainError(
                    "INSPECTOR_OWN_UNIT",
                    "专家{n}是“{p}”申办单位的人员，不能检查本单位的项目。".format(
                        n=person.get_full_name() or person.username, p=item.project.name
                    ),
                    field="inspectors",
                )
    names = "、".join(p.get_full_name() or p.username for p in inspectors)
    for item in items:
        item.inspectors.set(inspectors)
        if visit_date is not None and item.state == SpotCheckItem.State.PENDING:
            item.visit_date = visit_date
            item.save(update_fields=["visit_date"])
        audit.record(
            "inspection.assign",
            actor=actor,
            obj=item,
            scope_path=item.project.declared_by.tree_path,
            changes={"检查人员": names},
        )
    return items


# --- findings and result -----------------------------------------------------------------------


def parse_score(indicator: indicators.Indicator, raw) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(
            "SPOT_CHECK_SCORE",
            "“{n}”的得分格式不正确。".format(n=indicator.name),
            field=indicator.id,
        ) from None
    if not value.is_finite() or not 0 <= value <= indicator.max_score:
        raise DomainError(
            "SPOT_CHECK_SCORE",
            "“{n}”的得分应在0～{m}分之间。".format(n=indicator.name, m=indicator.max_score),
            field=indicator.id,
        )
    if (value * 2) != (value * 2).to_integral_value():
        raise DomainError(
            "SPOT_CHECK_SCORE",
            "“{n}”的得分最小单位为0.5分。".format(n=indicator.name),
            field=indicator.id,
        )
    return value


def clean_findings(scores: dict) -> dict:
    """{indicator id: {"score": "8.5", "note": ""}} for every indicator, validated."""
    unknown = sorted(set(scores) - set(indicators.BY_ID))
    if unknown:
        raise DomainError(
            "SPOT_CHECK_INDICATOR",
            "未知的评估指标：{u}。".format(u="、".join(unknown)),
            field=unknown[0],
        )
    out = {}
    for indicator in indicators.INDICATORS:
        entry = scores.get(indicator.id) or {}
        raw = entry.get("score")
        if raw is None or str(raw).strip() == "":
            raise DomainError(
                "SPOT_CHECK_SCORE",
                "请为“{n}”评分。".format(n=indicator.name),
                field=indicator.id,
            )
        value = parse_score(indicator, raw)
        out[indicator.id] = {
            "score": str(value.normalize()) if value else "0",
            "note": str(entry.get("note") or "").strip()[:500],
        }
    return out


@transaction.atomic
def record_findings(
    item: SpotCheckItem,
    *,
    actor,
    scores: dict,
    visit_date: datetime.date,
    summary: str = "",
    session: HeldSession | None = None,
) -> SpotCheckItem:
    """Record the on-site check: a score and note per indicator, the visit date and the
    overall opinion. The total and result follow from `indicators`; recording again
    corrects the result and is audited as such."""
    item = (
        SpotCheckItem.objects.select_for_update().select_related(*ITEM_FOR_UPDATE).get(pk=item.pk)
    )
    if not can_record(actor, item):
        raise PermissionDenied("只有被指派的检查人员或组织抽查的部门可以录入检查结果。")
    findings = clean_findings(scores)
    if visit_date is None:
        raise DomainError("SPOT_CHECK_DATE", "请填写检查日期。", field="visit_date")
    if visit_date > timezone.localdate():
        raise DomainError("SPOT_CHECK_DATE", "检查日期不能晚于今天。", field="visit_date")
    if session is not None and session.project_id != item.project_id:
        raise DomainError("SPOT_CHECK_SESSION", "所选期次不属于该项目。", field="session")
    total = indicators.total_of(findings)
    result = indicators.result_of(findings)
    summary = (summary or "").strip()
    if result == SpotCheckItem.Result.FAIL and not summary:
        raise DomainError(
            "SPOT_CHECK_SUMMARY", "检查结论为不合格时，请填写检查意见。", field="summary"
        )
    before = item.get_result_display() if item.result else ""
    item.findings = findings
    item.score = total
    item.result = result
    item.summary = summary
    item.visit_date = visit_date
    if session is not None:
        item.session = session
    item.state = SpotCheckItem.State.CHECKED
    item.recorded_by = actor
    item.recorded_at = timezone.now()
    item.save()
    vetoed = indicators.vetoed(findings)
    audit.record(
        "inspection.result",
        actor=actor,
        obj=item,
        scope_path=item.project.declared_by.tree_path,
        changes={
            "总分": str(total.normalize()),
            "检查结论": [before, item.get_result_display()],
            **({"否决项": "、".join(i.name for i in vetoed)} if vetoed else {}),
        },
        comment=summary,
    )
    return item


# --- photos and files --------------------------------------------------------------------------

_IMAGES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
_PDF = b"%PDF-"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc (and other old Office files)
_ZIP = b"PK\x03\x04"


def check_file(upload, kind: str) -> None:
    """A photo is a JPG or PNG; a document a PDF, JPG, PNG or Word file; 10 MB at most.
    Checked by content, not by name."""
    if upload.size > SCAN_MAX_BYTES:
        raise DomainError("FILE_TOO_LARGE", "文件超过10MB，请压缩后重新上传。", field="file")
    head = upload.read(16)
    upload.seek(0)
    if kind == SpotCheckFile.Kind.PHOTO:
        if not head.startswith(_IMAGES):
            raise DomainError("FILE_TYPE", "现场照片应为JPG或PNG格式。", field="file")
        return
    if head.startswith((*_IMAGES, _PDF, _OLE)):
        return
    if head.startswith(_ZIP) and is_ooxml(upload, WORD):
        return
    raise DomainError("FILE_TYPE", "文件内容不是PDF、JPG、PNG或Word格式。", field="file")


@transaction.atomic
def add_file(item: SpotCheckItem, *, actor, upload, kind: str, note: str = "") -> SpotCheckFile:
    if not can_record(actor, item):
        raise PermissionDenied("只有被指派的检查人员或组织抽查的部门可以上传检查资料。")
    if kind not in SpotCheckFile.Kind.values:
        raise DomainError("FILE_KIND", "请选择文件类型：现场照片或检查资料。", field="kind")
    check_file(upload, kind)
    name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:200]
    record = SpotCheckFile(
        item=item, kind=kind, name=name, note=(note or "").strip()[:200], uploaded_by=actor
    )
    record.file.save(name, upload, save=False)
    record.save()
    audit.record(
        "inspection.file",
        actor=actor,
        obj=item,
        scope_path=item.project.declared_by.tree_path,
        changes={"文件": name, "类型": str(record.get_kind_display())},
    )
    return record
