"""Loading the shipped credit source catalogue (data/sources.json); data migrations call it."""

import json
from pathlib import Path

DATA = Path(__file__).parent / "data" / "sources.json"


def load_sources(model) -> int:
    """Insert the shipped sources that are missing; never overwrite an administrator's edit."""
    existing = set(model.objects.values_list("code", flat=True))
    rows = json.loads(DATA.read_text(encoding="utf-8"))["sources"]
    new = [model(**row) for row in rows if row["code"] not in existing]
    model.objects.bulk_create(new)
    return len(new)
