"""Issue 4 §10: an office imports a published list from Excel (e.g. the year's national
list) so that filing eligibility and duplicate checks see projects approved elsewhere."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cme.core.errors import DomainError, PermissionDenied
from cme.projects import published
from cme.projects.models import Level, PublishedListImport, PublishedProject
from cme.projects.tests.factories import bare_project

TITLE = "2021年第一批国家级继续医学教育项目公布名单"
HEADERS = [
    "序号",
    "学科名称",
    "项目编号",
    "项目名称",
    "申办单位",
    "项目负责人",
    "负责人电话",
    "举办期限",
    "举办地点",
    "授予学员学分",
    "教学对象",
    "拟招生人数",
    "备注",
]
GOOD = [
    [
        1,
        "临床外科学/肿瘤外科学",
        "2021-04-08-186（国）",
        "肿瘤外科围手术期管理新进展",
        "中南大学湘雅医院",
        "张三",
        13800000001,
        "2021/04/10-2021/04/14 5天",
        "湖南省长沙市",
        10,
        "外科医师",
        200,
        None,
    ],
    [
        2,
        "临床内科学/心血管病学",
        " 2021-04-01-023 (国) ",
        "胸痛中心  建设与质控",
        "北京大学第一医院",
        "李四",
        "010-83572211",
        "2021/06/01-2021/06/03",
        "北京市",
        "8分",
        "心内科医师",
        "150人",
        "远程",
    ],
    [
        3,
        "护理学/护理管理",
        "2024-20-02-001(湘)",
        "护理质量敏感指标管理",
        "湖南省人民医院",
        "王五",
        "13900000000",
        "2024/05/10-2024/05/12",
        "湖南省长沙市",
        5,
        "护理管理者",
        100,
        None,
    ],
]


def workbook(rows: list[list], *, title: str | None = TITLE) -> bytes:
    """A list as offices publish it: a merged title row above the headers."""
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "2021年国家级项目公布名单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def import_file(
    data: bytes, actor, name: str = "2021年国家级项目公布名单.xlsx"
) -> PublishedListImport:
    record = published.preview_published_import(upload(data, name), actor=actor)
    assert record.state == PublishedListImport.State.PREVIEWED, record.errors
    return published.commit_published_import(record, actor=actor)


def test_a_messy_list_reports_every_bad_row_and_writes_nothing(cast):
    bad_number = [
        4,
        "",
        "2021-4-8-188(国)",
        "格式错误的编号",
        "某医院",
        "",
        "",
        "",
        "",
        5,
        "",
        10,
        "",
    ]
    duplicate = [
        5,
        "",
        "2021-04-08-186(国)",
        "重复编号的项目",
        "某医院",
        "",
        "",
        "",
        "",
        5,
        "",
        1,
        "",
    ]
    no_number = [6, "", "", "没有编号的项目", "某医院", "", "", "", "", 5, "", 1, ""]
    bad_credits = [
        7,
        "",
        "2021-04-08-190(国)",
        "学分写错的项目",
        "某医院",
        "",
        "",
        "",
        "",
        "十",
        "",
        1,
        "",
    ]
    data = workbook([*GOOD, bad_number, duplicate, no_number, bad_credits])
    record = published.preview_published_import(upload(data), actor=cast.users["province"])
    assert record.state == PublishedListImport.State.INVALID
    assert record.total_rows == 7
    messages = [
        "第{row}行 {column}：{message}".format(**e) for e in record.errors
    ]  # as RowError prints them
    assert [e["row"] for e in record.errors] == [6, 7, 8, 9]
    assert messages[0].startswith("第6行 项目编号：“2021-4-8-188(国)”不是有效的项目编号")
    assert messages[1] == "第7行 项目编号：项目编号2021-04-08-186(国)与第3行重复。"
    assert messages[2] == "第8行 项目编号：缺少项目编号。"
    assert messages[3].startswith("第9行 授予学员学分：“十”应为数字")
    assert not PublishedProject.objects.exists()
    with pytest.raises(DomainError):
        published.commit_published_import(record, actor=cast.users["province"])
    assert not PublishedProject.objects.exists()


def test_a_clean_list_is_stored_with_year_level_and_half_width_numbers(cast):
    record = import_file(workbook(GOOD), cast.users["province"])
    assert (record.created_count, record.updated_count, record.unchanged_count) == (3, 0, 0)
    assert {(y["year"], y["level"], y["count"]) for y in record.years} == {
        (2021, "国家级", 2),
        (2024, "省级", 1),
    }
    entry = PublishedProject.objects.get(number="2021-04-08-186(国)")
    assert (entry.year, entry.level) == (2021, Level.NATIONAL)
    assert entry.leader_phone == "13800000001"
    assert entry.credits == Decimal("10.0")
    assert entry.expected_participants == 200
    assert entry.period == "2021/04/10-2021/04/14 5天"
    assert entry.source_file == "2021年国家级项目公布名单.xlsx"
    assert entry.imported_by == cast.users["province"]
    second = PublishedProject.objects.get(number="2021-04-01-023(国)")
    assert (second.credits, second.expected_participants) == (Decimal("8.0"), 150)
    assert PublishedProject.objects.get(number="2024-20-02-001(湘)").level == Level.PROVINCIAL


def test_importing_the_same_file_again_changes_nothing(cast):
    data = workbook(GOOD)
    import_file(data, cast.users["province"])
    before = {e.number: (e.imported_at, e.pk) for e in PublishedProject.objects.all()}
    again = import_file(data, cast.users["national"])
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    after = {e.number: (e.imported_at, e.pk) for e in PublishedProject.objects.all()}
    assert after == before
    with pytest.raises(DomainError):  # a committed record is not committed twice
        published.commit_published_import(again, actor=cast.users["national"])


def test_a_row_whose_number_exists_updates_that_entry(cast):
    import_file(workbook(GOOD), cast.users["province"])
    changed = [list(r) for r in GOOD]
    changed[0][8] = "湖南省长沙市开福区"
    record = import_file(workbook(changed, title=None), cast.users["admin"])
    assert (record.created_count, record.updated_count, record.unchanged_count) == (0, 1, 2)
    entry = PublishedProject.objects.get(number="2021-04-08-186(国)")
    assert entry.place == "湖南省长沙市开福区"
    assert entry.imported_by == cast.users["admin"]
    assert PublishedProject.objects.count() == 3


def test_separate_dates_and_days_columns_and_a_sub_header_row(cast):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([TITLE])
    sheet.append(["项目编号", "项目名称", "举办期限", None, "举办地点"])
    sheet.merge_cells("C2:D2")
    sheet.append([None, None, "起止日期", "天数", None])
    sheet.append(["2021-04-08-200(国)", "急诊超声技术规范", "2021-05-10至2021-05-12", 3, "长沙"])
    buffer = io.BytesIO()
    book.save(buffer)
    import_file(buffer.getvalue(), cast.users["province"])
    assert PublishedProject.objects.get().period == "2021-05-10至2021-05-12"

    csv = "项目编号,项目名称,起止日期,天数\n2021-04-08-201(国),心肺复苏培训,2021-06-01至2021-06-02,2\n"
    import_file(csv.encode(), cast.users["province"], "2021年国家级项目公布名单.csv")
    assert (
        PublishedProject.objects.get(number="2021-04-08-201(国)").period
        == "2021-06-01至2021-06-02（2天）"
    )


def test_only_the_offices_import(cast):
    data = workbook(GOOD)
    for key in ("changsha", "furong", "city_admin", "society_admin", "learner"):
        with pytest.raises(PermissionDenied):
            published.preview_published_import(upload(data), actor=cast.users[key])
    record = published.preview_published_import(upload(data), actor=cast.users["national"])
    with pytest.raises(PermissionDenied):
        published.commit_published_import(record, actor=cast.users["changsha"])
    assert not PublishedProject.objects.exists()


def test_published_elsewhere_finds_the_same_name_of_that_year_not_our_own(cast):
    import_file(workbook(GOOD), cast.users["province"])
    found = published.published_elsewhere(" 肿瘤外科 围手术期管理新进展", 2021)
    assert [e.number for e in found] == ["2021-04-08-186(国)"]
    assert not published.published_elsewhere("肿瘤外科围手术期管理新进展", 2022).exists()
    assert [e.number for e in published.published_elsewhere("胸痛中心建设与质控", 2021)] == [
        "2021-04-01-023(国)"
    ]
    bare_project(
        cast,
        name="肿瘤外科围手术期管理新进展",
        year=2021,
        level=Level.NATIONAL,
        number="2021-04-08-186(国)",
    )
    assert not published.published_elsewhere("肿瘤外科围手术期管理新进展", 2021).exists()


def test_pages_upload_preview_commit_and_search(cast, login):
    assert login("changsha").get(reverse("project_documents:published_import")).status_code == 403
    client = login("province")
    assert (
        "上传并检查" in client.get(reverse("project_documents:published_import")).content.decode()
    )
    response = client.post(
        reverse("project_documents:published_import"), {"file": upload(workbook(GOOD))}
    )
    record = PublishedListImport.objects.get()
    assert response.url == reverse("project_documents:published_import_detail", args=[record.pk])
    body = client.get(response.url).content.decode()
    assert "确认导入" in body and "肿瘤外科围手术期管理新进展" in body
    assert (
        login("zhuzhou")
        .post(reverse("project_documents:published_import_commit", args=[record.pk]))
        .status_code
        == 403
    )
    client = login("province")
    client.post(reverse("project_documents:published_import_commit", args=[record.pk]))
    record.refresh_from_db()
    assert record.state == PublishedListImport.State.COMMITTED
    listing = login("zhuzhou").get(reverse("project_documents:published_list") + "?q=湘雅")
    body = listing.content.decode()
    assert "肿瘤外科围手术期管理新进展" in body and "胸痛中心" not in body
