"""Journey 5 (issue 5, "How it is checked"): 长沙市第一医院 holds its approved provincial
project — a session, the city's 举办报备表, the roster imported from Excel, the execution
report — the province approves it, the learner downloads her signed certificate and a
stranger verifies it by the QR code's address; a changed byte breaks the signature."""

import datetime
import io
import random
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
import segno
from django.utils import timezone
from playwright.sync_api import Page, expect
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from cme.certificates import documents, signing
from cme.certificates.models import Certificate
from cme.demo.builders import resident_id
from cme.holding.models import HeldSession
from cme.holding.rosters import TEMPLATE_HEADERS
from cme.holding.tests.factories import approved
from cme.projects.tests.factories import valid_declaration
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.helpers import assert_no_full_id, log_in, log_out, mask, nav, pdf_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]

NAME = "急性胸痛规范化诊治新进展学习班"
UNIT = "长沙市第一医院"
CITY = "长沙市卫生健康委员会"
PROVINCE = "湖南省卫生健康委员会"
NEWCOMERS = ["周晓梅", "黄志强"]
# The 3 respondents' answers: each of questions 1-6 adds up to 3; question 7 takes two each.
EVALUATION = {
    "认为本项目讲授主要内容": {"是": 2, "基本是": 1},
    "以前了解情况": {"部分知道": 2, "不知道": 1},
    "认为收获": {"很大": 3},
    "授课教师讲授内容满意度": {"很满意": 2, "满意": 1},
    "教学计划安排": {"很满意": 3},
    "所用教材的满意度": {"满意": 3},
    "收获最大的是": {"提高临床诊治能力": 3, "开阔思路": 2},
}
# A QR code's dark modules as the certificate draws them: one rectangle per run of a row.
QR_RUN = re.compile(rb"^(\d+) (\d+) (\d+) 1 re$", re.MULTILINE)


def roster_workbook(path: Path, nurse) -> list[str]:
    """The hospital's own roster: a merged title over row 1, the headers on row 2, the
    ID numbers as text; the registered nurse and two people new to the platform."""
    rng = random.Random(11)
    people = [(nurse.name, nurse.id_number)]
    people += [(name, resident_id(rng, "430102")) for name in NEWCOMERS]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "学员通讯录"
    sheet["A1"] = "急性胸痛规范化诊治新进展学习班（第1期）学员通讯录"
    sheet.merge_cells("A1:I1")
    sheet.append(["序号", "姓名", "性别", "证件号码", "工作单位", "科室", "职称", "手机号码"])
    for i, (name, number) in enumerate(people, start=1):
        sex = "男" if int(number[16]) % 2 else "女"
        sheet.append([i, name, sex, number, UNIT, "急诊科", "主治医师", f"1390000000{i}"])
        sheet.cell(row=2 + i, column=4).number_format = "@"
    book.save(path)
    return [number for _, number in people]


def _validate(data: bytes):
    trust = ValidationContext(trust_roots=[load_cert_from_pemder(signing.ensure_signing_key()[1])])
    (signature,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    return validate_pdf_signature(signature, trust)


def signature_status(data: bytes):
    """pyHanko's verdict on the PDF's one signature, trusting the platform's key (as
    cme/certificates/tests/test_pdf.py checks it). pyHanko starts an event loop of its own,
    which it cannot beside Playwright's in the test thread: it runs in another thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_validate, data).result()


def qr_modules(pdf: bytes) -> set[tuple[int, int]]:
    """The dark modules of the QR code drawn on the certificate."""
    return {
        (x + i, int(y))
        for x, y, width in ((int(m[1]), m[2], int(m[3])) for m in QR_RUN.finditer(pdf))
        for i in range(width)
    }


def encoded_modules(url: str) -> set[tuple[int, int]]:
    matrix = segno.make(url, error="m", mask=2, micro=False).matrix
    return {(x, y) for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark}


def detail(page: Page, label: str):
    """The value beside a label of the verify page's list."""
    return page.locator("dl dt", has_text=re.compile(f"^{label}$")).locator("+ dd")


def watch_console(page: Page, errors: list[str]) -> None:
    """Collect the page's console errors and uncaught exceptions into `errors`."""

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))


def test_hold_report_review_certificate_and_verify(page, live_server, live_cast, tmp_path):
    base, password = live_server.url, live_cast.password
    errors: list[str] = []
    watch_console(page, errors)
    nurse = live_cast.persons["nurse"]
    assert nurse.user == live_cast.users["learner"]  # the learner's account is hers

    # The live server runs in another thread, so "today" is real: the session is arranged
    # ten days ahead (the city wants its 举办报备表 seven days before), in one year.
    today = timezone.localdate()
    starts = today + datetime.timedelta(days=10)
    if starts.year != (starts + datetime.timedelta(days=1)).year:
        starts += datetime.timedelta(days=1)
    ends = starts + datetime.timedelta(days=1)
    year = starts.year
    number = f"{year}-04-08-001(湘)"
    project = approved(valid_declaration(live_cast, year=year, name=NAME), number)
    scans = {}
    for name in ("notice", "schedule", "report_schedule", "exam"):
        scans[name] = tmp_path / f"{name}.pdf"
        scans[name].write_bytes(pdf_bytes())
    workbook = tmp_path / "学员通讯录.xlsx"
    numbers = roster_workbook(workbook, nurse)

    # --- 1. the hospital arranges a session and files the city's 举办报备表 ---
    log_in(page, base, "city_admin", password)
    expect(page.get_by_role("heading", name=UNIT)).to_be_visible()
    nav(page, "项目举办")
    expect(page.get_by_role("heading", name="项目举办")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text(number)
    row.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    expect(page.get_by_text("尚未安排期次。")).to_be_visible()
    page.get_by_label("开始日期").fill(starts.isoformat())
    page.get_by_label("结束日期").fill(ends.isoformat())
    page.get_by_label("举办地（省/市/区县）").select_option(label="长沙市 芙蓉区")
    page.get_by_label("举办地点").fill("长沙市第一医院学术报告厅")
    page.get_by_label("预计人数").fill("120")
    expect(page.get_by_label("拟授学分")).to_have_value("0.7")
    page.get_by_role("button", name="保存期次").click()
    expect(page.get_by_role("alert")).to_contain_text("已安排第1期，请按要求完成举办前报备。")
    card = page.locator("div.card[id^=session-]").filter(has_text="第1期")
    expect(card).to_contain_text(f"{starts:%Y-%m-%d} 至 {ends:%Y-%m-%d}")
    expect(card.get_by_role("row").filter(has_text="向市卫健委报送举办报备表")).to_contain_text(
        CITY
    )
    expect(card.locator(".pre-report-status")).to_have_text("未报备")
    expect(card).to_contain_text("不能授予学分")
    card.get_by_label("会议通知").set_input_files(scans["notice"])
    card.get_by_label("课程安排").set_input_files(scans["schedule"])
    card.get_by_role("button", name="提交报备").click()
    expect(page.get_by_role("alert")).to_contain_text(f"已报备{CITY}。")
    expect(card.locator(".pre-report-status")).to_have_text("已报备")
    expect(card).to_contain_text("可授予学分")
    expect(card.get_by_role("link", name="会议通知")).to_be_visible()

    # --- 2. the roster: the template, then the hospital's own file, checked and imported ---
    card.get_by_role("link", name="学员通讯录", exact=True).click()
    expect(page.get_by_role("heading", name="学员通讯录")).to_be_visible()
    expect(page.locator("#roster-counts")).to_contain_text("共 0 人")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载学员通讯录模板").click()
    template = download_info.value
    assert template.suggested_filename == "学员通讯录模板.xlsx"
    template_bytes = Path(template.path()).read_bytes()
    assert template_bytes.startswith(b"PK")  # an xlsx is a zip
    sheet = openpyxl.load_workbook(io.BytesIO(template_bytes)).active
    assert [cell.value for cell in sheet[1]] == TEMPLATE_HEADERS

    page.get_by_role("link", name="导入学员通讯录").click()
    expect(page.get_by_role("heading", name="导入学员通讯录")).to_be_visible()
    page.get_by_label("学员通讯录文件").set_input_files(workbook)
    page.get_by_role("button", name="上传并检查").click()
    expect(page).to_have_url(re.compile(r"/holding/roster-imports/\d+/$"))
    status = page.locator("#import-status")
    expect(status.get_by_role("heading")).to_contain_text("导入检查：学员通讯录.xlsx")
    expect(status.get_by_role("heading")).to_contain_text("待确认")
    expect(status).to_contain_text("共 3 行数据：新增 3 人，更新 0 人，未变化 0 人。")
    assert_no_full_id(page, *numbers)
    status.get_by_role("button", name="确认导入").click()
    # the commit runs as a task; HTMX polls the report until it is done
    expect(page.locator("#import-status").get_by_role("heading")).to_contain_text("已导入")
    expect(page.locator("#import-status")).to_contain_text("导入。")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)

    page.get_by_role("link", name="第1期学员通讯录").click()
    expect(page.locator("#roster-counts")).to_contain_text("共 3 人")
    expect(page.locator("#roster-counts")).to_contain_text("未考核 3")
    table = page.locator("#attendee-table")
    for name, id_number in zip([nurse.name, *NEWCOMERS], numbers, strict=True):
        expect(table.get_by_role("row").filter(has_text=name)).to_contain_text(mask(id_number))
    assert_no_full_id(page, *numbers)
    page.once("dialog", lambda dialog: dialog.accept())  # 将所有学员设为考核合格？
    page.get_by_role("button", name="全部合格").click()
    expect(page.get_by_role("alert")).to_contain_text("已将3名学员设为考核合格。")
    expect(page.locator("#roster-counts")).to_contain_text("合格 3")
    expect(page.locator("#roster-counts")).to_contain_text("未考核 0")

    # --- 3. the session has been held (moved into the past); the execution report ---
    page.wait_for_load_state("load")  # the live server is idle while the test thread writes
    session = HeldSession.objects.get(project=project)
    HeldSession.objects.filter(pk=session.pk).update(
        starts_on=today - datetime.timedelta(days=2), ends_on=today - datetime.timedelta(days=1)
    )
    nav(page, "项目举办")
    page.get_by_role("row").filter(has_text=NAME).get_by_role("link", name=NAME).click()
    page.get_by_role("link", name="期次详情：课程、学员、执行情况、学分").click()
    expect(page.get_by_role("heading", name=f"{NAME} · 第1期")).to_be_visible()
    expect(page.locator("#roster")).to_contain_text("学员 3 人：考核合格 3 人")
    report_card = page.locator("#report")
    expect(report_card).to_contain_text("本期次已结束")
    report_card.get_by_role("button", name="开始填报执行情况").click()
    expect(page).to_have_url(f"{base}/holding/sessions/{session.pk}/report/")
    expect(page.get_by_role("heading", name="执行情况总结汇总表")).to_be_visible()
    expect(page.locator(".report-state")).to_have_text("草稿")
    expect(page.locator("#report-problems")).to_contain_text("请填写实际培训效果分析。")
    expect(page.get_by_text(f"审核单位：{PROVINCE}")).to_be_visible()
    page.get_by_label("实际培训效果分析").fill(
        "学员掌握了急性胸痛分诊流程和心电图判读要点，课后测试全部合格。"
    )
    page.get_by_label("参加评估人数").fill("3")
    grid = page.locator("table.evaluation-grid")
    for question, answers in EVALUATION.items():
        grid_row = grid.get_by_role("row").filter(has_text=question)
        for choice, count in answers.items():
            grid_row.get_by_label(choice, exact=True).fill(str(count))
    page.get_by_label("1. 参与度").fill("报名120人，实际参加3人，全程出勤。")
    page.get_by_label("2. 满意度").fill("满意度调查：很满意和满意合计100%。")
    page.get_by_label("3. 知识的学习").fill("课前课后测试平均分由62分提高到88分。")
    page.get_by_label("存在的问题与建议").fill("病例讨论时间偏短，建议增加模拟演练。")
    page.get_by_label("项目活动日程表").set_input_files(scans["report_schedule"])
    page.get_by_label("考试试题").set_input_files(scans["exam"])
    page.get_by_role("button", name="报送执行情况").click()
    expect(page).to_have_url(f"{base}/holding/sessions/{session.pk}/")
    # 3 learners who passed and the 2 teachers of the approved lessons
    expect(page.get_by_role("alert")).to_contain_text(
        f"执行情况已报送{PROVINCE}，5条学分记录待审核通过后生效。"
    )
    expect(report_card.locator(".report-state")).to_have_text("待审核")
    expect(page.locator("#credits .credit-status")).to_have_text(["待生效"] * 5)
    log_out(page)

    # --- 4. the provincial office approves the report ---
    log_in(page, base, "province", password)
    nav(page, "执行情况审核")
    expect(page.get_by_role("heading", name="执行情况审核")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text(number)
    expect(row).to_contain_text(UNIT)
    row.get_by_role("link", name="审核").click()
    expect(page.get_by_role("heading", name="执行情况审核")).to_be_visible()
    expect(page.locator(".report-state")).to_have_text("待审核")
    expect(page.locator("table.report-form")).to_contain_text(NAME)
    expect(page.get_by_text("3 人，考核合格 3 人")).to_be_visible()
    page.get_by_role("button", name="审核通过（学分生效）").click()
    expect(page.get_by_role("alert")).to_contain_text("已审核通过，学分已生效。")
    expect(page.get_by_text("没有记录。")).to_be_visible()
    log_out(page)

    # --- 5. the learner downloads her certificate: signed, and intact ---
    certificate = Certificate.objects.get(credit__person=nurse)
    log_in(page, base, "learner", password)
    nav(page, "我的证书")
    expect(page.get_by_role("heading", name="我的证书")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text("学分证书")
    expect(row).to_contain_text("0.7")
    expect(row.locator(".badge")).to_have_text("有效")
    expect(row.get_by_role("link", name=certificate.display_number)).to_have_attribute(
        "href", f"/verify/{certificate.number}/"
    )
    with page.expect_download() as download_info:
        row.get_by_role("link", name="下载PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"学分证书_{certificate.display_number}.pdf"
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert b"/ByteRange" in pdf
    verdict = signature_status(pdf)
    assert verdict.intact and verdict.valid and verdict.trusted

    # the QR code holds the public verify address of this certificate
    url = documents.verify_url(certificate.number)
    assert urlsplit(url).path == f"/verify/{certificate.number}/"
    assert qr_modules(pdf) == encoded_modules(url)

    # one changed byte in the page's content (a run of the QR code) breaks the signature
    run = QR_RUN.search(pdf)
    at = run.end(3) - 1
    tampered = pdf[:at] + (b"2" if pdf[at : at + 1] == b"1" else b"1") + pdf[at + 1 :]
    assert len(tampered) == len(pdf) and qr_modules(tampered) != qr_modules(pdf)
    verdict = signature_status(tampered)
    assert not verdict.intact
    assert not verdict.bottom_line
    log_out(page)

    # --- 6. a stranger, not logged in, follows the QR code's address ---
    stranger = page.context.browser.new_context(locale="zh-CN")
    try:
        other = stranger.new_page()
        watch_console(other, errors)
        other.goto(base + urlsplit(url).path)
        expect(other.get_by_role("heading", name="电子学分证书核验")).to_be_visible()
        expect(other.get_by_role("button", name="退出")).to_have_count(0)
        expect(other.locator(".card-header")).to_contain_text(
            f"学分证书 {certificate.display_number}"
        )
        expect(other.locator(".certificate-status")).to_have_text("有效")
        expect(detail(other, "姓名")).to_have_text(nurse.name)
        expect(detail(other, "证件号码")).to_have_text(mask(nurse.id_number))
        expect(detail(other, "项目编号")).to_have_text(number)
        expect(detail(other, "项目名称")).to_have_text(NAME)
        expect(detail(other, "学分类别")).to_have_text("I类")
        expect(detail(other, "学分")).to_have_text("0.7")
        expect(detail(other, "学时")).to_have_text("4")
        assert_no_full_id(other, *numbers)
    finally:
        stranger.close()

    assert errors == [], errors
