"""Account actions: applications, renames, password resets, hand-over, tokens.

Initial passwords are random, shown once to whoever created them, and must be changed
at first login; none is ever derived from an ID number.
"""

import secrets

from django.db import transaction
from django.utils import timezone

from cme.accounts.models import (
    AccountApplication,
    ApiToken,
    Membership,
    PasswordResetRequest,
    RenameRequest,
    RequestState,
    Role,
    User,
)
from cme.accounts.scope import role_of
from cme.core import audit
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.orgs import actions as org_actions
from cme.orgs import regions
from cme.orgs.chains import deciding_authority
from cme.orgs.models import Organisation


def initial_password() -> str:
    return secrets.token_urlsafe(9)


def create_user(
    *,
    username: str,
    full_name: str,
    organisation: Organisation,
    role: str,
    phone: str = "",
    email: str = "",
) -> tuple[User, str]:
    """A user with a random initial password they must change; returns (user, password)."""
    if User.objects.filter(username=username).exists():
        raise DomainError(
            "USERNAME_TAKEN", "用户名“{u}”已被使用。".format(u=username), field="username"
        )
    password = initial_password()
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=full_name,
        phone=phone,
        email=email,
        must_change_password=True,
    )
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user, password


# --- who decides ---------------------------------------------------------------------------


def can_decide_for(user, authority: Organisation | None) -> bool:
    """The user acts for `authority` as its reviewer (or is the system admin)."""
    role = role_of(user)
    if role == Role.SYSTEM_ADMIN:
        return True
    membership = getattr(user, "membership", None)
    return bool(
        authority is not None
        and membership
        and membership.is_authority
        and membership.organisation_id == authority.pk
    )


# --- account applications (003 §十四-十五) ------------------------------------------------


def _next_reference() -> str:
    stamp = timezone.localdate().strftime("%Y%m")
    for _ in range(10):
        reference = "SQ{stamp}{n:04d}".format(stamp=stamp, n=secrets.randbelow(10000))
        if not AccountApplication.objects.filter(reference=reference).exists():
            return reference
    raise DomainError("REFERENCE_BUSY", "申请编号生成失败，请重试。")


@transaction.atomic
def submit_account_application(
    application: AccountApplication, *, actor=None
) -> AccountApplication:
    """A new application, or a returned one resubmitted after correction."""
    if application.pk and application.state != RequestState.RETURNED:
        raise DomainError("APPLICATION_NOT_RETURNED", "只有被退回的申请可以修改后重新提交。")
    authority = application.licensing_authority
    if not (
        authority.is_authority
        and authority.region_id
        and regions.covers(authority.region_id, authority.region.level, application.region_id)
    ):
        raise DomainError(
            "AUTHORITY_REGION",
            "发证机构须为单位所在区县的卫健局、所在市州的卫健委或省卫健委。",
            field="licensing_authority",
        )
    if not application.reference:
        application.reference = _next_reference()
    application.state = RequestState.SUBMITTED
    application.save()
    audit.record(
        "account.apply",
        actor=actor,
        obj=application,
        scope_path=application.licensing_authority.tree_path,
        changes={"unit_name": application.unit_name},
    )
    return application


@transaction.atomic
def decide_account_application(
    application: AccountApplication, *, actor, decision: str, reason: str = ""
) -> tuple[AccountApplication, str | None]:
    """approve / return / reject. Approval creates the unit and its admin account and
    returns the admin's initial password (shown once)."""
    if not can_decide_for(actor, application.licensing_authority):
        raise PermissionDenied("只有该申请的发证机构可以审核。")
    if decision not in {"approve", "return", "reject"}:
        raise DomainError("DECISION_INVALID", "审核结论无效。", field="decision")
    if decision != "approve" and not reason.strip():
        raise DomainError("REASON_REQUIRED", "退回或拒绝时必须填写原因。", field="reason")
    if decision == "approve" and Organisation.objects.filter(uscc=application.uscc).exists():
        raise DomainError(
            "USCC_TAKEN",
            "统一社会信用代码为{c}的单位已有账户。".format(c=application.uscc),
            field="uscc",
        )
    state = {
        "approve": RequestState.APPROVED,
        "return": RequestState.RETURNED,
        "reject": RequestState.REJECTED,
    }[decision]
    # a conditional update, so two reviewers deciding at once give one decision
    won = AccountApplication.objects.filter(pk=application.pk, state=RequestState.SUBMITTED).update(
        state=state, decision_reason=reason, decided_by=actor, decided_at=timezone.now()
    )
    if not won:
        raise Conflict()
    application.refresh_from_db()
    password = None
    if decision == "approve":
        org = org_actions.create_organisation(
            actor=actor,
            name=application.unit_name,
            kind=application.kind,
            region=application.region,
            licensing_authority=application.licensing_authority,
            uscc=application.uscc,
            science_head=application.science_head,
            phone=application.science_head_phone,
            email=application.admin_email,
        )
        org.provincial_account = _free_account_number(org)
        org.save(update_fields=["provincial_account"])
        _user, password = create_user(
            username=org.provincial_account,
            full_name=application.admin_name,
            organisation=org,
            role=Role.UNIT_ADMIN,
            phone=application.admin_phone,
            email=application.admin_email,
        )
        application.organisation = org
        application.save(update_fields=["organisation"])
    audit.record(
        "account." + decision,
        actor=actor,
        obj=application,
        scope_path=application.licensing_authority.tree_path,
        comment=reason,
    )
    return application, password


def _free_account_number(org: Organisation) -> str:
    number = 500000 + org.pk
    while (
        Organisation.objects.filter(provincial_account=str(number)).exists()
        or User.objects.filter(username=str(number)).exists()
    ):
        number += 1
    return str(number)


# --- rename (003 §十六) ----------------------------------------------------------------------


@transaction.atomic
def request_rename(
    org: Organisation, *, actor, new_name: str, stamped_scan, contact_name: str, contact_phone: str
) -> RenameRequest:
    if org.rename_requests.filter(state=RequestState.SUBMITTED).exists():
        raise DomainError("RENAME_PENDING", "已有一份更名申请在审核中。")
    new_name = new_name.strip()
    if not new_name or new_name == org.name:
        raise DomainError("RENAME_SAME", "现单位名不能为空，且须与原单位名不同。", field="new_name")
    req = RenameRequest.objects.create(
        organisation=org,
        old_name=org.name,
        new_name=new_name,
        stamped_scan=stamped_scan,
        contact_name=contact_name,
        contact_phone=contact_phone,
        requested_by=actor,
    )
    audit.record("account.rename_request", actor=actor, obj=req, scope_path=org.tree_path)
    return req


def _decide_unit_request(req, *, actor, approve: bool, reason: str, denied: str) -> str:
    """The common step of a unit's request to its authority: permission, reason, one winner."""
    if not can_decide_for(actor, deciding_authority(req.organisation)):
        raise PermissionDenied(denied)
    if not approve and not reason.strip():
        raise DomainError("REASON_REQUIRED", "退回时必须填写原因。", field="reason")
    state = RequestState.APPROVED if approve else RequestState.RETURNED
    won = (
        type(req)
        .objects.filter(pk=req.pk, state=RequestState.SUBMITTED)
        .update(state=state, decision_reason=reason, decided_by=actor, decided_at=timezone.now())
    )
    if not won:
        raise Conflict()
    req.refresh_from_db()
    return state


@transaction.atomic
def decide_rename(req: RenameRequest, *, actor, approve: bool, reason: str = "") -> RenameRequest:
    state = _decide_unit_request(
        req,
        actor=actor,
        approve=approve,
        reason=reason,
        denied="只有该单位的发证机构可以审核更名。",
    )
    if approve:
        org_actions.rename_organisation(req.organisation, req.new_name, actor=actor, comment=reason)
    audit.record(
        "account.rename_decide",
        actor=actor,
        obj=req,
        scope_path=req.organisation.tree_path,
        comment=reason,
        changes={"state": state},
    )
    return req


# --- password reset on a stamped letter (003 §十七) ----------------------------------------


@transaction.atomic
def request_password_reset(
    org: Organisation, *, stamped_letter, contact_name: str, contact_phone: str
) -> PasswordResetRequest:
    req = PasswordResetRequest.objects.create(
        organisation=org,
        stamped_letter=stamped_letter,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    audit.record("account.reset_request", actor=None, obj=req, scope_path=org.tree_path)
    return req


@transaction.atomic
def decide_password_reset(
    req: PasswordResetRequest, *, actor, approve: bool, reason: str = ""
) -> tuple[PasswordResetRequest, str | None]:
    """Approval sets a new random initial password on the unit admin account."""
    state = _decide_unit_request(
        req,
        actor=actor,
        approve=approve,
        reason=reason,
        denied="只有该单位的发证机构可以重置密码。",
    )
    password = None
    if approve:
        admin = User.objects.filter(
            membership__organisation=req.organisation,
            membership__role=Role.UNIT_ADMIN,
            is_active=True,
        ).first()
        if admin is None:
            raise DomainError("NO_UNIT_ADMIN", "该单位没有单位账户管理员，请改用“移交管理员”。")
        password = initial_password()
        admin.set_password(password)
        admin.must_change_password = True
        admin.save(update_fields=["password", "must_change_password"])
    audit.record(
        "account.reset_decide",
        actor=actor,
        obj=req,
        scope_path=req.organisation.tree_path,
        comment=reason,
        changes={"state": state},
    )
    return req, password


# --- hand-over of the unit admin role (003 §十七) ------------------------------------------


@transaction.atomic
def hand_over_admin(
    org: Organisation, *, actor, full_name: str, username: str, phone: str, email: str = ""
) -> tuple[User, str]:
    """The new admin gets a fresh account; the previous admin account is closed."""
    own = getattr(actor, "membership", None)
    allowed = (
        own
        and own.organisation_id == org.pk
        and own.role in {Role.UNIT_ADMIN, Role.BRANCH_SECRETARY}
    ) or can_decide_for(actor, deciding_authority(org))
    if not allowed:
        raise PermissionDenied("只有本单位管理员或发证机构可以移交管理员。")
    admin_role = Role.BRANCH_SECRETARY if org.kind == Organisation.Kind.BRANCH else Role.UNIT_ADMIN
    previous = list(
        User.objects.filter(
            membership__organisation=org, membership__role=admin_role, is_active=True
        )
    )
    user, password = create_user(
        username=username,
        full_name=full_name,
        organisation=org,
        role=admin_role,
        phone=phone,
        email=email,
    )
    for old in previous:
        old.is_active = False
        old.save(update_fields=["is_active"])
    audit.record(
        "account.handover",
        actor=actor,
        obj=org,
        scope_path=org.tree_path,
        changes={"from": [u.get_full_name() for u in previous], "to": full_name},
    )
    return user, password


# --- personal API tokens ---------------------------------------------------------------------


@transaction.atomic
def create_api_token(*, actor, name: str) -> tuple[ApiToken, str]:
    if not name.strip():
        raise DomainError("TOKEN_NAME_REQUIRED", "请填写令牌名称。", field="name")
    token = "cme_" + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=actor, name=name.strip(), prefix=token[4:10], digest=ApiToken.hash(token)
    )
    audit.record("token.create", actor=actor, obj=record)
    return record, token


@transaction.atomic
def revoke_api_token(record: ApiToken, *, actor) -> None:
    if record.user_id != actor.pk:
        raise PermissionDenied()
    ApiToken.objects.filter(pk=record.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record("token.revoke", actor=actor, obj=record)
