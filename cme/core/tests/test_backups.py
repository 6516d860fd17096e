"""Issue 8 §6: a backup restores into a fresh database with the same row count in every
table and the same checksum of the credit ledger, and the uploaded files come back. The
restore runs as an operator runs it: `manage.py restore` against another database."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from cme.core.backups import make_backup
from cme.credits.tests.factories import credit

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def fresh_database(tmp_path):
    """The DATABASE_URL of a second, empty database of the same kind."""
    default = connections["default"]
    if default.vendor != "postgresql":
        yield "sqlite:///" + str(tmp_path / "restored.sqlite3")
        return
    db = default.settings_dict
    name = "cme_restore_" + uuid.uuid4().hex[:8]
    with default.cursor() as cursor:
        cursor.execute("CREATE DATABASE " + name)
    yield "postgres://{u}@{h}:{p}/{n}".format(
        u=db["USER"] or "postgres", h=db["HOST"] or "127.0.0.1", p=db["PORT"] or 5432, n=name
    )
    with default.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS " + name)


def restore(folder, database_url, media) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=database_url, MEDIA_ROOT=str(media), DEBUG="1")
    return subprocess.run(  # noqa: S603 -- this interpreter, manage.py
        [sys.executable, "manage.py", "restore", str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_backup_restores_into_a_fresh_database_with_the_same_ledger(
    cast, tmp_path, fresh_database
):
    for n, person in enumerate(cast.persons.values()):
        credit(person, 2025, str(n + 1))
        credit(person, 2026, "2.5", "unit_lecture", status="pending")
    upload = Path(settings.MEDIA_ROOT) / "claims" / "evidence.pdf"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"%PDF-1.4 evidence")
    folder = make_backup(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"]["credits_creditrecord"] == 8
    assert manifest["counts"]["people_person"] == len(cast.persons)

    media = tmp_path / "restored-media"
    done = restore(folder, fresh_database, media)
    assert done.returncode == 0, done.stderr
    assert "row count and the ledger checksum match" in done.stdout
    assert (media / "claims" / "evidence.pdf").read_bytes() == b"%PDF-1.4 evidence"


def test_a_restore_that_does_not_match_its_manifest_fails_and_says_why(
    cast, tmp_path, fresh_database
):
    credit(cast.persons["nurse"], 2025, "3")
    folder = make_backup(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["counts"]["credits_creditrecord"] = 2
    manifest["ledger_sha256"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))
    done = restore(folder, fresh_database, tmp_path / "media")
    assert done.returncode != 0
    assert "credits_creditrecord: 2 rows in the backup, 1 now" in done.stderr
    assert "counts differ, ledger differs" in done.stderr
