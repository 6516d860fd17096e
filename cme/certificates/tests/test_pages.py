"""SPEC §5 and §10: anyone can check a certificate on the public verify page without
logging in, and sees the ID number only masked; a voided credit shows 已作废 with the
reason; an unknown number says so. A learner downloads only their own certificates; the
session's unit and the authorities above it download any of them and the whole session
as a zip built in the background; another city's reviewer gets 404."""

import io
import zipfile

import pytest
from django.urls import reverse

from cme.certificates.models import CertificateBatch
from cme.certificates.tests.factories import attendees, certificate
from cme.credits.models import CreditRecord
from cme.holding.tests.factories import held_session


@pytest.fixture
def session(cast):
    return held_session(cast)


@pytest.fixture
def nurse_cert(cast, session):
    return certificate(session, cast.persons["nurse"])


def test_verify_page_needs_no_login_and_masks_the_id(client, cast, nurse_cert):
    nurse = cast.persons["nurse"]
    response = client.get(reverse("certificates:verify", args=[nurse_cert.number]))
    body = response.content.decode()
    assert response.status_code == 200
    assert nurse.name in body and "有效" in body
    assert nurse.id_number[:4] + "**********" + nurse.id_number[-4:] in body
    assert nurse.id_number not in body
    assert "2024-04-08-001(湘)" in body and "I类" in body and "2024-05-10" in body


def test_verify_page_is_one_read_and_one_logged_verification(
    client, nurse_cert, django_assert_num_queries
):
    """The certificate in one query; the verification is logged for 诚信预警 VERIFY_BURST."""
    url = reverse("certificates:verify", args=[nurse_cert.display_number.lower()])
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200


def test_void_credit_shows_void_with_reason(client, nurse_cert):
    CreditRecord.objects.filter(pk=nurse_cert.credit_id).update(
        status=CreditRecord.Status.VOID, status_reason="学员未实际参加"
    )
    body = client.get(reverse("certificates:verify", args=[nurse_cert.number])).content.decode()
    assert "已作废（学员未实际参加）" in body


def test_pending_credit_shows_not_yet_valid(client, nurse_cert):
    CreditRecord.objects.filter(pk=nurse_cert.credit_id).update(status=CreditRecord.Status.PENDING)
    body = client.get(reverse("certificates:verify", args=[nurse_cert.number])).content.decode()
    assert "未生效" in body


def test_unknown_number_is_a_clear_404(client, db):
    response = client.get(reverse("certificates:verify", args=["ZZZZZZZZZZZZZZZZ"]))
    assert response.status_code == 404
    assert "未找到该证书编号" in response.content.decode()


def test_verify_form_goes_to_the_typed_number(client, nurse_cert):
    typed = " " + nurse_cert.display_number.lower() + " "
    response = client.get(reverse("certificates:verify_form"), {"number": typed})
    assert response["Location"] == reverse("certificates:verify", args=[nurse_cert.number])
    assert client.get(reverse("certificates:verify_form")).status_code == 200


def test_learner_lists_and_downloads_own_certificates_only(login, cast, session, nurse_cert):
    other = certificate(session, cast.persons["doctor"])
    client = login("learner")
    body = client.get(reverse("certificates:mine")).content.decode()
    assert nurse_cert.display_number in body and other.display_number not in body
    response = client.get(reverse("certificates:pdf", args=[nurse_cert.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(reverse("certificates:pdf", args=[other.number])).status_code == 404


def test_void_certificate_cannot_be_downloaded(login, nurse_cert):
    CreditRecord.objects.filter(pk=nurse_cert.credit_id).update(status=CreditRecord.Status.VOID)
    response = login("learner").get(reverse("certificates:pdf", args=[nurse_cert.number]))
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["city_admin", "changsha", "province"])
def test_unit_and_authorities_above_download_a_session_certificate(login, who, session, nurse_cert):
    client = login(who)
    assert client.get(reverse("certificates:pdf", args=[nurse_cert.number])).status_code == 200
    assert client.get(reverse("certificates:session", args=[session.pk])).status_code == 200


def test_other_city_reviewer_gets_404(login, session, nurse_cert):
    client = login("zhuzhou")
    assert client.get(reverse("certificates:pdf", args=[nurse_cert.number])).status_code == 404
    assert client.get(reverse("certificates:session", args=[session.pk])).status_code == 404
    assert client.post(reverse("certificates:session", args=[session.pk])).status_code == 404
    assert not CertificateBatch.objects.exists()


def test_session_zip_holds_every_valid_certificate(login, session, nurse_cert):
    certificates = [nurse_cert, *attendees(session, 4)]
    void = certificates.pop()
    CreditRecord.objects.filter(pk=void.credit_id).update(status=CreditRecord.Status.VOID)
    client = login("city_admin")
    response = client.post(reverse("certificates:session", args=[session.pk]))
    batch = CertificateBatch.objects.get()
    assert response["Location"] == reverse("certificates:batch", args=[batch.pk])
    assert batch.state == CertificateBatch.State.DONE
    assert batch.done == batch.total == 4

    page = client.get(reverse("certificates:batch", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert "hx-get" not in page.content.decode()  # finished: polling stops
    assert reverse("certificates:batch_download", args=[batch.pk]) in page.content.decode()

    download = client.get(reverse("certificates:batch_download", args=[batch.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert len(names) == 4 and all(n.endswith(".pdf") for n in names)
    assert {n.split("_")[0] for n in names} == {c.display_number for c in certificates}
    assert all(archive.read(n).startswith(b"%PDF") for n in names)
    assert (
        login("zhuzhou").get(reverse("certificates:batch_download", args=[batch.pk])).status_code
        == 404
    )


def test_progress_is_polled_while_the_zip_is_built(login, cast, session):
    batch = CertificateBatch.objects.create(
        session=session, requested_by=cast.users["city_admin"], total=200, done=100
    )
    body = login("city_admin").get(reverse("certificates:batch", args=[batch.pk])).content.decode()
    assert "hx-get" in body and "100 / 200" in body and "50%" in body


def test_progress_is_counted_while_building(cast, session, monkeypatch):
    from cme.certificates import actions

    monkeypatch.setattr(actions, "PROGRESS_EVERY", 2)
    seen = []
    original = actions.documents.certificate_pdf

    def spy(certificate, shared=None):
        seen.append(CertificateBatch.objects.get().done)
        return original(certificate, shared)

    monkeypatch.setattr(actions.documents, "certificate_pdf", spy)
    attendees(session, 5)
    actions.request_certificate_batch(session, actor=cast.users["city_admin"])
    assert seen == [0, 0, 2, 2, 4]
    assert CertificateBatch.objects.get().done == 5


def test_nothing_to_zip_is_said_on_the_page(login, session):
    response = login("city_admin").post(
        reverse("certificates:session", args=[session.pk]), follow=True
    )
    assert "本期次还没有有效的电子学分证书" in response.content.decode()
    assert not CertificateBatch.objects.exists()
