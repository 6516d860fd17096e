"""Journey 6 (issue 6, "How it is checked"): a nurse of 长沙市第一医院 claims the credits of an
out-of-province national project with its certificate, her unit and the city approve them,
her year turns 达标; her unit submits its annual audit, the city and the province approve
it, she prints her signed 年度合格证明 and a stranger verifies it on the public page."""

import datetime
import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from cme.audits.models import AnnualAudit, AnnualCertificate
from cme.certificates import signing
from cme.credits.models import CreditRecord
from cme.credits.tests.factories import credit
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.helpers import assert_no_full_id, log_in, log_out, mask, nav, pdf_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]

UNIT = "长沙市第一医院"
CITY = "长沙市卫生健康委员会"
PROVINCE = "湖南省卫生健康委员会"
SOURCE = "出省参加国家级继续医学教育项目"
TITLE = "全国重症护理新进展研讨班"


def _validate(data: bytes):
    trust = ValidationContext(trust_roots=[load_cert_from_pemder(signing.ensure_signing_key()[1])])
    (signature,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    return validate_pdf_signature(signature, trust)


def signature_status(data: bytes):
    """pyHanko's verdict on the PDF's one signature, trusting the platform's key. pyHanko
    starts an event loop of its own, which it cannot beside Playwright's in the test
    thread: it runs in another thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_validate, data).result()


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


def decide_claim(page: Page, number: str, button: str) -> None:
    """A reviewer opens 学分审核, the nurse's waiting claim, and approves it."""
    nav(page, "学分审核")
    expect(page.get_by_role("heading", name="学分审核")).to_be_visible()
    row = page.locator("#claims").get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("李小红")
    expect(row).to_contain_text(SOURCE)
    row.get_by_role("link", name="审核").click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^学分申报（申报编号\d+）$"))
    ).to_be_visible()
    expect(page.locator(".certificate-number")).to_have_text(number)
    expect(page.locator(".credit-amount")).to_have_text("4.0")
    expect(page.get_by_text("核对项目编号带“（国）”")).to_be_visible()
    expect(page.get_by_role("link", name="查看证明材料")).to_be_visible()
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("alert")).to_contain_text("已审核通过。")
    expect(page.get_by_role("heading", name="学分审核")).to_be_visible()
    expect(page.locator("#claims")).to_contain_text("没有记录。")


def decide_audit(page: Page, year: int, message: str) -> None:
    """An authority opens 年度学分审核, the hospital's year waiting for it, and approves it."""
    nav(page, "年度学分审核")
    expect(page.get_by_role("heading", name="学分审核")).to_be_visible()
    row = page.locator("#audit-queue").get_by_role("row").filter(has_text=UNIT)
    expect(row).to_contain_text(str(year))
    expect(row).to_contain_text("审核中")
    row.get_by_role("link", name="审核").click()
    expect(page.get_by_role("heading", name=f"{UNIT} {year}年度学分审核")).to_be_visible()
    expect(page.locator("#audit-counts .count-qualified")).to_have_text("1")
    nurse_row = page.locator("#audit-rows").get_by_role("row").filter(has_text="李小红")
    expect(nurse_row.locator(".result")).to_have_text("达标")
    form = page.locator("#decision-form")
    expect(form.get_by_label("审核通过")).to_be_checked()
    form.get_by_role("button", name="提交审核意见").click()
    expect(page.get_by_role("alert")).to_contain_text(message)


def test_claim_review_audit_and_annual_certificate(page, live_server, live_cast, tmp_path):
    base, password = live_server.url, live_cast.password
    errors: list[str] = []
    watch_console(page, errors)
    nurse = live_cast.persons["nurse"]
    assert nurse.user == live_cast.users["learner"]  # the learner's account is hers
    numbers = [p.id_number for p in live_cast.persons.values()]

    # The live server's "today" is real: the year is this one, and the project was held
    # earlier in it (in the first days of January, last year's, which claims still accept).
    today = timezone.localdate()
    held = today - datetime.timedelta(days=30)
    year = held.year
    number = f"{year}-04-08-017（国）"  # full-width brackets, as printed
    # she has 21 credits of the year, 1 of them I类: the 4 I类 claimed make 25 / 5, 达标
    credit(nurse, year, "1.0", title="护理管理新进展学习班", activity_date=held)
    credit(nurse, year, "20", "paper", title="ICU护理质量论文", activity_date=held)
    evidence = tmp_path / "学分证书.pdf"
    evidence.write_bytes(pdf_bytes())

    # --- 1. the nurse: short of I类 credits; she claims the out-of-province project ---
    log_in(page, base, "learner", password)
    nav(page, "我的学分")
    expect(page.get_by_role("heading", name="我的学分")).to_be_visible()
    page.get_by_role("link", name=f"{year}年度").click()
    expect(page.locator(".total-credits")).to_have_text("21.0")
    expect(page.locator(".year-result")).to_have_text("不达标")
    expect(page.locator("#missing")).to_be_visible()

    nav(page, "申报学分")
    expect(page.get_by_role("heading", name="我的申报")).to_be_visible()
    page.locator("main").get_by_role("link", name="申报学分").click()
    expect(page.get_by_role("heading", name="申报学分")).to_be_visible()
    page.get_by_label("学分来源").select_option(label=SOURCE)
    # HTMX reloads the fields the source needs: a certificate number, credits, no quantity
    expect(page.get_by_label("证书编号（项目编号）")).to_be_visible()
    expect(page.locator(".source-evidence")).to_contain_text("项目编号含（国）")
    expect(page.get_by_label("数量")).to_have_count(0)
    page.get_by_label("学分年度").select_option(str(year))
    page.get_by_label("证书或活动名称").fill(TITLE)
    page.get_by_label("活动日期").fill(held.isoformat())
    page.get_by_label("证书编号（项目编号）").fill(number)
    page.get_by_label("学分（按证书填写）").fill("4")
    page.get_by_label("证明材料").set_input_files(evidence)
    page.get_by_role("button", name="提交申报").click()
    expect(page).to_have_url(re.compile(r"/claims/\d+/$"))
    expect(page.get_by_role("alert")).to_contain_text(f"已提交，等待{UNIT}审核。")
    expect(page.locator(".claim-status")).to_have_text("待生效")
    expect(page.locator(".where-is")).to_contain_text(f"等待{UNIT}审核")
    expect(page.locator(".certificate-number")).to_have_text(number)
    expect(page.locator(".credit-amount")).to_have_text("4.0")
    assert_no_full_id(page, *numbers)
    log_out(page)

    # --- 2. her unit approves it on to the city ---
    log_in(page, base, "city_admin", password)
    decide_claim(page, number, f"审核通过（报{CITY}）")
    log_out(page)

    # --- 3. the city approves it: the credits are valid ---
    log_in(page, base, "changsha", password)
    decide_claim(page, number, "审核通过（学分生效）")
    log_out(page)
    page.wait_for_load_state("load")  # the live server is idle while the test thread reads
    claim = CreditRecord.objects.get(person=nurse, source_id="out_of_province")
    assert claim.status == CreditRecord.Status.VALID and claim.holder is None

    # --- 4. the nurse's year is 达标 ---
    log_in(page, base, "learner", password)
    nav(page, "我的学分")
    page.get_by_role("link", name=f"{year}年度").click()
    expect(page.locator(".total-credits")).to_have_text("25.0")
    expect(page.locator(".year-result")).to_have_text("达标")
    expect(page.locator("#missing")).to_have_count(0)
    row = page.locator("#records").get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text(SOURCE)
    expect(row.locator(".credit-status")).to_have_text("有效")
    log_out(page)

    # --- 5. the hospital submits its annual audit of the year ---
    log_in(page, base, "city_admin", password)
    nav(page, "年度学分审核")
    page.locator("main .nav-tabs").get_by_role("link", name=f"{year}年度").click()
    expect(page.get_by_role("heading", name=f"{UNIT} {year}年度学分审核")).to_be_visible()
    expect(page.locator(".audit-state")).to_have_text("未审核")
    expect(page.locator("#audit-chain")).to_contain_text(f"{UNIT} → {CITY} → {PROVINCE}")
    expect(page.locator("#audit-counts .count-qualified")).to_have_text("1")
    nurse_row = page.locator("#audit-rows").get_by_role("row").filter(has_text=nurse.name)
    expect(nurse_row).to_contain_text(mask(nurse.id_number))
    expect(nurse_row.locator(".result")).to_have_text("达标")
    assert_no_full_id(page, *numbers)
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"{year}年度学分审核已提交{CITY}审核：共2人，达标1人。"
    )
    expect(page.locator(".audit-state")).to_have_text("审核中")
    expect(page.locator("#audit-chain .holder")).to_have_text(CITY)
    log_out(page)

    # --- 6. the city approves it on to the province, the province approves it ---
    log_in(page, base, "changsha", password)
    decide_audit(page, year, f"已审核通过，已报送{PROVINCE}。")
    log_out(page)
    log_in(page, base, "province", password)
    decide_audit(page, year, f"{UNIT}{year}年度学分审核已通过，达标人员可打印年度合格证明。")
    log_out(page)
    page.wait_for_load_state("load")
    audit = AnnualAudit.objects.get(unit=live_cast.city_hospital, year=year)
    assert audit.state == AnnualAudit.State.APPROVED
    certificate = AnnualCertificate.objects.get(person=nurse, year=year)

    # --- 7. the nurse prints her 年度合格证明: signed, and intact ---
    log_in(page, base, "learner", password)
    nav(page, "我的学分")
    page.get_by_role("link", name=f"{year}年度").click()
    expect(page.locator("#annual-certificate")).to_contain_text(certificate.display_number)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="打印年度合格证明").click()
    download = download_info.value
    assert download.suggested_filename == f"年度合格证明_{year}_{certificate.display_number}.pdf"
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert b"/ByteRange" in pdf
    verdict = signature_status(pdf)
    assert verdict.intact and verdict.valid and verdict.trusted
    log_out(page)

    # --- 8. a stranger, not logged in, verifies it ---
    stranger = page.context.browser.new_context(locale="zh-CN")
    try:
        other = stranger.new_page()
        watch_console(other, errors)
        other.goto(f"{base}/verify/{certificate.number}/")
        expect(other.get_by_role("heading", name="电子学分证书核验")).to_be_visible()
        expect(other.get_by_role("button", name="退出")).to_have_count(0)
        expect(other.locator(".card-header")).to_contain_text(
            f"年度合格证明 {certificate.display_number}"
        )
        expect(other.locator(".certificate-status")).to_have_text("有效")
        expect(detail(other, "姓名")).to_have_text(nurse.name)
        expect(detail(other, "证件号码")).to_have_text(mask(nurse.id_number))
        expect(detail(other, "工作单位")).to_have_text(UNIT)
        expect(detail(other, "年度")).to_have_text(str(year))
        expect(detail(other, "总学分")).to_have_text("25（I类 5，II类 20）")
        assert_no_full_id(other, *numbers)
    finally:
        stranger.close()

    assert errors == [], errors
