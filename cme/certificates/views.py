"""Certificate pages: the public verify page (no login), a learner's own certificates, and
a session's certificates with the zip built in the background (SPEC §5)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from cme.certificates import actions, documents
from cme.certificates.models import Certificate, CertificateBatch, normalise_number
from cme.certificates.queries import (
    batch_for,
    certificate_by_number,
    certificate_for,
    my_certificates,
    session_certificates,
)
from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.holding.queries import session_for
from cme.integrity.verifications import record_verification


def verify_form(request):
    """/verify/?number=… → the certificate's own page."""
    number = normalise_number(request.GET.get("number", ""))
    if number:
        return redirect("certificates:verify", number=number)
    return render(request, "certificates/certificate_verify.html", {})


def verify(request, number: str):
    """A credit certificate, or else an annual qualification certificate (年度合格证明,
    cme.audits): one page checks both."""
    try:
        certificate = certificate_by_number(number)
    except NotFound:
        from cme.audits.queries import annual_certificate_by_number

        try:
            annual = annual_certificate_by_number(number)
        except NotFound:
            context = {"not_found": True, "number": number}
            return render(request, "certificates/certificate_verify.html", context, status=404)
        return render(request, "certificates/certificate_verify.html", {"annual": annual})
    record_verification(certificate, request.META.get("REMOTE_ADDR"))  # VERIFY_BURST reads it
    context = {
        "certificate": certificate,
        "project_number": documents.project_number(certificate.credit.session.project),
    }
    return render(request, "certificates/certificate_verify.html", context)


@login_required
def certificate_list(request):
    """我的证书."""
    page = Paginator(my_certificates(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "certificates/certificate_list.html", {"page": page})


@login_required
def certificate_pdf(request, number: str):
    """One certificate: its holder, or the session's unit and the authorities above it."""
    certificate = certificate_for(request.user, number)
    if certificate.status != Certificate.Status.VALID:
        raise PermissionDenied(_("该证书{s}，不能下载。").format(s=certificate.status_label))
    response = HttpResponse(documents.certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, "{k}_{n}.pdf".format(k=certificate.kind_label, n=certificate.display_number)
    )
    return response


@login_required
def session_certificate_list(request, session_pk: int):
    session = session_for(request.user, session_pk)
    if request.method == "POST":
        try:
            batch = actions.request_certificate_batch(session, actor=request.user)
            return redirect("certificates:batch", pk=batch.pk)
        except DomainError as exc:
            if isinstance(exc, NotFound | PermissionDenied):
                raise
            messages.error(request, exc.message)
    certificates = session_certificates(session)
    context = {
        "session": session,
        "page": Paginator(certificates, 50).get_page(request.GET.get("page")),
        "batch": session.certificate_batches.first(),
    }
    return render(request, "certificates/session_certificates.html", context)


@login_required
def batch_detail(request, pk: int):
    """The batch's progress; HTMX polls the fragment until the zip is ready."""
    batch = batch_for(request.user, pk)
    template = (
        "certificates/partials/_batch.html" if request.htmx else "certificates/batch_detail.html"
    )
    return render(request, template, {"batch": batch})


@login_required
def batch_download(request, pk: int):
    batch = batch_for(request.user, pk)
    if batch.state != CertificateBatch.State.DONE:
        raise NotFound()
    session = batch.session
    name = "电子学分证书_{p}_第{n}期.zip".format(p=session.project.number or "", n=session.number)
    return FileResponse(batch.file.open("rb"), as_attachment=True, filename=name)
