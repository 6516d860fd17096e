"""Uploaded scans and letters: checked by their content, not by their name."""

import zipfile

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
    if head.startswith(b"PK") and not is_ooxml(upload, WORD, EXCEL):
        raise ValidationError("文件内容不是PDF、JPG、PNG、Word或Excel格式。", code="FILE_TYPE")


# The main part of a .docx or .xlsx; any other zip (an archive of programs, an .apk, a
# .jar) shares only the first bytes with them.
WORD = "word/document.xml"
EXCEL = "xl/workbook.xml"


def is_ooxml(upload, *main_parts: str) -> bool:
    """An Office Open XML package holding one of `main_parts`: a readable zip with its
    content types. Only the zip's directory is read; the upload is left at its start."""
    try:
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and not names.isdisjoint(main_parts)
