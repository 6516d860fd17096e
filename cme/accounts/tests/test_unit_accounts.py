"""Unit account lifecycle (003 §十四-十七): application to the licensing authority, rename,
password reset on a stamped letter, hand-over of the admin role; first-login password change."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from stdnum.cn import uscc

from cme.accounts import actions
from cme.accounts.models import AccountApplication, RequestState, Role, User
from cme.accounts.validators import NotFromIdNumberValidator
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.core.models import AuditEvent
from cme.orgs.models import Organisation, Region


def scan(name="scan.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%scan\n")


def new_application(cast, **overrides):
    base = "12430100MA4" + "L0XY12"
    values = {
        "unit_name": "长沙市开福区新河社区卫生服务中心",
        "kind": Organisation.Kind.MEDICAL,
        "region": Region.objects.get(code="430105"),
        "licensing_authority": cast.changsha,
        "supervisor_name": "长沙市开福区卫生健康局",
        "uscc": base + uscc.calc_check_digit(base),
        "science_head": "周敏",
        "science_head_phone": "0731-84000000",
        "admin_name": "陈静",
        "admin_phone": "13900000000",
        "admin_email": "chenjing@example.com",
        "licence_scan": scan(),
        "legal_rep_id_scan": scan(),
        "agent_id_scan": scan(),
    }
    values.update(overrides)
    return actions.submit_account_application(AccountApplication(**values))


def test_approval_creates_the_unit_and_an_admin_who_must_change_the_password(cast):
    application = new_application(cast)
    application, password = actions.decide_account_application(
        application, actor=cast.users["changsha"], decision="approve"
    )
    org = application.organisation
    assert org.name == "长沙市开福区新河社区卫生服务中心"
    assert org.licensing_authority == cast.changsha
    assert org.tree_path.startswith(cast.changsha.tree_path)
    admin = User.objects.get(username=org.provincial_account)
    assert admin.membership.role == Role.UNIT_ADMIN and admin.must_change_password
    assert admin.check_password(password)


def test_return_needs_a_reason_and_the_applicant_can_resubmit(cast):
    application = new_application(cast)
    with pytest.raises(DomainError):
        actions.decide_account_application(
            application, actor=cast.users["changsha"], decision="return"
        )
    application, _ = actions.decide_account_application(
        application, actor=cast.users["changsha"], decision="return", reason="许可证扫描件未盖章"
    )
    assert application.state == RequestState.RETURNED
    application = actions.submit_account_application(application)
    assert application.state == RequestState.SUBMITTED


def test_rejection_records_the_reason(cast):
    application, _ = actions.decide_account_application(
        new_application(cast),
        actor=cast.users["changsha"],
        decision="reject",
        reason="非医疗卫生机构",
    )
    assert application.state == RequestState.REJECTED
    assert AuditEvent.objects.filter(action="account.reject", comment="非医疗卫生机构").exists()


def test_only_the_licensing_authority_decides(cast):
    application = new_application(cast)
    for key in ["zhuzhou", "furong", "city_admin"]:
        with pytest.raises(PermissionDenied):
            actions.decide_account_application(
                application, actor=cast.users[key], decision="approve"
            )


def test_two_reviewers_deciding_at_once_give_one_decision(cast):
    application = new_application(cast)
    stale = AccountApplication.objects.get(pk=application.pk)
    actions.decide_account_application(
        application, actor=cast.users["changsha"], decision="approve"
    )
    with pytest.raises(Conflict):
        actions.decide_account_application(
            stale, actor=cast.users["changsha"], decision="reject", reason="x"
        )


def test_rename_keeps_the_old_name_in_the_history(cast):
    request = actions.request_rename(
        cast.city_hospital,
        actor=cast.users["city_admin"],
        new_name="长沙市第一医院（长沙市传染病医院）",
        stamped_scan=scan(),
        contact_name="陈静",
        contact_phone="13900000000",
    )
    with pytest.raises(PermissionDenied):
        actions.decide_rename(request, actor=cast.users["zhuzhou"], approve=True)
    actions.decide_rename(request, actor=cast.users["changsha"], approve=True)
    cast.city_hospital.refresh_from_db()
    assert cast.city_hospital.name == "长沙市第一医院（长沙市传染病医院）"
    [entry] = cast.city_hospital.name_history.all()
    assert (entry.old_name, entry.new_name) == (
        "长沙市第一医院",
        "长沙市第一医院（长沙市传染病医院）",
    )


def test_password_reset_on_a_stamped_letter(cast):
    request = actions.request_password_reset(
        cast.county_hospital, stamped_letter=scan(), contact_name="赵", contact_phone="13900000000"
    )
    with pytest.raises(PermissionDenied):
        actions.decide_password_reset(
            request, actor=cast.users["changsha"], approve=True
        )  # the county licenses it
    _, password = actions.decide_password_reset(request, actor=cast.users["furong"], approve=True)
    admin = cast.users["county_admin"]
    admin.refresh_from_db()
    assert admin.check_password(password) and admin.must_change_password


def test_hand_over_closes_the_previous_admin(cast):
    new_admin, _password = actions.hand_over_admin(
        cast.city_hospital,
        actor=cast.users["city_admin"],
        full_name="孙丽",
        username="sunli",
        phone="13900000001",
    )
    assert (
        new_admin.membership.organisation == cast.city_hospital and new_admin.must_change_password
    )
    cast.users["city_admin"].refresh_from_db()
    assert not cast.users["city_admin"].is_active
    with pytest.raises(PermissionDenied):
        actions.hand_over_admin(
            cast.city_hospital, actor=cast.users["zhuzhou"], full_name="x", username="x1", phone="1"
        )


def test_initial_password_must_be_changed_at_first_login(cast, client):
    user, password = actions.create_user(
        username="newadmin",
        full_name="新管理员",
        organisation=cast.city_hospital,
        role=Role.UNIT_ADMIN,
    )
    client.post(reverse("login"), {"username": "newadmin", "password": password})
    response = client.get(reverse("people:list"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "Xiang-Ya-2026!",
            "new_password2": "Xiang-Ya-2026!",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("people:list")).status_code == 200


def test_passwords_are_hashed_with_argon2_in_production():
    assert settings.PRODUCTION_PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert (
        get_hasher("argon2").encode("secret-pass", get_hasher("argon2").salt()).startswith("argon2")
    )


def test_a_password_taken_from_the_id_number_is_refused(cast):
    nurse = cast.persons["nurse"]
    with pytest.raises(ValidationError):
        NotFromIdNumberValidator().validate("Pw" + nurse.id_number[-8:], user=cast.users["learner"])
    with pytest.raises(ValidationError):
        NotFromIdNumberValidator().validate(nurse.id_number[-6:])


def test_repeated_failed_logins_lock_the_account(cast, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "city_admin", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "city_admin", "password": cast.password})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_application_form_is_public_and_refuses_a_renamed_file(cast, client):
    response = client.post(
        reverse("accounts:apply"),
        {
            "unit_name": "某诊所",
            "kind": "medical",
            "region": "430105",
            "licensing_authority": cast.changsha.pk,
            "supervisor_name": "x",
            "uscc": "bad",
            "science_head": "x",
            "science_head_phone": "1",
            "admin_name": "x",
            "admin_phone": "1",
            "admin_email": "x@example.com",
            "licence_scan": SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 not a pdf"),
            "legal_rep_id_scan": scan(),
            "agent_id_scan": scan(),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "统一社会信用代码无效" in body
    assert "不是PDF、JPG或PNG" in body


def test_deciding_again_shows_the_decision_not_a_permission_error(cast, login):
    application = new_application(cast)
    client = login("changsha")
    url = reverse("accounts:application", args=[application.pk])
    client.post(url, {"decision": "reject", "reason": "不符合条件"})
    response = client.post(url, {"decision": "reject", "reason": "不符合条件"})
    assert response.status_code == 200
    assert "已被他人处理" in response.content.decode()
    assert login("zhuzhou").post(url, {"decision": "approve"}).status_code == 404


def test_the_licensing_authority_must_be_over_the_units_region(cast):
    with pytest.raises(DomainError) as exc:
        new_application(
            cast, licensing_authority=cast.zhuzhou
        )  # a Changsha unit, Zhuzhou authority
    assert exc.value.field == "licensing_authority"
    assert new_application(cast, licensing_authority=cast.province).state == RequestState.SUBMITTED
