"""The UI is Chinese by default; the language switcher's cookie turns it English."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from cme.certificates.tests.factories import certificate
from cme.holding import reports
from cme.holding.models import ExecutionReport
from cme.holding.tests.factories import attend, held_session, pre_reported


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(client, name: str, *args) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, name
    return response.content.decode()


def test_the_login_page_is_english_with_the_cookie(english):
    body = page(english, "login")
    assert 'lang="en"' in body
    for text in ["Log in", "Username / unit account", "Password", "Apply for a unit account"]:
        assert text in body, text
    for text in ["登录", "用户名 / 单位账号", "申请单位账户", "继续医学教育管理平台"]:
        assert text not in body, text


def test_the_login_page_is_chinese_without_the_cookie(client):
    body = page(client, "login")
    assert 'lang="zh-hans"' in body
    assert "用户名 / 单位账号" in body and "申请单位账户" in body
    assert "Log in" not in body


def test_a_unit_admins_pages_are_english_with_the_cookie(english, login, cast):
    client = login("city_admin")
    home = page(client, "home")
    for text in ["CME Management Platform", "Home", "Registered staff", "Import staff list"]:
        assert text in home, text
    assert "Unit account administrator" in home  # the role label in the header
    people = page(client, "people:list")
    for text in ["People", "Search by name", "ID number", "Professional title"]:
        assert text in people, text
    upload = page(client, "people:import_upload")
    assert "Import staff list: " + cast.city_hospital.name in upload
    assert "Upload and check" in upload
    for body in (home, people, upload):
        for text in ["导入人员名单", "首页", "人员调动", "修改密码", "退出", "证件号码"]:
            assert text not in body, text


def test_a_unit_admins_pages_are_chinese_without_the_cookie(login, cast):
    client = login("city_admin")
    home = page(client, "home")
    assert "导入人员名单" in home and "在册人员" in home and "单位账户管理员" in home
    people = page(client, "people:list")
    assert "按姓名搜索" in people and "证件号码" in people
    upload = page(client, "people:import_upload")
    assert "导入人员名单：" + cast.city_hospital.name in upload
    for body in (home, people, upload):
        assert "Import staff list" not in body
        assert "Registered staff" not in body


def test_id_type_and_sex_are_shown_in_english_but_stay_chinese_data(english, login, cast):
    """Their Chinese labels are also the words of import files and the person form."""
    client = login("city_admin")
    doctor = cast.persons["doctor"]
    detail = page(client, "people:detail", doctor.pk)
    assert "Resident ID card" in detail and "居民身份证" not in detail
    form = page(client, "people:edit", doctor.pk)
    assert '<option value="男"' in form and ">Male</option>" in form
    response = client.post(
        reverse("people:edit", args=[doctor.pk]),
        {"name": doctor.name, "sex": "", "title": "主任医师", "department": "心内科", "phone": ""},
    )
    assert response.status_code == 302
    doctor.refresh_from_db()
    assert (doctor.title, doctor.department) == ("主任医师", "心内科")


def test_a_certificates_public_verify_page_is_english_with_the_cookie(english, cast):
    nurse = certificate(held_session(cast), cast.persons["nurse"])
    body = page(english, "certificates:verify", nurse.number)
    assert 'lang="en"' in body
    for text in [
        "Verify an e-credit certificate",
        "Credit certificate",
        "Active",
        "Credit category",
        "Category I",
        "Issued on",
        "2024-05-10 to 2024-05-11",
    ]:
        assert text in body, text
    for text in ["电子学分证书核验", "学分证书", "有效", "学分类别", "I类", "发证日期", "至"]:
        assert text not in body, text


def test_the_execution_report_queue_and_reminders_are_english_with_the_cookie(english, login, cast):
    session = pre_reported(cast, held_session(cast))
    attend(session, cast.persons["nurse"])
    report = reports.open_report(
        session, actor=cast.users["city_admin"], today=datetime.date(2024, 5, 12)
    )
    ExecutionReport.objects.filter(pk=report.pk).update(
        state=ExecutionReport.State.SUBMITTED,
        submitted_at=datetime.datetime(2024, 5, 13, 10, tzinfo=datetime.UTC),
        review_due_on=datetime.date(2024, 5, 27),
    )
    with time_machine.travel(datetime.datetime(2024, 6, 1, 9, tzinfo=datetime.UTC), tick=False):
        client = login("province")
        queue = page(client, "holding:report_queue")
        home = page(client, "home")
    assert session.project.name in queue
    for text in [
        "Execution report review",
        "Pending review",
        "Returned for revision",
        "Submitted at",
        "Review due by",
        "Review overdue",
    ]:
        assert text in queue, text
    for text in ["执行情况审核", "待审核", "退回修改", "报送时间", "最迟审核日期", "审核超期"]:
        assert text not in queue, text
    assert "Reminders" in home and "Overdue" in home
    assert "待办提醒" not in home and "已逾期" not in home


def test_a_holding_units_session_and_roster_pages_are_english_with_the_cookie(english, login, cast):
    session = pre_reported(cast, held_session(cast))
    attend(session, cast.persons["nurse"])
    client = login("city_admin")
    with time_machine.travel(datetime.datetime(2024, 5, 13, 9, tzinfo=datetime.UTC), tick=False):
        detail = page(client, "holding:session_detail", session.pk)
        roster = page(client, "holding:roster", session.pk)
    for text in [
        "Course schedule and changes",
        "Change project leader",
        "Roster",
        "Execution report",
        "Start execution report",
        "Records kept until",
    ]:
        assert text in detail, text
    for text in ["Import roster", "Add a learner by hand", "Assessment result", "Total 1"]:
        assert text in roster, text
    for body in (detail, roster):
        for text in ["学员通讯录", "执行情况", "课程安排", "考核结果", "至"]:
            assert text not in body, text


def test_the_execution_indicators_and_the_evaluation_form_are_english_with_the_cookie(
    english, login, cast
):
    from django.utils import translation

    from cme.holding.report_forms import EvaluationForm

    body = page(login("changsha"), "stats:indicators")
    assert "Pre-reports on time" in body and "举办前报备及时率" not in body
    assert "Learners reached (learners ÷ expected, at most 100%)" in body
    with translation.override("en"):
        form = EvaluationForm()
    assert form.fields["q4"].label == "4. Satisfaction with the teachers' lectures"
    assert form.fields["q4"].choices[0] == ("很满意", "Very satisfied")  # stored as the form


def test_the_evaluation_form_stays_chinese_without_the_cookie(db):
    from django.utils import translation

    from cme.holding.report_forms import EvaluationForm

    with translation.override("zh-hans"):
        form = EvaluationForm()
    assert form.fields["q4"].choices[0] == ("很满意", "很满意")
