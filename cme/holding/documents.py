"""国家级、省级继续医学教育项目举办报备表 (003 附件1), which a sponsor sends its city with
the notice and schedule at least a week before a session (003 §十): as Excel and as PDF.

As in the seed: the title, the line 报备单位：, and the columns 举办单位, 项目编号,
项目名称, 举办时间, 举办地点, 培训人数, 拟授学分, 备注. 举办时间 is "YYYY-MM-DD至YYYY-MM-DD",
举办地点 the region's full name and the address, 培训人数 the expected participants,
备注 "线上" for an online session and the project level.
"""

import io
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import quote
from xml.sax.saxutils import escape

import xlsxwriter
from django.http import HttpResponse
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cme.core.exports import XLSX, safe_cell
from cme.core.pdf import cjk_font
from cme.holding.models import HeldSession
from cme.orgs.models import Organisation

TITLE = "国家级、省级继续医学教育项目举办报备表"
COLUMNS = [
    "举办单位",
    "项目编号",
    "项目名称",
    "举办时间",
    "举办地点",
    "培训人数",
    "拟授学分",
    "备注",
]
WIDTHS_MM = [36, 28, 52, 40, 55, 16, 16, 24]  # 267 mm: landscape A4 less 15 mm margins


def _credits(value: Decimal) -> str:
    return str(value.quantize(Decimal(1))) if value == value.to_integral() else str(value)


def filing_row(session: HeldSession) -> list[str]:
    project = session.project
    note = [project.get_level_display()]
    if session.mode == HeldSession.Mode.ONLINE:
        note.insert(0, "线上")
    return [
        project.sponsor.name,
        project.number or "",
        project.name,
        "{a}至{b}".format(a=session.starts_on.isoformat(), b=session.ends_on.isoformat()),
        session.region.full_name + session.address,
        str(session.expected_participants),
        _credits(session.credits),
        "，".join(note),
    ]


def _filename(ext: str) -> str:
    return "attachment; filename*=UTF-8''" + quote("{t}.{e}".format(t=TITLE, e=ext))


def filing_form_xlsx(sessions: Iterable[HeldSession], *, unit: Organisation) -> HttpResponse:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet("举办报备表")
    title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    line = book.add_format({"font_size": 11})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter"})
    cell = book.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
    last = len(COLUMNS) - 1
    sheet.merge_range(0, 0, 0, last, TITLE, title)
    sheet.merge_range(1, 0, 1, last, safe_cell("报备单位：{u}".format(u=unit.name)), line)
    sheet.write_row(2, 0, COLUMNS, head)
    for r, session in enumerate(sessions, start=3):
        for c, value in enumerate(filing_row(session)):
            sheet.write_string(r, c, str(safe_cell(value)), cell)
    for c, width in enumerate(WIDTHS_MM):
        sheet.set_column(c, c, width * 0.45)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(2)
    book.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = _filename("xlsx")
    return response


def filing_form_pdf(sessions: Iterable[HeldSession], *, unit: Organisation) -> HttpResponse:
    font = cjk_font()
    base = ParagraphStyle("cell", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=24, alignment=TA_CENTER)
    head = ParagraphStyle("head", parent=base, alignment=TA_CENTER)
    line = ParagraphStyle("line", parent=base, fontSize=11, leading=18)

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text), style)

    data = [[p(c, head) for c in COLUMNS]]
    data += [[p(v) for v in filing_row(s)] for s in sessions]
    if len(data) == 1:
        data.append([p("") for _ in COLUMNS])
    table = Table(
        data,
        colWidths=[w * mm for w in WIDTHS_MM],
        repeatRows=1,
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        ),
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=TITLE,
    )
    doc.build(
        [
            p(TITLE, title),
            Spacer(1, 4 * mm),
            p("报备单位：{u}".format(u=unit.name), line),
            Spacer(1, 2 * mm),
            table,
        ]
    )
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = _filename("pdf")
    return response
