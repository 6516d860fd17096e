"""Who may call the API: tokens, the session, and the JSON error bodies."""

from collections import Counter

import pytest
from django.test import Client

from cme.accounts.actions import create_api_token, revoke_api_token
from cme.accounts.models import ApiToken
from cme.core.models import AuditEvent

ME = "/api/v1/me"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + token}


def assert_unauthenticated(response) -> None:
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "UNAUTHENTICATED"
    assert "令牌" in body["message"]


def test_token_authenticates_and_records_last_use(client, cast):
    record, token = create_api_token(actor=cast.users["changsha"], name="脚本")
    assert record.last_used_at is None
    assert record.digest == ApiToken.hash(token) and token not in record.digest

    response = client.get(ME, headers=bearer(token))

    assert response.status_code == 200
    assert response.json() == {
        "username": "changsha",
        "name": "长沙市卫生健康委员会用户",
        "role": "city_reviewer",
        "role_label": "市州科教科",
        "organisation": {"id": cast.changsha.pk, "name": "长沙市卫生健康委员会"},
        "must_change_password": False,
    }
    record.refresh_from_db()
    assert record.last_used_at is not None


@pytest.mark.parametrize(
    "headers",
    [{}, bearer("cme_not-a-real-token"), bearer(""), {"Authorization": "Token abc"}],
    ids=["none", "unknown", "empty", "other-scheme"],
)
def test_missing_or_unknown_token_is_401_json(client, cast, headers):
    assert_unauthenticated(client.get(ME, headers=headers))


def test_revoked_token_is_401(client, cast):
    user = cast.users["changsha"]
    record, token = create_api_token(actor=user, name="旧令牌")
    revoke_api_token(record, actor=user)
    assert_unauthenticated(client.get(ME, headers=bearer(token)))


def test_token_of_inactive_user_is_401(client, cast):
    user = cast.users["changsha"]
    _record, token = create_api_token(actor=user, name="脚本")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert_unauthenticated(client.get(ME, headers=bearer(token)))


def test_bad_token_on_a_post_is_401_not_a_csrf_failure(cast):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/transfers/lookup", {}, content_type="application/json", headers=bearer("nope")
    )
    assert_unauthenticated(response)


def test_logged_in_session_works_for_the_browser(login):
    response = login("city_admin").get(ME)
    assert response.status_code == 200
    assert response.json()["role"] == "unit_admin"


def test_session_post_needs_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.users["city_admin"])
    response = client.post(
        "/api/v1/transfers/lookup", {"id_number": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "CSRF_FAILED"


def test_token_call_records_the_client_address_in_the_audit(api, cast):
    nurse = cast.persons["nurse"]
    response = api("city_admin").post(f"/persons/{nurse.pk}/reveal-id")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="person.reveal_id")
    assert event.ip_address == "127.0.0.1"
    assert event.actor == cast.users["city_admin"]


def test_openapi_schema_renders(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "继续医学教育管理平台 API"
    assert {
        "/api/v1/persons",
        "/api/v1/transfers/out",
        "/api/v1/account-applications/{application_id}/decide",
    } <= set(schema["paths"])
    assert "id_number" not in schema["components"]["schemas"]["PersonOut"]["properties"]


def test_docs_page_renders(client, db):
    assert client.get("/api/v1/docs").status_code == 200


def test_validation_errors_are_422_with_code_message_and_field(api, cast):
    response = api("city_admin").get("/persons", {"page": 0})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert body["field"] == "page"
    assert body["errors"] == [{"field": "page", "message": "不能小于1。"}]
    assert body["message"].startswith("请求数据有误")


def test_malformed_json_is_400_bad_body(client, cast):
    _record, token = create_api_token(actor=cast.users["city_admin"], name="脚本")
    response = client.post(
        "/api/v1/transfers/lookup",
        "{not json",
        content_type="application/json",
        headers=bearer(token),
    )
    assert response.status_code == 400
    assert response.json() == {"code": "BAD_BODY", "message": "请求体无法解析，请发送有效的JSON。"}


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document keys its schemas by class name: two `DecisionIn`s in two apps
    would publish one body for both operations."""
    import ninja
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every app's API module)

    def schemas(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from schemas(sub)

    names = Counter(
        s.__name__ for s in set(schemas(ninja.Schema)) if s.__module__.startswith("cme.")
    )
    assert [name for name, n in names.items() if n > 1] == []


def test_each_decision_publishes_its_own_body(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    def body(path: str) -> set[str]:
        content = schema["paths"]["/api/v1" + path]["post"]["requestBody"]["content"]
        ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        return set(schema["components"]["schemas"][ref]["properties"])

    assert body("/account-applications/{application_id}/decide") == {"decision", "reason"}
    assert body("/sessions/{session_id}/report/decision") == {"approve", "reason"}
    assert body("/distance/filings/{filing_id}/decision") == {"accept", "reason"}
