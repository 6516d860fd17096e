"""GB/T 2260 region codes shipped with the project (data/regions.csv)."""

import csv
from pathlib import Path

DATA = Path(__file__).parent / "data" / "regions.csv"


def load_regions(region_model) -> int:
    """Insert or update every region of the shipped file; returns the row count.

    Takes the model as an argument so the data migration can pass its historical model.
    """
    with DATA.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    existing = set(region_model.objects.values_list("code", flat=True))
    # parents first: provinces, then cities, then counties
    order = {"province": 0, "city": 1, "county": 2}
    for row in sorted(rows, key=lambda r: order[r["level"]]):
        values = {
            "name": row["name"],
            "level": row["level"],
            "parent_id": row["parent_code"] or None,
        }
        if row["code"] in existing:
            region_model.objects.filter(code=row["code"]).update(**values)
        else:
            region_model.objects.create(code=row["code"], **values)
    return len(rows)


def scope_prefix(code: str, level: str) -> str:
    """The code prefix shared by a region and everything inside it."""
    return {"province": code[:2], "city": code[:4]}.get(level, code)


def covers(outer_code: str, outer_level: str, inner_code: str) -> bool:
    """Whether the region `outer` contains (or is) the region `inner`."""
    return inner_code.startswith(scope_prefix(outer_code, outer_level))
