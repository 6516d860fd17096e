"""Account applications over the API: scoped to the licensing authority's subtree."""

from cme.accounts.models import RequestState, User
from cme.api.tests.helpers import items, submit_application, valid_uscc


def decide(caller, pk: int, decision: str, reason: str = ""):
    return caller.post(
        f"/account-applications/{pk}/decide", {"decision": decision, "reason": reason}
    )


def test_licensing_authority_approves_and_gets_the_initial_password_once(api, cast):
    application = submit_application(cast.changsha)
    reviewer = api("changsha")

    response = decide(reviewer, application.pk, "approve")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["application"]["state"] == "approved"
    assert body["application"]["organisation"]["name"] == "长沙市康复医院"
    assert body["initial_password"]
    admin = User.objects.get(username=body["admin_username"])
    assert admin.check_password(body["initial_password"]) and admin.must_change_password
    shown_again = reviewer.get(f"/account-applications/{application.pk}")
    assert body["initial_password"] not in shown_again.content.decode()

    twice = decide(reviewer, application.pk, "reject", "重复")
    assert twice.status_code == 409
    assert twice.json()["code"] == "CONFLICT"


def test_return_needs_a_reason(api, cast):
    application = submit_application(cast.changsha)
    response = decide(api("changsha"), application.pk, "return")
    assert response.status_code == 400
    assert response.json() == {
        "code": "REASON_REQUIRED",
        "message": "退回或拒绝时必须填写原因。",
        "field": "reason",
    }

    returned = decide(api("changsha"), application.pk, "return", "许可证扫描件不清晰")
    assert returned.json()["application"]["state"] == "returned"
    assert returned.json()["initial_password"] is None


def test_unknown_decision_is_a_422_naming_the_field(api, cast):
    application = submit_application(cast.changsha)
    response = decide(api("changsha"), application.pk, "maybe")
    assert response.status_code == 422
    assert response.json()["field"] == "decision"
    assert "approve" in response.json()["message"]


def test_province_sees_city_applications_but_only_the_city_decides(api, cast):
    application = submit_application(cast.changsha)
    province = api("province")
    assert application.pk in {a["id"] for a in items(province.get("/account-applications"))}
    response = decide(province, application.pk, "approve")
    assert response.status_code == 403
    assert response.json() == {"code": "FORBIDDEN", "message": "只有该申请的发证机构可以审核。"}


def test_zhuzhou_neither_sees_nor_decides_changsha_applications(api, cast):
    application = submit_application(cast.changsha)
    own = submit_application(
        cast.zhuzhou,
        unit_name="株洲市妇幼保健院",
        region="430202",
        code=valid_uscc("12430200MB7654321"),
    )
    zhuzhou = api("zhuzhou")
    assert {a["id"] for a in items(zhuzhou.get("/account-applications"))} == {own.pk}
    assert decide(zhuzhou, application.pk, "approve").status_code == 404
    application.refresh_from_db()
    assert application.state == RequestState.SUBMITTED


def test_state_filter(api, cast):
    application = submit_application(cast.changsha)
    reviewer = api("changsha")
    assert [
        a["id"] for a in items(reviewer.get("/account-applications", {"state": "submitted"}))
    ] == [application.pk]
    assert items(reviewer.get("/account-applications", {"state": "approved"})) == []


def test_a_model_check_failing_inside_the_action_is_a_400_not_a_500(api, cast):
    application = submit_application(cast.changsha, code="123")
    response = decide(api("changsha"), application.pk, "approve")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("ORG_INVALID", "uscc")
    assert "统一社会信用代码无效" in body["message"]
    application.refresh_from_db()
    assert application.state == RequestState.SUBMITTED
