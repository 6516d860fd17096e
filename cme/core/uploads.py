"""Uploaded scans and letters: checked by their content, not by their name."""

from django.core.exceptions import ValidationError

SCAN_MAX_BYTES = 10 * 1024 * 1024
_SIGNATURES = {
    b"%PDF-": "PDF",
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
}


def validate_scan(upload) -> None:
    """A stamped scan must be a PDF, JPEG or PNG of at most 10 MB."""
    if upload.size > SCAN_MAX_BYTES:
        raise ValidationError("文件超过10MB，请压缩后重新上传。", code="FILE_TOO_LARGE")
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in _SIGNATURES):
        raise ValidationError("文件内容不是PDF、JPG或PNG格式的扫描件。", code="FILE_TYPE")


_OFFICE_SIGNATURES = {
    b"PK\x03\x04": "DOCX/XLSX",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "DOC/XLS",
}


def validate_document(upload) -> None:
    """A schedule, exam paper or textbook: PDF, image, Word or Excel, at most 10 MB."""
    if upload.size > SCAN_MAX_BYTES:
        raise ValidationError("文件超过10MB，请压缩后重新上传。", code="FILE_TOO_LARGE")
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in {**_SIGNATURES, **_OFFICE_SIGNATURES}):
        raise ValidationError("文件内容不是PDF、JPG、PNG、Word或Excel格式。", code="FILE_TYPE")
