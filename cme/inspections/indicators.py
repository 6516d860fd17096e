"""The evaluation indicators of an on-site spot check (抽查评估), as data.

Each indicator keeps a stable id (stored in `SpotCheckItem.findings` and used by the API),
the wording of the seed text it comes from, and a maximum score. The set follows the
project execution indicators of 004 §六.7 (组织力, 影响力: number of learners, out-of-province
share, timeliness of reports), the learners' evaluation levels of 004 §六.5, the holding
duties of 004 §六.4 and §六.6, and the change limits of 002 (授课教师、内容和课程总学时变动
不超过30%/50%). The seeds give no point values or pass marks: the scores and thresholds
below are this platform's defaults, kept here so they can be changed in one place.

A `veto` indicator scored 0 makes the result 不合格 whatever the total: 002 says a project
whose teachers, content or hours changed beyond the limit may not award credits and the
unit and leader are dealt with; 004 §六.6 forbids breaches of the eight-point rules.
"""

from dataclasses import dataclass
from decimal import Decimal

VERSION = "2024"


@dataclass(frozen=True)
class Indicator:
    id: str
    group: str
    name: str
    guidance: str
    max_score: int
    source: str
    veto: bool = False


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "PARTICIPANTS",
        "组织力",
        "学员人数",
        "参与度：参加项目的学员人数，学员的专业、层次、来源机构及省份分布。",
        10,
        "004 §六.5(1)、§六.7",
    ),
    Indicator(
        "OUT_OF_PROVINCE",
        "影响力",
        "省外学员比例",
        "面向全国招收学员，提升外省份学员占比（省级、市级项目按招生范围评价）。",
        10,
        "004 §六.3、§六.7",
    ),
    Indicator(
        "PRE_REPORT",
        "组织力",
        "举办前报备及时性",
        "举办前一周报送举办报备表、会议通知、课程安排等资料。",
        10,
        "003 §十；004 §六.4",
    ),
    Indicator(
        "EXECUTION_REPORT",
        "组织力",
        "执行情况报告及时性",
        "项目举办后2周内填报执行情况。",
        10,
        "004 §六.4",
    ),
    Indicator(
        "SATISFACTION",
        "影响力",
        "学员评价",
        "满意度：学员对项目内容、形式、授课教师等的满意程度。",
        10,
        "004 §六.5(2)",
    ),
    Indicator(
        "TEACHERS",
        "执行规范",
        "授课教师与计划一致",
        "授课教师原则上不得更改；变动范围国家级不超过30%、省级不超过50%，新更换教师职称不低于原教师。",
        10,
        "002 申报要求3-4；004 §六.4",
        veto=True,
    ),
    Indicator(
        "CONTENT",
        "执行规范",
        "教学内容与计划一致",
        "严格按照申报材料中的项目目标、授课内容实施，不得随意更改。",
        10,
        "002 申报要求3-4；004 §六.4",
        veto=True,
    ),
    Indicator(
        "HOURS_CREDITS",
        "执行规范",
        "学时与学分",
        "课程总学时与计划一致；确需调整的，所授学分按实际课程学时相应核减。",
        10,
        "002 申报要求3；004 §六.4",
        veto=True,
    ),
    Indicator(
        "MARKING",
        "执行规范",
        "标注项目级别及编号",
        "通知、培训材料等醒目位置标注“国家级（省级）继续医学教育项目”字样及项目编号。",
        5,
        "004 §六.4",
    ),
    Indicator(
        "ATTENDANCE",
        "执行规范",
        "考勤与跟班管理",
        "派专人跟班管理，强化考勤管理，严格请销假制度；不得将项目交由其他单位举办。",
        5,
        "004 §六.4",
    ),
    Indicator(
        "CONDUCT",
        "执行规范",
        "遵守中央八项规定",
        "无借培训名义公款旅游、会餐宴请、高消费娱乐及与项目无关的参观考察，不在禁止举办会议的风景名胜区举办。",
        5,
        "004 §六.6",
        veto=True,
    ),
    Indicator(
        "ARCHIVE",
        "执行规范",
        "档案资料完整",
        "通知、日程、教材、教师及学员通讯录、评估原始记录、评估结果及学员考核记录存档备查，不少于3年。",
        5,
        "004 §六.6",
    ),
)

BY_ID = {i.id: i for i in INDICATORS}
MAX_TOTAL = sum(i.max_score for i in INDICATORS)

# Result thresholds on the total (out of MAX_TOTAL): at least PASS → 合格, at least
# BASIC → 基本合格, below → 不合格.
THRESHOLDS = {"pass": Decimal(80), "basic": Decimal(60)}


def total_of(findings: dict) -> Decimal:
    """The sum of the recorded scores (missing indicators count 0)."""
    return sum(
        (Decimal(str(findings.get(i.id, {}).get("score") or 0)) for i in INDICATORS),
        Decimal(0),
    )


def result_of(findings: dict) -> str:
    """pass / basic / fail from the total against THRESHOLDS; a veto indicator at 0 fails."""
    for indicator in INDICATORS:
        if indicator.veto and Decimal(str(findings.get(indicator.id, {}).get("score") or 0)) == 0:
            return "fail"
    total = total_of(findings)
    if total >= THRESHOLDS["pass"]:
        return "pass"
    if total >= THRESHOLDS["basic"]:
        return "basic"
    return "fail"


def vetoed(findings: dict) -> list[Indicator]:
    return [
        i
        for i in INDICATORS
        if i.veto and Decimal(str(findings.get(i.id, {}).get("score") or 0)) == 0
    ]
