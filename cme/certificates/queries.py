"""Reads for certificates: the public look-up by number, a person's own, and those of
sessions in the user's scope (SPEC §2, §5)."""

from django.db.models import QuerySet

from cme.accounts.scope import in_scope, one_or_404
from cme.certificates.models import Certificate, CertificateBatch, normalise_number
from cme.core.errors import NotFound
from cme.credits.models import CreditRecord
from cme.holding.models import HeldSession

# Everything a certificate PDF shows, in one query.
PDF_RELATED = (
    "credit__person__unit",
    "credit__session__project__sponsor",
    "credit__session__region__parent__parent",
)
SESSION_SCOPE = "credit__session__project__declared_by"
NOT_FOUND = "未找到该证书编号，请核对后重新输入。"


def certificate_by_number(number: str) -> Certificate:
    """The public look-up (no login): one query."""
    try:
        return Certificate.objects.select_related("credit__person", "credit__session__project").get(
            number=normalise_number(number)
        )
    except Certificate.DoesNotExist:
        raise NotFound(NOT_FOUND) from None


def certificates_visible_to(user) -> QuerySet[Certificate]:
    """The user's own certificates, and those of sessions declared in the user's subtree."""
    qs = Certificate.objects.select_related(*PDF_RELATED)
    return qs.filter(credit__person__user=user) | in_scope(qs, user, SESSION_SCOPE)


def certificate_for(user, number: str) -> Certificate:
    try:
        return certificates_visible_to(user).get(number=normalise_number(number))
    except Certificate.DoesNotExist:
        raise NotFound(NOT_FOUND) from None


def my_certificates(user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(credit__person__user=user).select_related(
        "credit__person", "credit__session__project"
    )


def session_certificates(session: HeldSession) -> QuerySet[Certificate]:
    """The session's certificates whose credit is valid: what its zip holds."""
    return (
        Certificate.objects.filter(
            credit__session=session, credit__status=CreditRecord.Status.VALID
        )
        .select_related("credit__person__unit")
        .order_by("credit__person__name", "id")
    )


def batch_for(user, pk: int) -> CertificateBatch:
    qs = CertificateBatch.objects.select_related("session__project")
    return one_or_404(in_scope(qs, user, "session__project__declared_by"), pk)
