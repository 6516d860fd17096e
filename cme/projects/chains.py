"""The review plan of a declaration (SPEC §3; 000 §三.1, §三.6; 002 §四).

unit → county (when county-licensed) → city (formal + preliminary review; filing projects
the formal review only) → provincial office → for national projects the national office.
A society's branch goes to its society first. A city-level project stops at the city.
"""

from cme.orgs.chains import review_chain
from cme.projects.models import Kind, Level, Project, ReviewStep

Stage = ReviewStep.Stage


def stage_of(reviewer, project: Project) -> str:
    if not reviewer.is_authority:
        return Stage.SOCIETY
    level = reviewer.authority_level
    if level == "county":
        return Stage.COUNTY
    if level == "city":
        return Stage.CITY_FORMAL if project.kind == Kind.FILING else Stage.CITY
    if level == "province":
        return Stage.PROVINCE
    return Stage.NATIONAL


def review_plan(project: Project) -> list[tuple[str, object]]:
    """[(stage, reviewer organisation)] in order."""
    chain = review_chain(project.declared_by, national=project.level == Level.NATIONAL)
    plan = []
    for reviewer in chain:
        plan.append((stage_of(reviewer, project), reviewer))
        if project.level == Level.CITY and reviewer.authority_level == "city":
            break
    return plan
