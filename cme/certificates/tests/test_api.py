"""The certificate API: verify without any login (masked ID), a learner's own, single PDFs
and the session zip within the scope (SPEC §5)."""

import pytest

from cme.accounts.actions import create_api_token
from cme.certificates.models import CertificateBatch
from cme.certificates.tests.factories import attendees, certificate
from cme.holding.tests.factories import held_session

API = "/api/v1"


@pytest.fixture
def session(cast):
    return held_session(cast)


@pytest.fixture
def nurse_cert(cast, session):
    return certificate(session, cast.persons["nurse"])


def bearer(user) -> dict:
    _record, token = create_api_token(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": "Bearer " + token}


def test_verify_needs_no_auth_and_masks_the_id(client, cast, nurse_cert):
    response = client.get(f"{API}/certificates/{nurse_cert.display_number}/verify")
    assert response.status_code == 200
    data = response.json()
    nurse = cast.persons["nurse"]
    assert data["number"] == nurse_cert.display_number
    assert data["name"] == nurse.name and data["kind"] == "学分证书"
    assert data["id_number_masked"] == nurse.id_number[:4] + "*" * 10 + nurse.id_number[-4:]
    assert nurse.id_number not in response.content.decode()
    assert data["status"] == "valid" and data["status_label"] == "有效"
    assert data["project_number"] == "2024-04-08-001(湘)"
    assert data["starts_on"] == "2024-05-10" and data["category"] == "I类"


def test_verify_unknown_number(client, db):
    response = client.get(f"{API}/certificates/ZZZZZZZZZZZZZZZZ/verify")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert "未找到该证书编号" in response.json()["message"]


def test_mine_and_pdf(client, cast, session, nurse_cert):
    other = certificate(session, cast.persons["doctor"])
    headers = bearer(cast.users["learner"])
    mine = client.get(f"{API}/certificates/mine", **headers).json()
    assert [c["number"] for c in mine] == [nurse_cert.display_number]
    pdf = client.get(f"{API}/certificates/{nurse_cert.number}/pdf", **headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"{API}/certificates/{other.number}/pdf", **headers).status_code == 404
    assert client.get(f"{API}/certificates/mine").status_code == 401


def test_session_batch(client, cast, session):
    attendees(session, 3)
    headers = bearer(cast.users["city_admin"])
    response = client.post(f"{API}/sessions/{session.pk}/certificate-batches", **headers)
    assert response.status_code == 202
    batch_id = response.json()["id"]
    data = client.get(f"{API}/certificate-batches/{batch_id}", **headers).json()
    assert data["state"] == "done" and data["done"] == data["total"] == 3
    assert data["download_url"].endswith(f"/certificates/batches/{batch_id}/download/")


def test_other_city_gets_404(client, cast, session, nurse_cert):
    headers = bearer(cast.users["zhuzhou"])
    response = client.post(f"{API}/sessions/{session.pk}/certificate-batches", **headers)
    assert response.status_code == 404
    assert client.get(f"{API}/certificates/{nurse_cert.number}/pdf", **headers).status_code == 404
    batch = CertificateBatch.objects.create(session=session, requested_by=cast.users["city_admin"])
    assert client.get(f"{API}/certificate-batches/{batch.pk}", **headers).status_code == 404
