"""Backups (issue 8 §6): the database (pg_dump in custom format on PostgreSQL, SQLite's own
online backup otherwise) plus the uploaded files, with a manifest of row counts and a
checksum of the credit ledger that a restore is checked against.

A backup is a folder:

    cme-backup-20261203-101500/
        database.dump | database.sqlite3
        media.tar.gz
        manifest.json   {"created_at", "vendor", "counts": {table: rows}, "ledger_sha256"}

The platform's signing key (CERT_SIGNING_DIR) is not in it: it is a secret kept apart,
backed up with the server's other secrets.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections

from cme.core.errors import DomainError

MANIFEST = "manifest.json"
LEDGER_COLUMNS = ("id", "person_id", "year", "category", "source", "amount", "hours", "status")


def counts(alias: str = "default") -> dict[str, int]:
    """Rows per table of every installed model (auto-created M2M tables included)."""
    result = {}
    db = connections[alias]
    with db.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in result or model._meta.proxy or not model._meta.managed:
                continue
            cursor.execute("SELECT COUNT(*) FROM " + db.ops.quote_name(table))  # noqa: S608 -- model tables
            result[table] = cursor.fetchone()[0]
    return result


def ledger_checksum(alias: str = "default") -> str:
    """SHA-256 over every credit record's identifying columns, in id order."""
    from cme.credits.models import CreditRecord

    digest = hashlib.sha256()
    rows = CreditRecord.objects.using(alias).order_by("id").values_list(*LEDGER_COLUMNS)
    for row in rows.iterator(chunk_size=5000):
        digest.update(("|".join(str(v) for v in row) + "\n").encode())
    return digest.hexdigest()


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 -- fixed programs, settings' values
    if done.returncode != 0:
        raise DomainError(
            "BACKUP_COMMAND",
            "{c} 失败：{e}".format(c=command[0], e=(done.stderr or done.stdout).strip()[:500]),
        )


def make_backup(target_dir: Path, *, alias: str = "default") -> Path:
    """Write a backup folder under `target_dir` and return it."""
    db = connections[alias].settings_dict
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")  # noqa: DTZ005 -- a local name
    folder = Path(target_dir) / "cme-backup-{s}".format(s=stamp)
    folder.mkdir(parents=True, exist_ok=False)
    try:
        _write_backup(folder, alias, db)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # no half-written backup left to trust
        raise
    return folder


def _write_backup(folder: Path, alias: str, db: dict) -> None:
    vendor = connections[alias].vendor
    if vendor == "postgresql":
        _run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                "-f",
                str(folder / "database.dump"),
                *_pg_args(db),
                db["NAME"],
            ],
            _pg_env(db),
        )
    elif vendor == "sqlite":
        connections[alias].ensure_connection()
        copy = sqlite3.connect(folder / "database.sqlite3")
        connections[alias].connection.backup(copy)  # SQLite's online backup, consistent
        copy.close()
    else:
        raise DomainError("BACKUP_VENDOR", "不支持备份该数据库：{v}".format(v=vendor))
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname="media")
    manifest = {
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "vendor": vendor,
        "counts": counts(alias),
        "ledger_sha256": ledger_checksum(alias),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise DomainError("BACKUP_MANIFEST", "备份目录中没有 manifest.json：{p}".format(p=folder))
    return json.loads(path.read_text())


def restore_backup(folder: Path, *, alias: str = "default") -> dict:
    """Load a backup into the configured database (which it replaces) and the uploaded
    files into MEDIA_ROOT; then check the counts and the ledger checksum against the
    manifest. Returns {"counts_match", "ledger_match", "differences"}."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    db = connections[alias].settings_dict
    vendor = connections[alias].vendor
    if vendor != manifest["vendor"]:
        raise DomainError(
            "BACKUP_VENDOR",
            "备份来自 {a}，当前数据库为 {b}，不能直接恢复。".format(a=manifest["vendor"], b=vendor),
        )
    connections[alias].close()
    if vendor == "postgresql":
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "-d",
                db["NAME"],
                *_pg_args(db),
                str(folder / "database.dump"),
            ],
            _pg_env(db),
        )
    else:
        shutil.copyfile(folder / "database.sqlite3", db["NAME"])  # a file: the database
    with tempfile.TemporaryDirectory() as unpacked:
        with tarfile.open(folder / "media.tar.gz", "r:gz") as archive:
            archive.extractall(unpacked, filter="data")
        if (Path(unpacked) / "media").exists():
            shutil.copytree(Path(unpacked) / "media", settings.MEDIA_ROOT, dirs_exist_ok=True)
    now = counts(alias)
    differences = {
        table: (rows, now.get(table))
        for table, rows in manifest["counts"].items()
        if now.get(table) != rows
    }
    return {
        "counts_match": not differences,
        "ledger_match": ledger_checksum(alias) == manifest["ledger_sha256"],
        "differences": differences,
    }
