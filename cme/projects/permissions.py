from cme.accounts.models import Role
from cme.accounts.scope import acting_org, role_of
from cme.projects.models import Project, ReviewStep, State

DECLARING_ROLES = {Role.UNIT_ADMIN, Role.BRANCH_SECRETARY, Role.PROJECT_LEADER}
EDITABLE_STATES = {State.DRAFT, State.RETURNED}


def can_declare_for(user, org) -> bool:
    """Unit admins, branch secretaries and project leaders declare for their own organisation."""
    return role_of(user) in DECLARING_ROLES and acting_org(user) == org and org.is_active


def can_edit(user, project: Project) -> bool:
    return project.state in EDITABLE_STATES and can_declare_for(user, project.declared_by)


def can_submit(user, project: Project) -> bool:
    """The unit's admin (or the branch secretary) submits; a project leader drafts."""
    return (
        project.state in EDITABLE_STATES
        and role_of(user) in {Role.UNIT_ADMIN, Role.BRANCH_SECRETARY}
        and acting_org(user) == project.declared_by
    )


def can_decide(user, step: ReviewStep) -> bool:
    """The reviewing organisation's reviewer: an authority role, or the society's admin."""
    if role_of(user) == Role.SYSTEM_ADMIN:
        return True
    membership = getattr(user, "membership", None)
    if not membership or membership.organisation_id != step.reviewer_id:
        return False
    if step.stage == ReviewStep.Stage.SOCIETY:
        return membership.role == Role.UNIT_ADMIN
    return membership.is_authority
