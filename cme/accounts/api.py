"""API: the caller (/me) and unit account applications (003 §十四-十五)."""

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from cme.accounts.actions import decide_account_application
from cme.accounts.models import AccountApplication, RequestState, Role, User
from cme.accounts.queries import application_for, applications_visible_to
from cme.accounts.scope import acting_org, role_of
from cme.api.auth import current_user
from cme.api.schemas import ERRORS, OrgRef, Pages

router = Router(tags=["账户"])


class MeOut(Schema):
    username: str
    name: str
    role: str | None
    role_label: str
    organisation: OrgRef | None
    must_change_password: bool

    @staticmethod
    def resolve_name(user: User) -> str:
        return user.get_full_name()

    @staticmethod
    def resolve_role(user: User) -> str | None:
        return role_of(user)

    @staticmethod
    def resolve_role_label(user: User) -> str:
        role = role_of(user)
        return str(Role(role).label) if role else ""

    @staticmethod
    def resolve_organisation(user: User) -> OrgRef | None:
        org = acting_org(user)
        return OrgRef(id=org.pk, name=org.name) if org else None


class ApplicationOut(Schema):
    id: int
    reference: str
    unit_name: str
    kind: str
    kind_label: str
    region: str
    region_name: str
    licensing_authority: OrgRef
    supervisor_name: str
    uscc: str
    science_head: str
    science_head_phone: str
    admin_name: str
    admin_phone: str
    admin_email: str
    state: str
    state_label: str
    decision_reason: str
    decided_at: datetime | None
    organisation: OrgRef | None
    submitted_at: datetime

    @staticmethod
    def resolve_kind_label(app: AccountApplication) -> str:
        return app.get_kind_display()

    @staticmethod
    def resolve_region(app: AccountApplication) -> str:
        return app.region_id

    @staticmethod
    def resolve_region_name(app: AccountApplication) -> str:
        return app.region.full_name

    @staticmethod
    def resolve_state_label(app: AccountApplication) -> str:
        return app.get_state_display()


class ApplicationDecisionIn(Schema):
    decision: Literal["approve", "return", "reject"]
    reason: str = ""


class DecisionOut(Schema):
    application: ApplicationOut
    admin_username: str | None = Field(None, description="批准时新建的单位账户管理员用户名")
    initial_password: str | None = Field(None, description="批准时的初始密码，只返回这一次")


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户")
def me(request: HttpRequest) -> User:
    """当前用户：用户名、姓名、角色和所代表的单位。"""
    return current_user(request)


@router.get(
    "/account-applications",
    response={200: list[ApplicationOut], **ERRORS},
    summary="单位账户申请列表",
)
@paginate(Pages)
def list_applications(
    request: HttpRequest, state: RequestState | None = None
) -> QuerySet[AccountApplication]:
    """发证机构在本辖区内收到的单位账户申请。"""
    qs = applications_visible_to(current_user(request))
    return qs.filter(state=state) if state else qs


@router.get(
    "/account-applications/{application_id}",
    response={200: ApplicationOut, **ERRORS},
    summary="单位账户申请详情",
)
def get_application(request: HttpRequest, application_id: int) -> AccountApplication:
    return application_for(current_user(request), application_id)


@router.post(
    "/account-applications/{application_id}/decide",
    response={200: DecisionOut, **ERRORS},
    summary="审核单位账户申请",
)
def decide_application(
    request: HttpRequest, application_id: int, payload: ApplicationDecisionIn
) -> dict[str, object]:
    """审核：approve 批准 / return 退回 / reject 拒绝；批准时返回新管理员的初始密码（仅此一次）。"""
    user = current_user(request)
    application = application_for(user, application_id)
    application, password = decide_account_application(
        application, actor=user, decision=payload.decision, reason=payload.reason
    )
    org = application.organisation
    return {
        "application": application,
        "admin_username": org.provincial_account if org and password else None,
        "initial_password": password,
    }
