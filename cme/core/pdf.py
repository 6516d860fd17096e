"""The CJK font every printed PDF uses.

The PDFs embed a TrueType CJK font (WenQuanYi Zen Hei, Debian's fonts-wqy-zenhei), so
they print the same everywhere; reportlab cannot embed the CFF outlines of Noto CJK.
Without that file they fall back to the built-in CID font STSong-Light, which viewers
substitute from their own fonts.
"""

import functools
import logging
import os

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian/Ubuntu fonts-wqy-zenhei
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",  # Fedora wqy-zenhei-fonts
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",  # Arch wqy-zenhei
    "/usr/local/share/fonts/wqy-zenhei.ttc",
)
TTF_FONT = "WenQuanYiZenHei"
CID_FONT = "STSong-Light"


def font_path() -> str | None:
    return next((p for p in FONT_PATHS if os.path.isfile(p)), None)


@functools.cache
def cjk_font() -> str:
    """The registered CJK font's name; registered once per process (a warning, once, when
    only the non-embedded fallback is available)."""
    path = font_path()
    if path:
        pdfmetrics.registerFont(TTFont(TTF_FONT, path, subfontIndex=0))
        return TTF_FONT
    logger.warning(
        "CJK TrueType font not found (%s); PDFs use the non-embedded CID font %s. "
        "Install fonts-wqy-zenhei.",
        ", ".join(FONT_PATHS),
        CID_FONT,
    )
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT
