"""How much a claim or a unit activity is worth, and what its certificate number says
(CREDIT-RULES §3-4; 003 §二十-二十一). Pure functions of the source catalogue and the year's
policy, shared by the claim form, the API and the actions.

- 千字 (self-study review): quantity × credits per unit, rounded half up (4.5 × 0.5 = 2.3).
- 次 (events): quantity × credits per unit. 学时: quantity ÷ hours per credit.
- 学分 (certificates, papers…): the amount as on the certificate.
- Any amount above the entry's `cap_per_entry` counts as the cap; the yearly cap is the
  ledger's business when a year is summed, never refused here.
- 学时 default to credits × the source's `hours_per_credit` when it has one, otherwise to
  credits × the year's participant hours per credit of the level: national for the
  out-of-province national projects (3), provincial for everything else (6). A claimant may
  give the hours on their certificate instead.
- An out-of-province national project's number must carry （国） or (国); numbers are
  compared as `certificate_key` (NFKC, no spaces, upper case) so both bracket widths,
  full-width digits and stray spaces are the same number.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from cme.core.errors import DomainError
from cme.credits.awards import round_credits
from cme.credits.models import CreditSource, Source
from cme.policy.access import Policy

ZERO = Decimal(0)
TENTH = Decimal("0.1")
MAX_AMOUNT = Decimal("999.9")
NATIONAL_MARK = "(国)"  # （国） after NFKC
NATIONAL_SOURCES = {Source.OUT_OF_PROVINCE, Source.NATIONAL_PROJECT}
_SPACES = re.compile(r"\s+")
Unit = CreditSource.Unit


def certificate_key(number: str) -> str:
    """The number as compared for duplicates: NFKC, no whitespace, upper case."""
    text = unicodedata.normalize("NFKC", number or "")
    return _SPACES.sub("", text).upper()[:64]


def check_certificate_number(source: CreditSource, number: str) -> str:
    """The key of a required certificate number, or '' when the source needs none."""
    if not source.needs_certificate_number:
        return certificate_key(number) if number.strip() else ""
    key = certificate_key(number)
    if not key:
        raise DomainError(
            "CERTIFICATE_REQUIRED",
            "“{s}”须填写证书编号（项目编号）。".format(s=source.name),
            field="certificate_number",
        )
    if source.code == Source.OUT_OF_PROVINCE and NATIONAL_MARK not in key:
        raise DomainError(
            "CERTIFICATE_NOT_NATIONAL",
            "出省参加的国家级项目，项目编号应带有“（国）”字样，例如2024-04-08-001(国)；"
            "请按学分证书填写。",
            field="certificate_number",
        )
    return key


@dataclass(frozen=True)
class Worth:
    credits: Decimal
    note: str = ""  # why the amount is not what was asked for


def _positive(value: Decimal | None, field: str, label: str) -> Decimal:
    if value is None:
        raise DomainError(
            "QUANTITY_REQUIRED" if field == "quantity" else "AMOUNT_REQUIRED",
            "请填写{x}。".format(x=label),
            field=field,
        )
    if value <= ZERO or value > Decimal("99999.9"):
        raise DomainError(
            "QUANTITY_INVALID" if field == "quantity" else "AMOUNT_INVALID",
            "{x}应大于0且不超过99999.9。".format(x=label),
            field=field,
        )
    return value


def quantity_label(source: CreditSource) -> str:
    return {
        Unit.KCHARS: "字数（千字）",
        Unit.EVENT: "次数",
        Unit.HOURS: "学时数",
    }.get(source.unit, "数量")


def claim_worth(
    source: CreditSource, policy: Policy, *, quantity: Decimal | None, amount: Decimal | None
) -> Worth:
    """The credits a claim of `source` is worth, capped by the source's cap per entry."""
    if source.unit == Unit.CREDIT:
        credits = _positive(amount, "amount", "学分（按证书填写）")
        if credits > MAX_AMOUNT:
            raise DomainError("AMOUNT_INVALID", "学分数额过大，请核对。", field="amount")
        credits = round_credits(credits, policy)
    else:
        count = _positive(quantity, "quantity", quantity_label(source))
        if source.unit == Unit.HOURS and source.hours_per_credit:
            raw = count / source.hours_per_credit
        elif source.credits_per_unit is not None:
            raw = count * source.credits_per_unit
        else:
            raise DomainError(
                "SOURCE_RATE_MISSING",
                "“{s}”未设置每单位学分，请联系系统管理员。".format(s=source.name),
                field="source",
            )
        credits = round_credits(raw, policy)
    cap = source.cap_per_entry
    if cap is not None and credits > cap:
        return Worth(cap, "超过每项上限{c}分，按{c}分计。".format(c=cap))
    return Worth(credits)


def default_hours(source: CreditSource, credits: Decimal, policy: Policy) -> Decimal:
    """学时 of `credits` of this source (see the module docstring)."""
    if source.hours_per_credit:
        rate = source.hours_per_credit
    else:
        level = "national" if source.code in NATIONAL_SOURCES else "provincial"
        key = "rate.{lv}.participant_hours_per_credit".format(lv=level)
        rate = Decimal(str(policy.get(key)))
    return (credits * rate).quantize(TENTH)


def claim_hours(
    source: CreditSource,
    credits: Decimal,
    policy: Policy,
    *,
    quantity: Decimal | None = None,
    hours: Decimal | None = None,
) -> Decimal:
    """The hours given on the certificate, the quantity of an hours source, or the default."""
    if hours is not None:
        if hours < ZERO or hours > Decimal("9999.9"):
            raise DomainError("HOURS_INVALID", "学时应在0到9999.9之间。", field="hours")
        return hours.quantize(TENTH)
    if source.unit == Unit.HOURS and quantity is not None:
        return quantity.quantize(TENTH)
    return default_hours(source, credits, policy)
