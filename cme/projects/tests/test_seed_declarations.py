"""Declarations as the five seeds describe them, made through the functions the pages and the
API call (`start_declaration`, `save_draft`, `replace_content`, `attach_file`,
`check_declaration`, `submit_declaration`, `decide`), each valid one approved up its chain;
then, per rule the seed states, a variant just past the limit, whose finding is in Chinese,
names its field and carries its rule id.

- 000 湘卫科教处便函〔2020〕19号: 2021 provincial and national, new and filing; deadlines,
  first sponsor, duplicates, approved projects not new again, licence.
- 001 全继委办发〔2020〕24号: a 2021 national project numbered (国); banned scenic areas,
  failed annual inspection.
- 002 湘医学术便函〔2023〕116号: a 2024 provincial project of a society's branch under the
  society's account; teacher hours, consent, annual meetings, the deadline.
- 003 长沙市继续医学教育管理办法: a 2024 city-level project (II类, 6 学时 = 1 学分) of a
  county-licensed hospital; the suspended leader, credits per hour, the half-year deadline.
- 004 国家级继续医学教育项目申办要求（2024 年版）: a 2024 national project through the API;
  leader title, experience, quota, teaching; teacher titles and hours, own-teacher share,
  sessions, mainland, credits per hour.
"""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cme.core.errors import DomainError
from cme.orgs.models import Organisation, Region
from cme.people.models import Person
from cme.policy.models import DeclarationWindow, Discipline
from cme.projects import actions
from cme.projects.forms import field_label
from cme.projects.models import Attachment, Kind, Level, Project, ReviewStep, State
from cme.projects.rules import check_declaration
from cme.projects.tests.factories import bare_project, fresh, small_file, staff
from cme.projects.tests.test_api import api
from cme.projects.tests.test_pages import HTMX, field_block, findings_of, formset
from cme.supervision.models import Sanction

SHANGHAI = ZoneInfo("Asia/Shanghai")
Decision = ReviewStep.Decision
CJK = re.compile(r"[\u4e00-\u9fff]")


def moment(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=SHANGHAI)


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% x\n", "application/pdf")


def window(owner, *, year, level, kind, opens, closes) -> DeclarationWindow:
    return DeclarationWindow.objects.create(
        year=year, level=level, kind=kind, owner=owner, opens_at=opens, closes_at=closes
    )


def discipline(secondary: str = "04", tertiary: str = "08") -> Discipline:
    return Discipline.objects.get(year=2022, secondary_code=secondary, tertiary_code=tertiary)


def declare(
    cast,
    actor: str,
    *,
    year: int,
    level: str,
    name: str,
    values: dict,
    teachers: list[dict],
    lessons: list[tuple],
    sessions: list[tuple],
    kind: str = Kind.NEW,
    previous: Project | None = None,
    declared_by: Organisation | None = None,
) -> Project:
    """A declaration filled in as the seed's form is: basic fields, leader, teachers with
    their titles, lessons (topic, teacher row, hours, kind), sessions (start, days, region,
    address) and the five attachments."""
    user = cast.users[actor]
    project = actions.start_declaration(
        actor=user,
        declared_by=declared_by or user.membership.organisation,
        year=year,
        level=level,
        kind=kind,
        name=name,
        previous=previous,
    )
    actions.save_draft(project, values, actor=user)
    content = {
        "teachers": [{"consent": True, **t} for t in teachers],
        "lessons": [
            {"topic": topic, "teacher": row, "hours": Decimal(hours), "kind": kind_}
            for topic, row, hours, kind_ in lessons
        ],
        "sessions": [
            {
                "starts_on": start,
                "ends_on": start + datetime.timedelta(days=days - 1),
                "region": Region.objects.get(code=region),
                "address": address,
            }
            for start, days, region, address in sessions
        ],
    }
    actions.replace_content(project, content, actor=user)
    for kind_ in Attachment.Kind.values:
        actions.attach_file(project, kind=kind_, file=small_file(kind_ + ".pdf"), actor=user)
    return fresh(project)


def own(person, **extra) -> dict:
    """A teacher row for a registered person of the sponsor."""
    return {
        "name": person.name,
        "unit_name": person.unit.name,
        "unit": person.unit,
        "person": person,
        "title": person.title,
        "specialty": person.department,
        **extra,
    }


def outside(name: str, unit_name: str, title: str) -> dict:
    return {"name": name, "unit_name": unit_name, "title": title, "specialty": "心血管内科"}


def approve_up(project: Project, cast, *keys: str) -> Project:
    """Each reviewer of the chain, in order, approves the step waiting for them."""
    for key in keys:
        step = actions.current_step(Project.objects.get(pk=project.pk))
        assert step is not None, key
        actions.decide(step, actor=cast.users[key], decision=Decision.APPROVED)
    return Project.objects.get(pk=project.pk)


def chain(project: Project) -> list[str]:
    return [s.reviewer.name for s in project.review_steps.order_by("round", "order")]


def the_finding(findings, rule_id: str, field: str, *words: str, level: str = "error"):
    """Exactly one rule broke: `rule_id`, on `field`, in Chinese, naming the field."""
    assert [f.rule_id for f in findings] == [rule_id], [f.as_dict() for f in findings]
    (finding,) = findings
    assert finding.level == level
    assert finding.field.split(".")[0] == field
    assert CJK.search(finding.message) and CJK.search(field_label(finding.field))
    for word in words:
        assert word in finding.message, (word, finding.message)
    assert finding.source
    return finding


def refused(project: Project, actor, rule_id: str) -> DomainError:
    """Submission is refused, and its message cites the rule id and the field's name."""
    with pytest.raises(DomainError) as exc:
        actions.submit_declaration(fresh(project), actor=actor)
    assert exc.value.code == "DECLARATION_HAS_ERRORS"
    assert "【{r}】".format(r=rule_id) in exc.value.message
    return exc.value


def set_fields(project: Project, **values) -> Project:
    Project.objects.filter(pk=project.pk).update(**values)
    return fresh(project)


# -- 000: 2021 provincial and national declarations in Hunan --------------------------------

S000_NAME = "急性缺血性脑卒中静脉溶栓与取栓规范化培训班"


@pytest.fixture
def windows_2021(cast):
    """000 §一: national new by 2020-08-31; provincial new by 2020-11-30; filings by
    2021-01-29 (both levels)."""
    p = cast.province
    window(
        p,
        year=2021,
        level=Level.NATIONAL,
        kind=Kind.NEW,
        opens=moment(2020, 8, 3),
        closes=moment(2020, 8, 31, 23, 59),
    )
    window(
        p,
        year=2021,
        level=Level.PROVINCIAL,
        kind=Kind.NEW,
        opens=moment(2020, 8, 3),
        closes=moment(2020, 11, 30, 23, 59),
    )
    for level in (Level.NATIONAL, Level.PROVINCIAL):
        window(
            p,
            year=2021,
            level=level,
            kind=Kind.FILING,
            opens=moment(2020, 12, 1),
            closes=moment(2021, 1, 29, 23, 59),
        )


def stroke_course(cast, *, kind: str = Kind.NEW, previous=None, **changes) -> Project:
    """长沙市第一医院's 2021 provincial project: a city-licensed unit declares to the city."""
    hospital = cast.city_hospital
    leader = staff(hospital, "刘志强", "主任医师")
    second = staff(hospital, "黄丽", "副主任医师")
    third = staff(hospital, "曾伟", "主治医师")
    fields = {
        "discipline": discipline("04", "03"),
        "leader": leader,
        "leader_phone": "0731-85171234",
        "audience": "市、县两级医院神经内科、急诊科医师",
        "expected_participants": 150,
        "sessions_planned": 1,
        "credits": Decimal("1.0"),
        "needs_sources": ["practice_gap", "policy"],
        "needs_analysis": "本市县级医院DNT时间中位数超过60分钟，卒中中心建设要求缩短救治时间。",
        "objectives": "掌握静脉溶栓适应证、禁忌证与取栓转诊流程，缩短DNT时间。",
        "assessment_method": "理论考试与病例操作考核",
        "evaluation_levels": [1, 2, 3, 5],
        "fees": "不收取培训费",
        "priority_tags": ["重大疾病防治"],
    } | changes
    return declare(
        cast,
        "city_admin",
        year=2021,
        level=Level.PROVINCIAL,
        name=S000_NAME,
        kind=kind,
        previous=previous,
        values=fields,
        teachers=[own(leader, is_leader=True), own(second), own(third)],
        lessons=[
            ("急性缺血性脑卒中静脉溶栓指南解读", 0, "2.0", "theory"),
            ("机械取栓适应证与转诊流程", 1, "2.0", "theory"),
            ("卒中中心绿色通道建设与质控", 0, "1.0", "theory"),
            ("NIHSS评分与溶栓操作演示", 2, "1.0", "practice"),
        ],
        sessions=[(datetime.date(2021, 5, 14), 2, "430102", "长沙市芙蓉区解放西路61号学术报告厅")],
    )


@time_machine.travel(moment(2020, 11, 20, 9), tick=False)
def test_000_a_2021_provincial_new_project_goes_city_then_province(cast, windows_2021):
    project = stroke_course(cast)
    assert check_declaration(project) == []
    project = actions.submit_declaration(project, actor=cast.users["city_admin"])
    assert chain(project) == ["长沙市卫生健康委员会", "湖南省卫生健康委员会"]
    project = approve_up(project, cast, "changsha", "province")
    assert project.state == State.APPROVED and project.number == "2021-04-03-001(湘)"


@time_machine.travel(moment(2020, 12, 1, 0, 1), tick=False)
def test_000_a_provincial_new_project_a_minute_after_30_november_is_refused(cast, windows_2021):
    project = stroke_course(cast)
    the_finding(
        check_declaration(project), "WINDOW_CLOSED", "__all__", "申报截止时间", "逾期不予受理"
    )
    refused(project, cast.users["city_admin"], "WINDOW_CLOSED")


@time_machine.travel(moment(2020, 11, 20, 9), tick=False)
def test_000_a_unit_declaring_for_another_first_sponsor_is_refused(cast, windows_2021):
    project = set_fields(stroke_course(cast), sponsor_is_first=False)
    the_finding(check_declaration(project), "NOT_FIRST_SPONSOR", "sponsor_is_first", "第一主办单位")


@time_machine.travel(moment(2020, 11, 20, 9), tick=False)
def test_000_the_same_project_through_a_second_unit_is_a_duplicate(cast, windows_2021):
    project = actions.submit_declaration(stroke_course(cast), actor=cast.users["city_admin"])
    other = bare_project(
        cast, name=S000_NAME, year=2021, sponsor=cast.county_hospital, state=State.DRAFT
    )
    findings = [f for f in check_declaration(fresh(other)) if f.rule_id == "DUPLICATE_PROJECT"]
    assert len(findings) == 1 and "长沙市第一医院" in findings[0].message
    assert findings[0].field == "name" and "不得重复申报" in findings[0].message
    assert project.state == State.UNDER_REVIEW


@time_machine.travel(moment(2020, 11, 20, 9), tick=False)
def test_000_a_project_approved_in_2020_is_not_declared_new_again(cast, windows_2021):
    bare_project(cast, name=S000_NAME, year=2020, state=State.COMPLETED)
    the_finding(check_declaration(stroke_course(cast)), "APPROVED_NOT_NEW", "kind", "备案")


@time_machine.travel(moment(2020, 11, 20, 9), tick=False)
def test_000_a_hospital_whose_licence_check_was_deferred_may_not_declare(cast, windows_2021):
    Organisation.objects.filter(pk=cast.city_hospital.pk).update(
        licence_status=Organisation.LicenceStatus.SUSPENDED
    )
    the_finding(check_declaration(stroke_course(cast)), "SPONSOR_LICENSE", "sponsor", "暂缓校验")


@time_machine.travel(moment(2021, 1, 20, 9), tick=False)
def test_000_a_2021_provincial_filing_continues_the_2020_project(cast, windows_2021):
    previous = bare_project(
        cast,
        name=S000_NAME,
        year=2020,
        state=State.COMPLETED,
        number="2020-04-03-017(湘)",
        discipline=discipline("04", "03"),
    )
    project = stroke_course(cast, kind=Kind.FILING, previous=previous)
    assert project.kind == Kind.FILING and project.name == S000_NAME
    assert check_declaration(project) == []
    project = actions.submit_declaration(project, actor=cast.users["city_admin"])
    assert [s.stage for s in project.review_steps.all()] == ["city_formal", "province"]
    assert approve_up(project, cast, "changsha", "province").state == State.APPROVED


# -- 001: the 2021 national list -----------------------------------------------------------


def national_2021(cast, **changes) -> Project:
    """湖南省人民医院 (directly under the provincial commission) declares a 2021 national
    project; its leader led a provincial project in 2019."""
    hospital = cast.provincial_hospital
    leader = staff(hospital, "李卫东", "主任医师")
    second = staff(hospital, "周红", "副主任医师")
    bare_project(
        cast,
        name="重症超声基础培训班",
        year=2019,
        sponsor=hospital,
        leader=leader,
        state=State.COMPLETED,
    )
    fields = {
        "discipline": discipline(),
        "leader": leader,
        "leader_phone": "0731-83929999",
        "audience": "全国二级及以上医院重症医学科医师",
        "expected_participants": 200,
        "sessions_planned": 2,
        "credits": Decimal("2.0"),
        "needs_sources": ["advances", "survey"],
        "needs_analysis": "全国重症超声普及率低，学员问卷显示床旁超声评估能力不足。",
        "objectives": "掌握重症超声的血流动力学评估流程。",
        "assessment_method": "理论考试与操作考核",
        "evaluation_levels": [1, 2, 3, 4],
        "fees": "按省物价部门核定标准收取资料费",
    } | changes
    return declare(
        cast,
        "provincial_admin",
        year=2021,
        level=Level.NATIONAL,
        name="重症超声在血流动力学评估中的应用学习班",
        values=fields,
        teachers=[
            own(leader, is_leader=True),
            own(second),
            outside("王晓", "北京协和医院", "主任医师"),
        ],
        lessons=[
            ("重症超声评估流程与规范", 0, "2.0", "theory"),
            ("容量反应性的超声评估", 1, "2.0", "theory"),
            ("休克的超声鉴别诊断", 2, "2.0", "theory"),
        ],
        sessions=[
            (datetime.date(2021, 6, 18), 3, "430102", "长沙市芙蓉区湖南省人民医院学术厅"),
            (datetime.date(2021, 10, 15), 3, "520000", "贵州省贵阳市云岩区贵州省人民医院"),
        ],
    )


@time_machine.travel(moment(2020, 8, 25, 9), tick=False)
def test_001_a_2021_national_project_is_numbered_by_the_national_office(cast, windows_2021):
    project = national_2021(cast)
    assert check_declaration(project) == []
    project = actions.submit_declaration(project, actor=cast.users["provincial_admin"])
    assert chain(project) == ["湖南省卫生健康委员会", "全国继续医学教育委员会办公室"]
    project = approve_up(project, cast, "province", "national")
    assert project.state == State.APPROVED and project.number.endswith("-001(国)")


@time_machine.travel(moment(2020, 8, 25, 9), tick=False)
def test_001_a_session_in_a_banned_scenic_area_is_refused(cast, windows_2021):
    project = national_2021(cast)
    session = project.planned_sessions.order_by("starts_on").last()
    session.region = Region.objects.get(code="610000")
    session.address = "陕西省华阴市华山风景区宾馆会议室"
    session.save()
    finding = the_finding(
        check_declaration(fresh(project)), "PLACE_BANNED", "planned_sessions", "第2期", "风景名胜区"
    )
    assert finding.field == "planned_sessions.1"


@time_machine.travel(moment(2020, 8, 25, 9), tick=False)
def test_001_a_unit_that_failed_its_annual_inspection_loses_its_eligibility(cast, windows_2021):
    Organisation.objects.filter(pk=cast.provincial_hospital.pk).update(
        inspection_result=Organisation.Inspection.FAILED
    )
    the_finding(
        check_declaration(national_2021(cast)), "SPONSOR_INSPECTION", "sponsor", "年检不合格"
    )


@time_machine.travel(moment(2020, 8, 25, 9), tick=False)
def test_001_national_credits_are_three_hours_a_credit(cast, windows_2021):
    # 6 学时 ÷ 3 = 2.0; 2.1 is just past
    project = national_2021(cast, credits=Decimal("2.1"))
    the_finding(check_declaration(project), "CREDITS_HOURS", "credits", "授予学员学分", "2分")


# -- 002: a branch of the Hunan Medical Association, 2024 ----------------------------------


@pytest.fixture
def windows_2024(cast):
    """002 §一: national new by 2023-09-08, national filing by 2024-01-26, provincial new by
    2023-11-30."""
    p = cast.province
    window(
        p,
        year=2024,
        level=Level.NATIONAL,
        kind=Kind.NEW,
        opens=moment(2023, 8, 1),
        closes=moment(2023, 9, 8, 23, 59),
    )
    window(
        p,
        year=2024,
        level=Level.NATIONAL,
        kind=Kind.FILING,
        opens=moment(2023, 12, 1),
        closes=moment(2024, 1, 26, 23, 59),
    )
    window(
        p,
        year=2024,
        level=Level.PROVINCIAL,
        kind=Kind.NEW,
        opens=moment(2023, 9, 1),
        closes=moment(2023, 11, 30, 23, 59),
    )


S002_NAME = "急诊创伤救治与损伤控制新进展学习班"


def branch_course(cast, *, first_hours: str = "3.0", name: str = S002_NAME, **changes):
    """湖南省医学会急诊医学专业委员会 declares through the society's account; the leader,
    a committee member, works at 湖南省人民医院."""
    leader = staff(cast.provincial_hospital, "彭建", "主任医师")
    fields = {
        "discipline": discipline(),
        "leader": leader,
        "leader_phone": "13907310000",
        "audience": "全省二级及以上医院急诊科医师、护士",
        "expected_participants": 300,
        "sessions_planned": 1,
        "credits": Decimal("1.5"),
        "needs_sources": ["practice_gap"],
        "needs_analysis": "全省创伤救治时间窗管理不规范，基层医院损伤控制理念薄弱。",
        "objectives": "掌握严重创伤的初期评估、损伤控制复苏与转运。",
        "assessment_method": "现场测试",
        "evaluation_levels": [1, 2, 3],
        "fees": "不收费",
    } | changes
    return declare(
        cast,
        "secretary",
        year=2024,
        level=Level.PROVINCIAL,
        name=name,
        declared_by=cast.branch,
        values=fields,
        teachers=[
            own(leader, is_leader=True),
            outside("肖敏", "中南大学湘雅医院", "主任医师"),
            outside("邓辉", "中南大学湘雅二医院", "副主任护师"),
        ],
        lessons=[
            ("严重创伤初期评估与损伤控制复苏", 0, first_hours, "theory"),
            ("创伤性凝血病的诊治进展", 1, "3.0", "theory"),
            ("创伤患者院内转运的护理", 2, "3.0", "theory"),
        ],
        sessions=[(datetime.date(2024, 6, 21), 2, "430102", "长沙市芙蓉区湖南省人民医院学术会堂")],
    )


@time_machine.travel(moment(2023, 11, 20, 9), tick=False)
def test_002_a_branch_declares_under_the_society_which_reviews_first(cast, windows_2024):
    project = branch_course(cast)
    assert project.sponsor == cast.society and project.declared_by == cast.branch
    assert check_declaration(project) == []
    project = actions.submit_declaration(project, actor=cast.users["secretary"])
    assert chain(project) == ["湖南省医学会", "湖南省卫生健康委员会"]
    project = approve_up(project, cast, "society_admin", "province")
    assert project.state == State.APPROVED and project.number == "2024-04-08-001(湘)"


@time_machine.travel(moment(2023, 11, 20, 9), tick=False)
def test_002_a_teacher_past_three_theory_hours_is_warned_not_refused(cast, windows_2024):
    project = branch_course(cast, first_hours="3.5", credits=Decimal("1.6"))  # 9.5 h ÷ 6
    the_finding(
        check_declaration(project),
        "TEACHER_HOURS",
        "teachers",
        "彭建",
        "3.5学时",
        "不超过3学时",
        level="warning",
    )
    project = actions.submit_declaration(project, actor=cast.users["secretary"])
    assert [f["rule_id"] for f in project.findings] == ["TEACHER_HOURS"]


@time_machine.travel(moment(2023, 11, 20, 9), tick=False)
def test_002_a_teacher_without_consent_is_refused(cast, windows_2024):
    project = branch_course(cast)
    project.teachers.filter(name="肖敏").update(consent=False)
    the_finding(
        check_declaration(fresh(project)), "TEACHER_CONSENT", "teachers", "肖敏", "知情同意"
    )
    refused(project, cast.users["secretary"], "TEACHER_CONSENT")


@time_machine.travel(moment(2023, 11, 20, 9), tick=False)
def test_002_the_committees_annual_meeting_is_not_a_provincial_project(cast, windows_2024):
    project = branch_course(cast, name="湖南省医学会急诊医学专业委员会2024年学术年会")
    the_finding(check_declaration(project), "MEETING_NOT_PROJECT", "name", "学术年会", "5分")


@time_machine.travel(moment(2023, 12, 1, 0, 1), tick=False)
def test_002_a_provincial_declaration_after_30_november_2023_is_refused(cast, windows_2024):
    the_finding(check_declaration(branch_course(cast)), "WINDOW_CLOSED", "__all__", "逾期不予受理")


@time_machine.travel(moment(2023, 11, 20, 9), tick=False)
def test_002_provincial_credits_are_six_hours_a_credit(cast, windows_2024):
    # 9 学时 ÷ 6 = 1.5; 1.6 is just past
    project = branch_course(cast, credits=Decimal("1.6"))
    the_finding(check_declaration(project), "CREDITS_HOURS", "credits", "每6学时", "1.5分")
    error = refused(project, cast.users["secretary"], "CREDITS_HOURS")
    assert "授予学员学分：" in error.message and error.field == "credits"


# -- 003: a city-level project in Changsha --------------------------------------------------


def city_course(cast, **changes) -> Project:
    """长沙市芙蓉区人民医院 (licensed by the county) plans a 2024 city-level course."""
    hospital = cast.county_hospital
    leader = staff(hospital, "周敏", "副主任医师")
    second = staff(hospital, "孙立", "主任医师")
    window(
        cast.changsha,
        year=2024,
        level=Level.CITY,
        kind=Kind.NEW,
        opens=moment(2024, 1, 1),
        closes=moment(2024, 3, 31, 23, 59),
    )
    fields = {
        "discipline": discipline(),
        "leader": leader,
        "leader_phone": "0731-84440000",
        "audience": "芙蓉区基层医疗卫生机构全科医生",
        "expected_participants": 80,
        "sessions_planned": 1,
        "credits": Decimal("0.7"),
        "needs_sources": ["learner_needs"],
        "needs_analysis": "辖区社区卫生服务中心高血压规范管理率低于全市平均水平。",
        "objectives": "掌握高血压基层诊疗指南与长期随访管理。",
        "assessment_method": "课后测试",
        "evaluation_levels": [1, 2, 3],
        "fees": "不收费",
    } | changes
    return declare(
        cast,
        "county_admin",
        year=2024,
        level=Level.CITY,
        name="基层高血压规范化管理培训班",
        values=fields,
        teachers=[own(leader, is_leader=True), own(second)],
        lessons=[
            ("国家基层高血压防治管理指南解读", 0, "2.0", "theory"),
            ("高血压患者随访与用药管理", 1, "2.0", "theory"),
        ],
        sessions=[(datetime.date(2024, 5, 17), 1, "430102", "长沙市芙蓉区人民医院三楼会议室")],
    )


@time_machine.travel(moment(2024, 3, 20, 9), tick=False)
def test_003_a_city_level_project_goes_county_then_city(cast):
    project = city_course(cast)
    assert check_declaration(project) == []
    project = actions.submit_declaration(project, actor=cast.users["county_admin"])
    assert chain(project) == ["长沙市芙蓉区卫生健康局", "长沙市卫生健康委员会"]
    project = approve_up(project, cast, "furong", "changsha")
    assert project.state == State.APPROVED and project.number == "2024-04-08-001(长沙市)"


@time_machine.travel(moment(2024, 3, 20, 9), tick=False)
def test_003_a_leader_suspended_for_the_year_may_not_declare(cast):
    project = city_course(cast)
    Sanction.objects.create(
        kind=Sanction.Kind.SUSPEND_LEADER,
        person=project.leader,
        from_year=2024,
        to_year=2024,
        reason="2023年度项目执行不规范",
        decided_by=cast.changsha,
        recorded_by=cast.users["changsha"],
        decided_on=datetime.date(2023, 12, 20),
    )
    the_finding(
        check_declaration(fresh(project)), "SPONSOR_SANCTIONED", "leader", "周敏", "执行不规范"
    )


@time_machine.travel(moment(2024, 3, 20, 9), tick=False)
def test_003_city_credits_are_six_hours_a_credit(cast):
    project = city_course(cast, credits=Decimal("0.8"))  # 4 学时 ÷ 6 = 0.7
    the_finding(check_declaration(project), "CREDITS_HOURS", "credits", "市级", "0.7分")


@time_machine.travel(moment(2024, 4, 1, 0, 1), tick=False)
def test_003_a_first_half_plan_after_31_march_is_refused(cast):
    the_finding(check_declaration(city_course(cast)), "WINDOW_CLOSED", "__all__", "逾期不予受理")


@time_machine.travel(moment(2024, 3, 20, 9), tick=False)
def test_003_a_declaration_without_audience_participants_or_place_is_incomplete(cast):
    project = set_fields(city_course(cast), audience="", expected_participants=None)
    project.planned_sessions.update(address="")
    findings = check_declaration(fresh(project))
    assert [(f.rule_id, f.field) for f in findings] == [
        ("FORM_FIELDS_REQUIRED", "audience"),
        ("FORM_FIELDS_REQUIRED", "expected_participants"),
        ("FORM_FIELDS_REQUIRED", "planned_sessions.0"),
    ]
    assert [f.message for f in findings] == [
        "请填写教学对象。",
        "请填写拟招收学员人数。",
        "请填写第1期的举办地点（详细地址）。",
    ]


@time_machine.travel(moment(2024, 3, 20, 9), tick=False)
def test_003_a_declaration_without_discipline_is_stopped_before_the_last_reviewer(cast):
    project = set_fields(city_course(cast), discipline=None)
    the_finding(check_declaration(project), "FORM_FIELDS_REQUIRED", "discipline", "学科")
    refused(project, cast.users["county_admin"], "FORM_FIELDS_REQUIRED")


# -- 004: the 2024 national requirements, through the API ---------------------------------


def heart_failure(cast) -> dict:
    """湖南省人民医院's 2024 national declaration as the API takes it (004 §五, §六)."""
    hospital = cast.provincial_hospital
    leader = staff(hospital, "陈立新", "主任医师")
    second = staff(hospital, "吴芳", "副主任医师")
    tech = staff(hospital, "谭军", "主治医师")
    if not Project.objects.filter(leader=leader, year=2023).exists():
        bare_project(
            cast,
            name="心力衰竭诊疗学习班",
            year=2023,
            sponsor=hospital,
            leader=leader,
            state=State.COMPLETED,
        )
    teachers = [
        {
            "name": leader.name,
            "title": leader.title,
            "person_id": leader.pk,
            "is_leader": True,
            "consent": True,
        },
        {"name": second.name, "title": second.title, "person_id": second.pk, "consent": True},
        {"name": tech.name, "title": tech.title, "person_id": tech.pk, "consent": True},
        {
            "name": "张健",
            "unit_name": "中国医学科学院阜外医院",
            "title": "主任医师",
            "consent": True,
        },
    ]
    return {
        "year": 2024,
        "level": "national",
        "kind": "new",
        "name": "心力衰竭规范化诊疗新进展学习班",
        "discipline": "04-08",
        "leader_id": leader.pk,
        "leader_phone": "0731-83920000",
        "audience": "全国二级及以上医院心血管内科医师",
        "expected_participants": 200,
        "sessions_planned": 2,
        "credits": "4.3",  # 13 学时 ÷ 3
        "needs_sources": ["advances", "practice_gap"],
        "needs_analysis": "2023年心衰指南更新，基层医院GDMT达标率低。",
        "objectives": "掌握心衰的四联药物治疗与器械治疗适应证。",
        "assessment_method": "理论考试",
        "evaluation_levels": [1, 2, 3, 4, 5],
        "fees": "不以营利为目的，收取资料费",
        "teachers": teachers,
        "lessons": [
            {"topic": "2023心力衰竭指南要点解读", "teacher": 0, "hours": "3.0"},
            {"topic": "心衰的器械治疗进展", "teacher": 1, "hours": "3.0"},
            {"topic": "心衰超声评估技术示范", "teacher": 2, "hours": "4.0", "kind": "practice"},
            {"topic": "射血分数保留心衰的诊治", "teacher": 3, "hours": "3.0"},
        ],
        "sessions": [
            {
                "starts_on": "2024-05-10",
                "ends_on": "2024-05-12",
                "region": "430102",
                "address": "长沙市芙蓉区湖南省人民医院学术会堂",
            },
            {
                "starts_on": "2024-10-18",
                "ends_on": "2024-10-20",
                "region": "520000",
                "address": "贵州省贵阳市云岩区贵州省人民医院学术报告厅",
            },
        ],
        "attachments": Attachment.Kind.values,
    }


def check_via_api(call, payload) -> list[dict]:
    response = call("post", "/declarations/check", data=payload)
    assert response.status_code == 200, response.content.decode()
    return response.json()


def only_rule(findings: list[dict], rule_id: str, field: str, *words: str, level="error"):
    assert [f["rule_id"] for f in findings] == [rule_id], findings
    (f,) = findings
    assert f["level"] == level and f["field"].split(".")[0] == field and CJK.search(f["message"])
    for word in words:
        assert word in f["message"], (word, f["message"])


@pytest.fixture
def national_api(cast, client, windows_2024):
    with time_machine.travel(moment(2023, 9, 1, 9), tick=False):
        yield api(client, cast.users["provincial_admin"])


def test_004_a_2024_national_project_through_the_api_up_to_the_national_office(
    cast, client, national_api
):
    call = national_api
    payload = heart_failure(cast)
    assert check_via_api(call, payload) == []
    created = call("post", "/declarations", data=payload)
    assert created.status_code == 201
    # only the files are missing until they are uploaded
    assert {f["rule_id"] for f in created.json()["findings"]} == {
        "TEACHER_CONSENT",
        "ATTACHMENTS_REQUIRED",
    }
    pk = created.json()["id"]
    project = Project.objects.get(pk=pk)
    for kind_ in Attachment.Kind.values:
        response = client.post(
            "/api/v1/declarations/{p}/attachments/{k}".format(p=pk, k=kind_),
            {"file": pdf("x.pdf")},
            HTTP_AUTHORIZATION=call.token,
        )
        assert response.status_code == 200, response.content.decode()
    submitted = call("post", "/declarations/{p}/submit".format(p=pk))
    assert submitted.status_code == 200, submitted.content.decode()
    assert [s["stage"] for s in submitted.json()["review_steps"]] == ["province", "national"]
    for key in ("province", "national"):
        step = actions.current_step(Project.objects.get(pk=pk))
        decided = api(client, cast.users[key])(
            "post", "/review-steps/{s}/decide".format(s=step.pk), data={"decision": "approved"}
        )
        assert decided.status_code == 200, decided.content.decode()
    project.refresh_from_db()
    assert project.state == State.APPROVED and project.number == "2024-04-08-001(国)"


def test_004_a_leader_below_associate_senior_is_refused(cast, national_api):
    payload = heart_failure(cast)
    leader = staff(cast.provincial_hospital, "蒋涛", "主治医师")
    bare_project(
        cast,
        name="往年项目",
        year=2023,
        sponsor=cast.provincial_hospital,
        leader=leader,
        state=State.COMPLETED,
    )
    payload["leader_id"] = leader.pk
    payload["teachers"][0] = {
        "name": leader.name,
        "title": leader.title,
        "person_id": leader.pk,
        "is_leader": True,
        "consent": True,
    }
    payload["lessons"][0]["kind"] = "practice"  # the leader's title alone is at issue
    only_rule(
        check_via_api(national_api, payload), "LEADER_TITLE", "leader", "项目负责人", "副高级"
    )


def test_004_a_leader_who_never_led_a_project_may_not_lead_a_national_one(cast, national_api):
    payload = heart_failure(cast)
    Project.objects.filter(year=2023).delete()
    only_rule(check_via_api(national_api, payload), "LEADER_EXPERIENCE", "leader", "陈立新")


def test_004_a_third_new_project_of_the_same_leader_is_refused(cast, national_api):
    payload = heart_failure(cast)
    leader = Person.objects.get(pk=payload["leader_id"])
    bare_project(
        cast,
        name="慢性心衰随访管理学习班",
        sponsor=cast.provincial_hospital,
        leader=leader,
        level=Level.NATIONAL,
    )
    assert check_via_api(national_api, payload) == []  # the second is allowed
    bare_project(
        cast,
        name="心衰合并肾功能不全诊治学习班",
        sponsor=cast.provincial_hospital,
        leader=leader,
        level=Level.PROVINCIAL,
    )
    only_rule(check_via_api(national_api, payload), "LEADER_QUOTA", "leader", "不得超过2项")


def test_004_the_leader_must_teach(cast, national_api):
    payload = heart_failure(cast)
    payload["lessons"][0]["teacher"] = 1  # 吴芳 takes the leader's lesson
    payload["lessons"][0]["hours"] = "2.5"
    payload["lessons"][1]["hours"] = "0.5"  # 3.0 h for 吴芳, within the limit
    payload["credits"] = "3.3"  # 10 学时 ÷ 3
    only_rule(check_via_api(national_api, payload), "LEADER_TEACHES", "lessons", "陈立新")


def test_004_theory_teachers_need_associate_senior_and_practice_teachers_intermediate(
    cast, national_api
):
    payload = heart_failure(cast)
    payload["lessons"][2]["kind"] = "theory"  # 主治医师 teaching theory
    payload["lessons"][2]["hours"] = "3.0"
    payload["credits"] = "4.0"
    only_rule(check_via_api(national_api, payload), "TEACHER_TITLE", "teachers", "谭军", "副高级")
    payload = heart_failure(cast)
    payload["teachers"][2]["title"] = "医师"  # 初级 demonstrating
    payload["teachers"][2].pop("person_id")
    payload["teachers"][2]["unit_name"] = cast.provincial_hospital.name
    only_rule(check_via_api(national_api, payload), "TEACHER_TITLE", "teachers", "中级")


def test_004_a_teacher_past_three_theory_hours_is_warned(cast, national_api):
    payload = heart_failure(cast)
    payload["lessons"][0]["hours"] = "3.1"
    only_rule(
        check_via_api(national_api, payload),
        "TEACHER_HOURS",
        "teachers",
        "3.1学时",
        level="warning",
    )


def test_004_own_teachers_below_half_are_warned(cast, national_api):
    payload = heart_failure(cast)
    # two of four from the sponsor is 50%: allowed
    payload["teachers"][1] = {
        "name": "罗刚",
        "unit_name": "四川大学华西医院",
        "title": "主任医师",
        "consent": True,
    }
    assert check_via_api(national_api, payload) == []
    # two of five is 40%: just below
    payload["teachers"].append(
        {"name": "高峰", "unit_name": "复旦大学附属中山医院", "title": "主任医师", "consent": True}
    )
    payload["lessons"].append({"topic": "心衰的康复管理", "teacher": 4, "hours": "1.0"})
    payload["credits"] = "4.7"  # 14 ÷ 3
    only_rule(
        check_via_api(national_api, payload),
        "OWN_TEACHER_SHARE",
        "teachers",
        "50%",
        "40%",
        level="warning",
    )


def test_004_at_most_six_sessions(cast, national_api):
    payload = heart_failure(cast)
    payload["sessions_planned"] = 6
    assert check_via_api(national_api, payload) == []
    payload["sessions_planned"] = 7
    only_rule(check_via_api(national_api, payload), "SESSIONS_MAX", "sessions_planned", "6期")


def test_004_a_session_outside_the_mainland_is_refused(cast, national_api):
    payload = heart_failure(cast)
    payload["sessions"][1] = {
        "starts_on": "2024-10-18",
        "ends_on": "2024-10-20",
        "region": "810000",
        "address": "香港湾仔会展中心",
    }
    only_rule(
        check_via_api(national_api, payload), "PLACE_MAINLAND", "planned_sessions", "中国内地"
    )


def test_004_national_credits_past_three_hours_a_credit_are_refused(cast, national_api):
    payload = heart_failure(cast)
    payload["credits"] = "4.4"
    only_rule(check_via_api(national_api, payload), "CREDITS_HOURS", "credits", "每3学时", "4.3分")


def test_004_a_national_declaration_after_8_september_2023_is_refused(cast, client, windows_2024):
    with time_machine.travel(moment(2023, 9, 9, 0, 1), tick=False):
        call = api(client, cast.users["provincial_admin"])
        findings = check_via_api(call, heart_failure(cast))
    only_rule(findings, "WINDOW_CLOSED", "__all__", "2023年9月8日", "逾期不予受理")


def test_004_a_refused_submission_through_the_api_names_the_rule_and_field(cast, national_api):
    payload = heart_failure(cast)
    payload["credits"] = "4.4"
    created = national_api("post", "/declarations", data=payload)
    pk = created.json()["id"]
    response = national_api("post", "/declarations/{p}/submit".format(p=pk))
    assert response.status_code in (400, 409, 422)
    body = response.json()
    text = str(body)
    assert "DECLARATION_HAS_ERRORS" in text and "【CREDITS_HOURS】" in text
    assert "授予学员学分" in text


# -- the pages: 002's branch fills the form; errors stand beside their fields ---------------


@time_machine.travel(moment(2023, 11, 20, 9), tick=False)
def test_the_branch_fills_the_seed_form_on_the_pages_without_a_500(cast, client, windows_2024):
    leader = staff(cast.provincial_hospital, "彭建", "主任医师")
    client.force_login(cast.users["secretary"])
    response = client.post(
        reverse("projects:start"),
        {"year": "2024", "level": "provincial", "kind": "new", "name": S002_NAME},
    )
    assert response.status_code == 302
    project = Project.objects.get(name=S002_NAME)
    basic = {
        "tab": "basic",
        "name": S002_NAME,
        "discipline": str(discipline().pk),
        "sponsor_is_first": "on",
        "form": "face_to_face",
        "audience": "全省二级及以上医院急诊科医师、护士",
        "expected_participants": "300",
        "sessions_planned": "1",
        "credits": "1.5",
        "needs_sources": ["practice_gap"],
        "needs_analysis": "全省创伤救治时间窗管理不规范。",
        "objectives": "掌握严重创伤的初期评估与损伤控制复苏。",
        "assessment_method": "现场测试",
        "evaluation_levels": ["1", "2", "3"],
        "fees": "不收费",
    }
    url = reverse("projects:edit", args=[project.pk, "basic"])
    assert client.post(url, basic).status_code == 302
    response = client.post(
        reverse("projects:edit", args=[project.pk, "leader"]),
        {"tab": "leader", "leader_id_number": leader.id_number, "leader_phone": "13907310000"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    first = Project.objects.get(pk=project.pk).teachers.get()
    teachers = [
        {
            "ref": str(first.pk),
            "name": "彭建",
            "unit_name": cast.provincial_hospital.name,
            "title": "主任医师",
            "specialty": "急诊医学",
            "is_leader": "on",
            "consent": "on",
            "consent_evidence": pdf("a.pdf"),
        },
        {
            "name": "肖敏",
            "unit_name": "中南大学湘雅医院",
            "title": "主任医师",
            "specialty": "创伤外科",
            "consent": "on",
            "consent_evidence": pdf("b.pdf"),
        },
        {
            "name": "邓辉",
            "unit_name": "中南大学湘雅二医院",
            "title": "副主任护师",
            "specialty": "急诊护理",
            "consent": "on",
            "consent_evidence": pdf("c.pdf"),
        },
    ]
    lessons = [
        {
            "topic": "严重创伤初期评估与损伤控制复苏",
            "teacher": "0",
            "hours": "3.0",
            "kind": "theory",
        },
        {"topic": "创伤性凝血病的诊治进展", "teacher": "1", "hours": "3.0", "kind": "theory"},
        {"topic": "创伤患者院内转运的护理", "teacher": "2", "hours": "3.0", "kind": "theory"},
    ]
    response = client.post(
        reverse("projects:edit", args=[project.pk, "courses"]),
        {"tab": "courses", **formset("t", teachers, initial=1), **formset("l", lessons)},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    sessions = [
        {
            "starts_on": "2024-06-21",
            "ends_on": "2024-06-22",
            "region": "430102",
            "address": "长沙市芙蓉区湖南省人民医院学术会堂",
        }
    ]
    response = client.post(
        reverse("projects:edit", args=[project.pk, "sessions"]),
        {"tab": "sessions", **formset("s", sessions)},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    attachments = reverse("projects:edit", args=[project.pk, "attachments"])
    for kind_ in Attachment.Kind.values:
        assert (
            client.post(
                attachments, {"tab": "attachments", "kind": kind_, "file": pdf("s.pdf")}
            ).status_code
            == 302
        )
    assert findings_of(client.get(attachments).content.decode()) == []

    # credits past 9 学时 ÷ 6: saved, and the finding stands beside 授予学员学分 with its id
    assert client.post(url, basic | {"credits": "1.6"}).status_code == 302
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    beside = field_block(html, "credits")
    assert "CREDITS_HOURS" in beside and "最多可授予1.5分" in beside
    assert "CREDITS_HOURS" not in field_block(html, "audience")
    assert "CREDITS_HOURS" in findings_of(html)
    # submitting with the error names it on the detail page
    page = client.post(reverse("projects:submit", args=[project.pk]), follow=True)
    assert page.status_code == 200 and "【CREDITS_HOURS】" in page.content.decode()
    # a value the form cannot take is refused beside its field, nothing crashes
    bad = client.post(url, basic | {"expected_participants": "0"})
    assert bad.status_code == 200
    assert "invalid-feedback" in field_block(bad.content.decode(), "expected_participants")
    partial = client.post(url, basic | {"credits": "abc"}, **HTMX)
    assert partial.status_code == 200 and "有内容未保存" in partial.content.decode()

    # fixed and submitted; the society and the province approve on their decision pages
    assert client.post(url, basic).status_code == 302
    assert client.post(reverse("projects:submit", args=[project.pk])).status_code == 302
    for key in ("society_admin", "province"):
        client.force_login(cast.users[key])
        step = actions.current_step(Project.objects.get(pk=project.pk))
        review = reverse("projects:review", args=[step.pk])
        assert client.get(review).status_code == 200
        assert client.post(review, {"decision": "approved"}).status_code == 302
    project.refresh_from_db()
    assert project.state == State.APPROVED and project.sponsor == cast.society
