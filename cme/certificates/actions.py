"""Issuing certificates and building a session's zip (SPEC §5).

`issue_certificates` is called when an execution report is approved and the credits turn
valid. A certificate is never changed afterwards: voiding the credit voids it.
"""

import datetime
import tempfile
import zipfile
from collections.abc import Iterable

from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cme.certificates import documents
from cme.certificates.models import Certificate, CertificateBatch, batch_upload_to, new_number
from cme.certificates.queries import session_certificates
from cme.core.errors import DomainError, PermissionDenied
from cme.credits.models import CreditRecord
from cme.holding.models import HeldSession
from cme.holding.queries import SESSION_RELATED, sessions_visible_to

PROGRESS_EVERY = 100  # certificates between two progress updates of a batch
STALE_AFTER = datetime.timedelta(hours=1)  # a batch still running after this was lost


@transaction.atomic
def issue_certificates(records: Iterable[CreditRecord]) -> list[Certificate]:
    """A certificate for each valid session credit among `records` that has none yet;
    the others are skipped, so calling it again issues nothing twice."""
    pks = records.values("pk") if isinstance(records, QuerySet) else [r.pk for r in records]
    todo = CreditRecord.objects.filter(
        pk__in=pks,
        status=CreditRecord.Status.VALID,
        session__isnull=False,
        certificate__isnull=True,
    ).values_list("pk", flat=True)
    today = timezone.localdate()
    return Certificate.objects.bulk_create(
        [Certificate(number=new_number(), credit_id=pk, issued_on=today) for pk in todo],
        batch_size=1000,
    )


def can_download_session(user, session: HeldSession) -> bool:
    """The declaring unit and the authorities above it (the session is in their scope)."""
    return sessions_visible_to(user).filter(pk=session.pk).exists()


@transaction.atomic
def request_certificate_batch(session: HeldSession, *, actor) -> CertificateBatch:
    """打包下载: the zip is built by a background task; a batch already under way for the
    session is returned instead of starting another. The task row is written in this
    transaction, so a worker never sees it before the batch."""
    from cme.certificates.tasks import build_certificate_batch_task

    if not can_download_session(actor, session):
        raise PermissionDenied()
    running = session.certificate_batches.filter(
        state__in=[CertificateBatch.State.QUEUED, CertificateBatch.State.RUNNING],
        created_at__gte=timezone.now() - STALE_AFTER,
    ).first()
    if running:
        return running
    total = session_certificates(session).count()
    if not total:
        raise DomainError("NO_CERTIFICATES", "本期次还没有有效的电子学分证书。")
    batch = CertificateBatch.objects.create(session=session, requested_by=actor, total=total)
    build_certificate_batch_task.enqueue(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def build_certificate_batch(batch: CertificateBatch) -> CertificateBatch:
    """Draw and sign every valid certificate of the session into one zip, counting `done`
    every PROGRESS_EVERY certificates. Idempotent: a finished or failed batch is left as
    it is, and a retried one (its worker died) starts over, counting from zero and writing
    the same file name, so it ends with one zip and the right count."""
    session = HeldSession.objects.select_related(*SESSION_RELATED).get(pk=batch.session_id)
    certificates = list(session_certificates(session))
    won = CertificateBatch.objects.filter(
        pk=batch.pk, state__in=[CertificateBatch.State.QUEUED, CertificateBatch.State.RUNNING]
    ).update(state=CertificateBatch.State.RUNNING, total=len(certificates), done=0, error="")
    batch.refresh_from_db()
    if not won:
        return batch
    shared = documents.session_values(session)
    with tempfile.TemporaryFile() as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for done, certificate in enumerate(certificates, start=1):
                archive.writestr(
                    _member_name(certificate), documents.certificate_pdf(certificate, shared)
                )
                if done % PROGRESS_EVERY == 0:
                    CertificateBatch.objects.filter(pk=batch.pk).update(done=done)
        name = batch_upload_to(batch, "certificates.zip")
        storage = batch.file.storage
        for leftover in {batch.file.name, name} - {""}:  # an earlier attempt's zip
            storage.delete(leftover)
        batch.file.save("certificates.zip", File(tmp), save=False)
    batch.state = CertificateBatch.State.DONE
    batch.total = batch.done = len(certificates)
    batch.finished_at = timezone.now()
    batch.save(update_fields=["file", "state", "total", "done", "finished_at"])
    return batch


def fail_certificate_batch(batch_id: int, error: str) -> None:
    CertificateBatch.objects.filter(pk=batch_id).update(
        state=CertificateBatch.State.FAILED, error=error[:1000], finished_at=timezone.now()
    )


def _member_name(certificate: Certificate) -> str:
    name = certificate.credit.person.name.replace("/", "_")
    return "{n}_{p}.pdf".format(n=certificate.display_number, p=name)
