"""The declaration pages (SPEC §3-4): a county hospital declares a provincial project on
the five tabs, the findings panel follows it, the chain decides on its decision pages, a
return comes back beside the field — and every page keeps to the user's scope."""

import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cme.policy.models import Discipline
from cme.projects import actions
from cme.projects.models import Attachment, Level, Project, ReviewStep, State
from cme.projects.tests.factories import (
    IN_WINDOW,
    bare_project,
    open_window,
    staff,
    valid_declaration,
)

NAME = "基层医院急危重症救治新进展学习班"
HTMX = {"HTTP_HX_REQUEST": "true"}


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% scan\n", content_type="application/pdf")


def formset(prefix: str, rows: list[dict], *, initial: int = 0) -> dict:
    data = {
        "{p}-TOTAL_FORMS".format(p=prefix): str(len(rows)),
        "{p}-INITIAL_FORMS".format(p=prefix): str(initial),
        "{p}-MIN_NUM_FORMS".format(p=prefix): "0",
        "{p}-MAX_NUM_FORMS".format(p=prefix): "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data["{p}-{i}-{k}".format(p=prefix, i=i, k=key)] = value
    return data


def findings_of(html: str) -> list[str]:
    """The rule ids listed in the findings panel."""
    panel = html.split('id="findings"', 1)[1] if 'id="findings"' in html else html
    return re.findall(r'<span class="badge font-monospace [^"]*">([A-Z_]+)</span>', panel)


def field_block(html: str, name: str) -> str:
    """The markup of one field of a tab form, up to the next field."""
    start = html.index('id="field-{n}"'.format(n=name))
    end = html.find('id="field-', start + 1)
    return html[start : end if end != -1 else None]


def basic_values(discipline: Discipline, **changes) -> dict:
    values = {
        "tab": "basic",
        "name": NAME,
        "discipline": str(discipline.pk),
        "sponsor_is_first": "on",
        "co_sponsors": "",
        "form": "face_to_face",
        "website": "",
        "audience": "县级医院急诊科、重症医学科医师",
        "expected_participants": "100",
        "sessions_planned": "2",
        "credits": "0.8",  # 4.5 学时 ÷ 6
        "needs_sources": ["survey", "practice_gap"],
        "needs_analysis": "问卷调查显示基层医院急危重症识别与转运存在差距。",
        "objectives": "学员掌握急危重症的早期识别、初步处置与安全转运。",
        "assessment_method": "课后闭卷测试，60分合格。",
        "evaluation_levels": ["1", "2", "3"],
        "fees": "不收取培训费",
    }
    values.update(changes)
    return values


def decide(client, project: Project, **data):
    step = actions.current_step(Project.objects.get(pk=project.pk))
    url = reverse("projects:review", args=[step.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return step


@pytest.fixture
def frozen():
    with time_machine.travel(IN_WINDOW, tick=False):
        yield


@pytest.fixture
def window(cast):
    return open_window(cast.province, year=2024, level=Level.PROVINCIAL, kind="new")


def test_a_county_hospital_declares_and_the_chain_approves_on_the_pages(
    client, cast, window, frozen
):
    leader = staff(cast.county_hospital, "周敏", "副主任医师")
    client.force_login(cast.users["county_admin"])

    # start: a provincial new declaration for next year
    page = client.get(reverse("projects:start")).content.decode()
    assert 'value="2024"' in page
    response = client.post(
        reverse("projects:start"),
        {"year": "2024", "level": "provincial", "kind": "new", "name": NAME},
    )
    project = Project.objects.get(name=NAME)
    assert response["Location"] == reverse("projects:edit", args=[project.pk, "basic"])
    assert project.sponsor == cast.county_hospital and project.state == State.DRAFT

    # an empty draft: the panel lists errors
    page = client.get(reverse("projects:edit", args=[project.pk, "basic"])).content.decode()
    assert {"CONTENT_REQUIRED", "LEADER_NOT_STAFF", "ATTACHMENTS_REQUIRED"} <= set(
        findings_of(page)
    )
    assert "04-08 临床外科学/肿瘤外科学" in page
    assert 'hx-trigger="change delay:600ms"' in page

    # 基本信息: saved as the user goes (HTMX answers with the findings panel)
    discipline = Discipline.objects.get(year=2022, secondary_code="04", tertiary_code="08")
    url = reverse("projects:edit", args=[project.pk, "basic"])
    partial = client.post(url, basic_values(discipline), **HTMX).content.decode()
    assert "已自动保存" in partial and "<html" not in partial
    assert "CONTENT_REQUIRED" in findings_of(partial)  # no lessons yet
    project.refresh_from_db()
    assert project.needs_sources == ["survey", "practice_gap"]
    assert project.evaluation_levels == [1, 2, 3] and project.discipline == discipline
    bad = client.post(url, basic_values(discipline, credits="x"), **HTMX).content.decode()
    assert "有内容未保存" in bad

    # 检查 runs the rules on unsaved input without saving it
    checked = client.post(
        reverse("projects:check", args=[project.pk]), basic_values(discipline, objectives="")
    ).content.decode()
    assert "教学目标" in checked and "未保存" in checked
    project.refresh_from_db()
    assert project.objectives.startswith("学员掌握")

    # 项目负责人: among the unit's staff; becomes the first teacher
    page = client.get(reverse("projects:edit", args=[project.pk, "leader"])).content.decode()
    assert "周敏" in page and "王建国" not in page  # another unit's staff is not offered
    response = client.post(
        reverse("projects:edit", args=[project.pk, "leader"]),
        {"tab": "leader", "leader": str(leader.pk), "leader_phone": "13900000000"},
    )
    assert response.status_code == 302
    first = project.teachers.get()
    assert first.person == leader and first.is_leader

    # 课程与教师: teachers with consent evidence, lessons by teacher row
    url = reverse("projects:edit", args=[project.pk, "courses"])
    assert "周敏" in client.get(url).content.decode()
    teachers = [
        {
            "ref": str(first.pk),
            "name": "周敏",
            "unit_name": cast.county_hospital.name,
            "title": "副主任医师",
            "specialty": "急诊医学",
            "is_leader": "on",
            "consent": "on",
            "consent_evidence": pdf("zhou.pdf"),
        },
        {
            "name": "孙立",
            "unit_name": cast.county_hospital.name,
            "title": "主任医师",
            "specialty": "重症医学",
            "consent": "on",
            "consent_evidence": pdf("sun.pdf"),
        },
    ]
    lessons = [
        {"topic": "急危重症的早期识别", "teacher": "0", "hours": "1.0", "kind": "theory"},
        {"topic": "基层医院的院前急救与转运", "teacher": "0", "hours": "1.5", "kind": "theory"},
        {"topic": "脓毒症集束化治疗指南解读", "teacher": "1", "hours": "2.0", "kind": "theory"},
    ]
    response = client.post(
        url, {"tab": "courses", **formset("t", teachers, initial=1), **formset("l", lessons)}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [(t.name, t.is_leader, t.person_id) for t in project.teachers.all()] == [
        ("周敏", True, leader.pk),
        ("孙立", False, None),
    ]
    assert all(t.consent_evidence for t in project.teachers.all())
    assert [str(x.hours) for x in project.lessons.all()] == ["1.0", "1.5", "2.0"]

    # 期次与地点: saving the sessions keeps the teachers' evidence
    response = client.post(
        reverse("projects:edit", args=[project.pk, "sessions"]),
        {
            "tab": "sessions",
            **formset(
                "s",
                [
                    {
                        "starts_on": "2024-04-12",
                        "ends_on": "2024-04-13",
                        "region": "430102",
                        "address": "芙蓉区人民医院学术厅",
                    },
                    {
                        "starts_on": "2024-09-20",
                        "ends_on": "2024-09-21",
                        "region": "430102",
                        "address": "芙蓉区人民医院学术厅",
                    },
                ],
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert project.planned_sessions.count() == 2
    assert all(t.consent_evidence for t in project.teachers.all())
    assert project.teachers.get(name="周敏").person == leader

    # 附件: the five kinds; until then the panel names the missing ones
    page = client.get(reverse("projects:edit", args=[project.pk, "attachments"])).content.decode()
    assert findings_of(page) == ["ATTACHMENTS_REQUIRED"]
    url = reverse("projects:edit", args=[project.pk, "attachments"])
    not_a_scan = SimpleUploadedFile("x.pdf", b"hello", content_type="application/pdf")
    page = client.post(url, {"tab": "attachments", "kind": "licence", "file": not_a_scan})
    assert "不是PDF、JPG或PNG" in page.content.decode()
    for kind in Attachment.Kind.values:
        assert (
            client.post(url, {"tab": "attachments", "kind": kind, "file": pdf()}).status_code == 302
        )
    page = client.get(url).content.decode()
    assert findings_of(page) == [] and "未发现问题" in page

    # submit from the detail page
    detail = reverse("projects:detail", args=[project.pk])
    assert "提交" in client.get(detail).content.decode()
    assert client.post(reverse("projects:submit", args=[project.pk])).status_code == 302
    project.refresh_from_db()
    assert project.state == State.UNDER_REVIEW

    # furong approves; changsha returns with a comment on the needs analysis
    client.force_login(cast.users["furong"])
    assert NAME in client.get(reverse("projects:review_queue")).content.decode()
    decide(client, project, decision="approved")
    client.force_login(cast.users["changsha"])
    decide(
        client,
        project,
        decision="returned",
        comment="请完善需求分析。",
        on_needs_analysis="未说明问卷调查的样本量和结论",
    )
    project.refresh_from_db()
    assert project.state == State.RETURNED

    # the unit sees the comment beside the field, fixes it and submits again
    client.force_login(cast.users["county_admin"])
    page = client.get(reverse("projects:edit", args=[project.pk, "basic"])).content.decode()
    assert "未说明问卷调查的样本量和结论" in field_block(page, "needs_analysis")
    assert "未说明问卷调查的样本量和结论" not in field_block(page, "objectives")
    response = client.post(
        reverse("projects:edit", args=[project.pk, "basic"]),
        basic_values(discipline, needs_analysis="对全市 212 名基层医师的问卷调查显示……"),
    )
    assert response.status_code == 302
    assert client.post(reverse("projects:submit", args=[project.pk])).status_code == 302
    project.refresh_from_db()
    assert project.state == State.UNDER_REVIEW
    assert project.review_steps.filter(round=2).count() == 3

    for key in ("furong", "changsha", "province"):
        client.force_login(cast.users[key])
        decide(client, project, decision="approved")
    project.refresh_from_db()
    assert project.state == State.APPROVED
    page = client.get(detail).content.decode()
    assert "2024-04-08-001(湘)" in page
    assert "未说明问卷调查的样本量和结论" in page  # the steps keep every comment
    assert "4.5" in page  # total hours


def test_submitting_with_errors_shows_the_message_and_the_findings(client, cast, window, frozen):
    client.force_login(cast.users["county_admin"])
    project = actions.start_declaration(
        actor=cast.users["county_admin"],
        declared_by=cast.county_hospital,
        year=2024,
        level=Level.PROVINCIAL,
        name=NAME,
    )
    response = client.post(reverse("projects:submit", args=[project.pk]), follow=True)
    page = response.content.decode()
    assert "不能提交" in page
    assert "LEADER_NOT_STAFF" in findings_of(page)
    project.refresh_from_db()
    assert project.state == State.DRAFT


@pytest.fixture
def submitted(cast, frozen):
    """A complete declaration of the county hospital, waiting for 芙蓉区."""
    leader = staff(cast.county_hospital, "周敏", "副主任医师")
    project = valid_declaration(cast, sponsor=cast.county_hospital, leader=leader)
    return actions.submit_declaration(project, actor=cast.users["county_admin"])


def test_another_city_gets_404_on_every_page_of_the_project(login, submitted):
    step = actions.current_step(submitted)
    client = login("zhuzhou")
    for url in [
        reverse("projects:detail", args=[submitted.pk]),
        reverse("projects:edit", args=[submitted.pk, "basic"]),
        reverse("projects:review", args=[step.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("projects:check", args=[submitted.pk])).status_code == 404
    assert client.post(reverse("projects:submit", args=[submitted.pk])).status_code == 404


def test_the_province_may_not_decide_the_countys_step(login, submitted):
    step = actions.current_step(submitted)
    assert step.stage == ReviewStep.Stage.COUNTY
    client = login("province")
    assert client.get(reverse("projects:detail", args=[submitted.pk])).status_code == 200
    assert client.get(reverse("projects:review", args=[step.pk])).status_code == 403
    response = client.post(reverse("projects:review", args=[step.pk]), {"decision": "approved"})
    assert response.status_code == 403
    step.refresh_from_db()
    assert step.decision == ReviewStep.Decision.WAITING


def test_a_reviewer_cannot_edit_and_a_unit_cannot_edit_under_review(login, submitted):
    edit = reverse("projects:edit", args=[submitted.pk, "basic"])
    assert login("changsha").get(edit).status_code == 403
    response = login("county_admin").get(edit)
    assert response["Location"] == reverse("projects:detail", args=[submitted.pk])


def test_returning_needs_a_reason_shown_beside_the_comment(login, submitted):
    step = actions.current_step(submitted)
    url = reverse("projects:review", args=[step.pk])
    page = login("furong").post(url, {"decision": "returned"}).content.decode()
    assert "退回或不予通过时须填写意见" in page
    step.refresh_from_db()
    assert step.decision == ReviewStep.Decision.WAITING


def test_batch_approval_from_the_queue(login, cast, frozen):
    leader = staff(cast.county_hospital, "周敏", "副主任医师")
    projects = [
        actions.submit_declaration(
            valid_declaration(cast, sponsor=cast.county_hospital, leader=leader, name=name),
            actor=cast.users["county_admin"],
        )
        for name in ("急危重症救治学习班", "基层心电图判读学习班")
    ]
    client = login("furong")
    steps = [actions.current_step(p).pk for p in projects]
    response = client.post(
        reverse("projects:review_batch"), {"decision": "approved", "steps": steps}, follow=True
    )
    assert "已审核2项" in response.content.decode()
    assert [actions.current_step(Project.objects.get(pk=p.pk)).stage for p in projects] == [
        ReviewStep.Stage.CITY,
        ReviewStep.Stage.CITY,
    ]
    # another city's reviewer cannot reach them through the batch form
    login("zhuzhou").post(
        reverse("projects:review_batch"), {"decision": "approved", "steps": steps}
    )
    assert [actions.current_step(Project.objects.get(pk=p.pk)).stage for p in projects] == [
        ReviewStep.Stage.CITY,
        ReviewStep.Stage.CITY,
    ]


def test_the_list_follows_the_scope(login, submitted):
    assert submitted.name in login("changsha").get(reverse("projects:list")).content.decode()
    assert submitted.name not in login("zhuzhou").get(reverse("projects:list")).content.decode()
    page = login("county_admin").get(reverse("projects:list") + "?year=2024&state=under_review")
    assert submitted.name in page.content.decode() and "新建申报" in page.content.decode()
    assert "新建申报" not in login("changsha").get(reverse("projects:list")).content.decode()


def test_the_list_exports_to_excel(login, submitted):
    import io

    import openpyxl

    response = login("changsha").get(reverse("projects:list") + "?export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert rows[0][:2] == ["项目编号", "项目名称"] and rows[1][1] == submitted.name


def test_the_list_costs_the_same_queries_for_many_projects(
    login, cast, django_assert_max_num_queries
):
    client = login("changsha")
    bare_project(cast, name="项目0")
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("projects:list"))
    for i in range(1, 30):
        bare_project(cast, name="项目{i}".format(i=i), leader=cast.persons["doctor"])
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("projects:list")).content.decode()
    assert "项目29" in page


def test_nav_offers_declaration_to_units_and_review_to_authorities(login):
    assert "项目申报" in login("county_admin").get(reverse("home")).content.decode()
    page = login("changsha").get(reverse("home")).content.decode()
    assert reverse("projects:review_queue") in page


def test_check_applies_unsaved_courses_without_saving_them(login, cast, frozen):
    project = valid_declaration(cast)
    client = login("city_admin")
    page = client.get(reverse("projects:edit", args=[project.pk, "courses"])).content.decode()
    assert findings_of(page) == []
    teachers = [
        {
            "ref": str(t.pk),
            "name": t.name,
            "unit_name": t.unit_name,
            "title": t.title,
            "specialty": t.specialty,
            "is_leader": "on" if t.is_leader else "",
            "consent": "on",
        }
        for t in project.teachers.all()
    ]
    data = {"tab": "courses", **formset("t", teachers, initial=2), **formset("l", [])}
    checked = client.post(reverse("projects:check", args=[project.pk]), data).content.decode()
    assert "CONTENT_REQUIRED" in findings_of(checked)
    assert project.lessons.count() == 3
    assert all(t.consent_evidence for t in project.teachers.all())


def test_a_branch_finds_its_leader_by_whole_id_number_in_the_post(login, cast, frozen):
    secretary = cast.users["secretary"]
    project = actions.start_declaration(
        actor=secretary, declared_by=cast.branch, year=2024, level=Level.PROVINCIAL, name=NAME
    )
    doctor = cast.persons["doctor"]
    client = login("secretary")
    url = reverse("projects:edit", args=[project.pk, "leader"])
    assert 'name="leader_id_number"' in client.get(url).content.decode()
    response = client.post(url, {"tab": "leader", "leader_id_number": doctor.id_number.lower()})
    assert response.status_code == 302 and doctor.id_number not in response["Location"]
    project.refresh_from_db()
    assert project.leader == doctor
    page = client.get(url).content.decode()
    assert doctor.id_number not in page and doctor.name in page
    missing = client.post(url, {"tab": "leader", "leader_id_number": "110101199003077777"})
    assert "本省在册人员中没有该证件号码" in missing.content.decode()


def test_a_filing_starts_from_last_years_approved_project(login, cast):
    previous = bare_project(
        cast, name="往年项目", year=2023, state=State.COMPLETED, sponsor=cast.county_hospital
    )
    bare_project(cast, name="别的单位的项目", year=2023, state=State.COMPLETED)
    client = login("county_admin")
    page = client.get(reverse("projects:start") + "?year=2024").content.decode()
    assert "往年项目" in page and "别的单位的项目" not in page
    response = client.post(
        reverse("projects:start"),
        {"year": "2024", "level": "provincial", "kind": "filing", "previous": str(previous.pk)},
    )
    project = Project.objects.get(previous=previous)
    assert response["Location"] == reverse("projects:edit", args=[project.pk, "basic"])
    assert project.kind == "filing" and project.name == "往年项目"
