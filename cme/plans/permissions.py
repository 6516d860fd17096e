"""Who may do what with training plans and work reports (003 §七, §十一):

- a unit's admin (or a branch secretary) drafts and submits its unit's half-year plans;
- the city commission the plan goes to (its 市州科教科) decides the rows;
- a unit the city licenses directly (委属单位) and a county bureau (区县卫健局) send the
  city their annual work report; the city sees who has and who has not.
"""

from cme.accounts.models import STAFF_ROLES, Role
from cme.accounts.scope import acting_org, role_of
from cme.orgs.chains import review_chain
from cme.orgs.models import Organisation
from cme.plans.models import TrainingPlan


def city_of(unit: Organisation) -> Organisation | None:
    """The city commission above `unit` in the supervision tree, or None (a unit under the
    province directly has no city to send a city-level plan to)."""
    for org in review_chain(unit):
        if org.is_authority and org.authority_level == "city":
            return org
    return None


def report_city_of(org: Organisation) -> Organisation | None:
    """Where `org` sends its annual work report: the city, when the city is its direct
    supervisor (委属单位 and 区县卫生健康局, 003 §七); None otherwise."""
    supervisor = org.licensing_authority if org.parent_id is None else None
    if supervisor is not None and supervisor.authority_level == "city":
        return supervisor
    return None


def is_plan_unit(user) -> bool:
    org = acting_org(user)
    return role_of(user) in STAFF_ROLES and org is not None and not org.is_authority


def can_edit_plan(user, plan: TrainingPlan) -> bool:
    return is_plan_unit(user) and acting_org(user).pk == plan.unit_id and plan.editable


def can_decide_plan(user, plan: TrainingPlan) -> bool:
    """The city the plan was sent to, while it waits for decisions."""
    org = acting_org(user)
    return (
        role_of(user) == Role.CITY_REVIEWER
        and org is not None
        and org.pk == plan.city_id
        and plan.state == TrainingPlan.State.SUBMITTED
    )


def is_city_reviewer(user) -> bool:
    return role_of(user) == Role.CITY_REVIEWER


def is_work_reporter(user) -> bool:
    """A unit's admin or a county bureau: the ones 003 §七 asks for a report."""
    org = acting_org(user)
    if org is None:
        return False
    role = role_of(user)
    if role == Role.COUNTY_REVIEWER:
        return True
    return role == Role.UNIT_ADMIN and not org.is_authority
