"""The API of integrity alerts: the same scope as the pages, errors as {code, message}."""

from cme.holding.tests.test_api import api
from cme.integrity.models import IntegrityAlert
from cme.integrity.tests.factories import YEAR


def test_changsha_lists_filters_and_reads(client, cast, changsha_alert):
    call = api(client, cast.users["changsha"])
    body = call("get", "/integrity/alerts").json()
    assert body["count"] == 1 and body["items"][0]["rule"] == "LECTURER_ALSO_LEARNER"
    assert body["items"][0]["authority"]["id"] == cast.changsha.pk
    assert call("get", "/integrity/alerts?rule=ROSTER_OVERSIZE").json()["count"] == 0
    assert call("get", "/integrity/alerts?rule=NOPE").json()["code"] == "RULE_UNKNOWN"
    detail = call("get", "/integrity/alerts/{p}".format(p=changsha_alert.pk)).json()
    assert {r["kind"] for r in detail["records"]} >= {"credit", "session", "lesson"}


def test_another_city_gets_404_and_a_unit_403(client, cast, changsha_alert):
    call = api(client, cast.users["zhuzhou"])
    assert call("get", "/integrity/alerts").json()["count"] == 0
    response = call("get", "/integrity/alerts/{p}".format(p=changsha_alert.pk))
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"
    response = call(
        "post",
        "/integrity/alerts/{p}/decide".format(p=changsha_alert.pk),
        {"decision": "dismissed", "reason": "x"},
    )
    assert response.status_code == 404
    assert api(client, cast.users["city_admin"])("get", "/integrity/alerts").status_code == 403


def test_deciding_needs_a_reason_and_happens_once(client, cast, changsha_alert):
    call = api(client, cast.users["changsha"])
    url = "/integrity/alerts/{p}/decide".format(p=changsha_alert.pk)
    response = call("post", url, {"decision": "confirmed", "reason": " "})
    assert response.status_code == 400 and response.json()["code"] == "REASON_REQUIRED"
    response = call(
        "post", url, {"decision": "confirmed", "reason": "已核实", "action_taken": "更正"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "closed" and response.json()["decision"] == "confirmed"
    assert call("post", url, {"decision": "dismissed", "reason": "x"}).status_code == 409


def test_triggering_a_scan(client, cast, changsha_alert):
    response = api(client, cast.users["changsha"])("post", "/integrity/scan", {"year": YEAR})
    assert response.status_code == 200
    assert response.json()["found"]["LECTURER_ALSO_LEARNER"] == 1
    assert response.json()["created"]["LECTURER_ALSO_LEARNER"] == 0
    assert IntegrityAlert.objects.count() == 1
