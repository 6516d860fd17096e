"""Small helpers the rules' messages share."""

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from cme.orgs.models import Organisation
from cme.people.titles import TitleLevel
from cme.projects.models import Project
from cme.supervision.models import Sanction

OrgKind = Organisation.Kind
BASE = Project.Form.BASE


# -- small helpers for messages -----------------------------------------------------------


def _level_name(level: int) -> str:
    return str(TitleLevel(level).label)


def _title(title: str, level: int) -> str:
    if not title and not level:
        return "未登记职称"
    if not title:
        return "（{level}）".format(level=_level_name(level))
    return "“{title}”（{level}）".format(title=title, level=_level_name(level))


def _hours(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def _years(sanction: Sanction) -> str:
    if sanction.from_year == sanction.to_year:
        return "{y}年度".format(y=sanction.from_year)
    return "{a}—{b}年度".format(a=sanction.from_year, b=sanction.to_year)


def _moment(value: datetime) -> str:
    local = timezone.localtime(value)
    return "{y}年{m}月{d}日{hm}".format(
        y=local.year, m=local.month, d=local.day, hm=local.strftime("%H:%M")
    )


def _what(project: Project) -> str:
    return "{y}年度{level}{kind}项目".format(
        y=project.year, level=project.get_level_display(), kind=project.get_kind_display()
    )


def _same_name(a: str, b: str) -> bool:
    return a.strip() == b.strip()
