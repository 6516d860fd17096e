"""Printed documents of a declaration round (SPEC §9 "Summary tables"): the application
form for signature and stamp as PDF, and the summary tables as Excel.

- `application_form_pdf(project)`: 《继续医学教育项目申报表》, printed after online filing,
  signed by the project leader and stamped by the sponsor (000 §三.6; 002 §五.二).
- `national_summary(projects)`: 国家级继教项目申报汇总表 (000 附件3).
- `provincial_summary(projects)`: 省级继教项目申报汇总表 (000 附件4).
- `contacts(organisations)`: 继教工作联系人信息表 (000 附件5).
- `society_summary(projects, unit=…, filled_by=…, phone=…)`: 继教项目申报汇总表 of a
  society's branches, signed by the committee chair (002 附件2).

Seed 000 gives only the titles of 附件3-5; their columns are designed from what the
notice asks of them (see each function). 002 附件2 is reproduced exactly.

The PDF embeds the CJK font of `cme.core.pdf` (WenQuanYi Zen Hei when installed).
"""

import datetime
import functools
import io
import re
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import quote
from xml.sax.saxutils import escape

import xlsxwriter
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from cme.core.exports import XLSX, safe_cell, xlsx_response
from cme.core.pdf import TTF_FONT, cjk_font, font_path  # noqa: F401 -- TTF_FONT, font_path re-exported
from cme.orgs.models import Organisation
from cme.projects.forms import EVALUATION_LEVELS, NEEDS_SOURCES, labels_of
from cme.projects.models import Kind, Project

# --- the application form (PDF) ------------------------------------------------------------

PAGE_WIDTH = A4[0] - 36 * mm  # 18 mm margins: 174 mm of table
GRID = colors.HexColor("#777777")
SHADE = colors.HexColor("#EEEEEE")


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=11, leading=16, alignment=TA_CENTER
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontSize=12.5, leading=18, spaceBefore=10, spaceAfter=4
        ),
        "body": base,
        "label": ParagraphStyle("label", parent=base, fontSize=9.5, leading=13),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13),
        "head": ParagraphStyle("head", parent=base, fontSize=9.5, leading=13, alignment=TA_CENTER),
        "center": ParagraphStyle(
            "center", parent=base, fontSize=9.5, leading=13, alignment=TA_CENTER
        ),
    }


def _p(text: object, style: str = "cell") -> Paragraph:
    """A wrapped paragraph; the text is escaped and keeps its line breaks."""
    value = "" if text is None else str(text)
    return Paragraph(escape(value).replace("\n", "<br/>"), _styles()[style])


def _hours(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    return str(value.quantize(Decimal(1))) if value == value.to_integral() else str(value)


def _place(project: Project, session) -> str:
    if project.form == Project.Form.DISTANCE:
        return project.website
    where = session.region.full_name if session.region else session.place_outside
    return (where or "") + (session.address or "")


def _discipline(project: Project) -> str:
    d = project.discipline
    return "{a}/{b}".format(a=d.secondary_name, b=d.tertiary_name) if d else ""


def _info_table(items: list[tuple[str, object, bool]]) -> Table:
    """Label/value pairs, two to a row; a wide item takes a whole row."""
    rows, spans, pending = [], [], None
    for label, value, wide in items:
        cell = (_p(label, "label"), _p(value if value not in (None, "") else "—"))
        if wide:
            if pending:
                rows.append([*pending, "", ""])
                spans.append(len(rows) - 1)
                pending = None
            rows.append([*cell, "", ""])
            spans.append(len(rows) - 1)
        elif pending:
            rows.append([*pending, *cell])
            pending = None
        else:
            pending = cell
    if pending:
        rows.append([*pending, "", ""])
        spans.append(len(rows) - 1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("BACKGROUND", (2, 0), (2, -1), SHADE),
    ]
    for r in spans:
        style += [("SPAN", (1, r), (3, r)), ("BACKGROUND", (2, r), (2, r), colors.white)]
    widths = [28 * mm, PAGE_WIDTH / 2 - 28 * mm] * 2
    return Table(rows, colWidths=widths, style=TableStyle(style))


def _grid_table(
    headers: list[str], rows: list[list], widths_mm: list[float], extra: list | None = None
) -> Table:
    """A table with a shaded header row repeated on every page; rows split between pages."""
    data = [[_p(h, "head") for h in headers]]
    data += [[c if isinstance(c, Paragraph) else _p(c) for c in row] for row in rows]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        *(extra or []),
    ]
    return Table(
        data,
        colWidths=[w * mm for w in widths_mm],
        repeatRows=1,
        style=TableStyle(style),
    )


def _section(story: list, title: str) -> None:
    story.append(_p(title, "h2"))


def _text_section(story: list, title: str, text: str, prefix: str = "") -> None:
    _section(story, title)
    if prefix:
        story.append(_p(prefix, "body"))
    story.append(_p(text or "（未填写）", "body"))


def _page_canvas(footer: str):
    """A canvas that writes "第 N 页，共 M 页" once it knows how many pages there are."""
    font = cjk_font()

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(font, 8.5)
                self.setFillColor(colors.HexColor("#555555"))
                self.drawString(18 * mm, 10 * mm, footer)
                self.drawRightString(
                    A4[0] - 18 * mm,
                    10 * mm,
                    "第 {n} 页，共 {t} 页".format(n=number, t=total),
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def application_form_pdf(project: Project) -> bytes:
    """《继续医学教育项目申报表》: every field of the declaration, its teachers, course
    schedule and planned sessions, and the block for the leader's signature and the
    sponsor's stamp. A4; long tables split across pages with their header repeated."""
    teachers = list(project.teachers.all())
    lessons = list(project.lessons.select_related("teacher"))
    sessions = list(project.planned_sessions.select_related("region__parent__parent"))
    leader = project.leader
    if leader is not None:
        leader = type(leader).objects.select_related("unit").get(pk=leader.pk)
    total_hours = sum((lesson.hours for lesson in lessons), start=Decimal(0))

    story: list = [
        _p("继续医学教育项目申报表", "title"),
        _p(
            "{y}年度　{level}　{kind}".format(
                y=project.year, level=project.get_level_display(), kind=project.get_kind_display()
            ),
            "subtitle",
        ),
    ]
    if project.number:
        story.append(_p("项目编号：{n}".format(n=project.number), "subtitle"))
    story.append(Spacer(1, 4 * mm))

    _section(story, "一、基本信息")
    items: list[tuple[str, object, bool]] = [
        ("项目名称", project.name, True),
        ("项目年度", "{y}年".format(y=project.year), False),
        ("项目级别", project.get_level_display(), False),
        ("申报类型", project.get_kind_display(), False),
        ("学科", _discipline(project), False),
        ("第一申办单位", project.sponsor.name, True),
    ]
    if project.declared_by_id != project.sponsor_id:
        items.append(("申报单位（专业委员会/分会）", project.declared_by.name, True))
    items += [
        ("其他申办单位", project.co_sponsors or "无", True),
        ("举办形式", project.get_form_display(), False),
        ("举办期数", project.sessions_planned, False),
    ]
    if project.form == Project.Form.DISTANCE:
        items.append(("教学网站", project.website, True))
    items += [
        ("教学对象", project.audience, True),
        ("拟招生人数", project.expected_participants, False),
        ("总学时", _hours(total_hours), False),
        ("授予学员学分", _hours(project.credits), False),
        ("收费标准", project.fees, False),
    ]
    if project.priority_tags:
        items.append(("重点领域", "、".join(str(t) for t in project.priority_tags), True))
    if project.kind == Kind.FILING and project.previous_id:
        previous = project.previous
        items.append(
            (
                "上年度项目",
                "{name}（{year}年，编号：{number}）".format(
                    name=previous.name, year=previous.year, number=previous.number or "—"
                ),
                True,
            )
        )
    story.append(_info_table(items))

    _section(story, "二、项目负责人")
    leader_items: list[tuple[str, object, bool]] = [
        ("姓名", leader.name if leader else "", False),
        ("职称", leader.title if leader else "", False),
        ("工作单位", leader.unit.name if leader and leader.unit else "", False),
        ("科室", leader.department if leader else "", False),
        ("联系电话", project.leader_phone or (leader.phone if leader else ""), False),
    ]
    if project.form == Project.Form.DISTANCE:
        academic = project.academic_leader
        leader_items += [
            (
                "学术负责人",
                "{n}（{t}）".format(n=academic.name, t=academic.title or "无职称")
                if academic
                else "",
                False,
            ),
            ("技术负责人", project.technical_leader, False),
        ]
    story.append(_info_table(leader_items))

    needs = "、".join(labels_of(project.needs_sources, NEEDS_SOURCES))
    _text_section(
        story,
        "三、需求分析",
        project.needs_analysis,
        prefix="需求来源：{s}".format(s=needs) if needs else "",
    )
    _text_section(story, "四、教学目标", project.objectives)
    _text_section(story, "五、考核方式", project.assessment_method)
    _section(story, "六、效果评估层次")
    chosen = sorted(int(v) for v in project.evaluation_levels or [] if str(v).isdigit())
    names = dict(EVALUATION_LEVELS)
    story.append(
        _p(
            "、".join("{n} {label}".format(n=n, label=names.get(n, "")) for n in chosen)
            or "（未选择）",
            "body",
        )
    )

    _section(story, "七、授课教师")
    story.append(
        _grid_table(
            ["序号", "姓名", "工作单位", "职称", "专业", "本单位/外单位", "知情同意"],
            [
                [
                    _p(i, "center"),
                    t.name,
                    t.unit_name,
                    t.title,
                    t.specialty,
                    _p(_own_or_outside(t, project), "center"),
                    _p("已同意" if t.consent else "未同意", "center"),
                ]
                for i, t in enumerate(teachers, start=1)
            ],
            [11, 20, 44, 24, 26, 28, 21],
        )
    )

    _section(story, "八、课程安排")
    lesson_rows = [
        [
            _p(i, "center"),
            lesson.topic,
            lesson.teacher.name,
            _p(_hours(lesson.hours), "center"),
            _p(lesson.get_kind_display(), "center"),
        ]
        for i, lesson in enumerate(lessons, start=1)
    ]
    lesson_rows.append(["", _p("合计学时", "center"), "", _p(_hours(total_hours), "center"), ""])
    last = len(lesson_rows)
    story.append(
        _grid_table(
            ["序号", "授课题目", "授课教师", "学时", "类型"],
            lesson_rows,
            [12, 84, 28, 18, 32],
            extra=[("SPAN", (1, last), (2, last)), ("BACKGROUND", (0, last), (-1, last), SHADE)],
        )
    )

    _section(story, "九、举办期次")
    story.append(
        _grid_table(
            ["序号", "起止日期", "天数", "举办地点"],
            [
                [
                    _p(i, "center"),
                    _p(
                        "{a:%Y-%m-%d} 至 {b:%Y-%m-%d}".format(a=s.starts_on, b=s.ends_on),
                        "center",
                    ),
                    _p(s.days, "center"),
                    _place(project, s),
                ]
                for i, s in enumerate(sessions, start=1)
            ],
            [12, 50, 16, 96],
        )
    )

    story.append(Spacer(1, 8 * mm))
    story.append(KeepTogether([_p("十、签字盖章", "h2"), _signature_block()]))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title="继续医学教育项目申报表 — {n}".format(n=project.name),
        author=project.sponsor.name,
        subject="继续医学教育项目申报表",
        creator="继续医学教育管理平台",
    )
    footer = "{n}".format(n=project.number or project.name)
    if len(footer) > 40:
        footer = footer[:39] + "…"
    doc.build(story, canvasmaker=_page_canvas(footer))
    return buffer.getvalue()


def _own_or_outside(teacher, project: Project) -> str:
    """本单位 when the teacher works at the sponsor (as the OWN_TEACHER_SHARE rule counts)."""
    if teacher.unit_id:
        own = teacher.unit_id == project.sponsor_id
    else:
        own = teacher.unit_name.strip() == project.sponsor.name
    return "本单位" if own else "外单位"


def _signature_block() -> Table:
    gap = "&nbsp;" * 8  # reportlab folds ordinary and full-width spaces
    blank = Paragraph("日期：{w}年{g}月{g}日".format(w=gap * 2, g=gap), _styles()["body"])
    rows = [
        [_p("本人承诺以上填报内容真实、准确，并按批准的计划举办。", "body"), ""],
        [_p("项目负责人签字：", "body"), blank],
        [_p("申办单位（盖章）：", "body"), blank],
    ]
    return Table(
        rows,
        colWidths=[PAGE_WIDTH * 0.55, PAGE_WIDTH * 0.45],
        rowHeights=[10 * mm, 22 * mm, 34 * mm],
        style=TableStyle(
            [
                ("SPAN", (0, 0), (1, 0)),
                ("BOX", (0, 0), (-1, -1), 0.5, GRID),
                ("VALIGN", (0, 1), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 1), (-1, -1), 8),
            ]
        ),
    )


# --- summary tables (Excel) ----------------------------------------------------------------

NATIONAL_SUMMARY_COLUMNS = [
    "序号",
    "项目名称",
    "项目负责人",
    "申办单位",
    "学科",
    "举办期数",
    "举办地点",
    "备注",
]
PROVINCIAL_SUMMARY_COLUMNS = [
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
CONTACT_COLUMNS = ["单位名称", "联系人", "职务/科室", "办公电话", "手机", "电子邮箱"]
SOCIETY_SUMMARY_TITLE = "继教项目申报汇总表"
SOCIETY_SUMMARY_COLUMNS = ["序号", "项目名称", "申办单位", "项目负责人", "电话"]
SOCIETY_SIGNATURE = "专业委员会主委、分会会长 签名："
_MOBILE = re.compile(r"^(\+?86)?1[3-9]\d{9}$")


def _places(project: Project) -> str:
    if project.form == Project.Form.DISTANCE:
        return project.website
    return "；".join(filter(None, (_place(project, s) for s in project.planned_sessions.all())))


def _note(project: Project) -> str:
    notes = []
    if project.number:
        notes.append("项目编号：{n}".format(n=project.number))
    if project.kind == Kind.FILING:
        previous = project.previous
        notes.append(
            "备案项目（上年编号：{n}）".format(n=previous.number)
            if previous is not None and previous.number
            else "备案项目"
        )
    if project.co_sponsors:
        notes.append("其他申办单位：{c}".format(c=project.co_sponsors))
    return "；".join(notes)


def national_summary(projects: Iterable[Project]) -> FileResponse:
    """国家级继教项目申报汇总表 (000 附件3), sent with the paper materials to the provincial
    office (000 §三.6). The seed names only the table; its columns are what the notice
    asks the office to collect: 序号, 项目名称, 项目负责人, 申办单位, 学科, 举办期数,
    举办地点, 备注 (备注: the number, whether it is a filing and of which project, and
    the co-sponsors). Projects need `planned_sessions` (with regions) prefetched."""
    rows = (
        [
            i,
            p.name,
            p.leader.name if p.leader else "",
            p.sponsor.name,
            _discipline(p),
            p.sessions_planned,
            _places(p),
            _note(p),
        ]
        for i, p in enumerate(projects, start=1)
    )
    return xlsx_response("国家级继教项目申报汇总表.xlsx", NATIONAL_SUMMARY_COLUMNS, rows)


def provincial_summary(projects: Iterable[Project]) -> FileResponse:
    """省级继教项目申报汇总表 (000 附件4), e-mailed to the provincial office (000 §三.6).
    Columns designed like 附件3 plus 申报类型 (新申报/备案), since provincial projects are
    filed (备案) as well as newly declared (000 §三.5)."""
    rows = (
        [
            i,
            p.name,
            p.leader.name if p.leader else "",
            p.sponsor.name,
            _discipline(p),
            str(Kind(p.kind).label),
            p.sessions_planned,
            _places(p),
            _note(p),
        ]
        for i, p in enumerate(projects, start=1)
    )
    return xlsx_response("省级继教项目申报汇总表.xlsx", PROVINCIAL_SUMMARY_COLUMNS, rows)


def contacts(organisations: Iterable[Organisation]) -> FileResponse:
    """继教工作联系人信息表 (000 附件5): the CME contact of each unit. The seed names only the
    table; its columns are those a contact list needs: 单位名称, 联系人, 职务/科室,
    办公电话, 手机, 电子邮箱. The contact is the unit's 科教部门负责人 (003 附件3); its
    one telephone number goes under 手机 when it is a mobile number."""
    rows = []
    for org in organisations:
        phone = re.sub(r"[\s-]", "", org.phone or "")
        mobile = bool(_MOBILE.match(phone))
        rows.append(
            [
                org.name,
                org.science_head,
                "科教部门负责人" if org.science_head else "",
                "" if mobile else org.phone,
                org.phone if mobile else "",
                org.email,
            ]
        )
    return xlsx_response("继教工作联系人信息表.xlsx", CONTACT_COLUMNS, rows)


def society_summary(
    projects: Iterable[Project], *, unit: Organisation, filled_by: str, phone: str
) -> HttpResponse:
    """继教项目申报汇总表 (002 附件2), printed, signed by the committee chair or branch
    president and handed in with the application forms (002 §五.二). As in the seed:
    the title, the lines 报送单位, 日期, 填报人, 联系电话, the table 序号, 项目名称,
    申办单位, 项目负责人, 电话, and the signature line below it. 申办单位 names the
    committee or branch that declared through the society's account."""
    today = timezone.localdate()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(SOCIETY_SUMMARY_TITLE)
    title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    line = book.add_format({"font_size": 11})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter"})
    cell = book.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
    number = book.add_format({"border": 1, "align": "center", "valign": "vcenter"})
    last_col = len(SOCIETY_SUMMARY_COLUMNS) - 1
    sheet.merge_range(0, 0, 0, last_col, SOCIETY_SUMMARY_TITLE, title)
    lines = [
        "报送单位：{u}".format(u=unit.name),
        "日期：{d}".format(d=_chinese_date(today)),
        "填报人：{f}".format(f=filled_by),
        "联系电话：{p}".format(p=phone),
    ]
    for r, text in enumerate(lines, start=1):
        sheet.merge_range(r, 0, r, last_col, safe_cell(text), line)
    header_row = len(lines) + 2
    sheet.write_row(header_row, 0, SOCIETY_SUMMARY_COLUMNS, head)
    r = header_row
    for r, p in enumerate(projects, start=header_row + 1):
        sheet.write_number(r, 0, r - header_row, number)
        for c, value in enumerate(
            [
                p.name,
                p.declared_by.name if p.declared_by_id != p.sponsor_id else p.sponsor.name,
                p.leader.name if p.leader else "",
                p.leader_phone,
            ],
            start=1,
        ):
            sheet.write_string(r, c, str(safe_cell(value)), cell)
    sheet.merge_range(r + 2, 0, r + 2, last_col, SOCIETY_SIGNATURE, line)
    for c, width in enumerate([6, 42, 34, 12, 16]):
        sheet.set_column(c, c, width)
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    sheet.center_horizontally()
    book.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''" + quote(
        "{t}.xlsx".format(t=SOCIETY_SUMMARY_TITLE)
    )
    return response


def _chinese_date(day: datetime.date) -> str:
    return "{y}年{m}月{d}日".format(y=day.year, m=day.month, d=day.day)
