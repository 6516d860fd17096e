"""003 §九, §二十五: a person 达标 in an audit the province approved prints the year's
年度合格证明 — a signed PDF with number, name, masked ID, unit, year, totals and a QR code to
the public verify page, which (like the API) finds the number beside the credit
certificates. Before approval there is none."""

import io

import pytest
from django.urls import reverse
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from cme.audits import actions, documents
from cme.audits.actions import Decision
from cme.audits.queries import annual_certificate_for, audit_for
from cme.audits.tests.factories import YEAR, qualified, short
from cme.certificates import signing
from cme.holding.tests.test_api import api


@pytest.fixture
def nurse(cast):
    qualified(cast.persons["nurse"])
    short(cast.persons["doctor"])
    return cast.persons["nurse"]


def _approve(cast):
    audit = actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])
    for key in ("changsha", "province"):
        user = cast.users[key]
        audit = actions.decide_audit(
            audit_for(user, audit.pk), actor=user, decision=Decision.APPROVE
        )
    return audit


def test_no_certificate_before_the_province_approves(login, cast, nurse):
    actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])
    assert annual_certificate_for(nurse, YEAR) is None
    url = reverse("audits:annual_certificate_pdf", args=[YEAR])
    assert login("learner").get(url).status_code == 404


def test_the_learner_downloads_a_signed_certificate(login, cast, nurse):
    _approve(cast)
    certificate = annual_certificate_for(nurse, YEAR)
    assert certificate.is_valid and annual_certificate_for(cast.persons["doctor"], YEAR) is None
    response = login("learner").get(reverse("audits:annual_certificate_pdf", args=[YEAR]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    trust = ValidationContext(trust_roots=[load_cert_from_pemder(signing.ensure_signing_key()[1])])
    (signature,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    status = validate_pdf_signature(signature, trust)
    assert status.intact and status.valid and status.trusted


def test_the_certificate_says_what_it_stands_for(cast, nurse):
    _approve(cast)
    values = documents.certificate_values(annual_certificate_for(nurse, YEAR))
    assert values["学时"] == "60" and values["年度"] == "2024年度"
    assert values["总学分"] == "30" and values["I类学分"] == "10" and values["II类学分"] == "20"
    assert values["证件号码"] == nurse.id_number[:4] + "**********" + nurse.id_number[-4:]
    assert values["工作单位"] == "长沙市第一医院"
    assert "60学时专业科目培训要求" in documents.STATEMENT.format(
        name="", id="", year="", hours=values["学时"]
    )


def test_the_shared_verify_page_and_api_find_it(client, cast, nurse):
    _approve(cast)
    certificate = annual_certificate_for(nurse, YEAR)
    body = client.get(
        reverse("certificates:verify", args=[certificate.display_number.lower()])
    ).content.decode()
    assert "年度合格证明" in body and nurse.name in body and "有效" in body
    assert "60学时专业科目培训要求" in body and nurse.id_number not in body
    response = client.get("/api/v1/certificates/{n}/verify".format(n=certificate.number))
    data = response.json()
    assert response.status_code == 200 and data["kind"] == "年度合格证明"
    assert data["year"] == YEAR and data["status"] == "valid" and float(data["total"]) == 30
    assert data["id_number_masked"].startswith(nurse.id_number[:4] + "*")
    assert client.get("/api/v1/certificates/ZZZZZZZZZZZZZZZZ/verify").status_code == 404


def test_the_learners_api_download(client, cast, nurse):
    _approve(cast)
    call = api(client, cast.users["learner"])
    response = call("get", "/annual-certificates/mine/{y}/pdf".format(y=YEAR))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert call("get", "/annual-certificates/mine/2023/pdf").status_code == 404
