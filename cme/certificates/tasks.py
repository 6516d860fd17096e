"""Background work for certificates (django-tasks; `manage.py db_worker` runs it)."""

from django_tasks import task

from cme.certificates.actions import build_certificate_batch, fail_certificate_batch
from cme.certificates.models import CertificateBatch


@task()
def build_certificate_batch_task(batch_id: int) -> str:
    batch = CertificateBatch.objects.get(pk=batch_id)
    try:
        return build_certificate_batch(batch).state
    except Exception as exc:
        fail_certificate_batch(batch_id, str(exc) or exc.__class__.__name__)
        raise
