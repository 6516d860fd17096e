"""Distance-learning providers and their courses, filed with a city (003 §十二).

A provider applies to a city with its details, its two learning platforms (computer and
phone, as the text requires), its commitment to keep records and protect personal data,
and a qualification document; the city files it or refuses with a reason. A filed provider
files each course with the city: name, content, 学时, category and, for a national distance
project (I类), the project number; the city accepts or refuses each one. Only filed
providers' filed courses count (未经市卫生健康委备案的机构和课程，学分不予认可).

When records prove false the city voids them one by one (cme.distance.completions) and may
revoke the filing: every record the provider gave through it that is not yet audited is
voided with the reason (see `REVOKE_YEARS_BACK`).
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cme.accounts.scope import acting_org
from cme.core import audit
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.core.uploads import validate_scan
from cme.credits.awards import round_credits
from cme.credits.ledger import forget_results_of
from cme.credits.models import Category, CreditRecord, CreditSource, Source
from cme.distance.models import Completion, CompletionImport, Course, ProviderFiling
from cme.distance.permissions import can_decide_filing, can_report, is_provider
from cme.distance.queries import city_authorities
from cme.orgs.models import Organisation
from cme.policy.access import for_year

State = ProviderFiling.State

# "Not yet audited", until the annual audit (cme.audits) can say which years of a unit are
# closed: revoking a filing voids the records of the current year and the previous one
# (whose audit runs early in the current year); older years are taken as audited.
REVOKE_YEARS_BACK = 1
REVOKED_PREFIX = "远程教育机构备案已撤销："
MAX_COURSE_HOURS = Decimal(999)


def _required(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError("REQUIRED", "请填写{l}。".format(l=label), field=field)
    return value


def _check_scan(upload, field: str) -> None:
    if not upload:
        raise DomainError("FILE_REQUIRED", "请上传盖章扫描件（PDF、JPG或PNG）。", field=field)
    try:
        validate_scan(upload)
    except ValidationError as exc:
        raise DomainError(exc.code or "FILE_TYPE", exc.messages[0], field=field) from None


# --- the provider's filing ------------------------------------------------------------------


@transaction.atomic
def apply_for_filing(
    *,
    actor,
    city: Organisation,
    contact_name: str,
    contact_phone: str,
    pc_platform: str,
    mobile_platform: str,
    introduction: str,
    qualification,
    commitment: bool,
) -> ProviderFiling:
    """备案申请: the provider asks one city to file it."""
    if not is_provider(actor):
        raise PermissionDenied("只有远程教育机构可以申请备案。")
    provider = acting_org(actor)
    if not city_authorities().filter(pk=city.pk).exists():
        raise DomainError("FILING_CITY", "请选择市州卫生健康委员会作为备案机关。", field="city")
    values = {
        "contact_name": _required(contact_name, "contact_name", "联系人"),
        "contact_phone": _required(contact_phone, "contact_phone", "联系电话"),
        "pc_platform": _required(pc_platform, "pc_platform", "电脑端学习平台网址"),
        "mobile_platform": _required(mobile_platform, "mobile_platform", "手机端学习平台"),
        "introduction": _required(introduction, "introduction", "机构简介及资质说明"),
    }
    if not commitment:
        raise DomainError(
            "FILING_COMMITMENT",
            "备案机构应完整保存学习记录、提供培训数据、维护学员个人信息安全，请确认承诺。",
            field="commitment",
        )
    _check_scan(qualification, "qualification")
    if ProviderFiling.objects.filter(
        provider=provider, city=city, state__in=ProviderFiling.LIVE
    ).exists():
        raise DomainError(
            "FILING_EXISTS",
            "本机构已向{c}提交备案申请或已备案，不能重复申请。".format(c=city.name),
            field="city",
        )
    filing = ProviderFiling(
        provider=provider, city=city, commitment=True, submitted_by=actor, **values
    )
    filing.qualification = qualification
    try:
        with transaction.atomic():
            filing.save()
    except IntegrityError:
        raise Conflict("本机构刚刚向该市提交了备案申请，请刷新后查看。") from None
    audit.record(
        "distance.filing_apply",
        actor=actor,
        obj=filing,
        scope_path=city.tree_path,
        changes={"远程教育机构": provider.name, "备案机关": city.name},
    )
    return filing


@transaction.atomic
def decide_filing(
    filing: ProviderFiling, *, actor, accept: bool, reason: str = ""
) -> ProviderFiling:
    """The city files the provider (备案) or refuses with a reason."""
    if not can_decide_filing(actor, filing):
        raise PermissionDenied("只有受理备案的市卫生健康委可以审核该申请。")
    reason = (reason or "").strip()
    if not accept and not reason:
        raise DomainError("REASON_REQUIRED", "请填写不予备案的理由。", field="reason")
    new_state = State.FILED if accept else State.REFUSED
    now = timezone.now()
    won = ProviderFiling.objects.filter(pk=filing.pk, state=State.SUBMITTED).update(
        state=new_state, decided_by=actor, decided_at=now, decision_reason=reason
    )
    if not won:
        raise Conflict()
    filing.refresh_from_db()
    audit.record(
        "distance.filing_decide",
        actor=actor,
        obj=filing,
        scope_path=filing.city.tree_path,
        changes={"状态": [str(State.SUBMITTED.label), str(new_state.label)]},
        comment=reason,
    )
    return filing


def revocable_from_year(today: datetime.date | None = None) -> int:
    """The earliest year whose records a revocation voids (see REVOKE_YEARS_BACK)."""
    return (today or timezone.localdate()).year - REVOKE_YEARS_BACK


@transaction.atomic
def revoke_filing(filing: ProviderFiling, *, actor, reason: str) -> int:
    """取消备案资质: the filing is revoked, its courses stop counting, and every record it
    gave that is not yet audited (pending or valid, of the years from
    `revocable_from_year()`) is void with the reason; batches awaiting review are void too.
    Returns how many records were voided."""
    if not can_decide_filing(actor, filing):
        raise PermissionDenied("只有受理备案的市卫生健康委可以撤销该备案。")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "请填写撤销备案的原因。", field="reason")
    now = timezone.now()
    won = ProviderFiling.objects.filter(pk=filing.pk, state=State.FILED).update(
        state=State.REVOKED, revoked_by=actor, revoked_at=now, revocation_reason=reason
    )
    if not won:
        raise Conflict("该备案不在已备案状态，请刷新后查看。")
    status_reason = (REVOKED_PREFIX + reason)[:255]
    records = CreditRecord.objects.filter(
        distance_completion__batch__filing=filing,
        status__in=[CreditRecord.Status.PENDING, CreditRecord.Status.VALID],
        year__gte=revocable_from_year(),
    )
    ids = list(records.values_list("pk", flat=True))
    CreditRecord.objects.filter(pk__in=ids).update(
        status=CreditRecord.Status.VOID,
        status_reason=status_reason,
        reviewed_by=actor,
        reviewed_at=now,
        holder=None,
        holder_since=None,
        updated_at=now,
    )
    Completion.objects.filter(record_id__in=ids).update(live=False)
    forget_results_of(ids)
    batches = CompletionImport.objects.filter(
        filing=filing, review=CompletionImport.Review.PENDING
    ).update(
        review=CompletionImport.Review.VOIDED,
        reviewed_by=actor,
        reviewed_at=now,
        review_reason=status_reason,
    )
    filing.refresh_from_db()
    audit.record(
        "distance.filing_revoke",
        actor=actor,
        obj=filing,
        scope_path=filing.city.tree_path,
        changes={
            "状态": [str(State.FILED.label), str(State.REVOKED.label)],
            "作废学分记录": len(ids),
            "作废待审核批次": batches,
            "作废年度自": revocable_from_year(),
        },
        comment=reason,
    )
    return len(ids)


# --- courses ---------------------------------------------------------------------------------


def hours_per_credit(category: str, year: int) -> Decimal:
    """I类 (national distance projects): the catalogue's rate for distance learning (3 学时 =
    1 credit unless an administrator sets otherwise); II类 (city-level courses): the year's
    city-project rate (CREDIT-RULES §2, §4)."""
    if category == Category.I:
        rate = CreditSource.objects.get(code=Source.DISTANCE).hours_per_credit
        if rate is None:
            raise DomainError("POLICY_MISSING", "学分来源“远程教育”未设置每学分学时。")
        return Decimal(rate)
    return Decimal(str(for_year(year).get("rate.city.participant_hours_per_credit")))


def credits_for(course: Course, hours: Decimal | None = None, rate: Decimal | None = None):
    """Credits for `hours` (the course's own by default) of the course, rounded as policy says."""
    hours = course.hours if hours is None else hours
    rate = rate if rate is not None else hours_per_credit(course.category, course.year)
    return round_credits(hours / rate, for_year(course.year))


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise DomainError("COURSE_HOURS", "学时应为数字。", field="hours") from None
    if hours <= 0 or hours > MAX_COURSE_HOURS:
        raise DomainError(
            "COURSE_HOURS", "学时应大于0且不超过{m}。".format(m=MAX_COURSE_HOURS), field="hours"
        )
    return hours


@transaction.atomic
def file_course(
    filing: ProviderFiling,
    *,
    actor,
    year: int,
    name: str,
    summary: str,
    hours,
    category: str,
    code: str = "",
    project_number: str = "",
) -> Course:
    """课程备案: a filed provider submits a course to its city."""
    if not can_report(actor, filing):
        raise PermissionDenied("只有已备案的远程教育机构可以报送课程。")
    this_year = timezone.localdate().year
    if not this_year - 1 <= year <= this_year + 1:
        raise DomainError(
            "COURSE_YEAR",
            "课程年度应为{a}至{b}年。".format(a=this_year - 1, b=this_year + 1),
            field="year",
        )
    name = _required(name, "name", "课程名称")[:200]
    summary = _required(summary, "summary", "内容简介")
    if category not in Category.values:
        raise DomainError("COURSE_CATEGORY", "学分类别应为I类或II类。", field="category")
    project_number = (project_number or "").strip()
    if category == Category.I and not project_number:
        raise DomainError(
            "COURSE_PROJECT_NUMBER",
            "I类学分仅限国家级远程继续医学教育项目，请填写国家级项目编号。",
            field="project_number",
        )
    code = (code or "").strip()[:32]
    live = filing.courses.exclude(state=Course.State.REFUSED)
    if live.filter(year=year, name=name).exists():
        raise DomainError(
            "COURSE_EXISTS", "{y}年度已报送同名课程“{n}”。".format(y=year, n=name), field="name"
        )
    if code and live.filter(code=code).exists():
        raise DomainError("COURSE_EXISTS", "课程编号“{c}”已被使用。".format(c=code), field="code")
    course = Course(
        filing=filing,
        year=year,
        code=code,
        name=name,
        summary=summary,
        hours=_hours(hours),
        category=category,
        project_number=project_number,
        submitted_by=actor,
    )
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError:
        raise Conflict("同名或同编号的课程刚刚被报送，请刷新后查看。") from None
    audit.record(
        "distance.course_file",
        actor=actor,
        obj=course,
        scope_path=filing.city.tree_path,
        changes={
            "年度": year,
            "学时": str(course.hours),
            "学分类别": category,
            "学分": str(credits_for(course)),
        },
    )
    return course


@transaction.atomic
def decide_course(course: Course, *, actor, accept: bool, reason: str = "") -> Course:
    """The city files the course or refuses it with a reason."""
    filing = course.filing
    if not can_decide_filing(actor, filing):
        raise PermissionDenied("只有受理备案的市卫生健康委可以审核课程。")
    reason = (reason or "").strip()
    if not accept and not reason:
        raise DomainError("REASON_REQUIRED", "请填写不予备案的理由。", field="reason")
    if accept and not filing.is_filed:
        raise DomainError(
            "FILING_NOT_FILED",
            "该机构的备案状态为“{s}”，其课程不能备案。".format(s=filing.get_state_display()),
        )
    new_state = Course.State.FILED if accept else Course.State.REFUSED
    won = Course.objects.filter(pk=course.pk, state=Course.State.SUBMITTED).update(
        state=new_state, decided_by=actor, decided_at=timezone.now(), decision_reason=reason
    )
    if not won:
        raise Conflict()
    course.refresh_from_db()
    audit.record(
        "distance.course_decide",
        actor=actor,
        obj=course,
        scope_path=filing.city.tree_path,
        changes={"状态": [str(Course.State.SUBMITTED.label), str(new_state.label)]},
        comment=reason,
    )
    return course
