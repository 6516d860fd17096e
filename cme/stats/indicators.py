"""Project execution indicators (issue 7 §2; 004 §六.7, 2023 version: 组织力 and 影响力),
computed from the holding data, weighted by the year's policy (`indicator.weights`).

Each indicator is a share in [0, 1] or None when the project has nothing to measure it by
(no session held, no report filed): the score is the weighted mean of the indicators that
have a value, out of 100. Shown to expert reviewers beside a declaration and listed for
the authorities.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr

from cme.holding.models import Attendee, ExecutionReport, HeldSession, PreReport
from cme.policy.access import for_year

# (id, group, label): the indicators with stable ids, in display order
INDICATORS = (
    ("PRE_REPORT_TIMELY", "组织力", "举办前报备及时率"),
    ("REPORT_TIMELY", "组织力", "执行情况按时报送率"),
    ("SESSIONS_HELD", "组织力", "期次完成率（已举办 ÷ 计划期数）"),
    ("LEARNERS", "影响力", "学员人数达成率（学员 ÷ 预计人数，至多100%）"),
    ("OUT_OF_PROVINCE", "影响力", "省外学员比例"),
    ("EVALUATION", "影响力", "学员满意率（第4-6题“很满意”“满意”）"),
)
SATISFIED = ("很满意", "满意")
SATISFACTION_QUESTIONS = ("q4", "q5", "q6")


@dataclass
class ProjectIndicators:
    project_id: int
    values: dict[str, Decimal | None] = field(default_factory=dict)
    learners: int = 0
    score: Decimal | None = None

    def percent(self, key: str) -> Decimal | None:
        value = self.values.get(key)
        return None if value is None else (value * 100).quantize(Decimal("0.1"))


def _share(part, whole) -> Decimal | None:
    if not whole:
        return None
    return min(Decimal(1), Decimal(part) / Decimal(whole))


def _score(values: dict[str, Decimal | None], weights: dict[str, float]) -> Decimal | None:
    known = [
        (Decimal(str(weights[k])), v) for k, v in values.items() if v is not None and k in weights
    ]
    total = sum((w for w, _v in known), Decimal(0))
    if not total:
        return None
    return (sum((w * v for w, v in known), Decimal(0)) * 100 / total).quantize(Decimal("0.1"))


def indicators_for(projects) -> dict[int, ProjectIndicators]:
    """The indicators of every project of the queryset: one read of the projects, four
    aggregate queries and one read of the filed reports' evaluation counts."""
    projects = list(
        projects.values_list("id", "year", "sessions_planned", "sponsor__region_id", named=True)
    )
    ids = [p.id for p in projects]
    sessions = {
        project_id: (n, expected)
        for project_id, n, expected in HeldSession.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(n=Count("id"), expected=Sum("expected_participants"))
        .values_list("project_id", "n", "expected")
    }
    pre = {
        r["session__project_id"]: (r["n"], r["on_time"])
        for r in PreReport.objects.filter(session__project_id__in=ids)
        .values("session__project_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(late=False)))
    }
    reports = {
        r["session__project_id"]: (r["n"], r["on_time"])
        for r in ExecutionReport.objects.filter(
            session__project_id__in=ids, submitted_at__isnull=False
        )
        .values("session__project_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(late=False)))
    }
    learners = {
        r["session__project_id"]: (r["n"], r["outside"])
        for r in Attendee.objects.filter(session__project_id__in=ids)
        .annotate(
            home=Substr("person__unit__region_id", 1, 2),
            sponsor_home=Substr("session__project__sponsor__region_id", 1, 2),
        )
        .values("session__project_id")
        .annotate(
            n=Count("id"),
            outside=Count("id", filter=Q(home__isnull=False) & ~Q(home=F("sponsor_home"))),
        )
    }
    satisfaction: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for project_id, counts in ExecutionReport.objects.filter(
        session__project_id__in=ids, submitted_at__isnull=False
    ).values_list("session__project_id", "evaluation_counts"):
        for q in SATISFACTION_QUESTIONS:
            answers = (counts or {}).get(q) or {}
            satisfaction[project_id][0] += sum(int(answers.get(c) or 0) for c in SATISFIED)
            satisfaction[project_id][1] += sum(int(v or 0) for v in answers.values())
    weights_by_year: dict[int, dict] = {}
    result = {}
    for p in projects:
        if p.year not in weights_by_year:
            weights_by_year[p.year] = for_year(p.year).get("indicator.weights") or {}
        n_learners, outside = learners.get(p.id, (0, 0))
        held, expected = sessions.get(p.id, (0, None))
        values = {
            "PRE_REPORT_TIMELY": _share(*reversed(pre.get(p.id, (0, 0)))),
            "REPORT_TIMELY": _share(*reversed(reports.get(p.id, (0, 0)))),
            "SESSIONS_HELD": _share(held, p.sessions_planned),
            "LEARNERS": _share(n_learners, expected),
            "OUT_OF_PROVINCE": _share(outside, n_learners),
            "EVALUATION": _share(*satisfaction[p.id]) if p.id in satisfaction else None,
        }
        result[p.id] = ProjectIndicators(
            p.id, values, n_learners, _score(values, weights_by_year[p.year])
        )
    return result
