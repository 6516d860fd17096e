"""Resident ID numbers (居民身份证号, GB 11643): validation, derived facts, masking.

Validation is python-stdnum's `cn.ric`; this module adds the Chinese messages users
need, the normalisation real spreadsheets require (full-width digits, stray spaces,
a lower-case x), and the one masking function used by templates, schemas and logs.
"""

import datetime
import functools
import logging
import re
import unicodedata

from django.utils import timezone
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from cme.core.errors import DomainError

_SPACES = re.compile(r"\s+")


def normalise(raw: object) -> str:
    """Text as a person meant it: half-width, no spaces, upper-case X."""
    text = unicodedata.normalize("NFKC", str(raw if raw is not None else ""))
    return _SPACES.sub("", text).upper()


def validate_resident_id(raw: object, *, field: str = "id_number") -> str:
    """Return the normalised 18-character number or raise DomainError with the reason."""
    number = normalise(raw)
    if not number:
        raise DomainError("ID_REQUIRED", "请填写身份证号码。", field=field)
    if len(number) == 15 and number.isdigit():
        raise DomainError(
            "ID_LEGACY_15",
            "15位身份证号为1999年以前的旧号码，已停止使用；请填写现行的18位居民身份证号码。",
            field=field,
        )
    if len(number) != 18:
        raise DomainError(
            "ID_LENGTH",
            "身份证号码应为18位，当前为{n}位。".format(n=len(number)),
            field=field,
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise DomainError("ID_FORMAT", "身份证号码前17位应为数字，最后一位为数字或X。", field=field)
    if number[17] != ric.calc_check_digit(number):
        raise DomainError("ID_CHECKSUM", "身份证号码校验位错误，请核对每一位数字。", field=field)
    try:
        born = birth_date(number)
    except ValueError:
        raise DomainError("ID_BIRTH_DATE", "身份证号码中的出生日期无效。", field=field) from None
    if not _region_assigned(number[:6], born.year):
        raise DomainError("ID_REGION", "身份证号码前6位不是有效的行政区划代码。", field=field)
    if born.year >= timezone.now().year - 1 and born > timezone.localdate():
        raise DomainError("ID_BIRTH_DATE", "身份证号码中的出生日期晚于今天。", field=field)
    return number


@functools.lru_cache(maxsize=8192)
def _region_assigned(region: str, year: int) -> bool:
    """python-stdnum's check that the region code existed in the birth year (cached:
    a staff list has a few hundred distinct region/year pairs, not 20,000)."""
    body = "{r}{y:04d}0101001".format(r=region, y=year)
    try:
        ric.get_birth_place(body + ric.calc_check_digit(body + "0"))
    except stdnum_errors.ValidationError:
        return False
    return True


def birth_date(number: str) -> datetime.date:
    """The date in digits 7-14 of a normalised number (what stdnum's get_birth_date reads,
    without its per-character clean-up: an import calls this for every row)."""
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex(number: str) -> str:
    """'M' or 'F' from the 17th digit (odd: male)."""
    return "M" if int(number[16]) % 2 else "F"


def mask(number: str | None) -> str:
    """4301**********123X: the first 4 and last 4 characters, whatever the ID type."""
    if not number:
        return ""
    if len(number) <= 8:
        return number[:1] + "*" * (len(number) - 1)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


# 18-character resident IDs as they might appear in free text (log lines, errors).
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_in_text(text: str) -> str:
    return _ID_IN_TEXT.sub(lambda m: mask(m.group(0)), text)


class MaskIdNumbersFilter(logging.Filter):
    """Logging filter: no full ID number ever reaches a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_in_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
