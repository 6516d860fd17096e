"""SPEC §9 "Summary tables": the printed application form (000 §三.6; 002 §五.二) and the
summary tables of 000 附件3-5 and 002 附件2."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from cme.core import pdf
from cme.orgs.models import Organisation
from cme.projects import documents
from cme.projects.models import Kind, Lesson, Level, Project, State
from cme.projects.tests.factories import bare_project, lesson, valid_declaration


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def sheet_rows(response) -> list[list]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [[c.value for c in row] for row in book.active.iter_rows()]


@pytest.fixture
def declaration(cast):
    return valid_declaration(cast, state=State.UNDER_REVIEW)


# --- the application form -------------------------------------------------------------------


def test_application_form_is_a_pdf_with_the_cjk_font_embedded(declaration):
    pdf = documents.application_form_pdf(declaration)
    assert pdf.startswith(b"%PDF")
    assert pdf.rstrip().endswith(b"%%EOF")
    if documents.font_path():
        assert documents.cjk_font() == documents.TTF_FONT
        assert b"/FontFile2" in pdf  # the TrueType subset is inside the file
        assert documents.TTF_FONT.encode() in pdf
    assert pages(pdf) >= 1
    assert b"/Title" in pdf


def test_fifty_lessons_run_over_several_pages(declaration):
    short = pages(documents.application_form_pdf(declaration))
    teacher = declaration.teachers.first()
    for n in range(3, 50):
        lesson(
            declaration,
            teacher,
            "急性胸痛病例讨论第{n}讲：心电图动态演变、肌钙蛋白解读与再灌注策略选择".format(n=n),
            "0.5",
            kind=Lesson.Kind.PRACTICE,
            order=n,
        )
    assert declaration.lessons.count() == 50
    pdf = documents.application_form_pdf(declaration)
    assert pages(pdf) > 1
    assert pages(pdf) > short + 1


def test_an_empty_draft_still_prints(cast):
    draft = bare_project(cast, name="尚未填写的草稿", state=State.DRAFT)
    assert documents.application_form_pdf(draft).startswith(b"%PDF")


@pytest.fixture
def no_wqy_font(monkeypatch):
    monkeypatch.setattr(pdf, "FONT_PATHS", ("/nonexistent/wqy-zenhei.ttc",))
    documents.cjk_font.cache_clear()
    documents._styles.cache_clear()
    yield
    documents.cjk_font.cache_clear()
    documents._styles.cache_clear()


def test_without_the_font_file_the_cid_font_is_used_with_one_warning(
    no_wqy_font, declaration, caplog
):
    first = documents.application_form_pdf(declaration)
    documents.application_form_pdf(declaration)
    assert first.startswith(b"%PDF") and b"STSong-Light" in first
    assert b"/FontFile2" not in first
    warnings = [r for r in caplog.records if "fonts-wqy-zenhei" in r.getMessage()]
    assert len(warnings) == 1


def test_unit_and_its_authorities_print_the_form_another_city_gets_404(cast, login, declaration):
    url = reverse("project_documents:application_form", args=[declaration.pk])
    for key in ("city_admin", "changsha", "province", "national", "admin"):
        response = login(key).get(url)
        assert response.status_code == 200, key
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    for key in ("zhuzhou", "zhuzhou_admin", "county_admin", "learner"):
        assert login(key).get(url).status_code == 404, key


def test_the_form_needs_a_login(client, declaration):
    url = reverse("project_documents:application_form", args=[declaration.pk])
    assert client.get(url).status_code == 302


# --- summary tables -------------------------------------------------------------------------


def test_national_summary_has_the_columns_of_000_annex_3(cast, login):
    national = valid_declaration(
        cast, level=Level.NATIONAL, name="胸痛中心建设与质控国家级学习班", state=State.UNDER_REVIEW
    )
    valid_declaration(cast, name="省级项目不在国家级汇总表中", state=State.UNDER_REVIEW)
    bare_project(cast, name="草稿不汇总", level=Level.NATIONAL, state=State.DRAFT)
    rows = sheet_rows(
        login("changsha").get(reverse("project_documents:national_summary") + "?year=2024")
    )
    assert rows[0] == [
        "序号",
        "项目名称",
        "项目负责人",
        "申办单位",
        "学科",
        "举办期数",
        "举办地点",
        "备注",
    ]
    assert [r[1] for r in rows[1:]] == [national.name]
    assert rows[1][0] == 1
    assert rows[1][2:6] == ["王建国", "长沙市第一医院", "临床外科学/肿瘤外科学", 2]
    assert "湖南省长沙市芙蓉区" in rows[1][6] and "；" in rows[1][6]  # both sessions


def test_provincial_summary_has_the_kind_column_and_stays_in_scope(cast, login):
    new = valid_declaration(cast, state=State.UNDER_REVIEW)
    filing = valid_declaration(
        cast, kind=Kind.FILING, name="心力衰竭规范化管理学习班", state=State.UNDER_REVIEW
    )
    url = reverse("project_documents:provincial_summary") + "?year=2024"
    rows = sheet_rows(login("city_admin").get(url))
    assert rows[0] == [
        "序号",
        "项目名称",
        "项目负责人",
        "申办单位",
        "学科",
        "申报类型",
        "举办期数",
        "举办地点",
        "备注",
    ]
    kinds = {r[1]: r[5] for r in rows[1:]}
    assert kinds == {new.name: "新申报", filing.name: "备案"}
    assert sheet_rows(login("zhuzhou").get(url))[1:] == []
    assert sheet_rows(login("city_admin").get(url.replace("2024", "2023")))[1:] == []


def test_society_summary_reproduces_002_annex_2(cast, login):
    branch_project = valid_declaration(
        cast,
        sponsor=cast.society,
        declared_by=cast.branch,
        name="急诊急救技能培训班",
        state=State.UNDER_REVIEW,
    )
    url = (
        reverse("project_documents:society_summary")
        + "?year=2024&filled_by=张丽珍&phone=0731-84822628"
    )
    rows = sheet_rows(login("society_admin").get(url))
    cells = [[c for c in row if c is not None] for row in rows]
    assert cells[0] == ["继教项目申报汇总表"]
    assert cells[1] == ["报送单位：湖南省医学会"]
    assert re.fullmatch(r"日期：\d{4}年\d{1,2}月\d{1,2}日", cells[2][0])
    assert cells[3] == ["填报人：张丽珍"]
    assert cells[4] == ["联系电话：0731-84822628"]
    header = cells.index(["序号", "项目名称", "申办单位", "项目负责人", "电话"])
    assert header == 6
    assert cells[header + 1] == [
        1,
        branch_project.name,
        "湖南省医学会急诊医学专业委员会",
        "王建国",
        "13800000000",
    ]
    assert cells[-1] == ["专业委员会主委、分会会长 签名："]
    assert [c for row in cells for c in row].count(branch_project.name) == 1


def test_contacts_table_has_the_columns_of_000_annex_5(cast, login):
    Organisation.objects.filter(pk=cast.city_hospital.pk).update(
        science_head="周敏", phone="0731-88888888", email="kjk@example.org"
    )
    Organisation.objects.filter(pk=cast.county_hospital.pk).update(
        science_head="钱进", phone="13912345678"
    )
    rows = sheet_rows(login("changsha").get(reverse("project_documents:contacts")))
    assert rows[0] == ["单位名称", "联系人", "职务/科室", "办公电话", "手机", "电子邮箱"]
    by_name = {r[0]: [c or "" for c in r] for r in rows[1:]}
    assert by_name["长沙市第一医院"] == [
        "长沙市第一医院",
        "周敏",
        "科教部门负责人",
        "0731-88888888",
        "",
        "kjk@example.org",
    ]
    assert by_name["长沙市芙蓉区人民医院"][3:5] == ["", "13912345678"]
    assert "株洲市中心医院" not in by_name
    zhuzhou = {
        r[0] for r in sheet_rows(login("zhuzhou").get(reverse("project_documents:contacts")))
    }
    assert "长沙市第一医院" not in zhuzhou and "株洲市中心医院" in zhuzhou


def test_a_learner_has_no_summaries(login):
    assert login("learner").get(reverse("project_documents:national_summary")).status_code == 403


def test_documents_page_links_the_downloads_and_the_forms(login, declaration):
    body = login("changsha").get(reverse("project_documents:index")).content.decode()
    assert reverse("project_documents:application_form", args=[declaration.pk]) in body
    body_zz = login("zhuzhou").get(reverse("project_documents:index") + "?year=2024")
    assert declaration.name not in body_zz.content.decode()
    assert reverse("project_documents:national_summary") in body
    assert reverse("project_documents:contacts") in body
    assert reverse("project_documents:published_import") not in body
    body = login("province").get(reverse("project_documents:index")).content.decode()
    assert reverse("project_documents:published_import") in body


def test_summary_queries_do_not_grow_with_projects(cast, login, django_assert_max_num_queries):
    for n in range(5):
        valid_declaration(cast, name="批量项目{n}".format(n=n), state=State.UNDER_REVIEW)
    client = login("province")
    url = reverse("project_documents:provincial_summary") + "?year=2024"
    with django_assert_max_num_queries(12):
        rows = sheet_rows(client.get(url))
    assert len(rows) == 6
    assert Project.objects.count() == 5
