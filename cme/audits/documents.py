"""The annual qualification certificate PDF (年度合格证明, 003 §九, §二十五): one signed A4
page drawn with the credit certificate's pieces (frame, CJK font, QR code to the shared
verify page, the platform signature)."""

import io

from django.http import HttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from cme.audits.models import AnnualCertificate
from cme.certificates.documents import (
    FOOTNOTE,
    FRAME,
    HEIGHT,
    INK,
    LEFT,
    RIGHT,
    RULE,
    WIDTH,
    chinese_date,
    draw_qr,
    plain_number,
    verify_url,
    wrap,
)
from cme.certificates.signing import sign_pdf
from cme.core.errors import NotFound, PermissionDenied
from cme.core.idnumbers import mask
from cme.core.pdf import cjk_font

TITLE = "继续医学教育年度合格证明"
ROWS = [
    "证明编号",
    "姓名",
    "证件号码",
    "工作单位",
    "年度",
    "总学分",
    "I类学分",
    "II类学分",
    "总学时",
]
STATEMENT = (
    "{name}（证件号码{id}）{year}年度继续医学教育学分经所在单位审核、卫生健康行政部门"
    "审核通过，达到年度学分要求，视同完成当年度省人力资源社会保障厅{hours}学时专业科目"
    "培训要求。"
)


def certificate_values(certificate: AnnualCertificate) -> dict[str, str]:
    person = certificate.person
    return {
        "证明编号": certificate.display_number,
        "姓名": person.name,
        "证件号码": mask(person.id_number),
        "工作单位": certificate.unit_name,
        "年度": "{y}年度".format(y=certificate.year),
        "总学分": plain_number(certificate.total),
        "I类学分": plain_number(certificate.class1),
        "II类学分": plain_number(certificate.class2),
        "总学时": plain_number(certificate.hours),
        "发证日期": chinese_date(certificate.issued_on),
        "学时": str(certificate.professional_hours),
        "年份": str(certificate.year),
    }


def draw_annual_certificate(values: dict[str, str], *, url: str) -> bytes:
    """The unsigned page."""
    font = cjk_font()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, pageCompression=0)
    c.setTitle("{t} {n}".format(t=TITLE, n=values["证明编号"]))
    c.setAuthor("继续医学教育管理平台")
    c.setStrokeColor(FRAME)
    c.setLineWidth(3)
    c.rect(28, 28, WIDTH - 56, HEIGHT - 56)
    c.setLineWidth(0.8)
    c.rect(36, 36, WIDTH - 72, HEIGHT - 72)

    c.setFillColor(FRAME)
    c.setFont(font, 24)
    c.drawCentredString(WIDTH / 2, HEIGHT - 105, TITLE)
    c.setFillColor(INK)
    c.setFont(font, 10)
    c.drawCentredString(WIDTH / 2, HEIGHT - 128, "证明编号：" + values["证明编号"])

    statement = STATEMENT.format(
        name=values["姓名"], id=values["证件号码"], year=values["年份"], hours=values["学时"]
    )
    y = HEIGHT - 175
    c.setFont(font, 13)
    for line in wrap("\u3000\u3000" + statement, font, 13, RIGHT - LEFT):
        c.drawString(LEFT, y, line)
        y -= 24

    y -= 14
    label_width = max(stringWidth(label, font, 11) for label in ROWS) + 14
    c.setStrokeColor(RULE)
    c.setLineWidth(0.5)
    c.line(LEFT, y + 15, RIGHT, y + 15)
    for label in ROWS:
        c.setFont(font, 11)
        c.drawString(LEFT + 6, y, label)
        for line in wrap(values[label], font, 11, RIGHT - LEFT - label_width):
            c.drawString(LEFT + label_width, y, line)
            y -= 17
        y -= 7
        c.line(LEFT, y + 15, RIGHT, y + 15)

    qr_size = 96
    draw_qr(c, url, RIGHT - qr_size, 92, qr_size)
    c.setFont(font, 12)
    c.drawString(LEFT, 160, "签发：继续医学教育管理平台")
    c.drawString(LEFT, 138, "发证日期：" + values["发证日期"])
    c.setFont(font, 8.5)
    c.drawString(LEFT, 112, "扫描右侧二维码或访问以下网址核验本证明：")
    c.drawString(LEFT, 100, url)
    c.drawCentredString(WIDTH / 2, 56, FOOTNOTE.replace("本证书", "本证明"))
    c.showPage()
    c.save()
    return buffer.getvalue()


def annual_certificate_pdf(certificate: AnnualCertificate) -> bytes:
    """The signed PDF; `certificate` with its person loaded."""
    with translation.override("zh-hans"):
        values = certificate_values(certificate)
    return sign_pdf(draw_annual_certificate(values, url=verify_url(certificate.number)))


def annual_certificate_download(person, year: int, *, printed_by=None) -> HttpResponse:
    """The signed 年度合格证明 of `person`'s year as a download: the learner's own (no
    `printed_by`), or a staff member's printed by the unit's HR or an authority above it."""
    from cme.audits import queries
    from cme.audits.permissions import can_print_for

    if printed_by is not None and not can_print_for(printed_by, person):
        raise PermissionDenied(_("只有本单位管理员和上级卫生健康行政部门可以打印年度合格证明。"))
    certificate = queries.annual_certificate_for(person, year) if person else None
    if certificate is None:
        raise NotFound(
            _("{y}年度没有年度合格证明：所在单位的学分审核通过后，达标人员方可打印。").format(
                y=year
            )
        )
    if not certificate.is_valid:
        raise PermissionDenied(
            _("该年度合格证明{s}，不能下载。").format(s=certificate.status_label)
        )
    response = HttpResponse(annual_certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, "年度合格证明_{y}_{n}.pdf".format(y=year, n=certificate.display_number)
    )
    return response
