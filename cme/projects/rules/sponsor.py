"""The sponsor: kind, licence, inspection, name, sanctions, duplicates, first sponsor."""

from cme.orgs.models import Organisation
from cme.projects.checks import (
    Context,
    RuleResult,
    flag,
    rule,
)
from cme.projects.models import Kind, Project
from cme.projects.rules._text import _same_name, _years

OrgKind = Organisation.Kind
BASE = Project.Form.BASE

# -- the sponsor --------------------------------------------------------------------------

PERMITTED_SPONSORS = (
    OrgKind.MEDICAL,
    OrgKind.TEACHING,
    OrgKind.RESEARCH,
    OrgKind.SOCIETY,
    OrgKind.BRANCH,
    OrgKind.OTHER,
)


@rule("SPONSOR_KIND", fields=("sponsor",), source="000 §三.2; 004 §六.1")
def sponsor_kind(ctx: Context) -> RuleResult:
    """The sponsor must be a medical, teaching or research institution, or a body permitted to sponsor.

    Permitted: 医疗机构, 教学机构, 科研机构, 学会/协会 and their branches (002 §四), and
    "other" (获准可以申办的其他机构 — the registry records such a body as kind OTHER once
    its authority admitted it). Refused: health authorities (卫生健康行政部门 review
    declarations, they do not sponsor them) and distance-learning providers (they file
    courses with the city, 003 §十二, and are not sponsors of record).
    """
    sponsor = ctx.sponsor
    if sponsor.kind in PERMITTED_SPONSORS:
        return None
    return flag(
        "sponsor",
        "申办单位“{name}”为{kind}，不能申办继续医学教育项目；申办单位须为医疗卫生、教学、"
        "科研机构，或获准申办的学会、协会等机构。".format(
            name=sponsor.name, kind=sponsor.get_kind_display()
        ),
    )


@rule("SPONSOR_LICENSE", fields=("sponsor",), source="000 §三.2; 004 §六.1")
def sponsor_license(ctx: Context) -> RuleResult:
    """The sponsor's licence was not suspended (暂缓校验) or revoked in the last cycle."""
    sponsor = ctx.sponsor
    if sponsor.licence_status == Organisation.LicenceStatus.SUSPENDED:
        reason = "最近一个周期校验结论为暂缓校验"
    elif sponsor.licence_status == Organisation.LicenceStatus.REVOKED:
        reason = "《医疗机构执业许可证》已被撤销"
    else:
        return None
    return flag(
        "sponsor",
        "申办单位“{name}”{reason}，不得申报或备案继续医学教育项目。".format(
            name=sponsor.name, reason=reason
        ),
    )


@rule("SPONSOR_INSPECTION", fields=("sponsor",), source="000 §三.2; 001; 004 §六.1")
def sponsor_inspection(ctx: Context) -> RuleResult:
    """The sponsor passed its last annual inspection and is not deregistered (注销)."""
    sponsor = ctx.sponsor
    if (
        sponsor.status == Organisation.Status.DEREGISTERED
        or sponsor.inspection_result == Organisation.Inspection.CANCELLED
    ):
        reason = "已被注销法人身份"
    elif sponsor.inspection_result == Organisation.Inspection.FAILED:
        reason = "最近一个周期年检不合格"
    else:
        return None
    return flag(
        "sponsor",
        "申办单位“{name}”{reason}，不得申报或备案继续医学教育项目。".format(
            name=sponsor.name, reason=reason
        ),
    )


@rule("SPONSOR_NAME", fields=("sponsor",), source="004 §六.1")
def sponsor_name(ctx: Context) -> RuleResult:
    """The sponsor's name meets national rules (the flag its authority sets)."""
    if ctx.sponsor.name_compliant:
        return None
    return flag(
        "sponsor",
        "申办单位名称“{name}”不符合国家有关规定，请先办理单位更名后再申报。".format(
            name=ctx.sponsor.name
        ),
    )


@rule(
    "SPONSOR_SANCTIONED", fields=("sponsor", "declared_by", "leader"), source="003 §十; 004 §七.3"
)
def sponsor_sanctioned(ctx: Context) -> RuleResult:
    """Neither the sponsor (or declaring branch) nor the leader is barred this year by a sanction.

    Reads `supervision.queries.barring_sanctions`: a unit barred (取消申报资格) or a leader
    suspended (暂停申报资格) for a span of years that includes the project's year, and not
    revoked. The message names the sanction's reason and years.
    """
    findings = []
    for sanction in ctx.sanctions:
        if sanction.person_id is not None:
            field, subject = "leader", "项目负责人“{n}”".format(n=sanction.person.name)
        else:
            org = sanction.organisation
            field = "sponsor" if org.pk == ctx.sponsor.pk else "declared_by"
            role = "申办单位" if field == "sponsor" else "申报分支机构"
            subject = "{role}“{n}”".format(role=role, n=org.name)
        findings.append(
            flag(
                field,
                "{subject}已被{kind}（{years}），事由：{reason}。在此期间不得申报项目。".format(
                    subject=subject,
                    kind=sanction.get_kind_display(),
                    years=_years(sanction),
                    reason=sanction.reason.strip().rstrip("。"),
                ),
            )
        )
    return findings


# -- duplicates and sponsorship ----------------------------------------------------------


def _duplicate_reason(project: Project, other: Project) -> str | None:
    same_name = _same_name(project.name, other.name)
    same_sponsor = other.sponsor_id == project.sponsor_id
    if (
        same_name
        and project.leader_id
        and other.leader_id == project.leader_id
        and other.level == project.level
    ):
        return (
            "与“{unit}”已申报的“{name}”（{level}，{state}）名称、负责人相同，同一项目不得重复申报。"
        )
    if same_name and not same_sponsor:
        return (
            "“{unit}”已申报同名项目“{name}”（{level}，{state}），同一项目只能通过第一申办单位"
            "申报，不得重复申报。"
        )
    both_filed = (
        project.kind == Kind.FILING
        and other.kind == Kind.FILING
        and project.previous_id
        and other.previous_id == project.previous_id
    )
    new_and_filing = same_name and same_sponsor and other.kind != project.kind
    if both_filed or new_and_filing:
        return (
            "本单位已将“{name}”作为{kind}项目申报（{state}）；同一项目只能选择以新申报项目"
            "或备案项目的形式申请一次。"
        )
    return None


@rule("DUPLICATE_PROJECT", fields=("name",), source="000 §三.3; 004 §六.1")
def duplicate_project(ctx: Context) -> RuleResult:
    """The same project is not declared twice in a year.

    Compared with the other declarations of the same year that are neither drafts nor
    refused: same name + leader + level; or the same name from another unit; or the
    same project both as new and as filing (same sponsor and name, other kind; or two
    filings of the same previous project). Also against the year's published lists
    imported from elsewhere (e.g. the national list): the same name approved elsewhere.
    """
    findings = [
        flag(
            "name",
            "{y}年度公布名单中已有同名项目“{name}”（{number}，{unit}）；同一项目不得重复申报。".format(
                y=entry.year, name=entry.name, number=entry.number, unit=entry.sponsor_name
            ),
        )
        for entry in ctx.published_elsewhere
    ]
    for other in ctx.peers:
        template = _duplicate_reason(ctx.project, other)
        if template is None:
            continue
        findings.append(
            flag(
                "name",
                template.format(
                    unit=other.sponsor.name,
                    name=other.name,
                    level=other.get_level_display(),
                    kind=other.get_kind_display(),
                    state=other.get_state_display(),
                ),
            )
        )
    return findings


@rule("NOT_FIRST_SPONSOR", fields=("sponsor_is_first",), source="000 §三.3")
def not_first_sponsor(ctx: Context) -> RuleResult:
    """A unit declares only projects of which it is the sole or first sponsor."""
    if ctx.project.sponsor_is_first:
        return None
    return flag(
        "sponsor_is_first",
        "各申办单位只能申报本单位作为唯一或第一主办单位的项目，不得为其他单位申报项目；"
        "联合申报的项目请由第一申办单位申报。",
    )
