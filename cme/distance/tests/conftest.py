"""The cast for distance learning and annual meetings: the fixed cast plus a distance
provider with its login (the cast has none), filed with Changsha, with two filed courses;
time frozen in November 2024 so the years and the 2024 policy are fixed."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.accounts.models import Role
from cme.demo.builders import K, org, user
from cme.distance import filings
from cme.distance.models import Course, ProviderFiling

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TODAY = datetime.datetime(2024, 11, 15, 10, tzinfo=datetime.UTC)
COMPLETION_HEADERS = ["序号", "姓名", "证件号码", "课程名称", "学习时长（学时）", "完成日期"]


@pytest.fixture(autouse=True)
def _november_2024():
    with time_machine.travel(TODAY, tick=False):
        yield


def pdf(name: str = "资质证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 scan", content_type="application/pdf")


def xlsx(headers: list[str], rows: list[list], name: str = "名单.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for n, row in enumerate(rows, start=1):
        sheet.append([n, *row])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def completion_file(rows: list[list], name: str = "学习记录.xlsx") -> SimpleUploadedFile:
    """rows of [姓名, 证件号码, 课程名称, 学时, 完成日期]."""
    return xlsx(COMPLETION_HEADERS, rows, name)


@pytest.fixture
def provider(cast):
    """湖南省卫生健康远程医学教育中心 and its login `distance` (added to cast.users)."""
    organisation = org("湖南省卫生健康远程医学教育中心", K.DISTANCE, "430000", cast.province)
    cast.users["distance"] = user(
        "distance", "龚晓燕", organisation, Role.DISTANCE_PROVIDER, cast.password
    )
    return organisation


def apply(cast, city=None) -> ProviderFiling:
    return filings.apply_for_filing(
        actor=cast.users["distance"],
        city=city or cast.changsha,
        contact_name="龚晓燕",
        contact_phone="0731-84822628",
        pc_platform="https://cme.example.cn",
        mobile_platform="湖南远程医学教育App",
        introduction="省卫生健康委认可的远程继续医学教育机构。",
        qualification=pdf(),
        commitment=True,
    )


@pytest.fixture
def filing(cast, provider) -> ProviderFiling:
    """Filed with Changsha."""
    return filings.decide_filing(apply(cast), actor=cast.users["changsha"], accept=True)


def add_course(cast, filing, name: str, hours, category: str = "I", **extra) -> Course:
    values = {"project_number": "2024-04-01-001(国)"} if category == "I" else {}
    course = filings.file_course(
        filing,
        actor=cast.users["distance"],
        year=extra.pop("year", 2024),
        name=name,
        summary="课程内容简介",
        hours=hours,
        category=category,
        **(values | extra),
    )
    city = {cast.changsha.pk: "changsha", cast.zhuzhou.pk: "zhuzhou"}[filing.city_id]
    return filings.decide_course(course, actor=cast.users[city], accept=True)


@pytest.fixture
def course(cast, filing) -> Course:
    """A national distance project of 6 学时: 2 I类 credits."""
    return add_course(cast, filing, "急诊医学新进展", "6")


@pytest.fixture
def city_course(cast, filing) -> Course:
    """A city-level course of 12 学时: II类, 6 学时 = 1 credit → 2."""
    return add_course(cast, filing, "社区慢病管理", "12", "II")
