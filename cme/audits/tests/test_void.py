"""Issue 6 §9, 003 §二十六: an authority voids a person's year for fraud — the person is found
by ID number sent by POST (never in a URL), within the authority's scope, and voided after a
confirmation. Everything derived follows: the person's entry in an audit still under review
takes the ledger's new totals and shows 已作废 with the reason, an approved audit's entry is
marked void and leaves the list for 人社, and the annual certificate shows 已作废（原因）."""

import pytest
from django.urls import reverse

from cme.audits import actions
from cme.audits.actions import Decision
from cme.audits.models import AnnualAudit, AnnualCertificate
from cme.audits.queries import audit_for, hr_entries
from cme.audits.tests.factories import YEAR, qualified, short
from cme.core.errors import NotFound, PermissionDenied
from cme.credits.ledger import Result


@pytest.fixture
def nurse(cast):
    qualified(cast.persons["nurse"])
    short(cast.persons["doctor"])
    return cast.persons["nurse"]


def _approve_all(cast, audit):
    for key in ("changsha", "province"):
        user = cast.users[key]
        audit = actions.decide_audit(
            audit_for(user, audit.pk), actor=user, decision=Decision.APPROVE
        )
    return audit


def _void(client, nurse, reason="代签到"):
    found = client.post(
        reverse("audits:void"),
        {"id_number": nurse.id_number.lower(), "year": YEAR, "reason": reason, "lookup": "1"},
    )
    assert found.status_code == 200
    body = found.content.decode()
    assert "确认作废" in body and nurse.name in body and nurse.id_number not in body
    return client.post(
        reverse("audits:void"),
        {"person": nurse.pk, "year": YEAR, "reason": reason, "confirm": "1"},
    )


def test_voiding_reaches_the_entry_of_an_audit_under_review(login, cast, nurse):
    audit = actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])
    done = _void(login("changsha"), nurse)
    assert done.status_code == 302 and nurse.id_number not in done["Location"]
    entry = audit.entries.get(person=nurse)
    assert entry.voided_at is not None and entry.void_reason == "代签到"
    assert entry.total == 0 and entry.result == Result.NOT_QUALIFIED
    audit.refresh_from_db()
    assert audit.qualified_count == 0
    page = login("changsha").get(reverse("audits:unit", args=[cast.city_hospital.pk, YEAR]))
    assert "已作废（代签到）" in page.content.decode()
    audit = _approve_all(cast, audit)
    assert not AnnualCertificate.objects.exists()  # nobody 达标 is left to certify


def test_voiding_after_approval_voids_the_certificate_and_leaves_the_hr_list(login, cast, nurse):
    audit = actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])
    audit = _approve_all(cast, audit)
    certificate = AnnualCertificate.objects.get(person=nurse)
    assert hr_entries(cast.users["province"], YEAR).count() == 1

    _void(login("changsha"), nurse, "冒名代学")
    certificate.refresh_from_db()
    assert certificate.status_label == "已作废（冒名代学）"
    entry = audit.entries.get(person=nurse)
    assert entry.total == 30 and entry.voided_at is not None  # the approved list keeps its figures
    assert hr_entries(cast.users["province"], YEAR).count() == 0
    body = login("changsha").get(reverse("certificates:verify", args=[certificate.number]))
    assert "已作废（冒名代学）" in body.content.decode()
    assert AnnualAudit.objects.get().qualified_count == 0


def test_a_resubmitted_list_still_shows_the_voided_year(cast, nurse):
    actions.void_person_year(nurse, YEAR, actor=cast.users["changsha"], reason="代签到")
    audit = actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])
    entry = audit.entries.get(person=nurse)
    assert entry.voided_at is not None and entry.void_reason == "代签到"


def test_only_authorities_over_the_person_void(login, cast, nurse):
    with pytest.raises(NotFound):
        actions.void_person_year(nurse, YEAR, actor=cast.users["zhuzhou"], reason="x")
    with pytest.raises(PermissionDenied):
        actions.void_person_year(nurse, YEAR, actor=cast.users["city_admin"], reason="x")
    response = login("zhuzhou").post(
        reverse("audits:void"),
        {"id_number": nurse.id_number, "year": YEAR, "reason": "x", "lookup": "1"},
    )
    assert response.status_code == 422
    assert "在您的管理范围内没有找到该证件号码的人员" in response.content.decode()
    assert login("city_admin").get(reverse("audits:void")).status_code == 403
    assert nurse.credits.filter(status="void").count() == 0


def test_the_id_number_is_never_in_a_url_or_a_log_line(login, cast, nurse, caplog):
    caplog.set_level("DEBUG")
    client = login("changsha")
    done = _void(client, nurse)
    missing = client.post(
        reverse("audits:void"),
        {"id_number": "110101199003074477", "year": YEAR, "reason": "x", "lookup": "1"},
    )
    assert missing.status_code == 422
    assert nurse.id_number not in done["Location"]
    assert nurse.id_number not in caplog.text and "110101199003074477" not in caplog.text
