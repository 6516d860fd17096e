"""Professional titles (职称) and their levels (shared/reference/README.md).

Rules compare levels, never names: a teacher's 副高级 is 副高级 whatever the series.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TitleLevel(models.IntegerChoices):
    NONE = 0, _("无")
    JUNIOR_ASSISTANT = 1, _("初级(士)")
    JUNIOR = 2, _("初级(师)")
    INTERMEDIATE = 3, _("中级")
    ASSOCIATE_SENIOR = 4, _("副高级")
    SENIOR = 5, _("正高级")


L = TitleLevel
# series: 医疗, 药学, 护理, 技术, then TCM and the other series at the same levels.
_SERIES = {
    "医疗": ["医士", "医师", "主治医师", "副主任医师", "主任医师"],
    "药学": ["药士", "药师", "主管药师", "副主任药师", "主任药师"],
    "护理": ["护士", "护师", "主管护师", "副主任护师", "主任护师"],
    "技术": ["技士", "技师", "主管技师", "副主任技师", "主任技师"],
    "中医": ["中医士", "中医师", "主治中医师", "副主任中医师", "主任中医师"],
    "中药": ["中药士", "中药师", "主管中药师", "副主任中药师", "主任中药师"],
}
_OTHER = {
    "高校教师": ["", "助教", "讲师", "副教授", "教授"],
    "科研": ["", "研究实习员", "助理研究员", "副研究员", "研究员"],
    "工程": ["", "助理工程师", "工程师", "高级工程师", "正高级工程师"],
}

TITLES: dict[str, tuple[str, TitleLevel]] = {}
for series, names in _SERIES.items():
    for level, name in zip(
        [L.JUNIOR_ASSISTANT, L.JUNIOR, L.INTERMEDIATE, L.ASSOCIATE_SENIOR, L.SENIOR],
        names,
        strict=True,
    ):
        TITLES[name] = (series, level)
for series, names in _OTHER.items():
    for level, name in zip(
        [L.JUNIOR_ASSISTANT, L.JUNIOR, L.INTERMEDIATE, L.ASSOCIATE_SENIOR, L.SENIOR],
        names,
        strict=True,
    ):
        if name and name not in TITLES:
            TITLES[name] = (series, level)
# Common ways real files write the same titles.
_ALIASES = {
    "住院医师": "医师",
    "执业医师": "医师",
    "主管医师": "主治医师",
    "副主任护士": "副主任护师",
    "主管护士": "主管护师",
    "副主任检验技师": "副主任技师",
    "主任检验技师": "主任技师",
    "主管检验技师": "主管技师",
    "检验技师": "技师",
    "检验技士": "技士",
    "高级讲师": "副教授",
}
for alias, canonical in _ALIASES.items():
    TITLES[alias] = TITLES[canonical]
NO_TITLE = {"", "无", "无职称", "见习", "未定级", "暂无"}


def level_of(title: str) -> tuple[str, TitleLevel] | None:
    """(series, level) of a title name, or None when the name is unknown."""
    title = title.strip()
    if title in NO_TITLE:
        return ("", L.NONE)
    return TITLES.get(title)
