"""Every benchmark's start: Django set up on a scratch SQLite file (or DATABASE_URL), with
uploads and the signing key in a scratch folder. Import it before anything of Django:

    from scratch import scratch  # noqa: F401  (sets Django up)
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cme.settings")
os.environ.setdefault("DEBUG", "1")
scratch = Path(tempfile.mkdtemp(prefix="cme-bench-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
os.environ["MEDIA_ROOT"] = str(scratch / "media")
os.environ["CME_SIGNING_DIR"] = str(scratch / "signing")

import django  # noqa: E402

django.setup()
