from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cme.accounts import actions
from cme.accounts.forms import (
    AccountApplicationForm,
    DecisionForm,
    HandOverForm,
    LoginForm,
    PasswordResetRequestForm,
    RenameForm,
    TokenForm,
)
from cme.accounts.models import AccountApplication, ApiToken, RequestState, Role
from cme.accounts.queries import (
    application_for,
    applications_visible_to,
    rename_for,
    renames_visible_to,
    reset_for,
    resets_visible_to,
)
from cme.accounts.scope import acting_org, is_authority, manages_staff, role_of
from cme.core import audit
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.core.forms import StyledFormMixin, add_domain_error
from cme.holding.reminders import reminders_for
from cme.orgs.chains import deciding_authority
from cme.orgs.models import Organisation
from cme.orgs.queries import org_for
from cme.stats.figures import desk_summary


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


@login_required
def password_change(request):
    form = StyledPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        update_session_auth_hash(request, user)
        audit.record("user.password_change", actor=user, obj=user)
        messages.success(request, "密码已修改。")
        return redirect("home")
    return render(
        request,
        "registration/password_change.html",
        {"form": form, "forced": request.user.must_change_password},
    )


@login_required
def home(request):
    user = request.user
    org = acting_org(user)
    context = {"org": org, "role": role_of(user)}
    if manages_staff(user) and org is not None:
        from cme.people.models import Transfer

        context["staff_count"] = org.staff.count()
        context["pending_out"] = Transfer.objects.filter(
            from_unit=org, state=Transfer.State.PENDING
        ).count()
        context["pending_in"] = Transfer.objects.filter(
            to_unit=org, state=Transfer.State.PENDING
        ).count()
        context["recent_imports"] = org.staff_imports.all()[:5]
    if is_authority(user):
        context["open_applications"] = (
            applications_visible_to(user).filter(state=RequestState.SUBMITTED).count()
        )
        context["open_renames"] = (
            renames_visible_to(user).filter(state=RequestState.SUBMITTED).count()
        )
        context["open_resets"] = (
            resets_visible_to(user).filter(state=RequestState.SUBMITTED).count()
        )
        context["desk"] = desk_summary(user, timezone.localdate())
    if role_of(user) == Role.LEARNER:
        context["person"] = getattr(user, "person", None)
    context["reminders"] = reminders_for(user)
    from cme.notices.queries import unread_notices

    unread = unread_notices(user)
    context["unread_notice_count"] = unread.count()
    context["unread_notices"] = unread[:5]
    return render(request, "accounts/home.html", context)


# --- unit account application (public: the unit has no account yet) -------------------------


def apply(request):
    form = AccountApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = actions.submit_account_application(form.save(commit=False))
            request.session["application_ref"] = application.reference
            return redirect("accounts:apply_status")
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "accounts/apply.html", {"form": form})


def apply_status(request):
    """Look up an application by its reference and the admin's phone; resubmit if returned."""
    application = None
    reference = request.GET.get("reference") or request.session.get("application_ref")
    phone = request.GET.get("phone", "")
    if reference:
        qs = AccountApplication.objects.filter(reference=reference.strip())
        if request.session.get("application_ref") != reference:
            qs = qs.filter(admin_phone=phone.strip())
        application = qs.select_related("licensing_authority").first()
        if application:
            request.session["application_ref"] = application.reference
    return render(
        request,
        "accounts/apply_status.html",
        {"application": application, "reference": reference or "", "looked_up": bool(reference)},
    )


def apply_resubmit(request):
    reference = request.session.get("application_ref")
    application = get_object_or_404(
        AccountApplication, reference=reference or "-", state=RequestState.RETURNED
    )
    form = AccountApplicationForm(request.POST or None, request.FILES or None, instance=application)
    for name in ("licence_scan", "legal_rep_id_scan", "agent_id_scan"):
        form.fields[name].required = False
    if request.method == "POST" and form.is_valid():
        try:
            actions.submit_account_application(form.save(commit=False))
            messages.success(request, "申请已重新提交。")
            return redirect("accounts:apply_status")
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "accounts/apply.html", {"form": form, "application": application})


# --- the authority's desk -------------------------------------------------------------------


@login_required
def requests(request):
    if not is_authority(request.user):
        raise PermissionDenied()
    state = request.GET.get("state", RequestState.SUBMITTED)
    tab = request.GET.get("tab", "applications")
    source = {
        "applications": applications_visible_to,
        "renames": renames_visible_to,
        "resets": resets_visible_to,
    }.get(tab, applications_visible_to)(request.user)
    if state in RequestState.values:
        source = source.filter(state=state)
    page = Paginator(source, 25).get_page(request.GET.get("page"))
    counts = {
        "applications": applications_visible_to(request.user)
        .filter(state=RequestState.SUBMITTED)
        .count(),
        "renames": renames_visible_to(request.user).filter(state=RequestState.SUBMITTED).count(),
        "resets": resets_visible_to(request.user).filter(state=RequestState.SUBMITTED).count(),
    }
    return render(
        request,
        "accounts/requests.html",
        {
            "page": page,
            "tab": tab,
            "state": state,
            "states": RequestState.choices,
            "counts": counts,
        },
    )


def _decision_page(request, obj, *, authority, decide, choices, template, denied):
    """Show a request and, to its authority while it waits, the decision form."""
    form = DecisionForm(request.POST or None)
    form.fields["decision"].choices = choices
    may_decide = actions.can_decide_for(request.user, authority)
    can_decide = may_decide and obj.state == RequestState.SUBMITTED
    password = None
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied(denied)
        if not can_decide:
            messages.warning(request, Conflict.default_message)
        elif form.is_valid():
            try:
                obj, password = decide(
                    obj, form.cleaned_data["decision"], form.cleaned_data["reason"]
                )
                messages.success(request, "已审核：{s}".format(s=obj.get_state_display()))
                can_decide = False
            except DomainError as exc:
                add_domain_error(form, exc)
    context = {"obj": obj, "form": form, "can_decide": can_decide, "password": password}
    return render(request, template, {**context, "application": obj})


APPROVE_OR_RETURN = [("approve", "通过"), ("return", "退回修改")]


@login_required
def application_detail(request, pk: int):
    application = application_for(request.user, pk)
    return _decision_page(
        request,
        application,
        authority=application.licensing_authority,
        decide=lambda obj, decision, reason: actions.decide_account_application(
            obj, actor=request.user, decision=decision, reason=reason
        ),
        choices=[*APPROVE_OR_RETURN, ("reject", "不予通过")],
        template="accounts/application_detail.html",
        denied="只有该申请的发证机构可以审核。",
    )


@login_required
def rename_detail(request, pk: int):
    rename = rename_for(request.user, pk)
    return _decision_page(
        request,
        rename,
        authority=deciding_authority(rename.organisation),
        decide=lambda obj, decision, reason: (
            actions.decide_rename(
                obj, actor=request.user, approve=decision == "approve", reason=reason
            ),
            None,
        ),
        choices=APPROVE_OR_RETURN,
        template="accounts/rename_detail.html",
        denied="只有该单位的发证机构可以审核更名。",
    )


@login_required
def reset_detail(request, pk: int):
    reset = reset_for(request.user, pk)
    return _decision_page(
        request,
        reset,
        authority=deciding_authority(reset.organisation),
        decide=lambda obj, decision, reason: actions.decide_password_reset(
            obj, actor=request.user, approve=decision == "approve", reason=reason
        ),
        choices=APPROVE_OR_RETURN,
        template="accounts/reset_detail.html",
        denied="只有该单位的发证机构可以重置密码。",
    )


# --- a unit's own account matters -------------------------------------------------------------


@login_required
def rename_request(request, org_pk: int):
    org = org_for(request.user, org_pk)
    if not (manages_staff(request.user) and acting_org(request.user) == org):
        raise PermissionDenied("只有本单位账户管理员可以申请更名。")
    form = RenameForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_rename(org, actor=request.user, **form.cleaned_data)
            messages.success(request, "更名申请已提交至发证机构。")
            return redirect("orgs:detail", pk=org.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "accounts/rename_request.html", {"org": org, "form": form})


def password_reset_request(request):
    """Public: the unit lost its password and sends a stamped letter (003 §十七)."""
    form = PasswordResetRequestForm(request.POST or None, request.FILES or None)
    done = False
    if request.method == "POST" and form.is_valid():
        account = form.cleaned_data["account"].strip()
        org = Organisation.objects.filter(
            Q(provincial_account=account) | Q(name=account), status="active"
        ).first()
        if org is None:
            form.add_error("account", "未找到该单位账号或单位名称，请核对后重新填写。")
        else:
            actions.request_password_reset(
                org,
                stamped_letter=form.cleaned_data["stamped_letter"],
                contact_name=form.cleaned_data["contact_name"],
                contact_phone=form.cleaned_data["contact_phone"],
            )
            done = True
    return render(request, "accounts/password_reset_request.html", {"form": form, "done": done})


@login_required
def hand_over(request, org_pk: int):
    org = org_for(request.user, org_pk)
    form = HandOverForm(request.POST or None)
    password = new_user = None
    if request.method == "POST" and form.is_valid():
        try:
            new_user, password = actions.hand_over_admin(
                org, actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(
        request,
        "accounts/hand_over.html",
        {"org": org, "form": form, "password": password, "new_user": new_user},
    )


# --- personal API tokens --------------------------------------------------------------------


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    token = None
    if request.method == "POST" and form.is_valid():
        _record, token = actions.create_api_token(
            actor=request.user, name=form.cleaned_data["name"]
        )
        form = TokenForm()
    listing = ApiToken.objects.filter(user=request.user)
    return render(
        request, "accounts/tokens.html", {"form": form, "token": token, "tokens": listing}
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    record = get_object_or_404(ApiToken, pk=pk, user=request.user)
    actions.revoke_api_token(record, actor=request.user)
    messages.success(request, "令牌已撤销。")
    return redirect("accounts:tokens")
