"""Pages: the reader's 通知公告 (their scope and the public notices, unread marked), an
authority's own notices with drafts, publishing and withdrawal, and the public list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cme.core.errors import DomainError, PermissionDenied, shown_on_page
from cme.core.forms import add_domain_error
from cme.notices import actions
from cme.notices.forms import AttachmentForm, NoticeForm, WithdrawForm
from cme.notices.models import Notice, NoticeAttachment
from cme.notices.permissions import can_manage, can_publish
from cme.notices.queries import (
    attachment_for,
    managed_notice_for,
    notice_for,
    notices_for,
    notices_managed_by,
    public_attachment,
    public_notice,
    public_notices,
    with_reading,
)

PAGE_SIZE = 20


def _download(attachment: NoticeAttachment) -> FileResponse:
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


def _list(request, qs, template: str, **extra):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, **extra}
    if request.htmx:
        return render(request, "notices/partials/_notice_table.html", context)
    return render(request, template, context)


# --- readers -----------------------------------------------------------------------------------


@login_required
def notice_list(request):
    """Notices addressed to me, pinned first, newest first; ?unread=1 only the unread."""
    qs = with_reading(notices_for(request.user), request.user)
    unread = request.GET.get("unread") == "1"
    if unread:
        qs = qs.filter(unread=True)
    return _list(
        request,
        qs,
        "notices/notice_list.html",
        unread_only=unread,
        can_publish=can_publish(request.user),
    )


@login_required
def notice_detail(request, pk: int):
    notice = notice_for(request.user, pk)
    actions.mark_read(notice, user=request.user)
    return render(
        request,
        "notices/notice_detail.html",
        {"notice": notice, "attachments": notice.attachments.all()},
    )


@login_required
def attachment_download(request, notice_pk: int, pk: int):
    """Only for those who may read the notice (or its publisher): never a public media URL."""
    return _download(attachment_for(request.user, notice_pk, pk))


# --- the public, without login -----------------------------------------------------------------


def public_list(request):
    qs = with_reading(public_notices(), request.user)
    return _list(request, qs, "notices/public_list.html", public=True)


def public_detail(request, pk: int):
    notice = public_notice(pk)
    return render(
        request,
        "notices/notice_detail.html",
        {"notice": notice, "attachments": notice.attachments.all(), "public": True},
    )


def public_attachment_download(request, notice_pk: int, pk: int):
    return _download(public_attachment(notice_pk, pk))


# --- the publishing authority ------------------------------------------------------------------


def _publisher(request) -> None:
    if not can_publish(request.user):
        raise PermissionDenied("只有卫生健康行政部门可以发布通知公告。")


@login_required
def manage_list(request):
    _publisher(request)
    qs = notices_managed_by(request.user)
    state = request.GET.get("state", "")
    if state in Notice.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/manage_list.html",
        {"page": page, "state": state, "states": Notice.State.choices},
    )


@login_required
def notice_add(request):
    _publisher(request)
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = actions.create_notice(actor=request.user, **form.cleaned_data)
            messages.success(request, "草稿已保存，可继续上传附件后发布。")
            return redirect("notices:manage_detail", pk=notice.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    return render(request, "notices/notice_form.html", {"form": form})


def _manage_page(request, notice: Notice, **forms):
    context = {
        "notice": notice,
        "attachments": notice.attachments.all(),
        "can_manage": can_manage(request.user, notice),
        "form": forms.get("form") or NoticeForm.for_notice(notice),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
    }
    return render(request, "notices/manage_detail.html", context)


@login_required
def manage_detail(request, pk: int):
    """The authority's view of its notice; a draft is edited here."""
    _publisher(request)
    notice = managed_notice_for(request.user, pk)
    if request.method != "POST":
        return _manage_page(request, notice)
    form = NoticeForm.for_notice(notice, request.POST)
    if form.is_valid():
        try:
            actions.update_notice(notice, actor=request.user, **form.cleaned_data)
            messages.success(request, "草稿已保存。")
            return redirect("notices:manage_detail", pk=notice.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    return _manage_page(request, notice, form=form)


@login_required
@require_POST
def notice_attach(request, pk: int):
    _publisher(request)
    notice = managed_notice_for(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = actions.add_attachment(
                notice,
                actor=request.user,
                file=form.cleaned_data["file"],
                is_template=form.cleaned_data["is_template"],
            )
            messages.success(request, "已上传附件：{n}".format(n=attachment.name))
            return redirect("notices:manage_detail", pk=notice.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    return _manage_page(request, notice, attachment_form=form)


@login_required
@require_POST
def notice_detach(request, pk: int, attachment_pk: int):
    _publisher(request)
    notice = managed_notice_for(request.user, pk)
    attachment = attachment_for(request.user, notice.pk, attachment_pk)
    try:
        actions.remove_attachment(attachment, actor=request.user)
        messages.success(request, "已删除附件：{n}".format(n=attachment.name))
    except DomainError as exc:
        messages.error(request, shown_on_page(exc).message)
    return redirect("notices:manage_detail", pk=notice.pk)


@login_required
@require_POST
def notice_publish(request, pk: int):
    _publisher(request)
    notice = managed_notice_for(request.user, pk)
    try:
        actions.publish_notice(notice, actor=request.user)
        messages.success(request, "通知已发布。")
    except DomainError as exc:
        messages.error(request, shown_on_page(exc).message)
    return redirect("notices:manage_detail", pk=notice.pk)


@login_required
@require_POST
def notice_withdraw(request, pk: int):
    _publisher(request)
    notice = managed_notice_for(request.user, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.withdraw_notice(notice, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, "通知已撤回，仅本机构可见。")
            return redirect("notices:manage_detail", pk=notice.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    return _manage_page(request, notice, withdraw_form=form)
