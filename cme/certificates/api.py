"""API: verifying a certificate (public), a learner's own, single PDFs and a session's zip
(SPEC §5). Same queries and actions as the pages; ID numbers only ever masked."""

from datetime import date
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from ninja import Field, Router, Schema, Status

from cme.api.auth import current_user
from cme.api.schemas import ERRORS, file_response
from cme.audits.api import AnnualCertificateOut, annual_certificate_out
from cme.audits.queries import annual_certificate_by_number
from cme.certificates import actions, documents
from cme.certificates.models import Certificate, CertificateBatch
from cme.certificates.queries import (
    batch_for,
    certificate_by_number,
    certificate_for,
    my_certificates,
)
from cme.core import idnumbers
from cme.core.errors import NotFound, PermissionDenied
from cme.holding.queries import session_for
from cme.integrity.verifications import record_verification

router = Router(tags=["电子学分证书"])


class CertificateOut(Schema):
    number: str = Field(..., description="证书编号，如 ABCD-EFGH-JKMN-PQRS")
    kind: str = Field(..., description="学分证书 / 授课证明")
    status: str = Field(..., description="valid 有效 / void 已作废 / not_valid 未生效")
    status_label: str
    name: str
    id_number_masked: str
    project_number: str
    project_name: str
    category: str
    amount: Decimal
    hours: Decimal
    starts_on: date
    ends_on: date
    issued_on: date

    @staticmethod
    def resolve_number(c: Certificate) -> str:
        return c.display_number

    @staticmethod
    def resolve_kind(c: Certificate) -> str:
        return c.kind_label

    @staticmethod
    def resolve_name(c: Certificate) -> str:
        return c.credit.person.name

    @staticmethod
    def resolve_id_number_masked(c: Certificate) -> str:
        return idnumbers.mask(c.credit.person.id_number)

    @staticmethod
    def resolve_project_number(c: Certificate) -> str:
        return documents.project_number(c.credit.session.project)

    @staticmethod
    def resolve_project_name(c: Certificate) -> str:
        return c.credit.session.project.name

    @staticmethod
    def resolve_category(c: Certificate) -> str:
        return c.credit.get_category_display()

    @staticmethod
    def resolve_amount(c: Certificate) -> Decimal:
        return c.credit.amount

    @staticmethod
    def resolve_hours(c: Certificate) -> Decimal:
        return c.credit.hours

    @staticmethod
    def resolve_starts_on(c: Certificate) -> date:
        return c.credit.session.starts_on

    @staticmethod
    def resolve_ends_on(c: Certificate) -> date:
        return c.credit.session.ends_on


class CertificateBatchOut(Schema):
    id: int
    session_id: int
    state: str = Field(
        ..., description="queued 排队中 / running 生成中 / done 已完成 / failed 失败"
    )
    total: int
    done: int
    error: str
    download_url: str | None

    @staticmethod
    def resolve_download_url(b: CertificateBatch) -> str | None:
        if b.state != CertificateBatch.State.DONE:
            return None
        return reverse("certificates:batch_download", args=[b.pk])


@router.get(
    "/certificates/mine",
    response={200: list[CertificateOut], **ERRORS},
    summary="我的电子学分证书",
)
def mine(request: HttpRequest):
    return my_certificates(current_user(request))


@router.get(
    "/certificates/{number}/verify",
    auth=None,
    response={200: CertificateOut | AnnualCertificateOut, 404: ERRORS[404]},
    summary="核验电子学分证书或年度合格证明（无需登录）",
)
def verify(request: HttpRequest, number: str):
    """证书编号大小写、空格和连字符均可；证件号码只返回脱敏形式。年度合格证明返回
    kind=年度合格证明 及年度学分。"""
    try:
        certificate = certificate_by_number(number)
    except NotFound:
        return annual_certificate_out(annual_certificate_by_number(number))
    record_verification(certificate, request.META.get("REMOTE_ADDR"))  # VERIFY_BURST reads it
    return certificate


@router.get(
    "/certificates/{number}/pdf",
    response={**ERRORS},
    openapi_extra=file_response("已签名的证书PDF"),
    summary="下载证书PDF",
)
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """本人的证书，或本单位（及上级卫生健康行政部门）举办期次的证书；已作废或未生效的不能下载。"""
    certificate = certificate_for(current_user(request), number)
    if certificate.status != Certificate.Status.VALID:
        raise PermissionDenied("该证书{s}，不能下载。".format(s=certificate.status_label))
    response = HttpResponse(documents.certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, "{n}.pdf".format(n=certificate.display_number)
    )
    return response


@router.post(
    "/sessions/{session_id}/certificate-batches",
    response={202: CertificateBatchOut, **ERRORS},
    summary="打包下载期次的全部证书",
)
def request_batch(request: HttpRequest, session_id: int):
    """在后台生成并签名本期次全部有效证书，打成一个zip；用 GET /certificate-batches/{id}
    查询进度，完成后返回 download_url。已有进行中的打包时返回该打包。"""
    user = current_user(request)
    batch = actions.request_certificate_batch(session_for(user, session_id), actor=user)
    return Status(202, batch)


@router.get(
    "/certificate-batches/{batch_id}",
    response={200: CertificateBatchOut, **ERRORS},
    summary="证书打包进度",
)
def get_batch(request: HttpRequest, batch_id: int) -> CertificateBatch:
    return batch_for(current_user(request), batch_id)
