import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.plans import actions
from cme.plans.imports import TEMPLATE_HEADERS

ROW = {
    "name": "基层医务人员心肺复苏技能培训",
    "content": "成人及儿童心肺复苏、AED使用",
    "audience": "基层医护人员",
    "starts_on": "2025-03-10",
    "ends_on": "2025-03-11",
    "place": "长沙市第一医院学术报告厅",
    "participants": "120",
    "organiser": "长沙市第一医院",
    "mode": "线下",
    "credits": "2",
    "note": "",
}


def plan_of(cast, year=2025, half=1, user="city_admin"):
    return actions.start_plan(actor=cast.users[user], year=year, half=half)


def with_rows(cast, plan, n=2, user="city_admin"):
    for i in range(n):
        actions.save_row(
            plan, ROW | {"name": "{}（第{}项）".format(ROW["name"], i + 1)}, actor=cast.users[user]
        )
    return plan


def xlsx(rows, headers=TEMPLATE_HEADERS, title="长沙市市级继续医学教育计划申报表") -> bytes:
    """A workbook as units send it: a merged title row above the header."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name="计划.xlsx"):
    return SimpleUploadedFile(name, data)


def good_row(number=1, **kw):
    values = {
        "序号": number,
        "培训名称": "急诊急救技能培训{}".format(number),
        "培训内容": "创伤急救、气道管理",
        "培训对象": "急诊科医护人员",
        "培训时间": "2025-04-10至2025-04-11",
        "培训地点": "长沙市第一医院",
        "培训人数": 80,
        "承办单位": "长沙市第一医院急诊科",
        "培训方式": "线下",
        "拟授学分": 2.5,
        "备注": "",
    } | kw
    return [values[h] for h in TEMPLATE_HEADERS]
