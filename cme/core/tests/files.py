"""The smallest files that are what they claim by their content, for upload tests."""

import io
import zipfile


def office_package(*parts: str) -> bytes:
    """A zip with the content types and `parts` (each a few bytes of XML)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        for part in parts:
            package.writestr(part, "<x/>")
    return out.getvalue()


def docx_bytes() -> bytes:
    return office_package("word/document.xml")


def xlsx_bytes() -> bytes:
    return office_package("xl/workbook.xml")
