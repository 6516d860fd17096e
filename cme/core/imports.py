"""The life of an import record (cme.core.models.ImportRecord), the same for every importer:

1. preview: read the upload (size-checked), plan it, store the file with its report;
   nothing else is written;
2. queue: 确认导入 moves the record from previewed to committing with a conditional
   update and enqueues the importer's task in the same transaction;
3. commit (the task): read the stored file again, plan it against the database as it is
   now, and write everything in one transaction — or mark the record invalid with the new
   errors and write nothing; a crash marks it invalid too.

Each importer supplies its plan (what the file would do and every `RowError`) and its
writer; the states, counts and messages stay the same for all of them.
"""

import hashlib
from collections.abc import Callable
from typing import Protocol, TypeVar

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from cme.core import audit
from cme.core.errors import DomainError
from cme.core.excel import RowError, check_upload
from cme.core.models import ImportRecord

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
R = TypeVar("R", bound=ImportRecord)


class Plan(Protocol):
    """What a file would do: counts for the report, and every error."""

    total: int
    errors: list[RowError]
    ignored_headers: list[str]

    def counts(self) -> tuple[int, int, int]:
        """(created, updated, unchanged)."""
        ...


def read_upload(upload) -> bytes:
    """The upload's bytes, once its size and its first bytes say it may be a spreadsheet:
    an oversized file or a renamed program is refused before it is read or parsed."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(
            "FILE_TOO_LARGE",
            "文件超过{n}MB，请分批导入。".format(n=MAX_UPLOAD_BYTES // 1024 // 1024),
            field="file",
        )
    upload.seek(0)
    check_upload(upload.name or "", upload.read(4096))
    upload.seek(0)
    return upload.read()


def preview_import(record: R, upload, plan_data: Callable[[bytes], Plan]) -> R:
    """Read the upload, plan it, and store the new record with its report and the file."""
    data = read_upload(upload)
    return save_preview(record, name=upload.name, data=data, plan=plan_data(data))


def save_preview(record: R, *, name: str, data: bytes, plan: Plan) -> R:
    """Fill the record's report from the plan and store it with the file."""
    record.file_name = name[:255]
    record.sha256 = hashlib.sha256(data).hexdigest()
    record.state = ImportRecord.State.INVALID if plan.errors else ImportRecord.State.PREVIEWED
    record.total_rows = plan.total
    record.created_count, record.updated_count, record.unchanged_count = plan.counts()
    record.errors = [e.as_dict() for e in plan.errors]
    record.ignored_headers = plan.ignored_headers
    record.file.save(name, ContentFile(data), save=False)
    record.save()
    return record


def claim_for_commit(record: R, **fields) -> None:
    """previewed → committing, once (two clicks or two users cannot both win)."""
    won = (
        type(record)
        ._default_manager.filter(pk=record.pk, state=ImportRecord.State.PREVIEWED)
        .update(state=ImportRecord.State.COMMITTING, **fields)
    )
    if not won:
        raise DomainError("IMPORT_NOT_READY", "该导入已确认或存在错误，不能再次确认。")


def commit_import(
    record: R,
    *,
    actor,
    plan_file: Callable[[R, bytes], Plan],
    write: Callable[[R, Plan], None],
    audit_action: str,
    scope_path: str,
    audit_changes: Callable[[R, Plan], dict] | None = None,
) -> R:
    """Write every good row in one transaction, or nothing. Only a previewed or committing
    record is written, so a retried task cannot write twice."""
    model = type(record)
    with transaction.atomic():
        record = model._default_manager.select_for_update().get(pk=record.pk)
        if record.state not in {ImportRecord.State.PREVIEWED, ImportRecord.State.COMMITTING}:
            raise DomainError("IMPORT_NOT_READY", "该导入已完成或存在错误，不能再次确认。")
        with record.file.open("rb") as fh:
            plan = plan_file(record, fh.read())
        errors, code, message = plan.errors, "IMPORT_HAS_ERRORS", None
        if not errors:
            try:
                with transaction.atomic():
                    write(record, plan)
            except IntegrityError:
                code = "IMPORT_CONFLICT"
                message = "导入时其他人同时写入了相同的数据，未导入任何数据，请重新上传。"
                errors = [RowError(0, "", message)]
            else:
                record.state = ImportRecord.State.COMMITTED
                record.created_count, record.updated_count, record.unchanged_count = plan.counts()
                record.committed_at = timezone.now()
                record.save()
                changes = {
                    "新增": record.created_count,
                    "更新": record.updated_count,
                    "未变化": record.unchanged_count,
                }
                if audit_changes is not None:
                    changes |= audit_changes(record, plan)
                audit.record(
                    audit_action, actor=actor, obj=record, scope_path=scope_path, changes=changes
                )
                return record
        model._default_manager.filter(pk=record.pk).update(
            state=ImportRecord.State.INVALID, errors=[e.as_dict() for e in errors]
        )
    raise DomainError(code, message or "名单中有{n}处错误，未导入任何数据。".format(n=len(errors)))


def fail_import(record: ImportRecord) -> None:
    """A crash inside the commit: nothing was written; say so on the record."""
    type(record)._default_manager.filter(pk=record.pk, state=ImportRecord.State.COMMITTING).update(
        state=ImportRecord.State.INVALID,
        errors=[
            {
                "row": 0,
                "column": "",
                "message": "导入时发生系统错误，未导入任何数据，请重新上传或联系管理员。",
            }
        ],
    )


def run_commit(record: R, commit: Callable[..., R], actor_id: int) -> str:
    """The body of an importer's commit task: the record's new state, or the code of the
    DomainError that the record now explains; a crash marks the record invalid and fails
    the task."""
    actor = get_user_model().objects.get(pk=actor_id)
    try:
        return commit(record, actor=actor).state
    except DomainError as exc:
        return exc.code
    except Exception:
        fail_import(record)
        raise
