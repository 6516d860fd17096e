"""The UI is Chinese by default; the language switcher's cookie turns it English."""

import pytest
from django.conf import settings
from django.urls import reverse


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
