"""Background work for certificates (django-tasks; `manage.py run_worker` runs it)."""

from django_tasks import task

from cme.certificates.actions import build_certificate_batch, fail_certificate_batch
from cme.certificates.models import CertificateBatch
from cme.core.worker import on_lost


@task()
def build_certificate_batch_task(batch_id: int) -> str:
    batch = CertificateBatch.objects.get(pk=batch_id)
    try:
        return build_certificate_batch(batch).state
    except Exception as exc:
        fail_certificate_batch(batch_id, str(exc) or exc.__class__.__name__)
        raise


@on_lost(build_certificate_batch_task)
def _batch_lost(batch_id: int) -> None:
    fail_certificate_batch(batch_id, "生成证书时后台任务多次中断，请重新点击打包下载。")
