"""SPEC §5: the certificate PDF is signed with the platform key, so any change to it shows:
pyHanko (as a PDF reader would) finds the untouched file intact and trusted, and a file
with one character changed not intact. The key lives outside the repository, 0600."""

import io
import stat

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from cme.certificates import documents, signing
from cme.certificates.queries import certificate_for
from cme.certificates.tests.factories import certificate
from cme.credits.models import CreditRecord
from cme.holding.tests.factories import approved, held_session
from cme.projects.tests.factories import national_declaration


def _status(data: bytes):
    trust = ValidationContext(trust_roots=[load_cert_from_pemder(signing.ensure_signing_key()[1])])
    reader = PdfFileReader(io.BytesIO(data))
    (signature,) = reader.embedded_signatures
    return validate_pdf_signature(signature, trust)


@pytest.fixture
def pdf(cast):
    cert = certificate(held_session(cast), cast.persons["nurse"])
    return documents.certificate_pdf(certificate_for(cast.users["learner"], cert.number))


def test_certificate_pdf_is_signed_and_intact(pdf):
    assert pdf.startswith(b"%PDF")
    assert b"/ByteRange" in pdf and b"/adbe.pkcs7.detached" in pdf
    status = _status(pdf)
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == signing.COMMON_NAME


def test_a_changed_character_breaks_the_signature(pdf):
    producer = b"/Producer (ReportLab"  # in the document information, inside the signed range
    assert producer in pdf
    tampered = pdf.replace(producer, b"/Producer (ReportLeb", 1)
    try:
        status = _status(tampered)
    except Exception:  # an unreadable file counts as detected too
        return
    assert not status.intact
    assert not status.bottom_line


def test_signing_key_is_private_and_outside_the_repository(settings):
    key_path, _cert_path = signing.ensure_signing_key()
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert key_path.parent == settings.CERT_SIGNING_DIR
    assert settings.BASE_DIR not in key_path.parents
    assert b"PRIVATE KEY" in key_path.read_bytes()


def test_certificate_shows_masked_id_and_national_number(cast):
    project = approved(national_declaration(cast), "2024-04-08-001(国)")
    cert = certificate(held_session(cast, project), cast.persons["nurse"])
    cert = certificate_for(cast.users["learner"], cert.number)
    session = cert.credit.session
    values = documents.certificate_values(cert, documents.session_values(session))
    nurse = cast.persons["nurse"]
    assert values["证件号码"] == nurse.id_number[:4] + "*" * 10 + nurse.id_number[-4:]
    assert values["项目编号"] == "2024-04-08-001(国)"
    assert values["项目级别"] == "国家级"
    assert values["举办起止日期"] == "2024年5月10日至2024年5月11日"
    assert values["授分单位"] == cast.changsha.name  # no report yet: the sponsor's authority
    project.number = "2024-04-08-002"
    assert documents.project_number(project) == "2024-04-08-002(国)"


def test_lecturer_certificate_is_a_teaching_certificate(cast):
    cert = certificate(held_session(cast), cast.persons["doctor"], role=CreditRecord.Role.LECTURER)
    pdf = documents.certificate_pdf(certificate_for(cast.users["city_admin"], cert.number))
    assert _status(pdf).intact
    title = PdfFileReader(io.BytesIO(pdf)).trailer["/Info"]["/Title"]
    assert title == "继续医学教育授课证明 " + cert.display_number
