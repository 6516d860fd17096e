"""The Excel lists behind the dashboard's figures."""

from django.utils.translation import gettext_lazy as _

PROJECT_HEADERS = [
    _("项目编号"),
    _("项目名称"),
    _("项目级别"),
    _("申办单位"),
    _("项目负责人"),
    _("状态"),
    _("拟招生人数"),
    _("学分"),
]
RATE_HEADERS = [
    _("单位"),
    _("申报项目"),
    _("已审结"),
    _("批准"),
    _("完成（举办并报告）"),
    _("批准率%"),
    _("执行率%"),
]
OVERDUE_HEADERS = [_("事项"), _("项目编号"), _("项目名称"), _("期次"), _("单位"), _("截止日期")]
CREDIT_HEADERS = [_("单位"), _("学分"), _("记录数"), _("人数")]
AUDIT_HEADERS = [_("年度"), _("单位"), _("审核状态"), _("人数"), _("达标人数"), _("达标率%")]


def project_rows(projects):
    for p in projects.iterator(chunk_size=2000):
        yield [
            p.number or "",
            p.name,
            p.get_level_display(),
            p.sponsor.name,
            p.leader.name if p.leader_id else "",
            p.get_state_display(),
            p.expected_participants,
            p.credits,
        ]


def rate_rows(rows):
    for r in rows:
        yield [
            r.name,
            r.declared,
            r.decided,
            r.approved,
            r.completed,
            r.approval_rate,
            r.execution_rate,
        ]


def overdue_rows(overdue):
    for kind, item in overdue.reports:
        session = item if kind == "session" else item.session
        due = item.ends_on if kind == "session" else item.due_on
        label = _("执行情况未报送") if kind == "session" else _("执行情况逾期未报送")
        yield [
            str(label),
            session.project.number or "",
            session.project.name,
            session.number,
            session.project.sponsor.name,
            due,
        ]
    for report in overdue.reviews:
        session = report.session
        yield [
            str(_("执行情况逾期未审核")),
            session.project.number or "",
            session.project.name,
            session.number,
            report.reviewer.name,
            report.review_due_on,
        ]


def credit_rows(rows):
    for r in rows:
        yield [r["name"], r["amount"], r["records"], r["persons"]]


def audit_rows(rows, year: int):
    for r in rows:
        yield [year, r.name, r.state_label, r.staff, r.qualified, r.share]


def headers(items) -> list[str]:
    return [str(h) for h in items]


def indicator_headers() -> list:
    from cme.stats.indicators import INDICATORS

    return (
        [_("项目编号"), _("项目名称"), _("申办单位"), _("学员人数")]
        + [label + "%" for _key, _group, label in INDICATORS]
        + [_("综合得分")]
    )


def indicator_rows(projects, found):
    from cme.stats.indicators import INDICATORS

    for p in projects:
        i = found[p.pk]
        yield (
            [p.number or "", p.name, p.sponsor.name, i.learners]
            + [i.percent(key) for key, _group, _label in INDICATORS]
            + [i.score]
        )
