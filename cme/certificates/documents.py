"""The certificate PDF: one A4 page, drawn with reportlab and signed (`signing.sign_pdf`).

A learner's 继续医学教育学分证书 and a lecturer's 继续医学教育授课证明 show the same fields
(证书编号, 姓名, masked 证件号码, 工作单位, 项目编号 with (国) for national projects, 项目名称,
项目级别, 学分类别, 学分, 学时, 举办起止日期, 举办地点, 授分单位, 发证日期) under a sentence
that differs, and the verification URL with its QR code.

Speed matters (a session has up to 5,000 attendees): what every certificate of a session
shares is looked up once (`session_values`), the font is registered once per process,
and the page is drawn with plain canvas calls.
"""

import functools
import io
from decimal import Decimal

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from cme.certificates.models import Certificate
from cme.certificates.signing import sign_pdf
from cme.core.idnumbers import mask
from cme.core.pdf import cjk_font
from cme.holding.models import ExecutionReport, HeldSession
from cme.orgs.chains import deciding_authority
from cme.orgs.models import Organisation
from cme.projects.models import Level, Project

ROWS = [
    "证书编号",
    "姓名",
    "证件号码",
    "工作单位",
    "项目编号",
    "项目名称",
    "项目级别",
    "学分类别",
    "学分",
    "学时",
    "举办起止日期",
    "举办地点",
    "授分单位",
    "发证日期",
]
LECTURER_LABELS = {"姓名": "授课教师"}
TITLES = {False: "继续医学教育学分证书", True: "继续医学教育授课证明"}
STATEMENTS = {
    False: "{name}于{dates}参加{level}继续医学教育项目“{project}”学习，经考核合格，"
    "授予{category}学分{amount}分。",
    True: "授课教师{name}于{dates}在{level}继续医学教育项目“{project}”中授课{hours}学时，"
    "授予{category}学分{amount}分。",
}
FOOTNOTE = "本证书由继续医学教育管理平台签发并附电子签名，内容如被修改，签名即失效。"

WIDTH, HEIGHT = A4
LEFT, RIGHT = 72, WIDTH - 72
INK = colors.HexColor("#1F2D3D")
FRAME = colors.HexColor("#8B1A1A")
RULE = colors.HexColor("#CCCCCC")


# --- what the certificate says ----------------------------------------------------------------


def project_number(project: Project) -> str:
    """The number as approved; a national one always ends in (国)."""
    number = project.number or ""
    if project.level == Level.NATIONAL and not number.endswith(("(国)", "（国）")):
        number += "(国)"
    return number


def awarding_authority(session: HeldSession) -> Organisation | None:
    """授分单位: whoever reviews the session's execution report, or, before there is one,
    the authority over the sponsor."""
    report = ExecutionReport.objects.filter(session=session).select_related("reviewer").first()
    return report.reviewer if report else deciding_authority(session.project.sponsor)


def plain_number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def chinese_date(day) -> str:
    return "{y}年{m}月{d}日".format(y=day.year, m=day.month, d=day.day)


def verify_url(number: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("certificates:verify", args=[number])


def session_values(session: HeldSession) -> dict[str, str]:
    """The values every certificate of `session` shares (two queries, once per session)."""
    project = session.project
    authority = awarding_authority(session)
    with translation.override("zh-hans"):
        level = str(Level(project.level).label)
    return {
        "项目编号": project_number(project),
        "项目名称": project.name,
        "项目级别": level,
        "举办起止日期": "{a}至{b}".format(
            a=chinese_date(session.starts_on), b=chinese_date(session.ends_on)
        ),
        "举办地点": session.region.full_name + session.address,
        "授分单位": authority.name if authority else "",
    }


def certificate_values(certificate: Certificate, shared: dict[str, str]) -> dict[str, str]:
    credit, person = certificate.credit, certificate.credit.person
    with translation.override("zh-hans"):
        category = str(credit.get_category_display())
    return shared | {
        "证书编号": certificate.display_number,
        "姓名": person.name,
        "证件号码": mask(person.id_number),
        "工作单位": person.unit.name if person.unit_id else "",
        "学分类别": category,
        "学分": plain_number(credit.amount),
        "学时": plain_number(credit.hours),
        "发证日期": chinese_date(certificate.issued_on),
    }


# --- drawing ----------------------------------------------------------------------------------


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of at most `width` points, broken between any two characters (CJK text has
    no spaces to break at)."""
    lines, line, used = [], "", 0.0
    for char in text:
        advance = stringWidth(char, font, size)
        if line and used + advance > width:
            lines.append(line)
            line, used = "", 0.0
        line += char
        used += advance
    return [*lines, line]


@functools.cache
def _label_width() -> float:
    return max(stringWidth(label, cjk_font(), 11) for label in ROWS) + 14


def draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector rectangles, one per horizontal run of dark modules, written
    as PDF operators in module units (reportlab formats each number in pure Python,
    thousands per code otherwise). The mask pattern is fixed: choosing the best of eight
    is most of segno's time, and readers decode any of them."""
    matrix = segno.make(url, error="m", mask=2, micro=False).matrix
    module = size / len(matrix)
    runs = []
    for row, modules in enumerate(matrix):
        start = None
        for col, dark in enumerate((*modules, 0)):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                runs.append("{x} {y} {w} 1 re".format(x=start, y=row, w=col - start))
                start = None
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.transform(module, 0, 0, -module, x, y + size)  # rows run down from the top
    canvas.addLiteral("\n".join(runs) + "\nf")
    canvas.restoreState()


def draw_certificate(values: dict[str, str], *, lecturer: bool, url: str) -> bytes:
    """The unsigned page."""
    font = cjk_font()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, pageCompression=0)
    c.setTitle("{t} {n}".format(t=TITLES[lecturer], n=values["证书编号"]))
    c.setAuthor("继续医学教育管理平台")
    c.setStrokeColor(FRAME)
    c.setLineWidth(3)
    c.rect(28, 28, WIDTH - 56, HEIGHT - 56)
    c.setLineWidth(0.8)
    c.rect(36, 36, WIDTH - 72, HEIGHT - 72)

    c.setFillColor(FRAME)
    c.setFont(font, 26)
    c.drawCentredString(WIDTH / 2, HEIGHT - 105, TITLES[lecturer])
    c.setFillColor(INK)
    c.setFont(font, 10)
    c.drawCentredString(WIDTH / 2, HEIGHT - 128, "证书编号：" + values["证书编号"])

    statement = STATEMENTS[lecturer].format(
        name=values["姓名"],
        dates=values["举办起止日期"],
        level=values["项目级别"],
        project=values["项目名称"],
        hours=values["学时"],
        category=values["学分类别"],
        amount=values["学分"],
    )
    y = HEIGHT - 170
    c.setFont(font, 13)
    for line in wrap("\u3000\u3000" + statement, font, 13, RIGHT - LEFT):
        c.drawString(LEFT, y, line)
        y -= 22

    y -= 10
    label_width = _label_width()
    value_width = RIGHT - LEFT - label_width
    c.setStrokeColor(RULE)
    c.setLineWidth(0.5)
    c.line(LEFT, y + 15, RIGHT, y + 15)
    for label in ROWS:
        lines = wrap(values[label], font, 11, value_width)
        c.setFont(font, 11)
        c.drawString(LEFT + 6, y, LECTURER_LABELS.get(label, label) if lecturer else label)
        for line in lines:
            c.drawString(LEFT + label_width, y, line)
            y -= 17
        y -= 7
        c.line(LEFT, y + 15, RIGHT, y + 15)

    qr_size = 96
    draw_qr(c, url, RIGHT - qr_size, 92, qr_size)
    c.setFont(font, 12)
    c.drawString(LEFT, 160, "授分单位：" + values["授分单位"])
    c.drawString(LEFT, 138, "发证日期：" + values["发证日期"])
    c.setFont(font, 8.5)
    c.drawString(LEFT, 112, "扫描右侧二维码或访问以下网址核验本证书：")
    c.drawString(LEFT, 100, url)
    c.drawCentredString(WIDTH / 2, 56, FOOTNOTE)
    c.showPage()
    c.save()
    return buffer.getvalue()


def certificate_pdf(certificate: Certificate, shared: dict[str, str] | None = None) -> bytes:
    """The signed PDF. `shared`: `session_values(session)` when drawing a whole session;
    `certificate` needs credit__person__unit and credit__session__project loaded."""
    if shared is None:
        shared = session_values(certificate.credit.session)
    return sign_pdf(
        draw_certificate(
            certificate_values(certificate, shared),
            lecturer=certificate.is_lecturer,
            url=verify_url(certificate.number),
        )
    )
