"""The platform's signing key and the signature on every certificate PDF (SPEC §5:
tamper-evident).

The key lives outside the repository, in `settings.CERT_SIGNING_DIR` (env
CME_SIGNING_DIR): `key.pem` (0600) and `cert.pem`. `ensure_signing_key()` creates a
self-signed demo key and certificate there on first use; production puts a key issued
by a real CA in the same place.

The key is ECDSA P-256: readers accept it and it signs in microseconds. pyHanko adds
the signature field and the /ByteRange placeholder to the PDF (its interrupted-signing
flow); the CMS container itself is made by `cryptography` (OpenSSL), which takes 0.2 ms
where pyHanko's pure-Python CMS assembly takes about 15 ms, the whole cost of a 5,000
certificate roster otherwise.
"""

import asyncio
import datetime
import functools
import io
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

COMMON_NAME = "继续医学教育管理平台（演示签名）"
KEY_FILE, CERT_FILE = "key.pem", "cert.pem"
FIELD_NAME = "PlatformSignature"
_CMS_OPTIONS = [
    pkcs7.PKCS7Options.DetachedSignature,
    pkcs7.PKCS7Options.NoCapabilities,
    pkcs7.PKCS7Options.Binary,
]


def signing_dir() -> Path:
    return Path(settings.CERT_SIGNING_DIR)


def ensure_signing_key() -> tuple[Path, Path]:
    """(key path, certificate path); a self-signed demo pair is made if there is none."""
    directory = signing_dir()
    key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
    if key_path.exists() and cert_path.exists():
        return key_path, cert_path
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, COMMON_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "继续医学教育管理平台"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    _write(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)  # also when the file was already there with other permissions


class _Signer:
    """The loaded key material, kept for the life of the process."""

    def __init__(self, key_path: Path, cert_path: Path):
        self.key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        self.cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        # Room for the hex-encoded CMS: the embedded certificate plus 1 KB for the signed
        # attributes and the signature (under 1 KB DER in all for the demo certificate).
        self.bytes_reserved = 2 * (len(self.cert.public_bytes(serialization.Encoding.DER)) + 1024)
        self.pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name=FIELD_NAME, reason="继续医学教育电子学分证书"),
            signers.SimpleSigner.load(str(key_path), str(cert_path)),
        )

    def sign(self, pdf: bytes) -> bytes:
        prepared, _tbs, output = asyncio.run(
            self.pdf_signer.async_digest_doc_for_signing(
                IncrementalPdfFileWriter(io.BytesIO(pdf)), bytes_reserved=self.bytes_reserved
            )
        )
        document = output.getvalue()
        signed_bytes = (
            document[: prepared.reserved_region_start] + document[prepared.reserved_region_end :]
        )
        cms = (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(signed_bytes)
            .add_signer(self.cert, self.key, hashes.SHA256())
            .sign(serialization.Encoding.DER, _CMS_OPTIONS)
        )
        prepared.fill_with_cms(output, cms)
        return output.getvalue()


@functools.cache
def _signer(directory: Path) -> _Signer:
    return _Signer(*ensure_signing_key())


def sign_pdf(pdf: bytes) -> bytes:
    """The PDF with the platform's signature over all of it: any change shows in a reader."""
    return _signer(signing_dir()).sign(pdf)
