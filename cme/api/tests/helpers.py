"""Helpers for the API tests: a caller with a token, and payload checks."""

import io
import json
import random

import openpyxl
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum.cn import uscc

from cme.accounts.actions import submit_account_application
from cme.accounts.models import AccountApplication
from cme.demo.builders import resident_id
from cme.orgs.models import Organisation, Region
from cme.people.models import Person

BASE = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ApiCaller:
    """Calls the API as one member of the cast, with a personal token made for them."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": "Bearer " + token}

    def get(self, path: str, params: dict | None = None):
        return self.client.get(BASE + path, params or {}, headers=self.headers)

    def post(self, path: str, body: dict | None = None):
        return self.client.post(
            BASE + path,
            json.dumps(body or {}),
            content_type="application/json",
            headers=self.headers,
        )

    def patch(self, path: str, body: dict):
        return self.client.patch(
            BASE + path, json.dumps(body), content_type="application/json", headers=self.headers
        )

    def upload(self, path: str, upload):
        return self.client.post(BASE + path, {"file": upload}, headers=self.headers)


def assert_no_full_id(response) -> None:
    """No full ID number of anyone in the registry appears in the response."""
    text = response.content.decode()
    for number in Person.objects.values_list("id_number", flat=True):
        assert number not in text


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def staff_xlsx(rows: list[list[str]], name: str = "人员名单.xlsx") -> SimpleUploadedFile:
    """A staff list as a unit would fill it in, ID numbers typed as text."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "姓名", "性别", "证件号码", "科室", "职称", "手机号码"])
    for n, row in enumerate(rows, start=1):
        sheet.append([n, *row])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def new_resident_id(region: str = "430102", seed: int = 7) -> str:
    return resident_id(random.Random(seed), region)


def valid_uscc(body: str = "12430100MB1234567") -> str:
    return body + uscc.calc_check_digit(body)


def submit_application(
    authority: Organisation,
    *,
    unit_name: str = "长沙市康复医院",
    region: str = "430102",
    code: str | None = None,
) -> AccountApplication:
    application = AccountApplication(
        unit_name=unit_name,
        kind=Organisation.Kind.MEDICAL,
        region=Region.objects.get(code=region),
        licensing_authority=authority,
        supervisor_name="长沙市卫生健康委员会",
        uscc=code or valid_uscc(),
        science_head="周科长",
        science_head_phone="0731-88888888",
        admin_name="吴管理",
        admin_phone="13900000000",
        admin_email="admin@example.cn",
    )
    for field in ("licence_scan", "legal_rep_id_scan", "agent_id_scan"):
        getattr(application, field).save(field + ".pdf", ContentFile(b"%PDF-1.4"), save=False)
    return submit_account_application(application)
