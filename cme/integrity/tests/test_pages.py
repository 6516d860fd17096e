"""The pages: the authority's list with counts per rule, the alert with links to what it
names, the decision form; another city gets 404, a unit 403."""

import datetime

from django.core.management import call_command
from django.urls import reverse

from cme.certificates.models import Certificate
from cme.integrity.models import IntegrityAlert, Verification
from cme.integrity.tests.factories import YEAR, session, session_credit


def test_changsha_lists_its_alert_with_counts(login, changsha_alert):
    body = login("changsha").get(reverse("integrity:list")).content.decode()
    assert changsha_alert.summary in body and "授课教师同时以学员身份获授学分" in body
    assert reverse("integrity:detail", args=[changsha_alert.pk]) in body
    closed = login("changsha").get(reverse("integrity:list") + "?state=closed").content.decode()
    assert changsha_alert.summary not in closed


def test_the_list_filters_by_rule_in_a_fragment(login, changsha_alert):
    client = login("changsha")
    other = client.get(reverse("integrity:list") + "?rule=ROSTER_OVERSIZE", HTTP_HX_REQUEST="true")
    assert changsha_alert.summary not in other.content.decode()
    assert "<html" not in other.content.decode()


def test_the_detail_links_the_records(login, cast, changsha_alert):
    body = login("changsha").get(reverse("integrity:detail", args=[changsha_alert.pk])).content
    body = body.decode()
    assert reverse("credits:person", args=[cast.persons["doctor"].pk]) in body
    assert reverse("holding:session_detail", args=[changsha_alert.session_id]) in body
    assert 'action="{u}"'.format(u=reverse("integrity:decide", args=[changsha_alert.pk])) in body


def test_another_city_gets_404_and_a_unit_403(login, changsha_alert):
    client = login("zhuzhou")
    assert client.get(reverse("integrity:detail", args=[changsha_alert.pk])).status_code == 404
    response = client.post(
        reverse("integrity:decide", args=[changsha_alert.pk]),
        {"decision": "dismissed", "reason": "x"},
    )
    assert response.status_code == 404
    assert changsha_alert.summary not in client.get(reverse("integrity:list")).content.decode()
    assert login("city_admin").get(reverse("integrity:list")).status_code == 403


def test_deciding_without_a_reason_shows_the_error(login, changsha_alert):
    client = login("changsha")
    url = reverse("integrity:decide", args=[changsha_alert.pk])
    response = client.post(url, {"decision": "dismissed", "reason": ""})
    assert response.status_code == 400
    assert IntegrityAlert.objects.get().is_open
    response = client.post(url, {"decision": "confirmed", "reason": "已核实", "sanction": 999})
    assert "没有编号为999的处理决定" in response.content.decode()
    response = client.post(url, {"decision": "dismissed", "reason": "经核查无问题"})
    assert response.status_code == 302
    alert = IntegrityAlert.objects.get()
    assert alert.decision == "dismissed" and alert.reason == "经核查无问题"
    body = client.get(reverse("integrity:detail", args=[alert.pk])).content.decode()
    assert "经核查无问题" in body and url not in body


def test_scanning_from_the_page(login, cast):
    from cme.holding.models import SessionLesson

    doctor = cast.persons["doctor"]
    held = session(cast)
    SessionLesson.objects.create(
        session=held, topic="x", teacher_name=doctor.name, teacher=doctor, hours=1
    )
    session_credit(doctor, held)
    response = login("changsha").post(reverse("integrity:scan"), {"year": YEAR}, follow=True)
    assert "新增预警1条" in response.content.decode()
    assert IntegrityAlert.objects.get().authority == cast.changsha


def test_the_nav_shows_the_entry_to_authorities(login):
    assert reverse("integrity:list") in login("changsha").get(reverse("home")).content.decode()


def test_the_public_verify_page_logs_a_hashed_network(client, cast):
    record = session_credit(cast.persons["nurse"], session(cast))
    certificate = Certificate.objects.create(
        number="ABCD0123EFGH4567", credit=record, issued_on=datetime.date(YEAR, 5, 11)
    )
    client.get(reverse("certificates:verify", args=[certificate.number]), REMOTE_ADDR="203.0.113.7")
    client.get(
        "/api/v1/certificates/{n}/verify".format(n=certificate.number), REMOTE_ADDR="203.0.113.8"
    )
    rows = list(Verification.objects.filter(certificate=certificate))
    assert len(rows) == 2 and rows[0].network == rows[1].network
    assert "203.0.113" not in rows[0].network


def test_the_command_scans_a_year(cast, changsha_alert, capsys):
    call_command("scan_integrity", "--year", str(YEAR))
    assert "0 new alerts" in capsys.readouterr().out
    assert IntegrityAlert.objects.count() == 1


def test_the_list_uses_a_fixed_number_of_queries(login, cast, django_assert_max_num_queries):
    """More alerts add no queries (no query per row)."""
    for i in range(30):
        IntegrityAlert.objects.create(
            rule="ROSTER_OVERSIZE",
            year=YEAR,
            fingerprint="test:{i}".format(i=i),
            authority=cast.changsha,
            summary="预警{i}".format(i=i),
        )
    client = login("changsha")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("integrity:list") + "?state=all").status_code == 200
