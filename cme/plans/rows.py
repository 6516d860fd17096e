"""One row of a training plan (003 附件2), checked the same way whether it is typed into the
row editor, sent to the API or read from a spreadsheet: `clean_row(values, plan)` takes the
cells as text and returns the row or every reason it is refused, each naming its column."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from cme.core.errors import DomainError
from cme.plans.models import Half, PlanRow, TrainingPlan
from cme.policy.access import for_year

COLUMN_LABELS = {
    "number": "序号",
    "name": "培训名称",
    "content": "培训内容",
    "audience": "培训对象",
    "period": "培训时间",
    "starts_on": "培训时间",
    "ends_on": "培训时间",
    "place": "培训地点",
    "participants": "培训人数",
    "organiser": "承办单位",
    "mode": "培训方式",
    "credits": "拟授学分",
    "note": "备注",
}
REQUIRED = ("name", "content", "audience", "place", "participants", "organiser", "mode", "credits")
MAX_LENGTHS = {"name": 200, "audience": 200, "place": 200, "organiser": 128, "note": 255}
MODE_BY_LABEL = {
    "线下": PlanRow.Mode.OFFLINE,
    "面授": PlanRow.Mode.OFFLINE,
    "现场": PlanRow.Mode.OFFLINE,
    "线上": PlanRow.Mode.ONLINE,
    "网络": PlanRow.Mode.ONLINE,
    "远程": PlanRow.Mode.ONLINE,
    "线上线下结合": PlanRow.Mode.BLENDED,
    "线上+线下": PlanRow.Mode.BLENDED,
    "线下+线上": PlanRow.Mode.BLENDED,
    "线上线下": PlanRow.Mode.BLENDED,
    "线上线下混合": PlanRow.Mode.BLENDED,
    "混合": PlanRow.Mode.BLENDED,
}
MAX_CREDITS = Decimal("99.9")  # 6 学时 a credit must fit a lesson of at most 999.9 学时
HALF_MONTHS = {Half.FIRST: (1, 6), Half.SECOND: (7, 12)}
_RANGE = re.compile(r"\s*(?:至|到|~|～|—|–|－|--|\s-\s)\s*")
_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_NO_YEAR = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DAY_ONLY = re.compile(r"^(\d{1,2})\s*日?$")
_HYPHENATED = re.compile(r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|.+日)\s*-\s*(.+)$")


@dataclass
class RowData:
    number: int | None
    name: str
    content: str
    audience: str
    starts_on: datetime.date
    ends_on: datetime.date
    place: str
    participants: int
    organiser: str
    mode: str
    credits: Decimal
    note: str

    FIELDS = (
        "name",
        "content",
        "audience",
        "starts_on",
        "ends_on",
        "place",
        "participants",
        "organiser",
        "mode",
        "credits",
        "note",
    )

    def values(self) -> dict:
        return {f: getattr(self, f) for f in self.FIELDS}

    def differs_from(self, row: PlanRow) -> bool:
        return any(getattr(row, f) != value for f, value in self.values().items())


def _date(text: str, *, default_year: int | None = None, default_month: int | None = None):
    text = text.strip()
    for pattern, parts in (
        (_FULL, lambda m: (int(m[1]), int(m[2]), int(m[3]))),
        (_NO_YEAR, lambda m: (default_year, int(m[1]), int(m[2]))),
        (_DAY_ONLY, lambda m: (default_year, default_month, int(m[1]))),
    ):
        match = pattern.match(text)
        if match:
            year, month, day = parts(match)
            if year is None or month is None:
                return None
            try:
                return datetime.date(year, month, day)
            except ValueError:
                return None
    if re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}", text):  # an Excel date-time cell
        return _date(text[:10])
    return None


def parse_period(text: str) -> tuple[datetime.date, datetime.date] | None:
    """培训时间 as people write it: "2025-03-10", "2025-03-10至2025-03-12",
    "2025年3月10日-12日", "2025/3/10~3/12"; None when it cannot be read."""
    text = (text or "").strip()
    if not text:
        return None
    parts = _RANGE.split(text, maxsplit=1)
    if len(parts) == 1:  # a bare hyphen between the dates: 2025-03-10-12, 2025年3月10日-12日
        match = _HYPHENATED.match(text)
        if match:
            parts = [match[1], match[2]]
    start = _date(parts[0])
    if start is None:
        return None
    if len(parts) == 1:
        return start, start
    end = _date(parts[1], default_year=start.year, default_month=start.month)
    return (start, end) if end is not None else None


def _credits(text: str) -> tuple[Decimal | None, str]:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, "“{v}”不是数字。".format(v=text[:20])
    if not value.is_finite() or value <= 0:
        return None, "拟授学分须大于0。"
    if value != value.quantize(Decimal("0.1")):
        return None, "“{v}”：拟授学分最多保留一位小数（如2.5）。".format(v=text[:20])
    if value > MAX_CREDITS:
        return None, "拟授学分不能超过{m}分。".format(m=MAX_CREDITS)
    return value.quantize(Decimal("0.1")), ""


def credit_cap(year: int) -> tuple[Decimal, bool]:
    """The per-project credit cap of the year (CREDIT-RULES §2) and whether it is verified:
    above a verified cap a row is refused, above an unverified one it is flagged."""
    policy = for_year(year)
    return Decimal(str(policy.get("cap.credits_per_project"))), policy.verified(
        "cap.credits_per_project"
    )


def clean_row(
    values: dict[str, str], plan: TrainingPlan, *, cap: tuple[Decimal, bool] | None = None
) -> tuple[RowData | None, list[DomainError]]:
    """A plan row from its cells as text, or every reason it is refused. 培训时间 comes as one
    `period` cell (the spreadsheet) or as `starts_on`/`ends_on` (the form and the API)."""
    errors: list[DomainError] = []
    text = {k: " ".join(str(v or "").split()) for k, v in values.items()}
    text["content"] = str(values.get("content") or "").strip()

    def error(code: str, field: str, message: str) -> None:
        errors.append(DomainError(code, message, field=field))

    for f in REQUIRED:
        if not text.get(f):
            error("REQUIRED", f, "请填写{c}。".format(c=COLUMN_LABELS[f]))
    for f, limit in MAX_LENGTHS.items():
        if len(text.get(f, "")) > limit:
            error("TOO_LONG", f, "{c}不能超过{n}个字。".format(c=COLUMN_LABELS[f], n=limit))
    number = None
    if text.get("number"):
        if text["number"].isdigit() and 0 < int(text["number"]) < 10000:
            number = int(text["number"])
        else:
            error("NUMBER_INVALID", "number", "序号“{v}”应为正整数。".format(v=text["number"][:10]))
    if "period" in values:
        period_field = "period"
        period = parse_period(text.get("period", ""))
        if not text.get("period"):
            error("REQUIRED", "period", "请填写培训时间。")
        elif period is None:
            error(
                "PERIOD_INVALID",
                "period",
                "“{v}”无法识别为日期，请填写如2025-03-10或2025-03-10至2025-03-12。".format(
                    v=text["period"][:40]
                ),
            )
    else:
        period_field = "starts_on"
        start = _date(text.get("starts_on", "")) if text.get("starts_on") else None
        end = _date(text.get("ends_on", "")) if text.get("ends_on") else start
        period = (start, end) if start and end else None
        if period is None:
            field = "starts_on" if start is None else "ends_on"
            error("PERIOD_INVALID", field, "请填写正确的培训开始和结束日期（如2025-03-10）。")
    if period is not None:
        start, end = period
        lo, hi = HALF_MONTHS[Half(plan.half)]
        if end < start:
            error("PERIOD_INVALID", period_field, "培训结束日期不能早于开始日期。")
        elif not (start.year == end.year == plan.year and lo <= start.month and end.month <= hi):
            error(
                "PERIOD_OUTSIDE_HALF",
                period_field,
                "培训时间须在{y}年{a}月至{b}月（{h}）之内。".format(
                    y=plan.year, a=lo, b=hi, h=Half(plan.half).label
                ),
            )
    participants = None
    if text.get("participants"):
        if text["participants"].isdigit() and int(text["participants"]) > 0:
            participants = int(text["participants"])
        else:
            error(
                "PARTICIPANTS_INVALID",
                "participants",
                "培训人数“{v}”应为正整数。".format(v=text["participants"][:20]),
            )
    mode = None
    if text.get("mode"):
        mode = MODE_BY_LABEL.get(text["mode"].replace(" ", ""))
        if mode is None and text["mode"] in PlanRow.Mode.values:
            mode = text["mode"]
        if mode is None:
            error(
                "MODE_INVALID",
                "mode",
                "培训方式“{v}”无法识别，请填写线下、线上或线上线下结合。".format(
                    v=text["mode"][:20]
                ),
            )
    credits = None
    if text.get("credits"):
        credits, why = _credits(text["credits"])
        if why:
            error("CREDITS_INVALID", "credits", why)
        else:
            limit, verified = cap or credit_cap(plan.year)
            if verified and credits > limit:
                error(
                    "CREDITS_OVER_CAP",
                    "credits",
                    "拟授学分不能超过单个项目学分上限{c}分。".format(c=limit),
                )
    if errors:
        return None, errors
    return (
        RowData(
            number=number,
            name=text["name"],
            content=text["content"],
            audience=text["audience"],
            starts_on=period[0],
            ends_on=period[1],
            place=text["place"],
            participants=participants,
            organiser=text["organiser"],
            mode=mode,
            credits=credits,
            note=text.get("note", ""),
        ),
        [],
    )


def over_cap_warning(credits: Decimal, year: int) -> str:
    """Shown beside a row above an unverified cap (a warning, not a refusal)."""
    limit, verified = credit_cap(year)
    if not verified and credits > limit:
        return "拟授学分超过单个项目学分上限{c}分（该上限尚待核实），请核对。".format(c=limit)
    return ""
