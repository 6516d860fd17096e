"""Credits to award (授予学员学分): what the schedule's hours can give, and the cap."""

from decimal import ROUND_HALF_UP, Decimal

from cme.projects.checks import (
    Context,
    RuleResult,
    flag,
    rule,
)
from cme.projects.rules._text import _hours

RATE_KEYS = (
    "rate.national.participant_hours_per_credit",
    "rate.provincial.participant_hours_per_credit",
    "rate.city.participant_hours_per_credit",
)


def _schedule_hours(ctx: Context) -> Decimal:
    return sum((Decimal(lesson.hours or 0) for lesson in ctx.lessons), start=Decimal(0))


def most_credits(hours: Decimal, rate: Decimal, decimals: int) -> Decimal:
    """hours ÷ rate, rounded half up to the policy's decimals (CREDIT-RULES §2)."""
    places = Decimal(1).scaleb(-decimals)
    return (hours / rate).quantize(places, rounding=ROUND_HALF_UP)


@rule(
    "CREDITS_HOURS",
    fields=("credits",),
    source="CREDIT-RULES §2; 002 附件1.3; 004 §六.4",
    limits=(*RATE_KEYS, "rounding.decimals"),
)
def credits_hours(ctx: Context) -> RuleResult:
    """The credits to award are given and no more than the schedule's hours give at the level's rate (`rate.<level>.participant_hours_per_credit`).

    National projects give 1 credit per 3 学时, provincial and city ones 1 per 6 (policy
    data), rounded half up to one decimal; teaching time is the sum of the lessons' hours.
    """
    project = ctx.project
    if project.credits is None:
        return flag("credits", "请填写授予学员学分。")
    hours = _schedule_hours(ctx)
    if not ctx.lessons or hours <= 0:
        return None  # CONTENT_REQUIRED asks for the schedule first
    rate = Decimal(
        str(ctx.limit("rate.{lv}.participant_hours_per_credit".format(lv=project.level)))
    )
    most = most_credits(hours, rate, int(ctx.limit("rounding.decimals")))
    credits = Decimal(project.credits)
    if credits <= most:
        return None
    return flag(
        "credits",
        "授予学员学分为{c}分，课程安排共{h}学时，{level}项目每{r}学时授予1学分，最多可授予"
        "{most}分。".format(
            c=_hours(credits),
            h=_hours(hours),
            level=project.get_level_display(),
            r=_hours(rate),
            most=_hours(most),
        ),
    )


@rule(
    "CREDITS_CAP",
    fields=("credits",),
    source="CREDIT-RULES §2",
    limits=("cap.credits_per_project",),
)
def credits_cap(ctx: Context) -> RuleResult:
    """The credits to award stay within `cap.credits_per_project` (unverified: a warning until confirmed)."""
    credits = ctx.project.credits
    cap = Decimal(str(ctx.limit("cap.credits_per_project")))
    if credits is None or Decimal(credits) <= cap:
        return None
    return flag(
        "credits",
        "授予学员学分为{c}分，超过单个项目学分上限{cap}分。".format(
            c=_hours(Decimal(credits)), cap=_hours(cap)
        ),
    )
